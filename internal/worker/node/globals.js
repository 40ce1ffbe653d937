// globals.js (injected when nodejs_compat is on): the globals workerd adds
// with the flag (Buffer, process, global, setImmediate, clearImmediate),
// installed before the Worker's own modules run.
import { Buffer } from "node:buffer";
import process from "node:process";
import { setImmediate, clearImmediate } from "node:timers";

for (const [name, value] of [["Buffer", Buffer], ["process", process], ["global", globalThis], ["setImmediate", setImmediate], ["clearImmediate", clearImmediate]]) {
  if (!Object.prototype.hasOwnProperty.call(globalThis, name)) {
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: true });
  }
}
