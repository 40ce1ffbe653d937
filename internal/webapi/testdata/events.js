// Event, EventTarget, CustomEvent and friends: after WPT dom/events
// (Event-constructors, EventTarget-dispatchEvent, AddEventListenerOptions-*,
// EventListener-handleEvent, Event-dispatch-*) as workerd behaves.

test("Event constructor and defaults", () => {
  const e = new Event("test");
  assertEquals(e.type, "test");
  assertEquals(e.bubbles, false);
  assertEquals(e.cancelable, false);
  assertEquals(e.composed, false);
  assertEquals(e.defaultPrevented, false);
  assertEquals(e.returnValue, true);
  assertEquals(e.isTrusted, false);
  assertEquals(e.target, undefined);
  assertEquals(e.currentTarget, undefined);
  assertEquals(e.eventPhase, Event.NONE);
  assertEquals(e.timeStamp, 0, "workerd always reports 0");
  assertEquals(e.cancelBubble, false);
  assertEquals(e.composedPath(), []);
  assertThrows(() => new Event(), TypeError);
  assertThrows(() => Event("x"), TypeError);
  assertThrows(() => new Event("x", 5), TypeError);
  assertEquals(new Event(undefined).type, "undefined");
  assertEquals(new Event(null).type, "null");
  assertEquals(new Event({}).type, "[object Object]");
  assertThrows(() => new Event(Symbol("s")), TypeError);
  assertThrows(() => new Event("x", "bar"), TypeError);
});

test("Event init dictionary", () => {
  const e = new Event("x", { bubbles: true, cancelable: 1, composed: "yes" });
  assertEquals([e.bubbles, e.cancelable, e.composed], [true, true, true]);
  assertEquals(new Event("x", null).bubbles, false);
});

test("phase constants", () => {
  assertEquals([Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE], [0, 1, 2, 3]);
  assertEquals(new Event("x").AT_TARGET, 2);
});

test("preventDefault only on cancelable events", () => {
  const a = new Event("a");
  a.preventDefault();
  assertEquals(a.defaultPrevented, false);
  const b = new Event("b", { cancelable: true });
  b.preventDefault();
  assertEquals(b.defaultPrevented, true);
  assertEquals(b.returnValue, false);
});

test("dispatchEvent runs listeners in order with target set", () => {
  const t = new EventTarget();
  const seen = [];
  t.addEventListener("x", function (e) {
    seen.push(["1", this === t, e.target === t, e.currentTarget === t, e.eventPhase, e.composedPath()[0] === t]);
  });
  t.addEventListener("x", () => seen.push("2"));
  const ev = new Event("x");
  assertEquals(t.dispatchEvent(ev), true);
  assertEquals(seen, [["1", true, true, true, 2, true], "2"]);
  assertEquals(ev.target, t);
  assertEquals(ev.currentTarget, t, "workerd keeps currentTarget after dispatch");
  assertEquals(ev.eventPhase, 0);
  assertEquals(ev.composedPath(), []);
});

test("dispatchEvent returns false when canceled", () => {
  const t = new EventTarget();
  t.addEventListener("x", (e) => e.preventDefault());
  assertEquals(t.dispatchEvent(new Event("x", { cancelable: true })), false);
  assertEquals(t.dispatchEvent(new Event("x")), true);
});

test("listener returning true cancels (workerd)", () => {
  const t = new EventTarget();
  t.addEventListener("x", () => true);
  assertEquals(t.dispatchEvent(new Event("x", { cancelable: true })), false);
});

test("duplicate listeners are ignored", () => {
  const t = new EventTarget();
  let n = 0;
  const f = () => n++;
  t.addEventListener("x", f);
  t.addEventListener("x", f);
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 1);
});

test("removeEventListener", () => {
  const t = new EventTarget();
  let n = 0;
  const f = () => n++;
  t.addEventListener("x", f);
  t.removeEventListener("x", f);
  t.removeEventListener("x", f);
  t.removeEventListener("y", f);
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 0);
});

test("once listeners run once", () => {
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("x", () => n++, { once: true });
  t.dispatchEvent(new Event("x"));
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 1);
});

test("once listener re-added during its own call runs again next time", () => {
  const t = new EventTarget();
  let n = 0;
  const f = () => { n++; if (n === 1) t.addEventListener("x", f, { once: true }); };
  t.addEventListener("x", f, { once: true });
  t.dispatchEvent(new Event("x"));
  t.dispatchEvent(new Event("x"));
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 2);
});

test("listener added during dispatch does not run", () => {
  const t = new EventTarget();
  const seen = [];
  t.addEventListener("x", () => { seen.push(1); t.addEventListener("x", () => seen.push(2)); });
  t.dispatchEvent(new Event("x"));
  assertEquals(seen, [1]);
  t.dispatchEvent(new Event("x"));
  assertEquals(seen, [1, 1, 2]);
});

test("listener removed during dispatch does not run", () => {
  const t = new EventTarget();
  const seen = [];
  const second = () => seen.push(2);
  t.addEventListener("x", () => { seen.push(1); t.removeEventListener("x", second); });
  t.addEventListener("x", second);
  t.dispatchEvent(new Event("x"));
  assertEquals(seen, [1]);
});

test("stopImmediatePropagation stops later listeners", () => {
  const t = new EventTarget();
  const seen = [];
  t.addEventListener("x", (e) => { seen.push(1); e.stopImmediatePropagation(); });
  t.addEventListener("x", () => seen.push(2));
  t.dispatchEvent(new Event("x"));
  assertEquals(seen, [1]);
  // The flags are cleared after dispatch.
  const e = new Event("y");
  e.stopImmediatePropagation();
  assertEquals(e.cancelBubble, true);
});

test("stopPropagation does not stop listeners on the same target", () => {
  const t = new EventTarget();
  const seen = [];
  t.addEventListener("x", (e) => { seen.push(1); e.stopPropagation(); });
  t.addEventListener("x", () => seen.push(2));
  t.dispatchEvent(new Event("x"));
  assertEquals(seen, [1, 2]);
});

test("handleEvent objects", () => {
  const t = new EventTarget();
  const obj = { n: 0, handleEvent(e) { this.n++; assertEquals(this, obj); assertEquals(e.type, "x"); } };
  t.addEventListener("x", obj);
  t.addEventListener("x", obj);
  t.dispatchEvent(new Event("x"));
  assertEquals(obj.n, 1);
  // workerd binds handleEvent when the listener is added.
  obj.handleEvent = () => { throw new Error("not this one"); };
  t.dispatchEvent(new Event("x"));
  assertEquals(obj.n, 2);
  t.removeEventListener("x", obj);
  t.dispatchEvent(new Event("x"));
  assertEquals(obj.n, 2, "removed");
  let classCalled = false;
  t.addEventListener("y", new (class Foo { handleEvent() { classCalled = true; } })());
  t.dispatchEvent(new Event("y"));
  assert(classCalled, "class instance with handleEvent");
});

test("listeners must be functions or have handleEvent (workerd)", () => {
  const t = new EventTarget();
  for (const bad of [{}, "hello", [], false, 5]) assertThrows(() => t.addEventListener("x", bad), TypeError, String(bad));
});

test("listener exception propagates out of dispatchEvent (workerd)", () => {
  const t = new EventTarget();
  let after = false;
  t.addEventListener("x", () => { throw new RangeError("boom"); });
  t.addEventListener("x", () => { after = true; });
  const ev = new Event("x");
  assertThrows(() => t.dispatchEvent(ev), RangeError);
  assertEquals(after, false);
  // The event can be dispatched again afterwards.
  t.removeEventListener("x", () => {});
  assertEquals(ev.eventPhase, 0);
});

test("null callback is ignored", () => {
  const t = new EventTarget();
  t.addEventListener("x", null);
  t.addEventListener("x", undefined);
  t.removeEventListener("x", null);
  assertThrows(() => t.addEventListener("x"), TypeError);
  assertEquals(t.dispatchEvent(new Event("x")), true);
});

test("read-only attributes throw on assignment in strict code", () => {
  "use strict";
  const e = new Event("foo");
  for (const k of ["type", "bubbles", "cancelable", "composed", "isTrusted", "defaultPrevented", "eventPhase", "returnValue", "timeStamp", "currentTarget"]) {
    assertThrows(() => { e[k] = 1; }, TypeError, k);
  }
  e.cancelBubble = true;
  assertEquals(e.cancelBubble, true);
  class Bar extends Event { constructor() { super("bar"); } get bubbles() { return "hello"; } }
  assertEquals(new Bar().bubbles, "hello");
  assertEquals(new Bar().composed, false);
});

test("capture and passive must be false (workerd)", () => {
  const t = new EventTarget();
  const f = () => {};
  assertThrows(() => t.addEventListener("x", f, true), TypeError);
  assertThrows(() => t.addEventListener("x", f, { capture: true }), TypeError);
  assertThrows(() => t.addEventListener("x", f, { passive: true }), TypeError);
  assertThrows(() => t.removeEventListener("x", f, true), TypeError);
  t.addEventListener("x", f, false);
  t.addEventListener("x", f, { capture: false, passive: false });
  t.removeEventListener("x", f, { capture: false });
});

test("re-dispatching an event in dispatch throws InvalidStateError", () => {
  const t = new EventTarget();
  let err;
  const ev = new Event("x");
  t.addEventListener("x", () => { try { t.dispatchEvent(ev); } catch (e) { err = e; } });
  t.dispatchEvent(ev);
  assert(err instanceof DOMException, "DOMException");
  assertEquals(err.name, "InvalidStateError");
  // but after dispatch it may be dispatched again
  assertEquals(t.dispatchEvent(ev), true);
});

test("dispatchEvent needs an Event", () => {
  const t = new EventTarget();
  assertThrows(() => t.dispatchEvent({ type: "x" }), TypeError);
  assertThrows(() => t.dispatchEvent(null), TypeError);
});

test("on<type> property runs first", () => {
  const t = new EventTarget();
  const seen = [];
  t.addEventListener("ping", () => seen.push("listener"));
  t.onping = () => seen.push("prop");
  t.dispatchEvent(new Event("ping"));
  assertEquals(seen, ["prop", "listener"]);
});

test("subclassing EventTarget", () => {
  class Emitter extends EventTarget { fire() { return this.dispatchEvent(new CustomEvent("go", { detail: 7 })); } }
  const em = new Emitter();
  let got;
  em.addEventListener("go", (e) => { got = e.detail; });
  em.fire();
  assertEquals(got, 7);
});

test("CustomEvent detail", () => {
  assertEquals(new CustomEvent("x").detail, null);
  const d = { a: 1 };
  const e = new CustomEvent("x", { detail: d, cancelable: true });
  assertEquals(e.detail, d);
  assertEquals(e.cancelable, true);
  assert(e instanceof Event);
  assertEquals(Object.prototype.toString.call(e), "[object CustomEvent]");
});

test("type is converted to string", () => {
  const t = new EventTarget();
  let n = 0;
  t.addEventListener(1, () => n++);
  t.dispatchEvent(new Event("1"));
  assertEquals(n, 1);
});

test("isTrusted false for script events", () => {
  const t = new EventTarget();
  let trusted;
  t.addEventListener("x", (e) => { trusted = e.isTrusted; });
  t.dispatchEvent(new Event("x"));
  assertEquals(trusted, false);
});

test("MessageEvent", () => {
  const e = new MessageEvent("message", { data: { a: 1 }, origin: "o", lastEventId: "5" });
  assertEquals(e.data, { a: 1 });
  assertEquals(e.origin, "o");
  assertEquals(e.lastEventId, "5");
  assertEquals(e.source, null);
  assertEquals(e.ports, []);
  assertEquals(new MessageEvent("message").data, null);
  assert(e instanceof Event);
});

test("CloseEvent", () => {
  const e = new CloseEvent("close", { code: 1000, reason: "bye", wasClean: true });
  assertEquals([e.code, e.reason, e.wasClean], [1000, "bye", true]);
  const d = new CloseEvent("close");
  assertEquals([d.code, d.reason, d.wasClean], [0, "", false]);
});

test("ErrorEvent", () => {
  const err = new Error("x");
  const e = new ErrorEvent("error", { message: "m", filename: "f.js", lineno: 3, colno: 4, error: err });
  assertEquals([e.message, e.filename, e.lineno, e.colno], ["m", "f.js", 3, 4]);
  assertEquals(e.error, err);
});

test("PromiseRejectionEvent", () => {
  const p = Promise.resolve();
  const e = new PromiseRejectionEvent("unhandledrejection", { promise: p, reason: 1 });
  assertEquals(e.promise, p);
  assertEquals(e.reason, 1);
  assertThrows(() => new PromiseRejectionEvent("x", {}), TypeError);
});

test("getters are on the prototype", () => {
  const e = new Event("x");
  assert(!Object.prototype.hasOwnProperty.call(e, "type"));
  assertEquals(Object.keys(e), []);
  assertThrows(() => Object.getOwnPropertyDescriptor(Event.prototype, "type").get.call({}), TypeError);
});

test("ExtendableEvent exists but user code cannot construct it (workerd)", () => {
  assertEquals(typeof ExtendableEvent, "function");
  assertThrows(() => new ExtendableEvent("foo"), TypeError);
  assert(Object.getPrototypeOf(ExtendableEvent.prototype) === Event.prototype);
});

test("handler this is the target, or the listener object", () => {
  const et = new EventTarget();
  let fnThis, objThis;
  et.addEventListener("foo", function () { fnThis = this; });
  const obj = { handleEvent() { objThis = this; } };
  et.addEventListener("foo", obj);
  et.dispatchEvent(new Event("foo"));
  assertEquals(fnThis, et);
  assertEquals(objThis, obj);
});

test("signal option on the signal itself (workerd regression)", () => {
  const c = new AbortController();
  const { signal } = c;
  const noop = () => {};
  signal.addEventListener("one", noop);
  signal.addEventListener("two", noop);
  signal.addEventListener("victim", noop, { signal });
  c.abort();
  let n = 0;
  signal.addEventListener("victim", () => n++);
  signal.dispatchEvent(new Event("victim"));
  assertEquals(n, 1);
});
