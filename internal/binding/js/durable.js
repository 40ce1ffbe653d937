// durable.js: Durable Objects (Cloudflare's DurableObjectNamespace binding,
// DurableObjectState and its storage) over the do* host functions of
// internal/binding/durable.go. See that file for the design: one live
// instance per object, pinned to one isolate; storage used synchronously;
// the turn's writes committed before anything leaves the object.
const {
  host, callAsync, registerBinding, registerEvent, toHost, utf8Encode, utf8Decode,
  workerExports, workerEnv, exportWebSocket, importWebSocket, adoptWebSocket, forgetWebSocket,
  webSocketHostId, serialize, deserialize, Writer, Reader, T, kBody, bodyForHost, pumpToHost, hostStream,
  ExecutionContext,
} = globalThis.__zs_internal;
const objToString = Object.prototype.toString;

const scratch = new Uint8Array(host.scratch);

// readRet returns the bytes a synchronous host call handed back (see
// rtState.ret in durable.go).
function readRet(n) {
  if (n >= 0) return scratch.slice(0, n);
  const total = -n - 1;
  const out = new Uint8Array(total);
  for (let off = 0; off < total;) {
    const k = host.doTake(off);
    if (k <= 0) break;
    out.set(scratch.subarray(0, k), off);
    off += k;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Serialization: serialize/deserialize, Writer, Reader and the tags T
// come from the prelude (internal/webapi/js/serialize.js).

// ---------------------------------------------------------------------------
// Ids, namespaces and stubs.

const kHex = Symbol("hex");
const kNs = Symbol("ns");

class DurableObjectId {
  constructor(ns, hex, name) {
    this[kNs] = ns;
    this[kHex] = hex;
    if (name !== undefined) this.name = name;
  }
  toString() { return this[kHex]; }
  equals(other) { return other instanceof DurableObjectId && other[kHex] === this[kHex]; }
}
Object.defineProperty(DurableObjectId.prototype, Symbol.toStringTag, { value: "DurableObjectId" });

class DurableObjectNamespace {
  constructor(script, cls, jurisdiction) {
    this[kNs] = { script, cls };
    this._j = jurisdiction;
  }
  idFromName(name) {
    if (arguments.length < 1) throw new TypeError("Failed to execute 'idFromName' on 'DurableObjectNamespace': parameter 1 is not of type 'string'.");
    name = String(name);
    // Ids of names are derived in Go (an HMAC); remember recent ones.
    const cache = this[kNs].names ??= new Map();
    let hex = cache.get(name);
    if (hex === undefined) {
      hex = host.doId(this[kNs].script, this[kNs].cls, 0, name);
      if (cache.size >= 1024) cache.delete(cache.keys().next().value);
      cache.set(name, hex);
    }
    return new DurableObjectId(this[kNs], hex, name);
  }
  newUniqueId(options) {
    const j = options?.jurisdiction ?? this._j ?? "";
    return new DurableObjectId(this[kNs], host.doId(this[kNs].script, this[kNs].cls, 1, String(j)));
  }
  idFromString(s) {
    return new DurableObjectId(this[kNs], host.doId(this[kNs].script, this[kNs].cls, 2, String(s)));
  }
  get(id, options) {
    if (!(id instanceof DurableObjectId)) throw new TypeError("Failed to execute 'get' on 'DurableObjectNamespace': parameter 1 is not of type 'DurableObjectId'.");
    if (id[kNs].script !== this[kNs].script || id[kNs].cls !== this[kNs].cls) {
      // An id made by another namespace: check it as idFromString would.
      host.doId(this[kNs].script, this[kNs].cls, 2, id[kHex]);
    }
    return makeStub(this[kNs], id);
  }
  getByName(name, options) {
    return this.get(this.idFromName(name), options);
  }
  jurisdiction(j) {
    host.doId(this[kNs].script, this[kNs].cls, 1, String(j)); // validates
    return new DurableObjectNamespace(this[kNs].script, this[kNs].cls, String(j));
  }
}
Object.defineProperty(DurableObjectNamespace.prototype, Symbol.toStringTag, { value: "DurableObjectNamespace" });

// A stub is a Proxy: fetch and id/name are its own, every other property is
// an RPC method of the object.
function makeStub(ns, id) {
  const target = {
    id,
    name: id.name,
    fetch(input, init) {
      const req = new Request(input, init);
      return call(ns, id, { op: "fetch" }, req);
    },
  };
  const methods = new Map();
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === "symbol") return undefined;
      if (prop in t) return t[prop];
      if (prop === "then") return undefined; // a stub is not a thenable
      let m = methods.get(prop);
      if (m === undefined) {
        m = (...args) => rpcPromise(call(ns, id, { op: "rpc", method: prop }, args));
        methods.set(prop, m);
      }
      return m;
    },
    has(t, prop) { return prop in t; },
  });
}

// call delivers an event to the object: in this isolate when the object
// lives (or may start) here, else through Go.
async function call(ns, id, ev, arg) {
  const hex = id[kHex];
  for (let attempt = 0; attempt < 20; attempt++) {
    // An object live in this isolate is pinned here: no need to ask Go.
    const o = ns.script === scriptName ? live.get(ns.cls + "/" + hex) : undefined;
    const h = o !== undefined && o.broken === null ? o.h : host.doOpen(ns.script, ns.cls, hex);
    if (h !== 0) {
      if (ev.op === "fetch") return runLocal(ns.cls, hex, id.name, h, ev, arg);
      if (!needsClone(arg)) {
        // Primitives only (the common case): no copy, no capabilities.
        return cloneValue(await runLocal(ns.cls, hex, id.name, h, ev, arg.slice()), ns.cls, hex);
      }
      // The arguments' capabilities are held by the call: the callee's
      // stubs are disposed when it ends, unless it kept a dup().
      const out = new CapOut(true), params = new CapIn(false);
      try {
        const res = await runLocal(ns.cls, hex, id.name, h, ev, deepClone(arg, new Map(), out, params));
        // (Before the borrowed stubs it may hold are disposed.)
        return cloneValue(res, ns.cls, hex);
      } finally {
        out.release();
        params.endCall();
      }
    }
    const msg = { ...ev, cls: ns.cls, id: hex, name: id.name };
    const out = new CapOut(true);
    let res;
    try {
      if (ev.op === "fetch") msg.req = await requestToPlain(arg);
      else msg.args = needsClone(arg) ? carry(arg) : arg;
      const bytes = serialize(msg, out.hook);
      res = await callAsync("doCall", ns.script, ns.cls, hex, toHost(bytes), bytes.byteLength);
    } finally {
      out.release();
      // A body the object never took is closed (the call failed).
      if (msg.req?.body?.t !== undefined && typeof res !== "number") host.doBodyDrop(msg.req.body.t);
    }
    if (typeof res === "number") {
      // Start it here, with the request as it was sent.
      if (ev.op === "fetch") arg = plainToRequest(msg.req);
      continue;
    }
    const r = deserialize(res, new CapIn(true).hook);
    if (!r.ok) throw r.error;
    return ev.op === "fetch" ? plainToResponse(r.value) : r.value;
  }
  throw new Error("Durable Object could not be reached; retry.");
}

// cloneArgs and cloneValue copy RPC arguments and results within one
// isolate: primitives as they are, other values by structuredClone, except
// that functions and RpcTarget instances become stubs, exactly as when they
// cross isolates (see Capabilities below).
function cloneArgs(a, out, params) {
  return needsClone(a) ? deepClone(a, new Map(), out, params) : a.slice();
}

// needsClone reports whether the arguments a hold anything but primitives.
function needsClone(a) {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x !== null && (typeof x === "object" || typeof x === "function" || typeof x === "symbol")) return true;
  }
  return false;
}

// cloneValue copies the result v of object cls/hex (or of a capability
// when cls is a LiveObject): the capabilities it exports run within that
// object's gates.
function cloneValue(v, cls, hex) {
  if (v === null || v === undefined) return v;
  const t = typeof v;
  if (t === "number" || t === "string" || t === "boolean" || t === "bigint") return v;
  const obj = typeof cls === "string" ? live.get(cls + "/" + hex) : cls;
  // A result's capabilities are held by the stubs the caller receives.
  return deepClone(v, new Map(), new CapOut(true, obj), new CapIn(true));
}

const RpcTarget = globalThis.__zs_cloudflare?.RpcTarget;

// deepClone is structuredClone for values that hold functions or
// RpcTargets (which structuredClone refuses): those become stubs.
function deepClone(v, mem, out, into) {
  if (typeof v === "function") return into.stubFor(out.idOf(v), true);
  if (v === null || typeof v !== "object") return typeof v === "symbol" ? structuredClone(v) : v;
  if (mem.has(v)) return mem.get(v);
  if (RpcTarget !== undefined && v instanceof RpcTarget) {
    const stub = into.stubFor(out.idOf(v), false);
    mem.set(v, stub);
    return stub;
  }
  if (Array.isArray(v)) {
    const res = [];
    mem.set(v, res);
    for (const x of v) res.push(deepClone(x, mem, out, into));
    return res;
  }
  const tag = objToString.call(v);
  if (tag === "[object Map]") {
    const res = new Map();
    mem.set(v, res);
    for (const [k, x] of v) res.set(deepClone(k, mem, out, into), deepClone(x, mem, out, into));
    return res;
  }
  if (tag === "[object Set]") {
    const res = new Set();
    mem.set(v, res);
    for (const x of v) res.add(deepClone(x, mem, out, into));
    return res;
  }
  if (tag !== "[object Object]") {
    // What carry sends across isolates moves within one as well: a
    // request's or response's body goes to the copy, a stream is handed
    // over as it is.
    if (v instanceof Request) return new Request(v);
    if (v instanceof Response) return new Response(v.body, v);
    if (v instanceof ReadableStream) return v;
    if (v instanceof Headers) return new Headers(v);
    return structuredClone(v);
  }
  const res = {};
  mem.set(v, res);
  for (const k of Object.keys(v)) res[k] = deepClone(v[k], mem, out, into);
  return res;
}

// ---------------------------------------------------------------------------
// Capabilities: functions and RpcTargets passed by reference. The isolate
// that holds one exports it under an id Go allocates; the other side gets
// a stub whose calls Go routes back here as "cap" events. Go counts the
// references and releases what a finished request exported (see
// durable_rpc.go for the rules, which are workerd's).

if (typeof Symbol.dispose !== "symbol") {
  Object.defineProperty(Symbol, "dispose", { value: Symbol("Symbol.dispose") });
}
const DISPOSE = Symbol.dispose;
const STUB_DISPOSED = "RPC stub used after being disposed.";

const capExports = new Map(); // id → the function or RpcTarget exported
const capObjects = new Map(); // id → the LiveObject that returned it
const stubState = new WeakMap(); // stub → StubState

class StubState {
  constructor(id, owned) {
    this.id = id;
    this.owned = owned; // holds a reference of its own (released on dispose)
    this.disposed = false;
  }
}

// CapOut exports the capabilities of one outgoing message: a new id for
// each function or RpcTarget, one more reference for each stub passed on.
// The message holds one reference to each (held), which release() drops
// (arguments, once the call ended) or the receiving stubs take over
// (results).
class CapOut {
  constructor(scoped, obj) {
    this.scoped = scoped; // the current request owns new exports
    this.obj = obj; // the Durable Object whose result this is, if any
    this.fresh = [];
    this.held = [];
    this.seen = new Map();
    this.bodies = []; // tokens of bodies handed to Go (see Carrier)
    this.pumps = []; // JavaScript streams being pumped into those
    this.hook = (v, w) => {
      if (v instanceof Carrier) {
        w.f64(-1);
        writeCarrier(v, w, this);
        return;
      }
      w.f64(this.idOf(v));
      w.u8(typeof v === "function" ? 1 : 0);
    };
  }
  idOf(v) {
    let id = this.seen.get(v);
    if (id !== undefined) return id;
    const st = stubState.get(v);
    if (st !== undefined) {
      if (st.disposed) throw new Error(STUB_DISPOSED);
      host.doCapDup(st.id);
      id = st.id;
    } else {
      id = host.doCapExport(this.scoped);
      capExports.set(id, v);
      if (this.obj !== undefined) {
        capObjects.set(id, this.obj);
        this.obj.exports++;
      }
      this.fresh.push(id);
    }
    this.held.push(id);
    this.seen.set(v, id);
    return id;
  }
  release() {
    if (this.held.length > 0) host.doCapRelease(this.held.join(","));
    this.held = [];
    // A body the receiver never took is closed (the call failed).
    for (const t of this.bodies) host.doBodyDrop(t);
    this.bodies = [];
  }
}

// CapIn makes the stubs of one incoming message: owned ones for a result,
// borrowed ones for a call's arguments (disposed by endCall).
class CapIn {
  constructor(owned) {
    this.owned = owned;
    this.stubs = new Map();
    this.hook = (r) => {
      const id = r.f64();
      if (id === -1) return readCarrier(r);
      return this.stubFor(id, r.u8() === 1);
    };
  }
  stubFor(id, fn) {
    let s = this.stubs.get(id);
    if (s === undefined) {
      s = makeCapStub(id, fn, this.owned);
      this.stubs.set(id, s);
    }
    return s;
  }
  endCall() {
    for (const s of this.stubs.values()) stubState.get(s).disposed = true;
  }
}

// makeCapStub returns the stub of capability id: callable for a function;
// for an RpcTarget, every property is an RPC property (call it to call the
// method, await it to read the property), as workerd's stubs are. Both
// have dup() and [Symbol.dispose]().
function makeCapStub(id, fn, owned) {
  const st = new StubState(id, owned);
  const props = new Map();
  const dispose = () => {
    if (st.disposed) return;
    st.disposed = true;
    if (st.owned) host.doCapRelease(String(st.id));
  };
  const dup = () => {
    if (st.disposed) throw new Error(STUB_DISPOSED);
    host.doCapDup(st.id);
    return makeCapStub(st.id, fn, true);
  };
  const base = fn ? () => {} : Object.create(RpcTarget !== undefined ? RpcTarget.prototype : null);
  const p = new Proxy(base, {
    apply(_, thisArg, args) { return rpcPromise(capCall(st, "", false, args)); },
    get(_, prop) {
      if (prop === DISPOSE) return dispose;
      if (prop === "dup") return dup;
      if (typeof prop === "symbol" || prop === "then" || fn) return undefined; // a stub is not a thenable
      let m = props.get(prop);
      if (m === undefined) {
        m = rpcProperty(st, prop);
        props.set(prop, m);
      }
      return m;
    },
    has(_, prop) { return prop === DISPOSE || prop === "dup"; },
    set() { return false; },
  });
  stubState.set(p, st);
  return p;
}

// rpcProperty is stub.name: calling it calls the method; awaiting it reads
// the property.
function rpcProperty(st, name) {
  const f = (...args) => rpcPromise(capCall(st, name, false, args));
  const get = () => capCall(st, name, true, []);
  f.then = (ok, bad) => get().then(ok, bad);
  f.catch = (bad) => get().catch(bad);
  f.finally = (fin) => get().finally(fin);
  return f;
}

// rpcPromise is the promise of an RPC call, on which the result's methods
// and properties can be used before it settles, as with workerd's
// RpcPromise: stub.getCounter().increment(1) calls increment on the
// counter once getCounter's result arrives (one round trip after the
// other: zerostack does not pipeline the calls themselves).
function rpcPromise(p) {
  let props;
  return new Proxy(p, {
    get(t, prop) {
      if (prop === "then" || prop === "catch" || prop === "finally") return t[prop].bind(t);
      if (typeof prop === "symbol") return t[prop];
      props ??= new Map();
      let m = props.get(prop);
      if (m === undefined) {
        m = pipelined(t, prop);
        props.set(prop, m);
      }
      return m;
    },
  });
}

// pipelined is promise.name: calling it calls the method of the result,
// awaiting it reads the property, and promise.name.more goes one level
// deeper the same way.
function pipelined(p, name) {
  const get = () => p.then((v) => v?.[name]);
  const f = (...args) => rpcPromise(p.then((v) => {
    const m = v?.[name];
    if (typeof m !== "function") throw new TypeError(`"${name}" is not a function.`);
    return Reflect.apply(m, v, args); // (a function stub has no .apply)
  }));
  f.then = (ok, bad) => get().then(ok, bad);
  f.catch = (bad) => get().catch(bad);
  f.finally = (fin) => get().finally(fin);
  let deeper;
  return new Proxy(f, {
    get(t, prop) {
      if (typeof prop === "symbol" || prop in t) return t[prop];
      deeper ??= rpcPromise(get());
      return deeper[prop];
    },
  });
}

// capCall calls (or reads, when get) name on the capability of st, or
// calls it when name is "".
async function capCall(st, name, get, args) {
  if (st.disposed) throw new Error(STUB_DISPOSED);
  if (capExports.has(st.id)) {
    // This isolate holds it: call it here, copying as across isolates.
    if (!host.doCapAlive(st.id)) throw new Error(STUB_DISPOSED);
    const out = new CapOut(true), params = new CapIn(false);
    try {
      const res = await serveCap({ cap: st.id, method: name, get, args: cloneArgs(args, out, params) });
      return cloneValue(res, capObjects.get(st.id));
    } finally {
      out.release();
      params.endCall();
    }
  }
  const out = new CapOut(true);
  let res;
  try {
    const b = serialize({ op: "cap", cap: st.id, method: name, get, args: needsClone(args) ? carry(args) : args }, out.hook);
    res = await callAsync("doCapCall", st.id, toHost(b), b.byteLength);
  } finally {
    out.release();
  }
  const r = deserialize(res, new CapIn(true).hook);
  if (!r.ok) throw r.error;
  return r.value;
}

// serveCap runs a "cap" event: a call or property read on an export of
// this isolate, with workerd's rules: an RpcTarget exposes its class's
// methods and accessors, not its own properties nor Object.prototype's.
async function serveCap(msg) {
  const v = capExports.get(msg.cap);
  if (v === undefined) throw new Error(STUB_DISPOSED);
  // A capability a Durable Object returned runs as one of its events:
  // through its input gate, and its writes are committed before the result
  // leaves (output gate).
  const o = capObjects.get(msg.cap);
  if (o === undefined || live.get(o.cls + "/" + o.hex) !== o) return invokeCap(v, msg);
  o.inflight++;
  let res;
  try {
    res = await o.enter(() => invokeCap(v, msg));
  } finally {
    o.inflight--;
    o.lastUsed = Date.now();
    await o.flushIfDirty();
  }
  return res;
}

function invokeCap(v, msg) {
  const name = msg.method;
  if (name === "") {
    if (typeof v !== "function") throw new TypeError('"(this)" is not a function.');
    return v(...msg.args);
  }
  if (name === "dup" || name === "constructor") {
    throw new TypeError(`'${name}' is a reserved method and cannot be called over RPC.`);
  }
  if (typeof v === "function" || Object.hasOwn(v, name) || v[name] === Object.prototype[name]) {
    throw new TypeError(`The RPC receiver does not implement the method "${name}".`);
  }
  if (msg.get) return v[name];
  const m = v[name];
  if (typeof m !== "function") throw new TypeError(`"${name}" is not a function.`);
  return m.apply(v, msg.args);
}

// watchCaps removes the exports Go released from the table (calling their
// Symbol.dispose, as workerd does when the last stub is gone).
function watchCaps() {
  callAsync("doCapWatch").then((ids) => {
    for (const s of String(ids).split(",")) {
      const id = +s;
      const v = capExports.get(id);
      capExports.delete(id);
      const o = capObjects.get(id);
      if (o !== undefined) {
        capObjects.delete(id);
        o.exports--;
      }
      if (v !== undefined && typeof v[DISPOSE] === "function") {
        try {
          v[DISPOSE]();
        } catch (e) {
          console.error("Uncaught (in dispose)", e);
        }
      }
    }
    watchCaps();
  });
}
watchCaps();

// ---------------------------------------------------------------------------
// Requests, responses, streams and headers in RPC arguments and results
// (which Cloudflare's RPC carries, though structuredClone refuses them).
// carry replaces each with a Carrier before serialize runs; Carrier is an
// RpcTarget so that serialize hands it to the capability hook, which
// writes it (writeCarrier) instead of exporting it, and the receiving
// hook rebuilds it (readCarrier). Bodies at hand travel as bytes; a
// stream travels as a Go reader the receiver streams from (doBodyOut /
// doBodyIn, as for Durable Object fetch), a JavaScript stream pumped into
// a pipe as it is read (CapOut.pumps).

class Carrier extends (RpcTarget ?? Object) {
  constructor(kind, v) {
    super();
    this.kind = kind; // 1 Request, 2 Response, 3 ReadableStream, 4 Headers
    this.v = v;
  }
}

// carry returns v with its Requests, Responses, ReadableStreams and
// Headers replaced by Carriers, copying only the containers that hold one.
function carry(v, mem = new Map()) {
  if (v === null || typeof v !== "object") return v;
  const seen = mem.get(v);
  if (seen !== undefined) return seen;
  let kind = 0;
  if (v instanceof Request) kind = 1;
  else if (v instanceof Response) kind = 2;
  else if (v instanceof ReadableStream) kind = 3;
  else if (v instanceof Headers) kind = 4;
  if (kind !== 0) {
    const c = new Carrier(kind, v);
    mem.set(v, c);
    return c;
  }
  if (RpcTarget !== undefined && v instanceof RpcTarget) return v;
  mem.set(v, v);
  if (Array.isArray(v)) {
    let out = v;
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) continue;
      const x = carry(v[i], mem);
      if (x !== v[i]) {
        if (out === v) { out = v.slice(); mem.set(v, out); }
        out[i] = x;
      }
    }
    return out;
  }
  const tag = objToString.call(v);
  if (tag === "[object Map]") {
    let changed = false;
    const pairs = [];
    for (const [k, x] of v) {
      const ck = carry(k, mem), cx = carry(x, mem);
      if (ck !== k || cx !== x) changed = true;
      pairs.push([ck, cx]);
    }
    if (!changed) return v;
    const out = new Map(pairs);
    mem.set(v, out);
    return out;
  }
  if (tag === "[object Set]") {
    let changed = false;
    const items = [];
    for (const x of v) {
      const cx = carry(x, mem);
      if (cx !== x) changed = true;
      items.push(cx);
    }
    if (!changed) return v;
    const out = new Set(items);
    mem.set(v, out);
    return out;
  }
  if (tag !== "[object Object]") return v;
  let out = v;
  for (const k of Object.keys(v)) {
    const x = carry(v[k], mem);
    if (x !== v[k]) {
      if (out === v) { out = { ...v }; mem.set(v, out); }
      out[k] = x;
    }
  }
  return out;
}

function writeHeaders(h, w) {
  const pairs = [...h];
  w.u32(pairs.length);
  for (const [k, x] of pairs) { w.str(k); w.str(x); }
}

function readHeaders(r) {
  const n = r.u32();
  const pairs = [];
  for (let i = 0; i < n; i++) pairs.push([r.str(), r.str()]);
  return pairs;
}

// writeStream hands a ReadableStream to Go as a body token.
function writeStream(stream, w, out) {
  if (stream.locked) throw new TypeError("The ReadableStream is locked (it is being read); it cannot be sent over RPC.");
  const wid = host.pipe();
  out.pumps.push(pumpToHost(stream, wid).catch(() => {}));
  const t = host.doBodyOut(wid);
  out.bodies.push(t);
  w.u8(2);
  w.f64(t);
}

// writeBody writes the body of a Request or Response: 0 none, 1 bytes, 2
// a body token.
function writeBody(o, w, out) {
  const b = o[kBody];
  if (b === null || b === undefined) { w.u8(0); return; }
  if (o.bodyUsed) throw new TypeError("Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");
  const [kind, a] = bodyForHost(o);
  if (kind === 1) { w.u8(1); w.bytes(utf8Encode(a)); return; }
  if (kind === 2) { w.u8(1); w.bytes(b.b); return; }
  let rid = a;
  if (kind === 3) {
    rid = host.pipe();
    out.pumps.push(pumpToHost(a, rid).catch(() => {}));
  }
  const t = host.doBodyOut(rid);
  out.bodies.push(t);
  w.u8(2);
  w.f64(t);
}

function readBody(r) {
  switch (r.u8()) {
    case 1: return r.bytes();
    case 2: return hostStream(host.doBodyIn(r.f64()));
  }
  return null;
}

function writeCarrier(c, w, out) {
  const v = c.v;
  w.u8(c.kind);
  switch (c.kind) {
    case 1:
      w.str(v.method); w.str(v.url); writeHeaders(v.headers, w); writeBody(v, w, out);
      return;
    case 2:
      w.f64(v.status); w.str(v.statusText); writeHeaders(v.headers, w);
      if (v.webSocket) {
        // A WebSocket upgrade: the socket's traffic is carried by Go.
        w.u8(3);
        w.f64(exportWebSocket(v.webSocket));
        return;
      }
      writeBody(v, w, out);
      return;
    case 3:
      writeStream(v, w, out);
      return;
    case 4:
      writeHeaders(v, w);
      return;
  }
}

function readCarrier(r) {
  switch (r.u8()) {
    case 1: {
      const method = r.str(), url = r.str(), headers = readHeaders(r), body = readBody(r);
      const init = { method, headers };
      if (body !== null) { init.body = body; init.duplex = "half"; }
      return new Request(url, init);
    }
    case 2: {
      const status = r.f64(), statusText = r.str(), headers = readHeaders(r);
      if (r.b[r.p] === 3) {
        r.p++;
        return new Response(null, { status: 101, statusText, headers, webSocket: importWebSocket(r.f64()) });
      }
      return new Response(readBody(r), { status, statusText, headers });
    }
    case 3:
      return readBody(r);
    case 4:
      return new Headers(readHeaders(r));
  }
  throw new Error("zerostack: unknown value in an RPC message");
}

// Bodies of requests and responses that cross isolates: bytes at hand (a
// string or buffer body) travel in the message; a stream travels as a Go
// reader that the other side streams from, so that neither side holds the
// whole body: an incoming HTTP body (or a body already streamed from Go)
// is handed over as it is, and a JavaScript stream is pumped into a pipe
// as the other side reads it (pumps collects those pumps).
async function bodyOut(o, pumps) {
  const b = o[kBody];
  if (b === null || b === undefined) return null;
  if (b.host === undefined && b.stream === undefined) return new Uint8Array(await o.arrayBuffer());
  const [kind, a] = bodyForHost(o);
  if (kind === 4) return { t: host.doBodyOut(a) };
  const wid = host.pipe();
  pumps.push(pumpToHost(a, wid).catch(() => {}));
  return { t: host.doBodyOut(wid) };
}

function bodyIn(v) {
  if (v === null || v instanceof Uint8Array) return v;
  return hostStream(host.doBodyIn(v.t));
}

async function requestToPlain(req) {
  const body = await bodyOut(req, []);
  return { method: req.method, url: req.url, headers: [...req.headers], body };
}

function plainToRequest(p) {
  return new Request(p.url, { method: p.method, headers: p.headers, body: bodyIn(p.body) });
}

async function responseToPlain(res, pumps) {
  if (res.webSocket) {
    // The socket's traffic is carried by Go from here on.
    return { status: res.status, statusText: res.statusText, headers: [...res.headers], body: null, ws: exportWebSocket(res.webSocket) };
  }
  const body = await bodyOut(res, pumps);
  return { status: res.status, statusText: res.statusText, headers: [...res.headers], body };
}

function plainToResponse(p) {
  if (p.ws !== undefined) {
    return new Response(null, { status: 101, statusText: p.statusText, headers: p.headers, webSocket: importWebSocket(p.ws) });
  }
  return new Response(bodyIn(p.body), { status: p.status, statusText: p.statusText, headers: p.headers });
}

// ---------------------------------------------------------------------------
// Live objects of this isolate.

const live = new Map(); // cls + "/" + id → LiveObject
const byHandle = new Map(); // storage handle → LiveObject

// markWrite notes a storage write of the object with handle h, so that its
// event waits for the commit before its result leaves.
function markWrite(h) {
  const o = byHandle.get(h);
  if (o !== undefined) o.writes++;
}

class LiveObject {
  constructor(cls, id, name, h) {
    this.cls = cls;
    this.hex = id;
    this.h = h;
    this.pending = 0; // storage promises not yet observed (input gate)
    this.blocker = null; // blockConcurrencyWhile's promise
    this.queue = []; // events held back by the input gate, in order
    this.releasing = false; // a wake is scheduled
    this.inflight = 0;
    this.instance = null;
    this.broken = null;
    this.lastUsed = Date.now();
    this.writes = 0; // storage writes made (see flushIfDirty)
    this.exports = 0; // capabilities it returned that are still held (it is not evicted meanwhile)
    this.flushed = 0;
    this.idObj = new DurableObjectId({ script: "", cls }, id, name);
    this.state = new DurableObjectState(this);
  }
  // enter delivers an event: start() runs the handler up to its first
  // await and returns its promise. While a storage operation's result has
  // not been seen, or blockConcurrencyWhile runs, or earlier events wait,
  // the event waits its turn (the input gate).
  enter(start) {
    if (this.pending === 0 && this.blocker === null && this.queue.length === 0) return start();
    return new Promise((resolve, reject) => {
      this.queue.push(() => {
        try {
          resolve(start());
        } catch (e) {
          reject(e);
        }
      });
    });
  }
  // wake schedules the delivery of waiting events for when the gate is
  // open. Like Cloudflare, it delivers them as a new task: the code that
  // was waiting for storage runs its continuation (and further storage
  // operations) first. Then it starts the waiting events one at a time,
  // each synchronously, until one of them closes the gate again.
  wake() {
    if (this.releasing || this.queue.length === 0 || this.pending > 0 || this.blocker !== null) return;
    this.releasing = true;
    callAsync("doYield").then(() => {
      this.releasing = false;
      while (this.pending === 0 && this.blocker === null && this.queue.length > 0) {
        this.queue.shift()();
      }
    });
  }
  // io runs a synchronous storage operation and returns its promise,
  // closing the input gate until the caller has seen the result.
  io(fn) {
    let p;
    try {
      p = Promise.resolve(fn());
    } catch (e) {
      p = Promise.reject(e);
    }
    this.pending++;
    const done = () => { this.pending--; this.wake(); };
    p.then(done, done);
    return p;
  }
  commit() {
    host.doTx(this.h, 3, 0);
  }
  // flush resolves once the writes made so far are committed; events of
  // one batch share the commit (see doFlush in durable.go).
  flush() {
    return callAsync("doFlush", this.h);
  }
  // flushIfDirty flushes when writes were made since the last flush.
  async flushIfDirty() {
    const w = this.writes;
    if (w === this.flushed) return;
    await this.flush();
    if (this.flushed < w) this.flushed = w;
  }
}

function construct(o) {
  const exp = workerExports();
  const C = exp ? exp[o.cls] : undefined;
  if (typeof C !== "function") {
    throw new Error(`Cannot create binding for class '${o.cls}' because it is not exported by the script.`);
  }
  o.instance = new C(o.state, workerEnv());
}

// runLocal runs one event on the object's instance in this isolate.
async function runLocal(cls, hex, name, h, ev, arg) {
  const key = cls + "/" + hex;
  let o = live.get(key);
  if (o === undefined || o.h !== h) {
    if (o !== undefined) byHandle.delete(o.h);
    o = new LiveObject(cls, hex, name, h);
    live.set(key, o);
    byHandle.set(h, o);
    try {
      construct(o);
      adopt(o); // connections kept while it hibernated
    } catch (e) {
      live.delete(key);
      byHandle.delete(h);
      o.commit();
      throw e;
    }
  }
  o.inflight++;
  let res;
  try {
    res = await o.enter(() => startEvent(o, ev, arg));
  } catch (e) {
    o.inflight--;
    o.lastUsed = Date.now();
    await o.flushIfDirty();
    throw e;
  }
  o.inflight--;
  o.lastUsed = Date.now();
  // Output gate: the writes are durable before the result leaves.
  await o.flushIfDirty();
  return res;
}

// startEvent calls the object's handler for ev (synchronously up to its
// first await) and returns its result or promise.
function startEvent(o, ev, arg) {
  if (o.broken) throw o.broken;
  const inst = o.instance;
  switch (ev.op) {
    case "fetch": {
      if (typeof inst.fetch !== "function") throw new TypeError("Handler does not export a fetch() function.");
      return Promise.resolve(inst.fetch(arg)).then((res) => {
        if (!(res instanceof Response)) throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.");
        return res;
      });
    }
    case "rpc": {
      const m = ev.method;
      const fn = typeof m === "string" && !RESERVED.has(m) ? inst[m] : undefined;
      if (typeof fn !== "function" || fn === Object.prototype[m]) {
        throw new TypeError(`The RPC receiver does not implement the method "${m}".`);
      }
      return fn.apply(inst, arg);
    }
    case "alarm":
      return runAlarm(o, arg);
    case "wake":
      return "woken"; // constructing it adopted its connections
  }
  throw new Error(`zerostack: unknown Durable Object event ${ev.op}`);
}

const RESERVED = new Set(["constructor", "fetch", "alarm", "webSocketMessage", "webSocketClose", "webSocketError", "dup", "__proto__"]);

async function runAlarm(o, retryCount) {
  markWrite(o.h);
  host.doAlarm(o.h, 3, 0); // clears the alarm for the run
  if (typeof o.instance.alarm !== "function") return "done";
  try {
    await o.instance.alarm({ retryCount, isRetry: retryCount > 0 });
  } catch (e) {
    console.error(`Durable Object alarm of ${o.cls} ${o.hex} failed (retry ${retryCount}):`, e);
    if (retryCount < 6 && host.doAlarm(o.h, 0, 0) < 0) {
      // Keep the alarm in storage until it succeeds, with the back-off
      // Go applies to its timer, so that a restart retries it too.
      markWrite(o.h);
      host.doAlarm(o.h, 1, Date.now() + 2000 * 2 ** retryCount);
    }
    return "error";
  }
  return host.doAlarm(o.h, 0, 0) >= 0 ? "rescheduled" : "done";
}

// Events that crossed isolates (or came from alarms and eviction).
registerEvent("durable", async (payload, ctx) => {
  // The capabilities in a call's arguments are borrowed for the call.
  const params = new CapIn(false);
  const msg = deserialize(readRet(host.doMsg(+payload)), params.hook);
  try {
    return await serveEvent(msg, ctx);
  } finally {
    params.endCall();
  }
});

// reply hands an event's result to Go. The capabilities it exports
// belong to the caller's request once Go delivers it (doReply's list).
// With ctx (an RPC result that may hold streams, see carry), the event
// lasts until the streams it hands over have been read.
function reply(v, obj, ctx) {
  const out = new CapOut(false, obj);
  let b;
  try {
    b = serialize(v, out.hook);
  } catch (e) {
    out.release();
    if (v === null || typeof v !== "object" || v.ok !== true) throw e;
    return reply({ ok: false, error: e instanceof Error ? e : new Error(String(e)) });
  }
  if (ctx !== undefined && out.pumps.length > 0) ctx.waitUntil(Promise.all(out.pumps));
  return String(host.doReply(toHost(b), b.byteLength, out.fresh.join(",")));
}

async function serveEvent(msg, ctx) {
  if (msg.op === "evict") {
    const key = msg.cls + "/" + msg.id;
    const o = live.get(key);
    // An object without sockets is evicted after the idle timeout; one
    // whose sockets can hibernate, after the (shorter) hibernation timeout.
    const idleFor = Date.now() - o?.lastUsed;
    if (o !== undefined && o.inflight === 0 && o.queue.length === 0 && o.pending === 0 && o.blocker === null && o.exports === 0 &&
        (o.sockets?.size ? idleFor >= msg.hibernate && hibernate(o) : idleFor >= msg.idle)) {
      live.delete(key);
      byHandle.delete(o.h);
      o.commit();
      host.doEvicted(o.h);
      return reply("evicted");
    }
    if (o === undefined) {
      return reply("gone");
    }
    return reply("busy");
  }
  if (msg.op === "cap") {
    try {
      const value = await serveCap(msg);
      return reply({ ok: true, value: carry(value) }, capObjects.get(msg.cap), ctx);
    } catch (e) {
      return reply({ ok: false, error: e instanceof Error ? e : new Error(String(e)) });
    }
  }
  if (msg.op === "svc") {
    // A call over a service binding (service.js): the result's
    // capabilities are exported unscoped and join the caller's request.
    try {
      const value = await serveService(msg, ctx);
      return reply({ ok: true, value: carry(value) }, undefined, ctx);
    } catch (e) {
      return reply({ ok: false, error: e instanceof Error ? e : new Error(String(e)) });
    }
  }
  // The object's namespace belongs to this Worker: open it here.
  const h = host.doOpen(scriptName, msg.cls, msg.id);
  if (h === 0) return "retry";
  try {
    if (msg.op === "fetch") {
      const res = await runLocal(msg.cls, msg.id, msg.name, h, msg, plainToRequest(msg.req));
      // The event lasts until a streamed response body has been read.
      const pumps = [];
      const plain = await responseToPlain(res, pumps);
      if (pumps.length > 0) ctx.waitUntil(Promise.all(pumps));
      return reply({ ok: true, value: plain });
    }
    if (msg.op === "alarm" || msg.op === "wake") {
      const res = await runLocal(msg.cls, msg.id, msg.name, h, msg, msg.retryCount);
      return reply(res);
    }
    const res = await runLocal(msg.cls, msg.id, msg.name, h, msg, msg.args);
    return reply({ ok: true, value: carry(res) }, live.get(msg.cls + "/" + msg.id), ctx);
  } catch (e) {
    if (msg.op === "alarm") return reply("error");
    return reply({ ok: false, error: e instanceof Error ? e : new Error(String(e)) });
  }
}

// The name of the Worker this isolate runs (set at the end of this file).
let scriptName = "";

// ---------------------------------------------------------------------------
// DurableObjectState and its storage.

// watchSocket makes ws one of o's sockets (ctx.acceptWebSocket): its
// events go to the object's webSocketMessage/Close/Error handlers through
// the object's gates.
function watchSocket(o, ws, tags) {
  if (!o.sockets) o.sockets = new Map();
  o.sockets.set(ws, tags);
  const deliver = async (method, ...args) => {
    o.inflight++;
    let timer;
    // A WebSocket event belongs to no request: it gets a scope of its own,
    // whose end releases what it exported (see doEventScope).
    const scope = host.doEventScope();
    try {
      const run = o.enter(() => {
        const fn = o.instance?.[method];
        if (typeof fn === "function") return fn.apply(o.instance, [ws, ...args]);
      });
      // setHibernatableWebSocketEventTimeout: a handler that runs longer
      // resets the object, as Cloudflare disconnects it.
      const limit = o.wsEventTimeout;
      if (limit) {
        await Promise.race([run, new Promise((_, reject) => { timer = setTimeout(() => reject(kEventTimeout), limit); })]);
      } else {
        await run;
      }
    } catch (e) {
      if (e === kEventTimeout) exceededEventTimeout(o, method);
      else console.error(`Durable Object ${method} failed:`, e);
    } finally {
      if (scope !== 0) host.doEventScopeEnd(scope);
      clearTimeout(timer);
      o.inflight--;
      o.lastUsed = Date.now();
      if (live.get(o.cls + "/" + o.hex) === o) o.commit();
    }
  };
  ws.addEventListener("message", (e) => {
    const ar = o.autoResponse;
    if (ar && typeof e.data === "string" && e.data === ar.request) {
      autoResponseTimes.set(ws, Date.now());
      ws.send(ar.response);
      return;
    }
    deliver("webSocketMessage", e.data);
  });
  ws.addEventListener("close", (e) => {
    o.sockets.delete(ws);
    deliver("webSocketClose", e.code, e.reason, e.wasClean);
  });
  ws.addEventListener("error", (e) => deliver("webSocketError", e.error ?? e));
}

const kEventTimeout = Symbol("event timeout");
const autoResponseTimes = new WeakMap(); // WebSocket → when it last got the auto-response (ms)

// exceededEventTimeout resets o, whose WebSocket handler ran past its
// event timeout: its turn's writes are rolled back, its sockets stay
// connected (parked in Go, so that the next message constructs a new
// instance) and calls see a new instance, as after Cloudflare disconnects
// the object ("Actor exceeded event execution time and was disconnected.").
function exceededEventTimeout(o, method) {
  const key = o.cls + "/" + o.hex;
  if (live.get(key) !== o) return;
  const err = new Error("Actor exceeded event execution time and was disconnected.");
  console.error(`Durable Object ${o.cls} ${o.hex}: ${method} ran longer than its event timeout (${o.wsEventTimeout} ms):`, err);
  host.doTx(o.h, 4, 0);
  o.broken = err;
  if (o.sockets?.size && !hibernate(o)) {
    for (const ws of o.sockets.keys()) {
      try { ws.close(1011, "Durable Object reset"); } catch {}
    }
  }
  live.delete(key);
  byHandle.delete(o.h);
  host.doEvicted(o.h);
}

// hibernate hands o's sockets to Go (which keeps the connections open) so
// that the instance can be evicted; false when one of them cannot be
// parked (a local pair, or not yet upgraded), and then nothing changed.
function hibernate(o) {
  if (typeof o.instance?.webSocketMessage !== "function") return false; // listeners need the instance
  for (const ws of o.sockets.keys()) {
    if (!hostBacked(ws)) return false;
  }
  const w = new Writer();
  w.u32(o.sockets.size);
  for (const [ws, tags] of o.sockets) {
    const hid = forgetWebSocket(ws);
    w.u32(hid);
    w.u32(tags.length);
    for (const t of tags) w.str(t);
    w.bytes(attachments.get(ws) ?? new Uint8Array(0));
    w.f64(autoResponseTimes.get(ws) ?? 0);
  }
  const ar = o.autoResponse;
  w.u8(ar ? 1 : 0);
  if (ar) { w.str(ar.request); w.str(ar.response); }
  w.f64(o.wsEventTimeout ?? 0);
  const b = w.done();
  host.doHibernate(o.h, toHost(b), b.byteLength);
  o.sockets.clear();
  return true;
}

// hostBacked reports whether ws is carried by a network connection that Go
// can park (its socket id is read without detaching it).
function hostBacked(ws) {
  return ws.readyState === 1 && webSocketHostId(ws) !== 0;
}

// adopt takes back the connections Go kept while o hibernated.
function adopt(o) {
  const u8 = readRet(host.doAdopt(o.h));
  const r = new Reader(u8);
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const hid = r.u32();
    const nt = r.u32();
    const tags = [];
    for (let j = 0; j < nt; j++) tags.push(r.str());
    const att = r.bytes();
    const at = r.f64();
    const ws = adoptWebSocket(hid);
    if (att.byteLength > 0) attachments.set(ws, att);
    if (at > 0) autoResponseTimes.set(ws, at);
    watchSocket(o, ws, tags);
  }
  if (r.u8() === 1) o.autoResponse = { request: r.str(), response: r.str() };
  const timeout = r.f64();
  if (timeout > 0) o.wsEventTimeout = timeout;
}

class DurableObjectState {
  #o;
  constructor(o) {
    this.#o = o;
    this.id = o.idObj;
    this.storage = new DurableObjectStorage(o);
  }
  waitUntil(p) {
    Promise.resolve(p).catch((e) => console.error("Uncaught (in promise)", e));
  }
  blockConcurrencyWhile(fn) {
    const o = this.#o;
    const p = (async () => fn())();
    const gate = p.then(() => {}, (e) => {
      // Cloudflare resets an object whose blockConcurrencyWhile callback
      // throws: pending and later events see the error until it is
      // constructed again.
      o.broken = e;
      live.delete(o.cls + "/" + o.hex);
      byHandle.delete(o.h);
    });
    o.blocker = gate;
    gate.then(() => {
      if (o.blocker === gate) o.blocker = null;
      o.wake();
      o.commit();
    });
    return p;
  }
  // The WebSocket Hibernation API, without hibernation: accepted sockets
  // keep the object in memory and their events go to the handler methods.
  acceptWebSocket(ws, tags = []) {
    const o = this.#o;
    if (typeof ws?.accept !== "function") throw new TypeError("acceptWebSocket() requires a WebSocket.");
    ws.accept();
    watchSocket(o, ws, Array.from(tags, String));
  }
  getWebSockets(tag) {
    const s = this.#o.sockets;
    if (!s) return [];
    const out = [];
    for (const [ws, tags] of s) if (tag === undefined || tags.includes(String(tag))) out.push(ws);
    return out;
  }
  getTags(ws) {
    return [...(this.#o.sockets?.get(ws) ?? [])];
  }
  setWebSocketAutoResponse(pair) {
    if (pair) {
      for (const [what, s] of [["Request", pair.request], ["Response", pair.response]]) {
        const n = utf8Encode(String(s)).byteLength;
        if (n > 2048) throw new RangeError(`${what} cannot be larger than 2048 bytes. A ${what.toLowerCase()} of size ${n} was provided.`);
      }
    }
    this.#o.autoResponse = pair ? { request: pair.request, response: pair.response } : null;
  }
  getWebSocketAutoResponse() {
    const ar = this.#o.autoResponse;
    return ar ? new globalThis.WebSocketRequestResponsePair(ar.request, ar.response) : null;
  }
  // getWebSocketAutoResponseTimestamp(ws): when ws last received the
  // auto-response request (answered without waking the object), or null.
  getWebSocketAutoResponseTimestamp(ws) {
    const t = autoResponseTimes.get(ws);
    return t === undefined ? null : new Date(t);
  }
  // setHibernatableWebSocketEventTimeout(ms): the longest a
  // webSocketMessage/Close/Error handler may run; 0 or nothing unsets it.
  setHibernatableWebSocketEventTimeout(timeout) {
    const t = timeout === undefined ? 0 : Number(timeout);
    if (!(t >= 0)) throw new TypeError("The event timeout must be a number of milliseconds.");
    if (t > 604800000) throw new Error("Event timeout should not exceed 604800000 ms.");
    this.#o.wsEventTimeout = t === 0 ? null : t;
  }
  getHibernatableWebSocketEventTimeout() {
    return this.#o.wsEventTimeout ?? null;
  }
  abort(reason) {
    const o = this.#o;
    live.delete(o.cls + "/" + o.hex);
    byHandle.delete(o.h);
    host.doTx(o.h, 4, 0);
    throw new Error(reason === undefined ? "Application called abort() to reset Durable Object." : String(reason));
  }
}
Object.defineProperty(DurableObjectState.prototype, Symbol.toStringTag, { value: "DurableObjectState" });

const MAX_KEYS = 128;

function keyOf(k) {
  if (typeof k !== "string") k = String(k);
  return k;
}

function checkKeys(keys) {
  if (keys.length > MAX_KEYS) throw new RangeError(`Maximum number of keys is ${MAX_KEYS}. You provided ${keys.length}.`);
}

function getOne(h, key) {
  const n = host.doGet(h, keyOf(key));
  return n === -1 ? undefined : deserialize(readRet(n));
}

function putOne(h, key, value) {
  if (value === undefined) throw new TypeError("Durable Object storage put() requires a value; use delete() to remove a key.");
  const b = serialize(value);
  markWrite(h);
  host.doPut(h, keyOf(key), toHost(b), b.byteLength);
}

function listSync(h, options = {}) {
  options = options ?? {};
  const out = new Map();
  let limit = options.limit;
  if (limit !== undefined && limit !== null) {
    limit = Number(limit);
    if (!(limit > 0)) throw new RangeError("List limit must be positive.");
  } else limit = undefined;
  let start = options.start === undefined ? "" : keyOf(options.start);
  let startAfter = options.startAfter === undefined ? "" : keyOf(options.startAfter);
  let end = options.end === undefined ? "" : keyOf(options.end);
  const reverse = !!options.reverse;
  const prefix = options.prefix === undefined ? "" : keyOf(options.prefix);
  if (options.start !== undefined && options.startAfter !== undefined) {
    throw new TypeError("list() cannot be called with both start and startAfter values.");
  }
  for (;;) {
    const want = limit === undefined ? undefined : limit - out.size;
    const u8 = readRet(host.doList(h, start, startAfter, end, prefix, reverse, want));
    const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
    let p = 1, last;
    while (p < u8.length) {
      const kl = dv.getUint32(p); p += 4;
      const k = utf8Decode(u8.subarray(p, p + kl)); p += kl;
      const vl = dv.getUint32(p); p += 4;
      out.set(k, deserialize(u8.subarray(p, p + vl))); p += vl;
      last = k;
    }
    if (u8[0] !== 1 || last === undefined) return out;
    // Continue after the last key returned.
    if (reverse) { end = last; } else { startAfter = last; start = ""; }
  }
}

class DurableObjectStorage {
  #o;
  #sql = null;
  constructor(o) {
    this.#o = o;
    this.kv = new SyncKvStorage(o);
  }
  get sql() {
    if (this.#sql === null) {
      if (!host.doSqlEnabled(this.#o.h)) {
        throw new Error("SQL is not enabled for this Durable Object class. To enable it, change new_classes to new_sqlite_classes in the [[migrations]] of your wrangler configuration.");
      }
      this.#sql = new SqlStorage(this.#o);
    }
    return this.#sql;
  }
  get(keys, options) {
    const h = this.#o.h;
    return this.#o.io(() => {
      if (Array.isArray(keys)) {
        checkKeys(keys);
        const m = new Map();
        for (const k of [...keys].map(keyOf).sort()) {
          const v = getOne(h, k);
          if (v !== undefined) m.set(k, v);
        }
        return m;
      }
      return getOne(h, keys);
    });
  }
  put(keyOrEntries, value, options) {
    const h = this.#o.h;
    return this.#o.io(() => {
      if (typeof keyOrEntries === "object" && keyOrEntries !== null) {
        const entries = Object.entries(keyOrEntries);
        checkKeys(entries);
        for (const [k, v] of entries) putOne(h, k, v);
        return;
      }
      putOne(h, keyOrEntries, value);
    });
  }
  delete(keys, options) {
    const h = this.#o.h;
    return this.#o.io(() => {
      if (Array.isArray(keys)) {
        checkKeys(keys);
        let n = 0;
        markWrite(h);
        for (const k of keys) if (host.doDelete(h, keyOf(k))) n++;
        return n;
      }
      markWrite(h);
      return host.doDelete(h, keyOf(keys));
    });
  }
  deleteAll(options) {
    return this.#o.io(() => { markWrite(this.#o.h); host.doDeleteAll(this.#o.h); });
  }
  list(options) {
    return this.#o.io(() => listSync(this.#o.h, options));
  }
  getAlarm(options) {
    return this.#o.io(() => {
      const t = host.doAlarm(this.#o.h, 0, 0);
      return t < 0 ? null : t;
    });
  }
  setAlarm(time, options) {
    return this.#o.io(() => {
      const t = time instanceof Date ? time.getTime() : Number(time);
      if (!Number.isFinite(t)) throw new TypeError("setAlarm() requires a Date or a number of milliseconds since the epoch.");
      markWrite(this.#o.h);
      host.doAlarm(this.#o.h, 1, t);
    });
  }
  deleteAlarm(options) {
    return this.#o.io(() => { markWrite(this.#o.h); host.doAlarm(this.#o.h, 2, 0); });
  }
  sync() {
    return this.#o.io(() => { this.#o.commit(); });
  }
  // transaction runs fn inside a nested transaction: its writes are kept
  // when it resolves and undone when it throws or calls txn.rollback().
  async transaction(fn) {
    const o = this.#o;
    markWrite(o.h);
    const depth = host.doTx(o.h, 0, 0);
    let rolledBack = false;
    const txn = new DurableObjectStorage(o);
    txn.rollback = () => {
      if (!rolledBack) { rolledBack = true; host.doTx(o.h, 2, depth); }
    };
    try {
      const r = await fn(txn);
      if (!rolledBack) host.doTx(o.h, 1, depth);
      return r;
    } catch (e) {
      if (!rolledBack) host.doTx(o.h, 2, depth);
      throw e;
    }
  }
  transactionSync(fn) {
    const o = this.#o;
    markWrite(o.h);
    const depth = host.doTx(o.h, 0, 0);
    try {
      const r = fn();
      host.doTx(o.h, 1, depth);
      return r;
    } catch (e) {
      host.doTx(o.h, 2, depth);
      throw e;
    }
  }
}
Object.defineProperty(DurableObjectStorage.prototype, Symbol.toStringTag, { value: "DurableObjectStorage" });

// ctx.storage.kv: the synchronous key-value API of SQLite-backed objects.
class SyncKvStorage {
  #o;
  constructor(o) { this.#o = o; }
  get(key) { return getOne(this.#o.h, key); }
  put(key, value) { putOne(this.#o.h, key, value); }
  delete(key) { markWrite(this.#o.h); return host.doDelete(this.#o.h, keyOf(key)); }
  list(options) { return listSync(this.#o.h, options).entries(); }
}

function packBindings(bindings) {
  const w = new Writer();
  w.u32(bindings.length);
  for (const v of bindings) {
    if (v === null || v === undefined) w.u8(T.null);
    else if (typeof v === "number") { w.u8(T.num); w.f64(v); }
    else if (typeof v === "boolean") { w.u8(T.num); w.f64(v ? 1 : 0); }
    else if (typeof v === "string") { w.u8(T.str); w.str(v); }
    else if (typeof v === "bigint") { w.u8(T.big); w.str(v.toString()); }
    else if (v instanceof ArrayBuffer) { w.u8(T.ab); w.bytes(new Uint8Array(v)); }
    else if (ArrayBuffer.isView(v)) { w.u8(T.ab); w.bytes(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)); }
    else throw new TypeError(`Unsupported type for SQL binding: ${objToString.call(v).slice(8, -1)}`);
  }
  return w.done();
}

class SqlStorage {
  #o;
  constructor(o) { this.#o = o; }
  exec(query, ...bindings) {
    const b = packBindings(bindings);
    markWrite(this.#o.h);
    const u8 = readRet(host.doSql(this.#o.h, String(query), toHost(b), b.byteLength));
    return SqlStorageCursor.from(u8);
  }
  get databaseSize() {
    return host.doSize(this.#o.h);
  }
}
Object.defineProperty(SqlStorage.prototype, Symbol.toStringTag, { value: "SqlStorage" });

class SqlStorageCursor {
  #cols;
  #rows;
  #i = 0;
  static from(u8) {
    const r = new Reader(u8);
    const nc = r.u32();
    const cols = [];
    for (let i = 0; i < nc; i++) cols.push(r.str());
    const nr = r.u32();
    const rows = new Array(nr);
    for (let i = 0; i < nr; i++) {
      const row = new Array(nc);
      for (let j = 0; j < nc; j++) {
        const t = r.u8();
        row[j] = t === T.null ? null : t === T.num ? r.f64() : t === T.str ? r.str() : r.bytes().buffer;
      }
      rows[i] = row;
    }
    const c = new SqlStorageCursor();
    c.#cols = cols;
    c.#rows = rows;
    c.rowsRead = r.f64();
    c.rowsWritten = r.f64();
    return c;
  }
  get columnNames() { return this.#cols.slice(); }
  #object(row) {
    const o = {};
    for (let j = 0; j < this.#cols.length; j++) o[this.#cols[j]] = row[j];
    return o;
  }
  next() {
    if (this.#i >= this.#rows.length) return { done: true, value: undefined };
    return { done: false, value: this.#object(this.#rows[this.#i++]) };
  }
  toArray() {
    const out = [];
    while (this.#i < this.#rows.length) out.push(this.#object(this.#rows[this.#i++]));
    return out;
  }
  one() {
    const rest = this.#rows.length - this.#i;
    if (rest === 0) throw new Error("Expected exactly one result from SQL query, but got no results.");
    if (rest > 1) throw new Error("Expected exactly one result from SQL query, but got multiple results.");
    return this.#object(this.#rows[this.#i++]);
  }
  *raw() {
    while (this.#i < this.#rows.length) yield this.#rows[this.#i++].slice();
  }
  [Symbol.iterator]() { return this; }
}
Object.defineProperty(SqlStorageCursor.prototype, Symbol.toStringTag, { value: "SqlStorageCursor" });

registerBinding("durable_object_namespace", (name, config) => {
  return new DurableObjectNamespace(config.script, config.class);
});

// The name of the Worker this isolate runs: events from Go open objects of
// its own classes.
scriptName = host.doSelf();

// WebSocket attachments and the auto-response pair of the Hibernation API,
// unless the WebSocket implementation defines them itself.
const attachments = new WeakMap();
if (typeof WebSocket === "function" && !("serializeAttachment" in WebSocket.prototype)) {
  Object.defineProperties(WebSocket.prototype, {
    serializeAttachment: {
      value: function serializeAttachment(v) {
        const b = serialize(v);
        if (b.byteLength > 16384) throw new RangeError(`A WebSocket attachment cannot be larger than 16384 bytes; this one is ${b.byteLength}.`);
        attachments.set(this, b);
      },
      writable: true, configurable: true,
    },
    deserializeAttachment: {
      value: function deserializeAttachment() {
        const b = attachments.get(this);
        return b === undefined ? null : deserialize(b);
      },
      writable: true, configurable: true,
    },
  });
}
if (typeof globalThis.WebSocketRequestResponsePair !== "function") {
  class WebSocketRequestResponsePair {
    #request;
    #response;
    constructor(request, response) {
      this.#request = String(request);
      this.#response = String(response);
    }
    get request() { return this.#request; }
    get response() { return this.#response; }
  }
  Object.defineProperty(globalThis, "WebSocketRequestResponsePair", { value: WebSocketRequestResponsePair, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------
// RPC over service bindings ([[services]], js/service.js): the same
// messages, capabilities and copying as Durable Object RPC, delivered by
// Go (serviceCall in service.go) as a "durable" event of op "svc" to any
// isolate of the bound Worker, where serveService runs the method on a
// fresh instance of the entrypoint, as workerd does for each call.

const WorkerEntrypoint = globalThis.__zs_cloudflare?.WorkerEntrypoint;

// Names an entrypoint never serves over RPC (workerd's list): fetch and
// connect are the binding's own, the others belong to Durable Objects or
// to the stub.
const ENTRY_RESERVED = new Set(["fetch", "connect", "alarm", "webSocketMessage", "webSocketClose", "webSocketError", "dup", "constructor"]);

function notImplemented(name) {
  return new TypeError(`The RPC receiver does not implement the method "${name}".`);
}

// entrypointCtx is this.ctx of an entrypoint called over a binding: the
// event's waitUntil, and the binding's props.
function entrypointCtx(ctx, props) {
  const c = Object.create(ExecutionContext.prototype);
  Object.defineProperties(c, {
    waitUntil: { value: (p) => ctx.waitUntil(p), writable: true, configurable: true },
    passThroughOnException: { value: () => {}, writable: true, configurable: true },
    props: { value: props ?? {}, writable: true, configurable: true, enumerable: true },
  });
  return c;
}

function isEntrypointClass(E) {
  return typeof E === "function" && WorkerEntrypoint !== undefined && E.prototype instanceof WorkerEntrypoint;
}

// serveService runs msg (a call, a property read or a fetch) on the
// entrypoint msg names (the default export when none).
function serveService(msg, ctx) {
  const name = msg.entrypoint || "default";
  const exp = workerExports();
  const E = exp ? exp[name] : undefined;
  if (E === undefined || E === null || (typeof E !== "object" && typeof E !== "function")) {
    throw new Error(name === "default"
      ? `Worker "${scriptName}" has no default export to serve its service bindings; export a WorkerEntrypoint class or a handler object as the default export.`
      : `Worker "${scriptName}" has no entrypoint named "${name}"; export a class extending WorkerEntrypoint under that name, or fix entrypoint in the [[services]] entry.`);
  }
  const env = workerEnv();
  const c = entrypointCtx(ctx, msg.props);
  const cls = isEntrypointClass(E);
  if (msg.fetch) {
    const req = msg.args[0];
    let p;
    if (cls) {
      const inst = new E(c, env);
      if (typeof inst.fetch !== "function") throw new Error("Handler does not export a fetch() function.");
      p = inst.fetch(req);
    } else if (typeof E.fetch === "function") {
      p = E.fetch(req, env, c);
    } else {
      throw new Error("Handler does not export a fetch() function.");
    }
    return Promise.resolve(p).then((res) => {
      if (!(res instanceof Response)) throw new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'.");
      return res;
    });
  }
  const m = msg.method;
  if (ENTRY_RESERVED.has(m)) throw new TypeError(`'${m}' is a reserved method and cannot be called over RPC.`);
  if (cls) {
    // A class: only its (prototype's) methods and accessors, never the
    // instance's own properties (this.env, this.ctx) nor Object's.
    const inst = new E(c, env);
    if (Object.hasOwn(inst, m)) throw notImplemented(m);
    const v = inst[m];
    if (v === Object.prototype[m]) throw notImplemented(m);
    if (msg.get) return v;
    if (typeof v !== "function") throw new TypeError(`"${m}" is not a function.`);
    return v.apply(inst, msg.args);
  }
  if (typeof E === "function") throw notImplemented(m); // a class that does not extend WorkerEntrypoint
  // A plain handler object: its own functions are callable as
  // handler(arg, env, ctx) with exactly one argument from the caller
  // (workerd's rule for "functional" entrypoints).
  if (!Object.hasOwn(E, m)) throw notImplemented(m);
  const v = E[m];
  if (msg.get) return v;
  if (typeof v !== "function") throw new TypeError(`"${m}" is not a function.`);
  let arity = Number(v.length);
  if (!(arity >= 0 && arity < 256)) throw new TypeError(`RPC function has unreasonable length attribute: ${v.length}`);
  if (arity < 3) arity = 3;
  if (arity !== 3) {
    throw new TypeError(`Cannot call handler function "${m}" over RPC because it has the wrong number of arguments. ` +
      "A simple function handler can only be called over RPC if it has exactly the arguments (arg, env, ctx), " +
      "where only the first argument comes from the client. To support multi-argument RPC functions, use " +
      "class-based syntax (extending WorkerEntrypoint) instead.");
  }
  if (msg.args.length !== 1) {
    throw new TypeError(`Attempted to call RPC function "${m}" with the wrong number of arguments. ` +
      "When calling a top-level handler function that is not declared as part of a class, you must always " +
      "send exactly one argument. In order to support variable numbers of arguments, the server must use " +
      "class-based syntax (extending WorkerEntrypoint) instead.");
  }
  return v.call(E, msg.args[0], env, c);
}

// serviceCall runs method (or reads it, when get; or fetch, when fetch is
// set and args is [request]) on the entrypoint of binding b ({ name,
// service, entrypoint, props }) and returns the result, its functions and
// RpcTargets as stubs owned by the caller.
async function serviceCall(b, method, get, args, fetch) {
  const out = new CapOut(true);
  let res;
  try {
    const msg = { op: "svc", entrypoint: b.entrypoint, props: b.props, method, get, fetch, args: needsClone(args) ? carry(args) : args.slice() };
    const bytes = serialize(msg, out.hook);
    res = await callAsync("serviceCall", b.name, b.service, toHost(bytes), bytes.byteLength);
  } finally {
    // The arguments' capabilities are held by the call (see CapOut).
    out.release();
  }
  const into = new CapIn(true);
  const r = deserialize(res, into.hook);
  if (!r.ok) throw r.error;
  const v = r.value;
  // As in workerd, a plain object result gets a disposer that disposes
  // the stubs it holds (using x = await env.SVC.method()).
  if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const stubs = [...into.stubs.values()];
    Object.defineProperty(v, DISPOSE, {
      value() { for (const s of stubs) s[DISPOSE](); },
      writable: true, configurable: true,
    });
  }
  return v;
}

// serviceProperty is env.X.name of binding b: calling it calls the
// method, awaiting it reads the property, and env.X.name.more reads or
// calls on the property's value once it arrives (workerd resolves such a
// path in the callee in one round trip; zerostack reads name first, so
// its functions and RpcTargets come back as stubs that it then calls).
function serviceProperty(b, name) {
  const f = (...args) => rpcPromise(serviceCall(b, name, false, args));
  const get = () => serviceCall(b, name, true, []);
  f.then = (ok, bad) => get().then(ok, bad);
  f.catch = (bad) => get().catch(bad);
  f.finally = (fin) => get().finally(fin);
  return new Proxy(f, {
    get(t, prop) {
      if (typeof prop === "symbol" || prop in t) return t[prop];
      return rpcPromise(get())[prop];
    },
  });
}

// The RPC side of service bindings, for js/service.js (which runs next
// and deletes this global before the user's code runs).
Object.defineProperty(globalThis, "__zs_rpc", {
  value: Object.freeze({
    property: serviceProperty,
    fetch: (b, req) => serviceCall(b, "fetch", false, [req], true),
  }),
  configurable: true,
  enumerable: false,
});
