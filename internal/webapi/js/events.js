// events.js: Event, EventTarget, CustomEvent, AbortController and
// AbortSignal, plus the event classes the runtime and other APIs dispatch
// (ExtendableEvent, ErrorEvent, MessageEvent, CloseEvent,
// PromiseRejectionEvent).
//
// Behaviour follows workerd where it differs from the DOM spec: there is no
// event tree (the path is just the target), listeners may not ask for
// capture or passive (TypeError), an exception thrown by a listener stops the
// dispatch and propagates out of dispatchEvent(), a listener returning true
// cancels the event, and a function stored in the target's "on<type>"
// property runs before the listeners.
import { defineGlobal } from "./host.js";
import { DOMException } from "./errors.js";

// Event flags.
const F_CANCELED = 1, F_STOP = 2, F_STOP_IMMEDIATE = 4, F_DISPATCH = 8, F_TRUSTED = 16;

// Internal accessors, bound inside the class bodies.
let eventBegin, eventEnd, eventFlags, isEvent;

function dictionary(init, what) {
  if (init === undefined || init === null) return undefined;
  if (typeof init !== "object" && typeof init !== "function") {
    throw new TypeError(`Failed to construct '${what}': The provided value is not of type '${what}Init'.`);
  }
  return init;
}

// required checks constructor arity. workerd words a missing first
// argument as a type error of that parameter (its type argument is a string).
function required(args, n, what) {
  if (args < n) {
    throw new TypeError(`Failed to construct '${what}': constructor parameter ${args + 1} is not of type 'string'.`);
  }
}

/** Event is the DOM Event interface (without a tree: the path is the target). */
export class Event {
  #type;
  #flags = 0;
  #init = 0; // bubbles | cancelable << 1 | composed << 2
  #target = undefined;

  constructor(type, init = undefined) {
    required(arguments.length, 1, "Event");
    this.#type = `${type}`;
    const d = dictionary(init, "Event");
    if (d !== undefined) this.#init = (d.bubbles ? 1 : 0) | (d.cancelable ? 2 : 0) | (d.composed ? 4 : 0);
  }

  // (Attributes in workerd's order, which is how console.log lists them.)
  get type() { return this.#type; }
  get eventPhase() { return this.#flags & F_DISPATCH ? 2 : 0; }
  get composed() { return (this.#init & 4) !== 0; }
  get bubbles() { return (this.#init & 1) !== 0; }
  get cancelable() { return (this.#init & 2) !== 0; }
  get defaultPrevented() { return (this.#flags & F_CANCELED) !== 0; }
  get returnValue() { return (this.#flags & F_CANCELED) === 0; }
  // As in workerd: currentTarget is the target (also after dispatch, and
  // undefined before), and timeStamp is always 0 so code cannot time with it.
  get currentTarget() { return this.#target; }
  get target() { return this.#target; }
  get srcElement() { return this.#target; }
  get timeStamp() { return 0; }
  get isTrusted() { return (this.#flags & F_TRUSTED) !== 0; }
  get cancelBubble() { return (this.#flags & F_STOP) !== 0; }
  set cancelBubble(v) { if (v) this.#flags |= F_STOP; }

  composedPath() { return this.#flags & F_DISPATCH ? [this.#target] : []; }
  stopPropagation() { this.#flags |= F_STOP; }
  stopImmediatePropagation() { this.#flags |= F_STOP | F_STOP_IMMEDIATE; }
  preventDefault() {
    if ((this.#init & 2) !== 0) this.#flags |= F_CANCELED;
  }

  static {
    isEvent = (e) => e !== null && typeof e === "object" && #type in e;
    eventFlags = (e, set, clear) => (e.#flags = (e.#flags | set) & ~clear);
    eventBegin = (e, target) => {
      if (e.#flags & F_DISPATCH) throw new DOMException("The event is already being dispatched.", "InvalidStateError");
      e.#flags |= F_DISPATCH;
      e.#target = target;
    };
    eventEnd = (e) => { e.#flags &= ~(F_DISPATCH | F_STOP | F_STOP_IMMEDIATE); };
  }
}
for (const [name, value] of [["NONE", 0], ["CAPTURING_PHASE", 1], ["AT_TARGET", 2], ["BUBBLING_PHASE", 3]]) {
  const d = { value, enumerable: true, writable: false, configurable: false };
  Object.defineProperty(Event, name, d);
  Object.defineProperty(Event.prototype, name, d);
}
Object.defineProperty(Event.prototype, Symbol.toStringTag, { value: "Event", configurable: true });

/** markTrusted sets isTrusted on an event the runtime itself dispatches. */
export function markTrusted(event) {
  eventFlags(event, F_TRUSTED, 0);
  return event;
}

/** CustomEvent is an Event with a detail. */
export class CustomEvent extends Event {
  #detail;
  constructor(type, init = undefined) {
    required(arguments.length, 1, "CustomEvent");
    super(type, init);
    const d = dictionary(init, "CustomEvent");
    this.#detail = d === undefined || d.detail === undefined ? null : d.detail;
  }
  get detail() { return this.#detail; }
}
Object.defineProperty(CustomEvent.prototype, Symbol.toStringTag, { value: "CustomEvent", configurable: true });

/**
 * INTERNAL_EVENT is the key the runtime passes as third constructor argument
 * to build events that user code cannot construct (ExtendableEvent and its
 * subclasses such as FetchEvent).
 */
export const INTERNAL_EVENT = Symbol("internal event");

/**
 * ExtendableEvent is an event whose handlers may extend the event's life
 * with waitUntil(). As in workerd, only the runtime constructs it: new
 * ExtendableEvent(type, init, INTERNAL_EVENT, waitUntil) where waitUntil is
 * called with each promise. Such events are trusted.
 */
export class ExtendableEvent extends Event {
  #waitUntil;
  constructor(type, init = undefined, key = undefined, waitUntil = undefined) {
    if (key !== INTERNAL_EVENT) throw new TypeError("Illegal constructor");
    super(type, init);
    this.#waitUntil = typeof waitUntil === "function" ? waitUntil : null;
    markTrusted(this);
  }
  waitUntil(promise) {
    if (arguments.length < 1) {
      throw new TypeError("Failed to execute 'waitUntil' on 'ExtendableEvent': 1 argument required, but only 0 present.");
    }
    if (this.#waitUntil === null) throw new DOMException("waitUntil() is not available on this event.", "InvalidStateError");
    this.#waitUntil(promise);
  }
}
Object.defineProperty(ExtendableEvent.prototype, Symbol.toStringTag, { value: "ExtendableEvent", configurable: true });

/** ErrorEvent is dispatched for uncaught errors. */
export class ErrorEvent extends Event {
  #message = ""; #filename = ""; #lineno = 0; #colno = 0; #error;
  constructor(type, init = undefined) {
    required(arguments.length, 1, "ErrorEvent");
    super(type, init);
    const d = dictionary(init, "ErrorEvent");
    if (d !== undefined) {
      if (d.message !== undefined) this.#message = `${d.message}`;
      if (d.filename !== undefined) this.#filename = `${d.filename}`;
      if (d.lineno !== undefined) this.#lineno = d.lineno >>> 0;
      if (d.colno !== undefined) this.#colno = d.colno >>> 0;
      this.#error = d.error;
    }
  }
  get message() { return this.#message; }
  get filename() { return this.#filename; }
  get lineno() { return this.#lineno; }
  get colno() { return this.#colno; }
  get error() { return this.#error; }
}

/** MessageEvent carries a message (WebSocket, MessagePort); origin is null unless given, as in workerd. */
export class MessageEvent extends Event {
  #data = null; #origin = null; #lastEventId = ""; #source = null; #ports;
  constructor(type, init = undefined) {
    required(arguments.length, 1, "MessageEvent");
    super(type, init);
    const d = dictionary(init, "MessageEvent");
    if (d !== undefined) {
      if (d.data !== undefined) this.#data = d.data;
      if (d.origin !== undefined) this.#origin = `${d.origin}`;
      if (d.lastEventId !== undefined) this.#lastEventId = `${d.lastEventId}`;
      if (d.source !== undefined) this.#source = d.source;
      if (d.ports !== undefined) {
        if (d.ports === null || typeof d.ports[Symbol.iterator] !== "function") {
          throw new TypeError("Failed to construct 'MessageEvent': The provided value cannot be converted to a sequence.");
        }
        this.#ports = Object.freeze([...d.ports]);
      }
    }
    if (this.#ports === undefined) this.#ports = Object.freeze([]);
  }
  get ports() { return this.#ports; }
  get source() { return this.#source; }
  get lastEventId() { return this.#lastEventId; }
  get origin() { return this.#origin; }
  get data() { return this.#data; }
}

/** CloseEvent is dispatched when a WebSocket closes. */
export class CloseEvent extends Event {
  #code = 0; #reason = ""; #wasClean = false;
  constructor(type, init = undefined) {
    required(arguments.length, 1, "CloseEvent");
    super(type, init);
    const d = dictionary(init, "CloseEvent");
    if (d !== undefined) {
      if (d.code !== undefined) this.#code = d.code & 0xffff;
      if (d.reason !== undefined) this.#reason = `${d.reason}`;
      this.#wasClean = !!d.wasClean;
    }
  }
  get code() { return this.#code; }
  get reason() { return this.#reason; }
  get wasClean() { return this.#wasClean; }
}

/** PromiseRejectionEvent is dispatched for (un)handled rejections. */
export class PromiseRejectionEvent extends Event {
  #promise; #reason;
  constructor(type, init) {
    required(arguments.length, 2, "PromiseRejectionEvent");
    super(type, init);
    const d = dictionary(init, "PromiseRejectionEvent");
    if (d === undefined || d.promise === undefined) {
      throw new TypeError("Failed to construct 'PromiseRejectionEvent': required member promise is undefined.");
    }
    this.#promise = d.promise;
    this.#reason = d.reason;
  }
  get promise() { return this.#promise; }
  get reason() { return this.#reason; }
}

for (const C of [ErrorEvent, MessageEvent, CloseEvent, PromiseRejectionEvent]) {
  Object.defineProperty(C.prototype, Symbol.toStringTag, { value: C.name, configurable: true });
}

// A listener record. Lists of records are replaced, never mutated, so a
// dispatch in progress keeps iterating over the list it started with.
// callback is the identity given to addEventListener; fn and self are what
// is called (an object's handleEvent is read when the listener is added, as
// workerd does).
class Listener {
  constructor(callback, fn, self, once, signal) {
    this.callback = callback;
    this.fn = fn;
    this.self = self;
    this.once = once;
    this.signal = signal;
    this.removed = false;
    this.onAbort = null;
  }
}

let removeListenerRecord;

function checkCapture(options, what, allowObject) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object" && typeof options !== "function") {
    if (options) throw new TypeError(`${what}(): useCapture must be false.`);
    return undefined;
  }
  if (options.capture) throw new TypeError(`${what}(): options.capture must be false.`);
  return allowObject ? options : undefined;
}

/** EventTarget keeps listeners by type and dispatches events to them. */
export class EventTarget {
  #listeners = null; // Map<string, Listener[]>

  addEventListener(type, callback, options = undefined) {
    if (arguments.length < 2) {
      throw new TypeError(`Failed to execute 'addEventListener' on 'EventTarget': 2 arguments required, but only ${arguments.length} present.`);
    }
    type = `${type}`;
    if (callback === null || callback === undefined) return;
    let fn = callback, self = this;
    if (typeof callback !== "function") {
      const h = typeof callback === "object" ? callback.handleEvent : undefined;
      if (typeof h !== "function") {
        throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': parameter 2 is not of type 'EventListener'.");
      }
      fn = h;
      self = callback;
    }
    let once = false, signal;
    const o = checkCapture(options, "addEventListener", true);
    if (o !== undefined) {
      if (o.passive) throw new TypeError("addEventListener(): options.passive must be false.");
      once = !!o.once;
      signal = o.signal;
      if (signal !== undefined && !isAbortSignal(signal)) {
        throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': member signal is not of type AbortSignal.");
      }
      if (signal !== undefined && signal.aborted) return;
    }
    const map = this.#listeners ??= new Map();
    const list = map.get(type);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) if (list[i].callback === callback) return;
    }
    const rec = new Listener(callback, fn, self === this ? null : self, once, signal);
    map.set(type, list === undefined ? [rec] : [...list, rec]);
    if (signal !== undefined) {
      rec.onAbort = () => removeListenerRecord(this, type, rec);
      addAbortAlgorithm(signal, rec.onAbort);
    }
  }

  removeEventListener(type, callback, options = undefined) {
    if (arguments.length < 2) {
      throw new TypeError(`Failed to execute 'removeEventListener' on 'EventTarget': 2 arguments required, but only ${arguments.length} present.`);
    }
    checkCapture(options, "removeEventListener", false);
    const list = this.#listeners?.get(`${type}`);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      if (list[i].callback === callback) {
        removeListenerRecord(this, `${type}`, list[i]);
        return;
      }
    }
  }

  dispatchEvent(event) {
    if (!isEvent(event)) {
      throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    }
    eventBegin(event, this);
    try {
      const type = event.type;
      const on = this["on" + type];
      if (typeof on === "function") {
        if (on.call(this, event) === true) event.preventDefault();
      }
      const list = this.#listeners?.get(type);
      if (list !== undefined) {
        for (let i = 0; i < list.length; i++) {
          if (eventFlags(event, 0, 0) & F_STOP_IMMEDIATE) break;
          const rec = list[i];
          if (rec.removed) continue;
          if (rec.once) removeListenerRecord(this, type, rec);
          if (rec.fn.call(rec.self ?? this, event) === true) event.preventDefault();
        }
      }
    } finally {
      eventEnd(event);
    }
    return !event.defaultPrevented;
  }

  static {
    removeListenerRecord = (target, type, rec) => {
      if (rec.removed) return;
      rec.removed = true;
      const map = target.#listeners;
      const list = map?.get(type);
      if (list === undefined) return;
      const i = list.indexOf(rec);
      if (i < 0) return;
      if (list.length === 1) map.delete(type);
      else map.set(type, list.slice(0, i).concat(list.slice(i + 1)));
      if (rec.onAbort !== null) removeAbortAlgorithm(rec.signal, rec.onAbort);
    };
  }
}
Object.defineProperty(EventTarget.prototype, Symbol.toStringTag, { value: "EventTarget", configurable: true });

// ---- AbortController / AbortSignal ----

const illegal = Symbol("illegal constructor guard");
let signalBrand, setAbortReason, runAbortSteps;

/**
 * addAbortAlgorithm registers fn(reason) to run when signal aborts, before
 * the abort event fires; nothing happens if it already aborted.
 */
export let addAbortAlgorithm;

/** removeAbortAlgorithm unregisters a function given to addAbortAlgorithm. */
export let removeAbortAlgorithm;

// reasonError makes the DOMException a signal aborts with when given no
// reason. Capturing a stack trace is most of the cost of an abort, and the
// frames (inside abort()) tell nothing, so the stack is only its first line.
function reasonError(message, name) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new DOMException(message, name);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function defaultAbortReason() {
  return reasonError("The operation was aborted", "AbortError");
}

/** AbortSignal reports the abort of an operation. Built only internally. */
export class AbortSignal extends EventTarget {
  #aborted = false;
  #reason = undefined;
  #onabort = null;
  #algorithms = null; // Set of functions run on abort, before the event
  #dependents = null; // signals made by AbortSignal.any() that follow this one

  constructor(key = undefined) {
    if (key !== illegal) throw new TypeError("Illegal constructor");
    super();
  }

  get aborted() { return this.#aborted; }
  get reason() { return this.#reason; }
  get onabort() { return this.#onabort; }
  set onabort(v) { this.#onabort = typeof v === "function" || (v !== null && typeof v === "object") ? v : null; }

  throwIfAborted() {
    if (this.#aborted) throw this.#reason;
  }

  static abort(reason = undefined) {
    const s = newAbortSignal();
    s.#aborted = true;
    s.#reason = reason === undefined ? defaultAbortReason() : reason;
    return s;
  }

  static timeout(ms) {
    ms = Number(ms);
    if (!Number.isFinite(ms) || ms < 0 || ms > Number.MAX_SAFE_INTEGER) {
      throw new TypeError("Failed to execute 'timeout' on 'AbortSignal': Value is outside the 'unsigned long long' value range.");
    }
    const s = newAbortSignal();
    globalThis.setTimeout(() => {
      abortSignal(s, reasonError("The operation was aborted due to timeout", "TimeoutError"));
    }, Math.trunc(ms));
    return s;
  }

  static any(signals) {
    if (signals === null || signals === undefined || typeof signals[Symbol.iterator] !== "function") {
      throw new TypeError("Failed to execute 'any' on 'AbortSignal': The provided value cannot be converted to a sequence.");
    }
    const list = [];
    for (const s of signals) {
      if (!isAbortSignal(s)) {
        throw new TypeError("Failed to execute 'any' on 'AbortSignal': Failed to convert value to 'AbortSignal'.");
      }
      list.push(s);
    }
    for (const s of list) {
      if (s.#aborted) {
        const a = newAbortSignal();
        a.#aborted = true;
        a.#reason = s.#reason;
        return a;
      }
    }
    const r = newAbortSignal();
    for (const s of list) (s.#dependents ??= new Set()).add(r);
    return r;
  }

  static {
    signalBrand = (v) => #aborted in v;
    setAbortReason = (s, reason, out) => {
      if (s.#aborted) return;
      s.#aborted = true;
      s.#reason = reason;
      out.push(s);
      const deps = s.#dependents;
      if (deps !== null) {
        s.#dependents = null;
        for (const d of deps) setAbortReason(d, reason, out);
      }
    };
    addAbortAlgorithm = (s, fn) => {
      if (s.#aborted) return;
      (s.#algorithms ??= new Set()).add(fn);
    };
    removeAbortAlgorithm = (s, fn) => { s.#algorithms?.delete(fn); };
    runAbortSteps = (s) => {
      const algs = s.#algorithms;
      s.#algorithms = null;
      if (algs !== null) for (const fn of algs) fn(s.#reason);
      const ev = markTrusted(new Event("abort"));
      s.dispatchEvent(ev);
    };
  }
}
Object.defineProperty(AbortSignal.prototype, Symbol.toStringTag, { value: "AbortSignal", configurable: true });

/** isAbortSignal reports whether v is an AbortSignal. */
export function isAbortSignal(v) {
  return v !== null && typeof v === "object" && signalBrand(v);
}

/** newAbortSignal creates a signal that only abortSignal() aborts. */
export function newAbortSignal() {
  return new AbortSignal(illegal);
}

/**
 * abortSignal aborts signal (and the signals that follow it through
 * AbortSignal.any) with reason, or an AbortError DOMException when reason is
 * undefined. Errors thrown by listeners propagate after every signal's
 * state is set.
 */
export function abortSignal(signal, reason = undefined) {
  if (signal.aborted) return;
  if (reason === undefined) reason = defaultAbortReason();
  const out = [];
  setAbortReason(signal, reason, out);
  let error, failed = false;
  for (const s of out) {
    try {
      runAbortSteps(s);
    } catch (e) {
      if (!failed) { failed = true; error = e; }
    }
  }
  if (failed) throw error;
}

/** AbortController owns a signal and aborts it. */
export class AbortController {
  #signal = new AbortSignal(illegal);
  get signal() { return this.#signal; }
  abort(reason = undefined) { abortSignal(this.#signal, reason); }
}
Object.defineProperty(AbortController.prototype, Symbol.toStringTag, { value: "AbortController", configurable: true });

defineGlobal("Event", Event);
defineGlobal("EventTarget", EventTarget);
defineGlobal("CustomEvent", CustomEvent);
defineGlobal("ExtendableEvent", ExtendableEvent);
defineGlobal("ErrorEvent", ErrorEvent);
defineGlobal("MessageEvent", MessageEvent);
defineGlobal("CloseEvent", CloseEvent);
defineGlobal("PromiseRejectionEvent", PromiseRejectionEvent);
defineGlobal("AbortController", AbortController);
defineGlobal("AbortSignal", AbortSignal);
