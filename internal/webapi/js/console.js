// console.js: console methods that format their arguments and hand lines to
// the host's log function (the dev log).
import { host, defineGlobal } from "./host.js";

function fmt(v, depth = 0, seen = new Set()) {
  switch (typeof v) {
    case "string": return depth ? JSON.stringify(v) : v;
    case "undefined": return "undefined";
    case "function": return `[Function: ${v.name || "(anonymous)"}]`;
    case "bigint": return `${v}n`;
    case "symbol": return v.toString();
    case "object": {
      if (v === null) return "null";
      if (seen.has(v)) return "[Circular]";
      if (v instanceof Error) return v.stack || `${v.name}: ${v.message}`;
      if (depth > 2) return Array.isArray(v) ? "[Array]" : "[Object]";
      seen.add(v);
      try {
        if (Array.isArray(v)) return `[ ${v.map((x) => fmt(x, depth + 1, seen)).join(", ")} ]`;
        const name = v.constructor && v.constructor !== Object ? v.constructor.name + " " : "";
        const entries = Object.keys(v).map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${fmt(v[k], depth + 1, seen)}`);
        return entries.length ? `${name}{ ${entries.join(", ")} }` : `${name}{}`;
      } finally {
        seen.delete(v);
      }
    }
    default: return String(v);
  }
}

export function format(args) {
  return args.map((a) => fmt(a)).join(" ");
}

const console = {};
for (const [name, level] of [["log", "log"], ["info", "info"], ["debug", "debug"], ["warn", "warn"], ["error", "error"], ["trace", "debug"]]) {
  console[name] = (...args) => host.log(level, format(args));
}
defineGlobal("console", console);
