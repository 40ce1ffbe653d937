// structuredClone: after WPT html/webappapis/structured-clone
// (structured-clone-battery-of-tests) and html/infrastructure/safe-passing
// of structured data, as V8's serializer behaves in workerd.

const sc = structuredClone;

test("primitives", () => {
  for (const v of [undefined, null, true, false, 0, 1.5, NaN, Infinity, -Infinity, "", "str", "\ud800", 2n ** 70n, -1n]) {
    assert(Object.is(sc(v), v), String(v));
  }
  assert(Object.is(sc(-0), -0), "-0");
});

test("wrapper objects", () => {
  const cases = [new Boolean(false), new Number(-0), new Number(NaN), new String("s"), Object(5n)];
  for (const w of cases) {
    const c = sc(w);
    assert(c !== w, "new object");
    assertEquals(typeof c, "object");
    assertEquals(Object.prototype.toString.call(c), Object.prototype.toString.call(w));
    assert(Object.is(c.valueOf(), w.valueOf()), String(w));
  }
  assertThrows(() => sc(Object(Symbol("s"))), DOMException);
});

test("Date", () => {
  const d = new Date(1234567890123);
  const c = sc(d);
  assert(c instanceof Date && c !== d);
  assertEquals(c.getTime(), d.getTime());
  assert(Number.isNaN(sc(new Date(NaN)).getTime()));
});

test("RegExp keeps source and flags, resets lastIndex", () => {
  const r = /a+b/gimsuy;
  r.lastIndex = 3;
  const c = sc(r);
  assert(c instanceof RegExp && c !== r);
  assertEquals(c.source, "a+b");
  assertEquals(c.flags, r.flags);
  assertEquals(c.lastIndex, 0);
  assertEquals(sc(/x/d).flags, "d");
});

test("ArrayBuffer and views", () => {
  const ab = new ArrayBuffer(8);
  new Uint8Array(ab).set([1, 2, 3, 4, 5, 6, 7, 8]);
  const c = sc(ab);
  assert(c instanceof ArrayBuffer && c !== ab);
  assertEquals(Array.from(new Uint8Array(c)), [1, 2, 3, 4, 5, 6, 7, 8]);
  const ctors = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array];
  for (const C of ctors) {
    const a = new C(new ArrayBuffer(16), C.BYTES_PER_ELEMENT, 1);
    const ca = sc(a);
    assertEquals(ca.constructor, C);
    assertEquals([ca.byteOffset, ca.length, ca.buffer.byteLength], [C.BYTES_PER_ELEMENT, 1, 16], C.name);
  }
  const dv = new DataView(ab, 2, 4);
  const cdv = sc(dv);
  assert(cdv instanceof DataView);
  assertEquals([cdv.byteOffset, cdv.byteLength, cdv.getUint8(0)], [2, 4, 3]);
});

test("views share one cloned buffer", () => {
  const ab = new ArrayBuffer(4);
  const obj = { a: new Uint8Array(ab), b: new Uint16Array(ab, 2), ab };
  const c = sc(obj);
  assertEquals(c.a.buffer, c.b.buffer);
  assertEquals(c.ab, c.a.buffer);
  assert(c.ab !== ab);
  c.a[2] = 0xff;
  c.a[3] = 0xff;
  assertEquals(c.b[0], 0xffff);
  assertEquals(new Uint8Array(ab)[2], 0, "original untouched");
});

test("resizable ArrayBuffer", () => {
  const ab = new ArrayBuffer(2, { maxByteLength: 16 });
  const c = sc(ab);
  assertEquals([c.resizable, c.byteLength, c.maxByteLength], [true, 2, 16]);
});

test("Map and Set, with object keys and cycles", () => {
  const k = { key: 1 };
  const m = new Map([[k, "v"], ["s", k]]);
  m.set("self", m);
  const cm = sc(m);
  assert(cm instanceof Map && cm !== m);
  const [ck] = cm.keys();
  assertEquals(ck, { key: 1 });
  assert(ck !== k);
  assertEquals(cm.get(ck), "v");
  assertEquals(cm.get("s"), ck, "shared reference kept");
  assertEquals(cm.get("self"), cm, "cycle kept");
  const s = new Set([1, "a", k]);
  s.add(s);
  const cs = sc(s);
  assertEquals(cs.size, 4);
  assert(cs.has(cs));
});

test("arrays: sparse, length, extra properties", () => {
  const a = [1, , 3];
  a.length = 5;
  a.extra = "x";
  const c = sc(a);
  assert(Array.isArray(c));
  assertEquals(c.length, 5);
  assert(!(1 in c), "hole kept");
  assertEquals(c[2], 3);
  assertEquals(c.extra, "x");
});

test("objects: cycles, shared refs, own enumerable string keys only", () => {
  const shared = { s: 1 };
  const o = { a: shared, b: shared, nested: { deep: [shared] } };
  o.self = o;
  Object.defineProperty(o, "hidden", { value: 1, enumerable: false });
  o[Symbol("sym")] = 2;
  const c = sc(o);
  assertEquals(c.a, c.b);
  assertEquals(c.nested.deep[0], c.a);
  assertEquals(c.self, c);
  assert(!("hidden" in c), "non-enumerable dropped");
  assertEquals(Object.getOwnPropertySymbols(c).length, 0);
});

test("getters are invoked, prototypes dropped", () => {
  class Point { constructor() { this.x = 1; } get y() { return 2; } }
  const p = new Point();
  const c = sc(p);
  assertEquals(Object.getPrototypeOf(c), Object.prototype);
  assertEquals(c, { x: 1 });
  let calls = 0;
  const g = { get v() { calls++; return 5; } };
  assertEquals(sc(g), { v: 5 });
  assertEquals(calls, 1);
  const withProto = JSON.parse('{"__proto__": {"polluted": true}}');
  const cp = sc(withProto);
  assertEquals(Object.getPrototypeOf(cp), Object.prototype);
  assertEquals(cp.__proto__, { polluted: true });
  assertEquals({}.polluted, undefined);
});

test("Error types (workerd's enhanced error serialization)", () => {
  for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
    const e = new E("msg");
    const c = sc(e);
    assert(c instanceof E && c !== e, E.name);
    assertEquals(c.name, E.name);
    assertEquals(c.message, "msg");
    assert(!Object.getOwnPropertyDescriptor(c, "message").enumerable);
    assertEquals(typeof c.stack, "string");
    assert(c.stack.startsWith(`${E.name}: msg`), c.stack);
  }
  const odd = new Error("x");
  odd.name = "CustomError";
  const co = sc(odd);
  assertEquals(Object.getPrototypeOf(co), Error.prototype);
  assertEquals(co.name, "CustomError", "unknown names are kept");
  assertEquals(sc(new Error()).message, "");
  const withCause = sc(new Error("outer", { cause: { inner: [1] } }));
  assertEquals(withCause.cause, { inner: [1] });
  const coded = new TypeError("t");
  coded.code = "E_CODE";
  coded.detail = { n: 1 };
  const cc = sc(coded);
  assertEquals([cc.code, cc.detail], ["E_CODE", { n: 1 }]);
  assert(cc instanceof TypeError);
  class MyErr extends TypeError {}
  assertEquals(Object.getPrototypeOf(sc(new MyErr("m"))), TypeError.prototype);
  const agg = sc(new AggregateError([new Error("a"), 2], "many"));
  assert(agg instanceof AggregateError);
  assertEquals(agg.message, "many");
  assertEquals(agg.errors.length, 2);
  assert(agg.errors[0] instanceof Error && agg.errors[0].message === "a");
  const cyc = new Error("cyc");
  cyc.self = cyc;
  const ccyc = sc(cyc);
  assertEquals(ccyc.self, ccyc);
  const bad = new Error("x");
  bad.message = 5;
  assertEquals(assertThrows(() => sc(bad), DOMException).name, "DataCloneError");
});

test("Headers are cloneable (workerd)", () => {
  if (typeof Headers !== "function") return;
  const h = new Headers({ "x-a": "1", "content-type": "text/plain" });
  const c = sc({ h });
  assert(c.h instanceof Headers && c.h !== h);
  assertEquals([...c.h], [...h]);
});

test("DOMException", () => {
  const e = new DOMException("gone", "NotFoundError");
  const c = sc(e);
  assert(c instanceof DOMException && c !== e);
  assertEquals([c.name, c.message, c.code], ["NotFoundError", "gone", 8]);
});

test("Blob and File", async () => {
  const b = new Blob(["hello"], { type: "text/plain" });
  const cb = sc(b);
  assert(cb instanceof Blob && cb !== b);
  assertEquals(cb.type, "text/plain");
  assertEquals(await cb.text(), "hello");
  const f = new File(["x"], "f.txt", { type: "a/b", lastModified: 99 });
  const cf = sc({ f, again: f });
  assert(cf.f instanceof File);
  assertEquals([cf.f.name, cf.f.type, cf.f.lastModified, cf.f.size], ["f.txt", "a/b", 99, 1]);
  assertEquals(cf.again, cf.f);
});

test("DataCloneError for uncloneable values", () => {
  const cases = [
    () => {}, function named() {}, Symbol("s"), new WeakMap(), new WeakSet(), new WeakRef({}), Promise.resolve(),
    (function* () {})(), [1][Symbol.iterator](), new Map().keys(), new SharedArrayBuffer(1),
    { nested: { fn() {} } }, [Symbol.iterator],
  ];
  for (let i = 0; i < cases.length; i++) {
    const v = cases[i];
    const e = assertThrows(() => sc(v), DOMException, `case ${i}`);
    assertEquals(e.name, "DataCloneError");
    assertEquals(e.code, 25);
    assert(e.message.endsWith("could not be cloned."), e.message);
  }
});

test("platform objects are not cloneable", () => {
  for (const v of [new EventTarget(), new Event("x"), new AbortController(), new FormData()]) {
    const e = assertThrows(() => sc(v), DOMException);
    assertEquals(e.name, "DataCloneError");
  }
  if (typeof Request === "function") assertThrows(() => sc(new Request("http://x/")), DOMException);
});

test("transfer detaches the ArrayBuffer", () => {
  const ab = new Uint8Array([1, 2, 3]).buffer;
  const u8 = new Uint8Array(ab);
  const c = sc({ u8 }, { transfer: [ab] });
  assertEquals(ab.byteLength, 0);
  assertEquals(ab.detached, true);
  assertEquals(Array.from(c.u8), [1, 2, 3]);
  const lone = new ArrayBuffer(4);
  const c2 = sc(lone, { transfer: [lone] });
  assertEquals([c2.byteLength, lone.detached], [4, true]);
  const unrelated = new ArrayBuffer(4);
  sc(1, { transfer: [unrelated] });
  assertEquals(unrelated.detached, true, "transfer list detached even if not reachable");
});

test("transfer errors", () => {
  const ab = new ArrayBuffer(1);
  assertEquals(assertThrows(() => sc(ab, { transfer: [ab, ab] }), DOMException).name, "DataCloneError");
  assertEquals(ab.detached, false);
  assertEquals(assertThrows(() => sc(1, { transfer: [{}] }), DOMException).name, "DataCloneError");
  assertThrows(() => sc(1, { transfer: 5 }), TypeError);
  assertThrows(() => sc(1, 5), TypeError);
  const gone = new ArrayBuffer(1);
  gone.transfer();
  assertEquals(assertThrows(() => sc(1, { transfer: [gone] }), DOMException).name, "DataCloneError");
  assertEquals(assertThrows(() => sc(gone), DOMException).name, "DataCloneError");
  const keep = new ArrayBuffer(1);
  assertThrows(() => sc({ keep, f() {} }, { transfer: [keep] }), DOMException);
  assertEquals(keep.detached, false, "failed clone leaves buffers attached");
});

test("arguments", () => {
  assertThrows(() => structuredClone(), TypeError);
  assertEquals(sc({ a: 1 }, undefined), { a: 1 });
  assertEquals(sc({ a: 1 }, null), { a: 1 });
  assertEquals(sc({ a: 1 }, {}), { a: 1 });
  assert(!Object.keys(globalThis).includes("structuredClone"));
});

test("large structures clone quickly", () => {
  const arr = [];
  for (let i = 0; i < 5000; i++) arr.push({ i, s: "x" + i, d: [i, i + 1] });
  const t0 = Date.now();
  const c = sc(arr);
  const ms = Date.now() - t0;
  assertEquals(c.length, 5000);
  assertEquals(c[4999], { i: 4999, s: "x4999", d: [4999, 5000] });
  console.log(`structuredClone of 5000 small objects: ${ms} ms`);
  assert(ms < 5000, "fast enough");
});
