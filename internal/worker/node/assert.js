// node:assert — the assertion functions and AssertionError, as Node.js
// documents them, in strict mode as workerd provides them (equal is
// strictEqual, deepEqual is deepStrictEqual). Messages follow Node's for the common cases; the diff
// Node prints for deep inequality is reduced to both values inspected.

import { inspect } from "zerostack:node/inspect";
import { nodeError, invalidArgType } from "zerostack:node/errors";

export class AssertionError extends Error {
  constructor(options) {
    if (options === null || typeof options !== "object") throw invalidArgType("options", "of type object", options);
    const { message, actual, expected, operator } = options;
    super(message !== undefined ? String(message) : defaultMessage(actual, expected, operator));
    this.generatedMessage = message === undefined;
    this.code = "ERR_ASSERTION";
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
  }
  get name() { return "AssertionError"; }
  toString() { return `AssertionError [ERR_ASSERTION]: ${this.message}`; }
}

const show = (v) => inspect(v, { depth: 1000, breakLength: Infinity });

const diffLine = (v) => (typeof v === "string" ? v : show(v));

function defaultMessage(actual, expected, operator) {
  switch (operator) {
    case "==": case "strictEqual": case "===":
      // workerd's wording and layout for two values that differ.
      return `Values are not strictly equal:\n\n\n[Diff] Actual / Expected\n\n\n-   ${diffLine(actual)}\n+   ${diffLine(expected)}\n${typeof actual === "string" ? "\n" : ""}`;
    case "deepStrictEqual": {
      // Single-line values get a caret under the first difference.
      const a = show(actual), b = show(expected);
      let caret = "";
      if (!a.includes("\n") && !b.includes("\n")) {
        let i = 0;
        while (i < a.length && a[i] === b[i]) i++;
        caret = " ".repeat(i + 2) + "^";
      }
      return `Expected values to be strictly deep-equal:\n+ actual - expected\n\n+ ${a}\n- ${b}\n${caret}`;
    }
    case "deepEqual":
      return `Expected values to be loosely deep-equal:\n\n${show(actual)}\n\nshould loosely deep-equal\n\n${show(expected)}`;
    case "notStrictEqual":
      return `Expected "actual" to be strictly unequal to: ${show(expected)}`;
    case "notDeepStrictEqual":
      return "Expected actual to not be deeply strictly equal to expected";
    case "notDeepEqual":
      return `"actual" should not loosely deep-equal "expected": ${show(expected)}`;
    case "notEqual":
      return `${show(actual)} != ${show(expected)}`;
    case "fail":
      return "Failed";
  }
  return `${show(actual)} ${operator} ${show(expected)}`;
}

function fail_(actual, expected, message, operator, fn) {
  if (message instanceof Error) throw message;
  const e = new AssertionError({ actual, expected, message, operator });
  if (Error.captureStackTrace) Error.captureStackTrace(e, fn);
  throw e;
}

function innerOk(fn, argLen, value, message) {
  if (!value) {
    let generated = false;
    if (argLen === 0) message = "No value argument passed to `assert.ok()`";
    // Node quotes the source of the call; a Worker has no sources to read,
    // so (as workerd) the value is shown.
    else if (message === undefined) { message = `${show(value)} == true`; generated = true; }
    if (message instanceof Error) throw message;
    const e = new AssertionError({ actual: value, expected: true, message, operator: "==" });
    e.generatedMessage = generated || argLen === 0;
    if (Error.captureStackTrace) Error.captureStackTrace(e, fn);
    throw e;
  }
}

export function ok(...args) { innerOk(ok, args.length, ...args); }

export function fail(message = "Failed") {
  if (message instanceof Error) throw message;
  const e = new AssertionError({ message, operator: "fail" });
  e.generatedMessage = message === "Failed";
  throw e;
}

export function strictEqual(actual, expected, message) {
  if (!Object.is(actual, expected)) fail_(actual, expected, message, "strictEqual", strictEqual);
}
export function notStrictEqual(actual, expected, message) {
  if (Object.is(actual, expected)) fail_(actual, expected, message, "notStrictEqual", notStrictEqual);
}
export function deepStrictEqual(actual, expected, message) {
  if (!deepEqualImpl(actual, expected, true)) fail_(actual, expected, message, "deepStrictEqual", deepStrictEqual);
}
export function notDeepStrictEqual(actual, expected, message) {
  if (deepEqualImpl(actual, expected, true)) fail_(actual, expected, message, "notDeepStrictEqual", notDeepStrictEqual);
}
const deepEqualImpl = (a, b, strict) => deepEqual_(a, b, strict);

// workerd's node:assert is assert.strict: equal and deepEqual compare
// strictly there (unlike Node's legacy mode), and so they do here.
export { strictEqual as equal, notStrictEqual as notEqual, deepStrictEqual as deepEqual, notDeepStrictEqual as notDeepEqual };
import { deepEqual as deepEqual_ } from "zerostack:node/compare";

export function match(string, regexp, message) {
  if (!(regexp instanceof RegExp)) throw invalidArgType("regexp", "an instance of RegExp", regexp);
  if (typeof string !== "string" || !regexp.test(string)) {
    fail_(string, regexp, message ?? (typeof string !== "string"
      ? `The "string" argument must be of type string. Received type ${typeof string} (${show(string)})`
      : `actual: ${JSON.stringify(string)} expected to match: ${JSON.stringify(String(regexp))}`), "match", match);
  }
}
export function doesNotMatch(string, regexp, message) {
  if (!(regexp instanceof RegExp)) throw invalidArgType("regexp", "an instance of RegExp", regexp);
  if (typeof string !== "string" || regexp.test(string)) {
    fail_(string, regexp, message ?? `The input was expected to not match the regular expression ${regexp}. Input:\n\n${show(string)}\n`, "doesNotMatch", doesNotMatch);
  }
}

export function ifError(err) {
  if (err !== null && err !== undefined) {
    let message = "ifError got unwanted exception: ";
    message += typeof err === "object" && typeof err.message === "string" ? (err.message.length === 0 && err.constructor ? err.constructor.name : err.message) : show(err);
    const e = new AssertionError({ actual: err, expected: null, operator: "ifError", message });
    e.origin = err;
    throw e;
  }
}

// checkExpected reports whether the thrown value err satisfies expected
// (a class, a validation function, a RegExp, or an object of properties).
function checkExpected(err, expected, message, fn) {
  if (expected === undefined) return;
  if (typeof expected === "function") {
    if (expected.prototype !== undefined && err instanceof expected) return;
    if (Error.isPrototypeOf(expected) || expected === Error) throw err;
    const r = expected.call({}, err);
    if (r !== true) fail_(err, expected, message ?? `The ${fn.name === "rejects" ? "rejection" : "error"} validation function is expected to return "true". Received ${show(r)}`, fn.name, fn);
    return;
  }
  if (expected instanceof RegExp) {
    if (expected.test(String(err))) return;
    fail_(err, expected, message ?? `The input did not match the regular expression ${expected}. Input:\n\n${show(String(err))}\n`, fn.name, fn);
  }
  if (typeof expected === "object" && expected !== null) {
    const keys = Object.keys(expected);
    if (expected instanceof Error) keys.push("name", "message");
    for (const k of keys) {
      const want = expected[k], got = err == null ? undefined : err[k];
      if (want instanceof RegExp && typeof got === "string") { if (want.test(got)) continue; }
      else if (deepEqual_(got, want, true)) continue;
      fail_(err, expected, message ?? `Expected values to be strictly deep-equal:\n+ actual - expected\n\n  Comparison {\n+   ${k}: ${show(got)}\n-   ${k}: ${show(want)}\n  }\n`, fn.name, fn);
    }
    return;
  }
  throw invalidArgType("expected", "of type function or an instance of Error, RegExp, or Object", expected);
}

const NO_EXCEPTION = Symbol("none");

export function throws(fn, expected, message) {
  if (typeof fn !== "function") throw invalidArgType("fn", "of type function", fn);
  if (typeof expected === "string") { message = expected; expected = undefined; }
  let err = NO_EXCEPTION;
  try { fn(); } catch (e) { err = e; }
  if (err === NO_EXCEPTION) {
    let details = "";
    if (expected && expected.name) details += ` (${expected.name})`;
    details += message ? `: ${message}` : ".";
    fail_(undefined, expected, `Missing expected exception${details}`, "throws", throws);
  }
  checkExpected(err, expected, message, throws);
}

export function doesNotThrow(fn, expected, message) {
  if (typeof fn !== "function") throw invalidArgType("fn", "of type function", fn);
  if (typeof expected === "string") { message = expected; expected = undefined; }
  try { fn(); } catch (e) {
    if (expected === undefined || (typeof expected === "function" && e instanceof expected)) {
      fail_(e, expected, `Got unwanted exception${message ? `: ${message}` : "."}\nActual message: "${e && e.message}"`, "doesNotThrow", doesNotThrow);
    }
    throw e;
  }
}

export async function rejects(promiseFn, expected, message) {
  if (typeof expected === "string") { message = expected; expected = undefined; }
  let p;
  if (typeof promiseFn === "function") {
    p = promiseFn();
    if (!p || typeof p.then !== "function") throw nodeError(TypeError, "ERR_INVALID_RETURN_VALUE", `Expected instance of Promise to be returned from the "promiseFn" function but got ${p === null ? "null" : typeof p}.`);
  } else if (promiseFn && typeof promiseFn.then === "function") p = promiseFn;
  else throw invalidArgType("promiseFn", "of type function or an instance of Promise", promiseFn);
  let err = NO_EXCEPTION;
  try { await p; } catch (e) { err = e; }
  if (err === NO_EXCEPTION) {
    let details = "";
    if (expected && expected.name) details += ` (${expected.name})`;
    details += message ? `: ${message}` : ".";
    fail_(undefined, expected, `Missing expected rejection${details}`, "rejects", rejects);
  }
  checkExpected(err, expected, message, rejects);
}

export async function doesNotReject(promiseFn, expected, message) {
  const p = typeof promiseFn === "function" ? promiseFn() : promiseFn;
  try { await p; } catch (e) {
    fail_(e, expected, `Got unwanted rejection.\nActual message: "${e && e.message}"`, "doesNotReject", doesNotReject);
  }
}

export function assert(...args) { innerOk(assert, args.length, ...args); }

export const strict = Object.assign(function strict(...args) { innerOk(strict, args.length, ...args); }, {
  AssertionError, ok, fail, match, doesNotMatch, ifError, throws, doesNotThrow, rejects, doesNotReject,
  equal: strictEqual, notEqual: notStrictEqual, deepEqual: deepStrictEqual, notDeepEqual: notDeepStrictEqual,
  strictEqual, notStrictEqual, deepStrictEqual, notDeepStrictEqual,
});
strict.strict = strict;

Object.assign(assert, {
  AssertionError, ok, fail, equal: strictEqual, notEqual: notStrictEqual, strictEqual, notStrictEqual,
  deepEqual: deepStrictEqual, notDeepEqual: notDeepStrictEqual, deepStrictEqual, notDeepStrictEqual, match,
  doesNotMatch, ifError, throws, doesNotThrow, rejects, doesNotReject, strict,
});

export default assert;
