// AbortController and AbortSignal: after WPT dom/abort (event.any.js,
// AbortSignal.any.js, abort-signal-any.tentative, timeout.any.js).

test("controller and signal basics", () => {
  const c = new AbortController();
  const s = c.signal;
  assertEquals(c.signal, s);
  assertEquals(s.aborted, false);
  assertEquals(s.reason, undefined);
  assertEquals(s.onabort, null);
  assert(s instanceof EventTarget);
  assertThrows(() => new AbortSignal(), TypeError);
  s.throwIfAborted();
});

test("abort() fires abort once, default reason is an AbortError", () => {
  const c = new AbortController();
  const s = c.signal;
  let n = 0, evt;
  s.onabort = (e) => { n++; evt = e; };
  s.addEventListener("abort", () => n++);
  c.abort();
  c.abort();
  assertEquals(n, 2);
  assertEquals(s.aborted, true);
  assert(s.reason instanceof DOMException, "reason DOMException");
  assertEquals(s.reason.name, "AbortError");
  assertEquals(s.reason.code, 20);
  assertEquals(evt.type, "abort");
  assertEquals(evt.isTrusted, true);
  assertEquals(evt.target, s);
  const e = assertThrows(() => s.throwIfAborted());
  assertEquals(e, s.reason);
});

test("abort(reason) keeps the reason", () => {
  const c = new AbortController();
  c.abort("why");
  assertEquals(c.signal.reason, "why");
  try { c.signal.throwIfAborted(); assert(false); } catch (e) { assertEquals(e, "why"); }
  const c2 = new AbortController();
  c2.abort(null);
  assertEquals(c2.signal.reason, null);
  const c3 = new AbortController();
  c3.abort(undefined);
  assertEquals(c3.signal.reason.name, "AbortError");
});

test("AbortSignal.abort()", () => {
  const s = AbortSignal.abort();
  assertEquals(s.aborted, true);
  assertEquals(s.reason.name, "AbortError");
  assertEquals(AbortSignal.abort(42).reason, 42);
  assert(AbortSignal.abort().reason !== AbortSignal.abort().reason, "fresh reasons");
});

test("AbortSignal.timeout aborts with TimeoutError", async () => {
  const s = AbortSignal.timeout(5);
  assertEquals(s.aborted, false);
  const ev = await new Promise((r) => s.addEventListener("abort", r));
  assertEquals(ev.type, "abort");
  assertEquals(s.aborted, true);
  assert(s.reason instanceof DOMException, "DOMException");
  assertEquals(s.reason.name, "TimeoutError");
  assertEquals(s.reason.code, 23);
  assertEquals(s.reason.message, "The operation was aborted due to timeout");
  assertThrows(() => AbortSignal.timeout(-1), TypeError);
  assertThrows(() => AbortSignal.timeout(NaN), TypeError);
});

test("AbortSignal.any follows its sources", () => {
  const a = new AbortController(), b = new AbortController();
  const s = AbortSignal.any([a.signal, b.signal]);
  assertEquals(s.aborted, false);
  let fired = 0;
  s.onabort = () => fired++;
  b.abort("b");
  assertEquals(s.aborted, true);
  assertEquals(s.reason, "b");
  a.abort("a");
  assertEquals(s.reason, "b");
  assertEquals(fired, 1);
});

test("AbortSignal.any with an aborted source is aborted", () => {
  const a = new AbortController();
  a.abort("first");
  const s = AbortSignal.any([new AbortController().signal, a.signal]);
  assertEquals(s.aborted, true);
  assertEquals(s.reason, "first");
});

test("AbortSignal.any of nothing never aborts", () => {
  const s = AbortSignal.any([]);
  assertEquals(s.aborted, false);
  assertThrows(() => AbortSignal.any([{}]), TypeError);
  assertThrows(() => AbortSignal.any(5), TypeError);
});

test("AbortSignal.any chains, reasons are set before events fire", () => {
  const c = new AbortController();
  const s1 = AbortSignal.any([c.signal]);
  const s2 = AbortSignal.any([s1]);
  const seen = [];
  c.signal.addEventListener("abort", () => seen.push(["c", s1.aborted, s2.aborted]));
  s1.addEventListener("abort", () => seen.push("s1"));
  s2.addEventListener("abort", () => seen.push("s2"));
  c.abort(1);
  assertEquals(seen, [["c", true, true], "s1", "s2"]);
  assertEquals(s2.reason, 1);
});

test("AbortSignal.any with timeout", async () => {
  const s = AbortSignal.any([new AbortController().signal, AbortSignal.timeout(1)]);
  await new Promise((r) => s.addEventListener("abort", r));
  assertEquals(s.reason.name, "TimeoutError");
});

test("signal option removes the listener on abort", () => {
  const t = new EventTarget();
  const c = new AbortController();
  let n = 0;
  t.addEventListener("x", () => n++, { signal: c.signal });
  t.dispatchEvent(new Event("x"));
  c.abort();
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 1);
});

test("signal option with aborted signal adds nothing", () => {
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("x", () => n++, { signal: AbortSignal.abort() });
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 0);
  assertThrows(() => t.addEventListener("x", () => {}, { signal: {} }), TypeError);
});

test("signal option: removed listener can be re-added", () => {
  const t = new EventTarget();
  const c = new AbortController();
  let n = 0;
  const f = () => n++;
  t.addEventListener("x", f, { signal: c.signal });
  t.removeEventListener("x", f);
  t.addEventListener("x", f);
  c.abort();
  t.dispatchEvent(new Event("x"));
  assertEquals(n, 1);
});

test("onabort setter ignores non-callables", () => {
  const s = new AbortController().signal;
  const f = () => {};
  s.onabort = f;
  assertEquals(s.onabort, f);
  s.onabort = 5;
  assertEquals(s.onabort, null);
});

test("aborting from a listener of the same signal is a no-op", () => {
  const c = new AbortController();
  let n = 0;
  c.signal.addEventListener("abort", () => { n++; c.abort(); });
  c.abort();
  assertEquals(n, 1);
});

test("scheduler.wait honours a signal", async () => {
  const c = new AbortController();
  const p = scheduler.wait(1000, { signal: c.signal });
  c.abort();
  const e = await assertRejects(p);
  assertEquals(e.name, "AbortError");
});

test("toStringTag", () => {
  assertEquals(Object.prototype.toString.call(new AbortController()), "[object AbortController]");
  assertEquals(Object.prototype.toString.call(AbortSignal.abort()), "[object AbortSignal]");
});

// After workerd's abortsignal-test.js.
test("onabort is a prototype accessor; non-callables become null, objects are kept", () => {
  const ac = new AbortController();
  assert("onabort" in AbortSignal.prototype);
  delete ac.signal.onabort;
  assertEquals(ac.signal.onabort, null);
  let called = false;
  ac.signal.onabort = () => { called = true; };
  ac.abort();
  assert(called, "onabort called");
  for (const v of [123, null, "foo"]) {
    ac.signal.onabort = () => {};
    ac.signal.onabort = v;
    assertEquals(ac.signal.onabort, null);
  }
  const handler = {};
  ac.signal.onabort = handler;
  assertEquals(ac.signal.onabort, handler);
});

test("listeners added after abort are not called; read-only attributes", () => {
  "use strict";
  const ac = new AbortController();
  ac.abort();
  ac.signal.addEventListener("abort", () => { throw new Error("should not run"); });
  ac.abort();
  assertThrows(() => { ac.signal = 1; }, TypeError);
  assertThrows(() => { ac.signal.reason = 1; }, TypeError);
  assertThrows(() => { ac.signal.aborted = "x"; }, TypeError);
  assertEquals(ac.signal.reason.message, "The operation was aborted");
});

test("any() with a far timeout aborts through the controller", () => {
  const timed = AbortSignal.timeout(1000000);
  const ac = new AbortController();
  const any = AbortSignal.any([timed, ac.signal]);
  let invoked = 0;
  any.onabort = () => invoked++;
  ac.abort();
  assertEquals(invoked, 1);
  const any2 = AbortSignal.any([AbortSignal.timeout(1000000), AbortSignal.abort(123)]);
  assertEquals([any2.aborted, any2.reason], [true, 123]);
});

test("default reasons are DOMExceptions with a stack header", () => {
  const c = new AbortController();
  c.abort();
  assertEquals(typeof c.signal.reason.stack, "string");
  assert(c.signal.reason.stack.startsWith("AbortError: The operation was aborted"), c.signal.reason.stack);
  assert(Error.stackTraceLimit > 0, "stackTraceLimit restored");
  assert(new Error("x").stack.includes("\n"), "later errors still have frames");
});
