// node:timers — the timer functions, as the Workers globals; setImmediate
// runs its callback on a zero-delay timer. Timers return the Workers timer
// ids (numbers), not Node's Timeout objects.

export const setTimeout = (...a) => globalThis.setTimeout(...a);
export const clearTimeout = (id) => globalThis.clearTimeout(id);
export const setInterval = (...a) => globalThis.setInterval(...a);
export const clearInterval = (id) => globalThis.clearInterval(id);
export function setImmediate(callback, ...args) { return globalThis.setTimeout(callback, 0, ...args); }
export function clearImmediate(id) { globalThis.clearTimeout(id); }

import * as promises from "node:timers/promises";
export { promises };

export default { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, promises };
