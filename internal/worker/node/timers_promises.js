// node:timers/promises — promise-returning timers with AbortSignal support.

function abortError(signal) {
  const e = new Error("The operation was aborted");
  e.name = "AbortError";
  e.code = "ABORT_ERR";
  if (signal && signal.reason !== undefined) e.cause = signal.reason;
  return e;
}

export function setTimeout(delay, value, options = {}) {
  const signal = options && options.signal;
  if (signal && signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const id = globalThis.setTimeout(() => { if (signal) signal.removeEventListener("abort", onAbort); resolve(value); }, delay);
    function onAbort() { globalThis.clearTimeout(id); reject(abortError(signal)); }
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });
}

export function setImmediate(value, options) { return setTimeout(0, value, options); }

export async function* setInterval(delay, value, options = {}) {
  const signal = options && options.signal;
  while (true) {
    await setTimeout(delay, undefined, { signal });
    yield value;
  }
}

export const scheduler = {
  wait: (delay, options) => setTimeout(delay, undefined, options),
  yield: () => setTimeout(0),
};

export default { setTimeout, setImmediate, setInterval, scheduler };
