// errors.js (zerostack:node/errors): Node.js-style errors with a code
// property, shared by the node:* modules.

export function nodeError(Base, code, message) {
  const e = new Base(message);
  Object.defineProperty(e, "code", { value: code, writable: true, configurable: true, enumerable: false });
  // Node shows the code in the name part of the stack: "TypeError [CODE]".
  try {
    e.stack = `${Base.name} [${code}]: ${message}` + (e.stack ? e.stack.slice(e.stack.indexOf("\n")) : "");
  } catch {}
  return e;
}

export function describe(v) {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  switch (typeof v) {
    case "function": return `function ${v.name}`;
    case "object":
      if (v.constructor && v.constructor.name) return `an instance of ${v.constructor.name}`;
      return "an instance of Object";
    case "string": {
      let s = v.length > 28 ? v.slice(0, 25) + "..." : v;
      return `type string ('${s}')`;
    }
    case "bigint": return `type bigint (${v}n)`;
    case "symbol": return `type symbol (${String(v)})`;
    default: return `type ${typeof v} (${v})`;
  }
}

export function invalidArgType(name, expected, actual) {
  return nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" argument must be ${expected}. Received ${describe(actual)}`);
}

export function outOfRange(name, range, received) {
  return nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "${name}" is out of range. It must be ${range}. Received ${received}`);
}

export function invalidArgValue(name, value, reason = "is invalid") {
  let shown;
  try { shown = typeof value === "string" ? `'${value}'` : String(value); } catch { shown = typeof value; }
  return nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument '${name}' ${reason}. Received ${shown}`);
}

export function validateFunction(fn, name) {
  if (typeof fn !== "function") throw invalidArgType(name, "of type function", fn);
}

export function validateString(s, name) {
  if (typeof s !== "string") throw invalidArgType(name, "of type string", s);
}

// formatNumber writes a received number as Node's range errors do: an
// integer beyond 2 ** 32 with "_" separators, a bigint with "n".
export function formatNumber(n) {
  const big = typeof n === "bigint";
  let s = String(n);
  if ((big && (n > 2n ** 32n || n < -(2n ** 32n))) || (!big && Number.isInteger(n) && Math.abs(n) > 2 ** 32)) {
    const neg = s[0] === "-";
    let d = neg ? s.slice(1) : s, out = "";
    while (d.length > 3) { out = "_" + d.slice(-3) + out; d = d.slice(0, -3); }
    s = (neg ? "-" : "") + d + out;
  }
  return big ? s + "n" : s;
}
