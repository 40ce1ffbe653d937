// timers.js: setTimeout, setInterval, clear*, queueMicrotask and
// scheduler.wait, over the host's timer functions. Timers keep the event loop
// alive while armed, so a request awaiting one is not reported as hung.
import { host, defineGlobal } from "./host.js";

const timers = new Map();
let nextTimer = 1;

function arm(id, t) {
  host.timer(id, t.delay);
}

function setTimer(fn, delay, args, repeat) {
  if (typeof fn !== "function") {
    // Workers (like browsers) accept a string only to reject eval; mirror workerd.
    throw new TypeError("The first argument to setTimeout/setInterval must be a function.");
  }
  delay = Number(delay);
  if (!(delay >= 0)) delay = 0;
  if (delay > 2147483647) delay = 1;
  const id = nextTimer++;
  const t = { fn, args, delay, repeat };
  timers.set(id, t);
  arm(id, t);
  return id;
}

function clearTimer(id) {
  if (typeof id === "object" && id !== null) id = Number(id);
  if (timers.delete(id)) host.clearTimer(id);
}

globalThis.__zs_timer = function fire(id) {
  const t = timers.get(id);
  if (t === undefined) return;
  if (t.repeat) arm(id, t);
  else timers.delete(id);
  t.fn(...t.args);
};

defineGlobal("setTimeout", function setTimeout(fn, delay = 0, ...args) {
  return setTimer(fn, delay, args, false);
});
defineGlobal("setInterval", function setInterval(fn, delay = 0, ...args) {
  return setTimer(fn, delay, args, true);
});
defineGlobal("clearTimeout", function clearTimeout(id) { clearTimer(id); });
defineGlobal("clearInterval", function clearInterval(id) { clearTimer(id); });
defineGlobal("queueMicrotask", function queueMicrotask(fn) {
  if (typeof fn !== "function") {
    throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
  }
  Promise.resolve().then(() => fn());
});

class Scheduler {
  wait(ms, options) {
    const signal = options?.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const id = setTimer(resolve, ms, [], false);
      signal?.addEventListener?.("abort", () => { clearTimer(id); reject(signal.reason); }, { once: true });
    });
  }
}
defineGlobal("scheduler", new Scheduler());
