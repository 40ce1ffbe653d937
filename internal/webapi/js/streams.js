// streams.js: WHATWG Streams (ReadableStream with default and byte
// controllers, BYOB readers, WritableStream, TransformStream, queuing
// strategies, pipeTo/pipeThrough, tee, async iteration, ReadableStream.from)
// and Cloudflare's IdentityTransformStream and FixedLengthStream.
//
// Each public object holds one private field with its internal record; the
// algorithms below operate on records (plain objects of fixed shape) and
// follow the Streams Standard's abstract operations step by step, so the
// comments name the spec operation each function implements.
//
// Exports for other modules: isReadableStream, isWritableStream,
// isDisturbed, isErrored, readAllBytes, expectedLength, readableWanted.
import { defineGlobal } from "./host.js";

const INTERNAL = Symbol("streams.internal");
const noop = () => {};
const READABLE = 0, CLOSED = 1, ERRORED = 2; // readable stream states
const WRITABLE = 0, W_CLOSED = 1, ERRORING = 2, W_ERRORED = 3; // writable stream states

function illegal() {
  return new TypeError("Illegal constructor");
}

function deferred() {
  return Promise.withResolvers();
}

function resolved(v) {
  return Promise.resolve(v);
}

function rejected(e) {
  return Promise.reject(e);
}

function handled(p) {
  p.then(undefined, noop);
  return p;
}

function rejectedHandled(e) {
  return handled(Promise.reject(e));
}

// Slot is a promise that an algorithm settles later (a reader's or
// writer's closed, a writer's ready), remembering whether it is pending.
class Slot {
  constructor(settled = undefined) {
    if (settled === undefined) {
      const d = Promise.withResolvers();
      this.promise = d.promise;
      this.res = d.resolve;
      this.rej = d.reject;
      this.pending = true;
    } else {
      this.promise = settled;
      this.res = this.rej = undefined;
      this.pending = false;
    }
  }

  resolve(v) {
    if (!this.pending) return;
    this.pending = false;
    this.res(v);
  }

  reject(e) {
    if (!this.pending) return;
    this.pending = false;
    this.rej(e);
    handled(this.promise);
  }

  // forceReject rejects the promise if pending, else replaces it with a
  // rejected one; either way marked handled.
  forceReject(e) {
    if (this.pending) this.reject(e);
    else this.promise = rejectedHandled(e);
  }
}

// promiseCall invokes method on obj with args and returns a promise for its
// result; a synchronous throw becomes a rejection.
function promiseCall(fn, obj, a, b) {
  try {
    return Promise.resolve(fn.call(obj, a, b));
  } catch (e) {
    return Promise.reject(e);
  }
}

function abortError(message) {
  const D = globalThis.DOMException;
  if (typeof D === "function") return new D(message, "AbortError");
  const e = new Error(message);
  e.name = "AbortError";
  return e;
}

function isObject(x) {
  return (typeof x === "object" && x !== null) || typeof x === "function";
}

// getCallback reads dict[name], which must be callable when present.
function getCallback(dict, name, ctx) {
  const f = dict[name];
  if (f === undefined) return undefined;
  if (typeof f !== "function") throw new TypeError(`${ctx}: '${name}' must be a function.`);
  return f;
}

function dictOf(x, ctx) {
  if (x === undefined || x === null) return {};
  if (!isObject(x)) throw new TypeError(`${ctx}: the argument must be an object.`);
  return x;
}

// ExtractHighWaterMark and ExtractSizeAlgorithm.
function extractHWM(strategy, def) {
  const h = strategy.highWaterMark;
  if (h === undefined) return def;
  const n = Number(h);
  if (n !== n || n < 0) throw new RangeError("The highWaterMark must be a non-negative number.");
  return n;
}

function sizeOne() {
  return 1;
}

function extractSize(strategy) {
  const s = strategy.size;
  if (s === undefined) return sizeOne;
  if (typeof s !== "function") throw new TypeError("The queuing strategy's size must be a function.");
  return (chunk) => s(chunk);
}

// Queue-with-sizes on a record with queue (values), sizes and queueTotalSize.
function enqueueValueWithSize(c, value, size) {
  size = Number(size);
  if (!(size >= 0) || size === Infinity) throw new RangeError("The chunk size must be a finite, non-negative number.");
  c.queue.push(value);
  c.sizes.push(size);
  c.queueTotalSize += size;
}

function dequeueValue(c) {
  const v = c.queue.shift();
  c.queueTotalSize -= c.sizes.shift();
  if (c.queueTotalSize < 0) c.queueTotalSize = 0;
  return v;
}

function resetQueue(c) {
  c.queue = [];
  if (c.sizes !== undefined) c.sizes = [];
  c.queueTotalSize = 0;
}

function isDetached(buf) {
  return buf.detached === true;
}

// TransferArrayBuffer: detaches buf and returns a new ArrayBuffer with its
// contents.
function transfer(buf) {
  if (!(buf instanceof ArrayBuffer)) throw new TypeError("The chunk's buffer cannot be transferred (a SharedArrayBuffer?).");
  if (buf.detached) throw new TypeError("The chunk's buffer is detached.");
  return buf.transfer();
}

// ============================================================ ReadableStream

// Read requests are objects with chunk(v), close() and error(e).
class PromiseReadRequest {
  constructor(d) {
    this.d = d;
  }
  chunk(value) {
    this.d.resolve({ value, done: false });
  }
  close(value) {
    this.d.resolve({ value, done: true });
  }
  error(e) {
    this.d.reject(e);
  }
}

// RS is a ReadableStream's internal record.
class RS {
  constructor() {
    this.pub = undefined;
    this.state = READABLE;
    this.reader = undefined;
    this.storedError = undefined;
    this.disturbed = false;
    this.controller = undefined;
    this.expectedLength = undefined; // FixedLengthStream's readable
  }
}

let rsOf; // ReadableStream → RS or undefined
let readerOf; // reader → its record or undefined

class ReadableStream {
  #s;

  constructor(underlyingSource = undefined, strategy = undefined) {
    const s = (this.#s = new RS());
    s.pub = this;
    if (underlyingSource === INTERNAL) return;
    const src = dictOf(underlyingSource, "Failed to construct 'ReadableStream'");
    const strat = dictOf(strategy, "Failed to construct 'ReadableStream'");
    const auto = src.autoAllocateChunkSize;
    const cancel = getCallback(src, "cancel", "ReadableStream");
    const pull = getCallback(src, "pull", "ReadableStream");
    const start = getCallback(src, "start", "ReadableStream");
    let type = src.type;
    if (type !== undefined) {
      type = String(type);
      if (type !== "bytes") throw new TypeError(`Failed to construct 'ReadableStream': '${type}' is not a valid stream type.`);
    }
    if (type === "bytes") {
      if (strat.size !== undefined) throw new RangeError("The strategy for a byte stream cannot have a size function.");
      const hwm = extractHWM(strat, 0);
      let autoSize;
      if (auto !== undefined) {
        autoSize = Number(auto);
        if (!Number.isFinite(autoSize) || autoSize < 0) throw new TypeError("autoAllocateChunkSize must be a positive integer.");
        autoSize = Math.trunc(autoSize);
        if (autoSize === 0) throw new TypeError("autoAllocateChunkSize must be greater than 0.");
      }
      setUpByteControllerFromSource(s, src, start, pull, cancel, hwm, autoSize);
    } else {
      const size = extractSize(strat);
      const hwm = extractHWM(strat, 1);
      setUpDefaultControllerFromSource(s, src, start, pull, cancel, hwm, size);
    }
  }

  static {
    rsOf = (o) => (isObject(o) && #s in o ? o.#s : undefined);
  }

  get locked() {
    return this.#s.reader !== undefined;
  }

  cancel(reason = undefined) {
    const s = rsOf(this);
    if (s === undefined) return rejected(new TypeError("Illegal invocation"));
    if (s.reader !== undefined) return rejected(new TypeError("This ReadableStream is currently locked to a reader."));
    return rsCancel(s, reason);
  }

  getReader(options = undefined) {
    void this.#s; // brand check
    const o = dictOf(options, "Failed to execute 'getReader' on 'ReadableStream'");
    let mode = o.mode;
    if (mode === undefined) return new ReadableStreamDefaultReader(this);
    mode = String(mode);
    if (mode !== "byob") throw new TypeError(`Failed to execute 'getReader' on 'ReadableStream': '${mode}' is not a valid reader mode.`);
    return new ReadableStreamBYOBReader(this);
  }

  pipeThrough(transform, options = undefined) {
    const s = this.#s;
    if (!isObject(transform)) throw new TypeError("Failed to execute 'pipeThrough' on 'ReadableStream': the transform must be an object with readable and writable.");
    const readable = transform.readable;
    const rs = rsOf(readable);
    if (rs === undefined) throw new TypeError("Failed to execute 'pipeThrough' on 'ReadableStream': transform.readable is not a ReadableStream.");
    const writable = transform.writable;
    const ws = wsOf(writable);
    if (ws === undefined) throw new TypeError("Failed to execute 'pipeThrough' on 'ReadableStream': transform.writable is not a WritableStream.");
    const o = pipeOptions(options);
    if (s.reader !== undefined) throw new TypeError("This ReadableStream is currently locked to a reader.");
    if (ws.writer !== undefined) throw new TypeError("This WritableStream is currently locked to a writer.");
    handled(rsPipeTo(s, ws, o.preventClose, o.preventAbort, o.preventCancel, o.signal));
    return readable;
  }

  pipeTo(destination, options = undefined) {
    const s = rsOf(this);
    if (s === undefined) return rejected(new TypeError("Illegal invocation"));
    const ws = wsOf(destination);
    if (ws === undefined) return rejected(new TypeError("Failed to execute 'pipeTo' on 'ReadableStream': parameter 1 is not of type 'WritableStream'."));
    let o;
    try {
      o = pipeOptions(options);
    } catch (e) {
      return rejected(e);
    }
    if (s.reader !== undefined) return rejected(new TypeError("This ReadableStream is currently locked to a reader."));
    if (ws.writer !== undefined) return rejected(new TypeError("This WritableStream is currently locked to a writer."));
    return rsPipeTo(s, ws, o.preventClose, o.preventAbort, o.preventCancel, o.signal);
  }

  tee() {
    const s = this.#s;
    const [a, b] = s.controller.isByte ? byteTee(s) : defaultTee(s);
    return [a.pub, b.pub];
  }

  values(options = undefined) {
    const s = this.#s;
    const o = dictOf(options, "Failed to execute 'values' on 'ReadableStream'");
    const reader = acquireDefaultReader(s);
    return new ReadableStreamAsyncIterator(reader, !!o.preventCancel);
  }

  static from(asyncIterable) {
    return rsFromIterable(asyncIterable).pub;
  }

  get [Symbol.toStringTag]() {
    return "ReadableStream";
  }
}
Object.defineProperty(ReadableStream.prototype, Symbol.asyncIterator, {
  value: ReadableStream.prototype.values,
  writable: true,
  configurable: true,
  enumerable: false,
});

function pipeOptions(options) {
  const o = dictOf(options, "Failed to execute 'pipeTo' on 'ReadableStream'");
  const preventAbort = !!o.preventAbort;
  const preventCancel = !!o.preventCancel;
  const preventClose = !!o.preventClose;
  const signal = o.signal;
  if (signal !== undefined) {
    const AS = globalThis.AbortSignal;
    const ok = typeof AS === "function" ? signal instanceof AS : isObject(signal) && "aborted" in signal;
    if (!ok) throw new TypeError("Failed to execute 'pipeTo' on 'ReadableStream': signal is not an AbortSignal.");
  }
  return { preventAbort, preventCancel, preventClose, signal };
}

// newRS creates a stream record with its public object.
function newRS() {
  return rsOf(new ReadableStream(INTERNAL));
}

// ------------------------------------------------------------ stream algorithms

// ReadableStreamCancel.
function rsCancel(s, reason) {
  s.disturbed = true;
  if (s.state === CLOSED) return resolved(undefined);
  if (s.state === ERRORED) return rejected(s.storedError);
  rsClose(s);
  const r = s.reader;
  if (r !== undefined && r.byob) {
    const reqs = r.readIntoRequests;
    r.readIntoRequests = [];
    for (const q of reqs) q.close(undefined);
  }
  return s.controller.cancelSteps(reason).then(noop);
}

// ReadableStreamClose.
function rsClose(s) {
  s.state = CLOSED;
  const r = s.reader;
  if (r === undefined) return;
  r.closed.resolve(undefined);
  if (!r.byob) {
    const reqs = r.readRequests;
    if (reqs.length) {
      r.readRequests = [];
      for (const q of reqs) q.close(undefined);
    }
  }
}

// ReadableStreamError.
function rsError(s, e) {
  s.state = ERRORED;
  s.storedError = e;
  const r = s.reader;
  if (r === undefined) return;
  r.closed.reject(e);
  if (r.byob) {
    const reqs = r.readIntoRequests;
    r.readIntoRequests = [];
    for (const q of reqs) q.error(e);
  } else {
    const reqs = r.readRequests;
    r.readRequests = [];
    for (const q of reqs) q.error(e);
  }
}

// ReadableStreamFulfillReadRequest.
function rsFulfillReadRequest(s, chunk, done) {
  const q = s.reader.readRequests.shift();
  if (done) q.close(undefined);
  else q.chunk(chunk);
}

// ReadableStreamFulfillReadIntoRequest.
function rsFulfillReadIntoRequest(s, chunk, done) {
  const q = s.reader.readIntoRequests.shift();
  if (done) q.close(chunk);
  else q.chunk(chunk);
}

function numReadRequests(s) {
  return s.reader.readRequests.length;
}

function numReadIntoRequests(s) {
  return s.reader.readIntoRequests.length;
}

function hasDefaultReader(s) {
  return s.reader !== undefined && !s.reader.byob;
}

function hasBYOBReader(s) {
  return s.reader !== undefined && s.reader.byob;
}

// ------------------------------------------------------------ readers

// Reader is the record of either kind of reader.
class Reader {
  constructor(byob) {
    this.pub = undefined;
    this.byob = byob;
    this.stream = undefined;
    this.readRequests = byob ? undefined : [];
    this.readIntoRequests = byob ? [] : undefined;
    this.closed = undefined; // Slot
  }
}

// ReadableStreamReaderGenericInitialize.
function readerInit(r, s) {
  r.stream = s;
  s.reader = r;
  if (s.state === READABLE) r.closed = new Slot();
  else if (s.state === CLOSED) r.closed = new Slot(resolved(undefined));
  else r.closed = new Slot(rejectedHandled(s.storedError));
}

// ReadableStreamReaderGenericRelease.
function readerRelease(r) {
  const s = r.stream;
  const e = new TypeError("This ReadableStream reader has been released.");
  r.closed.forceReject(e);
  s.controller.releaseSteps();
  s.reader = undefined;
  r.stream = undefined;
  if (r.byob) {
    const reqs = r.readIntoRequests;
    r.readIntoRequests = [];
    for (const q of reqs) q.error(e);
  } else {
    const reqs = r.readRequests;
    r.readRequests = [];
    for (const q of reqs) q.error(e);
  }
}

// ReadableStreamDefaultReaderRead.
function readerRead(r, req) {
  const s = r.stream;
  s.disturbed = true;
  if (s.state === CLOSED) req.close(undefined);
  else if (s.state === ERRORED) req.error(s.storedError);
  else s.controller.pullSteps(req);
}

function acquireDefaultReader(s) {
  return readerOf(new ReadableStreamDefaultReader(s.pub));
}

class ReadableStreamDefaultReader {
  #r;

  constructor(stream) {
    const s = rsOf(stream);
    if (s === undefined) throw new TypeError("Failed to construct 'ReadableStreamDefaultReader': parameter 1 is not of type 'ReadableStream'.");
    if (s.reader !== undefined) throw new TypeError("This ReadableStream is currently locked to a reader.");
    const r = (this.#r = new Reader(false));
    r.pub = this;
    readerInit(r, s);
  }

  static {
    const prev = readerOf;
    readerOf = (o) => (isObject(o) && #r in o ? o.#r : prev ? prev(o) : undefined);
  }

  get closed() {
    return this.#r.closed.promise;
  }

  cancel(reason = undefined) {
    const r = readerOf(this);
    if (r === undefined || r.byob) return rejected(new TypeError("Illegal invocation"));
    if (r.stream === undefined) return rejected(new TypeError("This ReadableStream reader has been released."));
    return rsCancel(r.stream, reason);
  }

  read() {
    const r = readerOf(this);
    if (r === undefined || r.byob) return rejected(new TypeError("Illegal invocation"));
    if (r.stream === undefined) return rejected(new TypeError("This ReadableStream reader has been released."));
    const d = deferred();
    readerRead(r, new PromiseReadRequest(d));
    return d.promise;
  }

  releaseLock() {
    const r = this.#r;
    if (r.stream === undefined) return;
    readerRelease(r);
  }

  get [Symbol.toStringTag]() {
    return "ReadableStreamDefaultReader";
  }
}

class ReadableStreamBYOBReader {
  #r;

  constructor(stream) {
    const s = rsOf(stream);
    if (s === undefined) throw new TypeError("Failed to construct 'ReadableStreamBYOBReader': parameter 1 is not of type 'ReadableStream'.");
    if (s.reader !== undefined) throw new TypeError("This ReadableStream is currently locked to a reader.");
    if (!s.controller.isByte) throw new TypeError("Cannot get a BYOB reader for a stream that is not a byte stream.");
    const r = (this.#r = new Reader(true));
    r.pub = this;
    readerInit(r, s);
  }

  static {
    const prev = readerOf;
    readerOf = (o) => (isObject(o) && #r in o ? o.#r : prev ? prev(o) : undefined);
  }

  get closed() {
    return this.#r.closed.promise;
  }

  cancel(reason = undefined) {
    const r = readerOf(this);
    if (r === undefined || !r.byob) return rejected(new TypeError("Illegal invocation"));
    if (r.stream === undefined) return rejected(new TypeError("This ReadableStream reader has been released."));
    return rsCancel(r.stream, reason);
  }

  read(view, options = undefined) {
    const r = readerOf(this);
    if (r === undefined || !r.byob) return rejected(new TypeError("Illegal invocation"));
    if (!ArrayBuffer.isView(view)) return rejected(new TypeError("Failed to execute 'read' on 'ReadableStreamBYOBReader': parameter 1 is not of type 'ArrayBufferView'."));
    let min = 1;
    try {
      const o = dictOf(options, "Failed to execute 'read' on 'ReadableStreamBYOBReader'");
      if (o.min !== undefined) {
        min = Number(o.min);
        if (!Number.isFinite(min) || min < 0) throw new TypeError("min must be a positive integer.");
        min = Math.trunc(min);
      }
    } catch (e) {
      return rejected(e);
    }
    return byobRead(r, view, min);
  }

  // readAtLeast is workerd's extension: read(view, {min: minBytes}) for a
  // Uint8Array-like view.
  readAtLeast(minBytes, view) {
    const r = readerOf(this);
    if (r === undefined || !r.byob) return rejected(new TypeError("Illegal invocation"));
    if (!ArrayBuffer.isView(view)) return rejected(new TypeError("Failed to execute 'readAtLeast' on 'ReadableStreamBYOBReader': parameter 2 is not of type 'ArrayBufferView'."));
    const min = Math.trunc(Number(minBytes));
    if (!(min >= 0)) return rejected(new TypeError("minBytes must be a non-negative integer."));
    const el = view.BYTES_PER_ELEMENT || 1;
    if (min % el !== 0) return rejected(new TypeError("minBytes must be a multiple of the view's element size."));
    return byobRead(r, view, min / el);
  }

  releaseLock() {
    const r = this.#r;
    if (r.stream === undefined) return;
    readerRelease(r);
  }

  get [Symbol.toStringTag]() {
    return "ReadableStreamBYOBReader";
  }
}

function byobRead(r, view, min) {
  if (view.byteLength === 0) return rejected(new TypeError("The view must have a non-zero byteLength."));
  if (isDetached(view.buffer)) return rejected(new TypeError("The view's buffer has been detached."));
  if (view.buffer.byteLength === 0) return rejected(new TypeError("The view's buffer must have a non-zero byteLength."));
  if (min === 0) return rejected(new TypeError("min must be greater than 0."));
  if (view instanceof DataView) {
    if (min > view.byteLength) return rejected(new RangeError("min must not exceed the view's byteLength."));
  } else if (min > view.length) return rejected(new RangeError("min must not exceed the view's length."));
  if (r.stream === undefined) return rejected(new TypeError("This ReadableStream reader has been released."));
  const d = deferred();
  const s = r.stream;
  s.disturbed = true;
  const req = new PromiseReadRequest(d);
  if (s.state === ERRORED) req.error(s.storedError);
  else pullInto(s.controller, view, min, req);
  return d.promise;
}

// ------------------------------------------------------------ default controller

class DefaultController {
  constructor() {
    this.pub = undefined;
    this.isByte = false;
    this.stream = undefined;
    this.queue = [];
    this.sizes = [];
    this.queueTotalSize = 0;
    this.started = false;
    this.closeRequested = false;
    this.pullAgain = false;
    this.pulling = false;
    this.strategySize = undefined;
    this.strategyHWM = 0;
    this.pullAlgorithm = undefined;
    this.cancelAlgorithm = undefined;
  }

  // [[CancelSteps]]
  cancelSteps(reason) {
    resetQueue(this);
    const result = this.cancelAlgorithm(reason);
    dcClearAlgorithms(this);
    return result;
  }

  // [[PullSteps]]
  pullSteps(req) {
    const s = this.stream;
    if (this.queue.length > 0) {
      const chunk = dequeueValue(this);
      if (this.closeRequested && this.queue.length === 0) {
        dcClearAlgorithms(this);
        rsClose(s);
      } else dcCallPullIfNeeded(this);
      req.chunk(chunk);
    } else {
      s.reader.readRequests.push(req);
      dcCallPullIfNeeded(this);
    }
  }

  // [[ReleaseSteps]]
  releaseSteps() {}
}

class ReadableStreamDefaultController {
  #c;

  constructor(token) {
    if (token !== INTERNAL) throw illegal();
  }

  static _make(c) {
    const p = new ReadableStreamDefaultController(INTERNAL);
    p.#c = c;
    c.pub = p;
    return p;
  }

  get desiredSize() {
    return dcGetDesiredSize(this.#c);
  }

  close() {
    const c = this.#c;
    if (!dcCanCloseOrEnqueue(c)) throw new TypeError("Cannot close a ReadableStream that is closed, errored or already closing.");
    dcClose(c);
  }

  enqueue(chunk = undefined) {
    const c = this.#c;
    if (!dcCanCloseOrEnqueue(c)) throw new TypeError("Cannot enqueue to a ReadableStream that is closed, errored or closing.");
    dcEnqueue(c, chunk);
  }

  error(e = undefined) {
    dcError(this.#c, e);
  }

  get [Symbol.toStringTag]() {
    return "ReadableStreamDefaultController";
  }
}
const makeDefaultController = ReadableStreamDefaultController._make;
delete ReadableStreamDefaultController._make;

// ReadableStreamDefaultControllerCallPullIfNeeded.
function dcCallPullIfNeeded(c) {
  if (!dcShouldCallPull(c)) return;
  if (c.pulling) {
    c.pullAgain = true;
    return;
  }
  c.pulling = true;
  c.pullAlgorithm().then(
    () => {
      c.pulling = false;
      if (c.pullAgain) {
        c.pullAgain = false;
        dcCallPullIfNeeded(c);
      }
    },
    (e) => dcError(c, e),
  );
}

function dcShouldCallPull(c) {
  const s = c.stream;
  if (!dcCanCloseOrEnqueue(c) || !c.started) return false;
  if (s.reader !== undefined && !s.reader.byob && s.reader.readRequests.length > 0) return true;
  return dcGetDesiredSize(c) > 0;
}

function dcClearAlgorithms(c) {
  c.pullAlgorithm = undefined;
  c.cancelAlgorithm = undefined;
  c.strategySize = undefined;
}

function dcClose(c) {
  if (!dcCanCloseOrEnqueue(c)) return;
  c.closeRequested = true;
  if (c.queue.length === 0) {
    dcClearAlgorithms(c);
    rsClose(c.stream);
  }
}

function dcEnqueue(c, chunk) {
  if (!dcCanCloseOrEnqueue(c)) return;
  const s = c.stream;
  if (s.reader !== undefined && !s.reader.byob && s.reader.readRequests.length > 0) {
    rsFulfillReadRequest(s, chunk, false);
  } else {
    let size;
    try {
      size = c.strategySize(chunk);
    } catch (e) {
      dcError(c, e);
      throw e;
    }
    try {
      enqueueValueWithSize(c, chunk, size);
    } catch (e) {
      dcError(c, e);
      throw e;
    }
  }
  dcCallPullIfNeeded(c);
}

function dcError(c, e) {
  const s = c.stream;
  if (s.state !== READABLE) return;
  resetQueue(c);
  dcClearAlgorithms(c);
  rsError(s, e);
}

function dcGetDesiredSize(c) {
  const st = c.stream.state;
  if (st === ERRORED) return null;
  if (st === CLOSED) return 0;
  return c.strategyHWM - c.queueTotalSize;
}

function dcHasBackpressure(c) {
  return !dcShouldCallPull(c);
}

function dcCanCloseOrEnqueue(c) {
  return !c.closeRequested && c.stream.state === READABLE;
}

// SetUpReadableStreamDefaultController.
function setUpDefaultController(s, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, size) {
  c.stream = s;
  s.controller = c;
  c.strategyHWM = hwm;
  c.strategySize = size;
  c.pullAlgorithm = pullAlgorithm;
  c.cancelAlgorithm = cancelAlgorithm;
  const pub = makeDefaultController(c);
  const startResult = startAlgorithm(pub);
  resolved(startResult).then(
    () => {
      c.started = true;
      dcCallPullIfNeeded(c);
    },
    (e) => dcError(c, e),
  );
}

function resolvedNoop() {
  return resolved(undefined);
}

function setUpDefaultControllerFromSource(s, src, start, pull, cancel, hwm, size) {
  const c = new DefaultController();
  const startAlgorithm = start ? (pub) => start.call(src, pub) : noop;
  const pullAlgorithm = pull ? () => promiseCall(pull, src, c.pub) : resolvedNoop;
  const cancelAlgorithm = cancel ? (r) => promiseCall(cancel, src, r) : resolvedNoop;
  setUpDefaultController(s, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, size);
}

// CreateReadableStream: a stream with a default controller and algorithms
// written in this module.
function createRS(startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm = 1, size = sizeOne) {
  const s = newRS();
  setUpDefaultController(s, new DefaultController(), startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, size);
  return s;
}

// ------------------------------------------------------------ byte controller

class ByteController {
  constructor() {
    this.pub = undefined;
    this.isByte = true;
    this.stream = undefined;
    this.queue = []; // {buffer, byteOffset, byteLength}
    this.sizes = undefined;
    this.queueTotalSize = 0;
    this.started = false;
    this.closeRequested = false;
    this.pullAgain = false;
    this.pulling = false;
    this.strategyHWM = 0;
    this.pullAlgorithm = undefined;
    this.cancelAlgorithm = undefined;
    this.autoAllocateChunkSize = undefined;
    this.pendingPullIntos = [];
    this.byobRequest = null; // the public ReadableStreamBYOBRequest
  }

  cancelSteps(reason) {
    bcClearPendingPullIntos(this);
    resetQueue(this);
    const result = this.cancelAlgorithm(reason);
    bcClearAlgorithms(this);
    return result;
  }

  pullSteps(req) {
    const s = this.stream;
    if (this.queueTotalSize > 0) {
      bcFillReadRequestFromQueue(this, req);
      return;
    }
    const size = this.autoAllocateChunkSize;
    if (size !== undefined) {
      let buffer;
      try {
        buffer = new ArrayBuffer(size);
      } catch (e) {
        req.error(e);
        return;
      }
      this.pendingPullIntos.push({
        buffer, bufferByteLength: size, byteOffset: 0, byteLength: size, bytesFilled: 0,
        minimumFill: 1, elementSize: 1, viewConstructor: Uint8Array, readerType: "default",
      });
    }
    s.reader.readRequests.push(req);
    bcCallPullIfNeeded(this);
  }

  releaseSteps() {
    if (this.pendingPullIntos.length > 0) {
      const first = this.pendingPullIntos[0];
      first.readerType = "none";
      this.pendingPullIntos = [first];
    }
  }
}

class ReadableByteStreamController {
  #c;

  constructor(token) {
    if (token !== INTERNAL) throw illegal();
  }

  static _make(c) {
    const p = new ReadableByteStreamController(INTERNAL);
    p.#c = c;
    c.pub = p;
    return p;
  }

  get byobRequest() {
    return bcGetBYOBRequest(this.#c);
  }

  get desiredSize() {
    return bcGetDesiredSize(this.#c);
  }

  close() {
    const c = this.#c;
    if (c.closeRequested) throw new TypeError("The stream is already closing.");
    if (c.stream.state !== READABLE) throw new TypeError("The stream is not readable.");
    bcClose(c);
  }

  enqueue(chunk) {
    const c = this.#c;
    if (!ArrayBuffer.isView(chunk)) throw new TypeError("Failed to execute 'enqueue' on 'ReadableByteStreamController': parameter 1 is not of type 'ArrayBufferView'.");
    if (chunk.byteLength === 0) throw new TypeError("The chunk must have a non-zero byteLength.");
    if (chunk.buffer.byteLength === 0) throw new TypeError("The chunk's buffer must have a non-zero byteLength.");
    if (c.closeRequested) throw new TypeError("The stream is closing; cannot enqueue.");
    if (c.stream.state !== READABLE) throw new TypeError("The stream is not readable; cannot enqueue.");
    bcEnqueue(c, chunk);
  }

  error(e = undefined) {
    bcError(this.#c, e);
  }

  get [Symbol.toStringTag]() {
    return "ReadableByteStreamController";
  }
}
const makeByteController = ReadableByteStreamController._make;
delete ReadableByteStreamController._make;

class ReadableStreamBYOBRequest {
  #controller;
  #view;

  constructor(token) {
    if (token !== INTERNAL) throw illegal();
  }

  static _make(c, view) {
    const r = new ReadableStreamBYOBRequest(INTERNAL);
    r.#controller = c;
    r.#view = view;
    return r;
  }

  static _invalidate(r) {
    r.#controller = undefined;
    r.#view = null;
  }

  get view() {
    return this.#view;
  }

  respond(bytesWritten) {
    const c = this.#controller;
    if (c === undefined) throw new TypeError("This BYOB request has been invalidated.");
    const n = Number(bytesWritten);
    if (!Number.isFinite(n) || n < 0) throw new TypeError("bytesWritten must be a non-negative integer.");
    if (isDetached(this.#view.buffer)) throw new TypeError("The BYOB request's buffer has been detached.");
    bcRespond(c, Math.trunc(n));
  }

  respondWithNewView(view) {
    const c = this.#controller;
    if (!ArrayBuffer.isView(view)) throw new TypeError("Failed to execute 'respondWithNewView': parameter 1 is not of type 'ArrayBufferView'.");
    if (c === undefined) throw new TypeError("This BYOB request has been invalidated.");
    if (isDetached(view.buffer)) throw new TypeError("The view's buffer has been detached.");
    bcRespondWithNewView(c, view);
  }

  get [Symbol.toStringTag]() {
    return "ReadableStreamBYOBRequest";
  }
}
const makeBYOBRequest = ReadableStreamBYOBRequest._make;
const invalidateBYOBRequestObject = ReadableStreamBYOBRequest._invalidate;
delete ReadableStreamBYOBRequest._make;
delete ReadableStreamBYOBRequest._invalidate;

function bcCallPullIfNeeded(c) {
  if (!bcShouldCallPull(c)) return;
  if (c.pulling) {
    c.pullAgain = true;
    return;
  }
  c.pulling = true;
  c.pullAlgorithm().then(
    () => {
      c.pulling = false;
      if (c.pullAgain) {
        c.pullAgain = false;
        bcCallPullIfNeeded(c);
      }
    },
    (e) => bcError(c, e),
  );
}

function bcShouldCallPull(c) {
  const s = c.stream;
  if (s.state !== READABLE || c.closeRequested || !c.started) return false;
  const r = s.reader;
  if (r !== undefined) {
    if (!r.byob && r.readRequests.length > 0) return true;
    if (r.byob && r.readIntoRequests.length > 0) return true;
  }
  return bcGetDesiredSize(c) > 0;
}

function bcClearAlgorithms(c) {
  c.pullAlgorithm = undefined;
  c.cancelAlgorithm = undefined;
}

function bcInvalidateBYOBRequest(c) {
  if (c.byobRequest === null) return;
  invalidateBYOBRequestObject(c.byobRequest);
  c.byobRequest = null;
}

function bcClearPendingPullIntos(c) {
  bcInvalidateBYOBRequest(c);
  c.pendingPullIntos = [];
}

function bcClose(c) {
  const s = c.stream;
  if (c.closeRequested || s.state !== READABLE) return;
  if (c.queueTotalSize > 0) {
    c.closeRequested = true;
    return;
  }
  if (c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos[0];
    if (first.bytesFilled % first.elementSize !== 0) {
      const e = new TypeError("Insufficient bytes to fill elements in the given buffer.");
      bcError(c, e);
      throw e;
    }
  }
  bcClearAlgorithms(c);
  rsClose(s);
}

function bcCommitPullIntoDescriptor(s, d) {
  let done = false;
  if (s.state === CLOSED) done = true;
  const view = bcConvertPullIntoDescriptor(d);
  if (d.readerType === "default") rsFulfillReadRequest(s, view, done);
  else rsFulfillReadIntoRequest(s, view, done);
}

function bcConvertPullIntoDescriptor(d) {
  const buffer = transfer(d.buffer);
  return new d.viewConstructor(buffer, d.byteOffset, d.bytesFilled / d.elementSize);
}

function bcEnqueue(c, chunk) {
  const s = c.stream;
  if (c.closeRequested || s.state !== READABLE) return;
  const { buffer, byteOffset, byteLength } = chunk;
  if (isDetached(buffer)) throw new TypeError("The chunk's buffer has been detached.");
  const transferred = transfer(buffer);
  if (c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos[0];
    if (isDetached(first.buffer)) throw new TypeError("The BYOB request's buffer has been detached.");
    bcInvalidateBYOBRequest(c);
    first.buffer = transfer(first.buffer);
    if (first.readerType === "none") bcEnqueueDetachedPullIntoToQueue(c, first);
  }
  if (hasDefaultReader(s)) {
    bcProcessReadRequestsUsingQueue(c);
    if (numReadRequests(s) === 0) {
      bcEnqueueChunkToQueue(c, transferred, byteOffset, byteLength);
    } else {
      if (c.pendingPullIntos.length > 0) bcShiftPendingPullInto(c);
      rsFulfillReadRequest(s, new Uint8Array(transferred, byteOffset, byteLength), false);
    }
  } else if (hasBYOBReader(s)) {
    bcEnqueueChunkToQueue(c, transferred, byteOffset, byteLength);
    const filled = bcProcessPullIntoDescriptorsUsingQueue(c);
    for (const d of filled) bcCommitPullIntoDescriptor(s, d);
  } else {
    bcEnqueueChunkToQueue(c, transferred, byteOffset, byteLength);
  }
  bcCallPullIfNeeded(c);
}

function bcEnqueueChunkToQueue(c, buffer, byteOffset, byteLength) {
  c.queue.push({ buffer, byteOffset, byteLength });
  c.queueTotalSize += byteLength;
}

function bcEnqueueClonedChunkToQueue(c, buffer, byteOffset, byteLength) {
  let clone;
  try {
    clone = buffer.slice(byteOffset, byteOffset + byteLength);
  } catch (e) {
    bcError(c, e);
    throw e;
  }
  bcEnqueueChunkToQueue(c, clone, 0, byteLength);
}

function bcEnqueueDetachedPullIntoToQueue(c, d) {
  if (d.bytesFilled > 0) bcEnqueueClonedChunkToQueue(c, d.buffer, d.byteOffset, d.bytesFilled);
  bcShiftPendingPullInto(c);
}

function bcFillHeadPullIntoDescriptor(c, size, d) {
  d.bytesFilled += size;
}

function bcFillPullIntoDescriptorFromQueue(c, d) {
  const maxBytesToCopy = Math.min(c.queueTotalSize, d.byteLength - d.bytesFilled);
  const maxBytesFilled = d.bytesFilled + maxBytesToCopy;
  let remaining = maxBytesToCopy;
  let ready = false;
  const maxAlignedBytes = maxBytesFilled - (maxBytesFilled % d.elementSize);
  if (maxAlignedBytes >= d.minimumFill) {
    remaining = maxAlignedBytes - d.bytesFilled;
    ready = true;
  }
  const q = c.queue;
  while (remaining > 0) {
    const head = q[0];
    const n = Math.min(remaining, head.byteLength);
    const destStart = d.byteOffset + d.bytesFilled;
    new Uint8Array(d.buffer, destStart, n).set(new Uint8Array(head.buffer, head.byteOffset, n));
    if (head.byteLength === n) q.shift();
    else {
      head.byteOffset += n;
      head.byteLength -= n;
    }
    c.queueTotalSize -= n;
    bcFillHeadPullIntoDescriptor(c, n, d);
    remaining -= n;
  }
  return ready;
}

function bcFillReadRequestFromQueue(c, req) {
  const e = c.queue.shift();
  c.queueTotalSize -= e.byteLength;
  bcHandleQueueDrain(c);
  req.chunk(new Uint8Array(e.buffer, e.byteOffset, e.byteLength));
}

function bcGetBYOBRequest(c) {
  if (c.byobRequest === null && c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos[0];
    const view = new Uint8Array(first.buffer, first.byteOffset + first.bytesFilled, first.byteLength - first.bytesFilled);
    c.byobRequest = makeBYOBRequest(c, view);
  }
  return c.byobRequest;
}

function bcGetDesiredSize(c) {
  const st = c.stream.state;
  if (st === ERRORED) return null;
  if (st === CLOSED) return 0;
  return c.strategyHWM - c.queueTotalSize;
}

function bcHandleQueueDrain(c) {
  if (c.queueTotalSize === 0 && c.closeRequested) {
    bcClearAlgorithms(c);
    rsClose(c.stream);
  } else bcCallPullIfNeeded(c);
}

function bcProcessPullIntoDescriptorsUsingQueue(c) {
  const filled = [];
  while (c.pendingPullIntos.length > 0) {
    if (c.queueTotalSize === 0) break;
    const d = c.pendingPullIntos[0];
    if (bcFillPullIntoDescriptorFromQueue(c, d)) {
      bcShiftPendingPullInto(c);
      filled.push(d);
    }
  }
  return filled;
}

function bcProcessReadRequestsUsingQueue(c) {
  const r = c.stream.reader;
  while (r.readRequests.length > 0) {
    if (c.queueTotalSize === 0) return;
    bcFillReadRequestFromQueue(c, r.readRequests.shift());
  }
}

// ReadableByteStreamControllerPullInto.
function pullInto(c, view, min, req) {
  const s = c.stream;
  let elementSize = 1;
  let ctor = DataView;
  if (!(view instanceof DataView)) {
    elementSize = view.BYTES_PER_ELEMENT;
    ctor = view.constructor;
  }
  const minimumFill = min * elementSize;
  const byteOffset = view.byteOffset, byteLength = view.byteLength;
  let buffer;
  try {
    buffer = transfer(view.buffer);
  } catch (e) {
    req.error(e);
    return;
  }
  const d = {
    buffer, bufferByteLength: buffer.byteLength, byteOffset, byteLength, bytesFilled: 0,
    minimumFill, elementSize, viewConstructor: ctor, readerType: "byob",
  };
  if (c.pendingPullIntos.length > 0) {
    c.pendingPullIntos.push(d);
    s.reader.readIntoRequests.push(req);
    return;
  }
  if (s.state === CLOSED) {
    req.close(new ctor(d.buffer, d.byteOffset, 0));
    return;
  }
  if (c.queueTotalSize > 0) {
    if (bcFillPullIntoDescriptorFromQueue(c, d)) {
      const filledView = bcConvertPullIntoDescriptor(d);
      bcHandleQueueDrain(c);
      req.chunk(filledView);
      return;
    }
    if (c.closeRequested) {
      const e = new TypeError("Insufficient bytes to fill elements in the given buffer.");
      bcError(c, e);
      req.error(e);
      return;
    }
  }
  c.pendingPullIntos.push(d);
  s.reader.readIntoRequests.push(req);
  bcCallPullIfNeeded(c);
}

function bcRespond(c, bytesWritten) {
  const first = c.pendingPullIntos[0];
  const st = c.stream.state;
  if (st === CLOSED) {
    if (bytesWritten !== 0) throw new TypeError("bytesWritten must be 0 when calling respond() on a closed stream.");
  } else {
    if (bytesWritten === 0) throw new TypeError("bytesWritten must be greater than 0 when calling respond() on a readable stream.");
    if (first.bytesFilled + bytesWritten > first.byteLength) throw new RangeError("bytesWritten out of range.");
  }
  first.buffer = transfer(first.buffer);
  bcRespondInternal(c, bytesWritten);
}

function bcRespondInClosedState(c, first) {
  if (first.readerType === "none") bcShiftPendingPullInto(c);
  const s = c.stream;
  if (hasBYOBReader(s)) {
    while (numReadIntoRequests(s) > 0) bcCommitPullIntoDescriptor(s, bcShiftPendingPullInto(c));
  }
}

function bcRespondInReadableState(c, bytesWritten, d) {
  bcFillHeadPullIntoDescriptor(c, bytesWritten, d);
  const s = c.stream;
  if (d.readerType === "none") {
    bcEnqueueDetachedPullIntoToQueue(c, d);
    for (const f of bcProcessPullIntoDescriptorsUsingQueue(c)) bcCommitPullIntoDescriptor(s, f);
    return;
  }
  if (d.bytesFilled < d.minimumFill) return;
  bcShiftPendingPullInto(c);
  const rem = d.bytesFilled % d.elementSize;
  if (rem > 0) {
    const end = d.byteOffset + d.bytesFilled;
    bcEnqueueClonedChunkToQueue(c, d.buffer, end - rem, rem);
  }
  d.bytesFilled -= rem;
  const filled = bcProcessPullIntoDescriptorsUsingQueue(c);
  bcCommitPullIntoDescriptor(s, d);
  for (const f of filled) bcCommitPullIntoDescriptor(s, f);
}

function bcRespondInternal(c, bytesWritten) {
  const first = c.pendingPullIntos[0];
  bcInvalidateBYOBRequest(c);
  if (c.stream.state === CLOSED) bcRespondInClosedState(c, first);
  else bcRespondInReadableState(c, bytesWritten, first);
  bcCallPullIfNeeded(c);
}

function bcRespondWithNewView(c, view) {
  const first = c.pendingPullIntos[0];
  const st = c.stream.state;
  if (st === CLOSED) {
    if (view.byteLength !== 0) throw new TypeError("The view's length must be 0 when calling respondWithNewView() on a closed stream.");
  } else if (view.byteLength === 0) {
    throw new TypeError("The view's length must be greater than 0 when calling respondWithNewView() on a readable stream.");
  }
  if (first.byteOffset + first.bytesFilled !== view.byteOffset) throw new RangeError("The region specified by view does not match byobRequest.");
  if (first.bufferByteLength !== view.buffer.byteLength) throw new RangeError("The buffer of view has different capacity than byobRequest.");
  if (first.bytesFilled + view.byteLength > first.byteLength) throw new RangeError("The region specified by view is larger than byobRequest.");
  const n = view.byteLength;
  first.buffer = transfer(view.buffer);
  bcRespondInternal(c, n);
}

function bcShiftPendingPullInto(c) {
  return c.pendingPullIntos.shift();
}

function bcError(c, e) {
  const s = c.stream;
  if (s.state !== READABLE) return;
  bcClearPendingPullIntos(c);
  resetQueue(c);
  bcClearAlgorithms(c);
  rsError(s, e);
}

// SetUpReadableByteStreamController.
function setUpByteController(s, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, autoAllocateChunkSize) {
  c.stream = s;
  s.controller = c;
  c.strategyHWM = hwm;
  c.pullAlgorithm = pullAlgorithm;
  c.cancelAlgorithm = cancelAlgorithm;
  c.autoAllocateChunkSize = autoAllocateChunkSize;
  const pub = makeByteController(c);
  const startResult = startAlgorithm(pub);
  resolved(startResult).then(
    () => {
      c.started = true;
      bcCallPullIfNeeded(c);
    },
    (e) => bcError(c, e),
  );
}

function setUpByteControllerFromSource(s, src, start, pull, cancel, hwm, auto) {
  const c = new ByteController();
  const startAlgorithm = start ? (pub) => start.call(src, pub) : noop;
  const pullAlgorithm = pull ? () => promiseCall(pull, src, c.pub) : resolvedNoop;
  const cancelAlgorithm = cancel ? (r) => promiseCall(cancel, src, r) : resolvedNoop;
  setUpByteController(s, c, startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, auto);
}

// CreateReadableByteStream.
function createByteRS(startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm = 0, auto = undefined) {
  const s = newRS();
  setUpByteController(s, new ByteController(), startAlgorithm, pullAlgorithm, cancelAlgorithm, hwm, auto);
  return s;
}

// Generic controller operations for code that drives either kind (tee,
// TransformStream's readable side).
function ctrlEnqueue(c, chunk) {
  if (c.isByte) {
    if (!ArrayBuffer.isView(chunk)) throw new TypeError("This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.");
    if (chunk.byteLength === 0) return;
    bcEnqueue(c, chunk);
  } else dcEnqueue(c, chunk);
}

function ctrlClose(c) {
  if (c.isByte) {
    bcClose(c);
    // A pending BYOB read of a closed byte stream completes with an empty view.
    if (c.pendingPullIntos.length > 0 && c.stream.state === CLOSED) bcRespondInternalClosed(c);
  } else dcClose(c);
}

function bcRespondInternalClosed(c) {
  const first = c.pendingPullIntos[0];
  first.buffer = transfer(first.buffer);
  bcRespondInternal(c, 0);
}

function ctrlError(c, e) {
  if (c.isByte) bcError(c, e);
  else dcError(c, e);
}

function ctrlDesiredSize(c) {
  return c.isByte ? bcGetDesiredSize(c) : dcGetDesiredSize(c);
}

function ctrlCanCloseOrEnqueue(c) {
  return !c.closeRequested && c.stream.state === READABLE;
}

function ctrlHasBackpressure(c) {
  return c.isByte ? !bcShouldCallPull(c) : dcHasBackpressure(c);
}

// ------------------------------------------------------------ tee

// teeWith tees s through a default reader into two branches made by ops:
// ops.create(pull, cancel) makes a branch, ops.enqueue(c1, c2, value) hands a
// chunk to the branches still wanted (c1/c2 null when canceled) and may
// throw, ops.close(c) and ops.error(c, e) end one branch.
function teeWith(s, ops) {
  const reader = acquireDefaultReader(s);
  let reading = false, readAgain = false, canceled1 = false, canceled2 = false;
  let reason1, reason2, b1, b2;
  const cancelD = deferred();
  const req = {
    chunk(value) {
      queueMicrotask(() => {
        readAgain = false;
        try {
          ops.enqueue(canceled1 ? null : b1.controller, canceled2 ? null : b2.controller, value);
        } catch (e) {
          ops.error(b1.controller, e);
          ops.error(b2.controller, e);
          cancelD.resolve(rsCancel(s, e));
          return;
        }
        reading = false;
        if (readAgain) pull();
      });
    },
    close() {
      reading = false;
      if (!canceled1) ops.close(b1.controller);
      if (!canceled2) ops.close(b2.controller);
      if (!canceled1 || !canceled2) cancelD.resolve(undefined);
    },
    error() {
      reading = false;
    },
  };
  function pull() {
    if (reading) {
      readAgain = true;
      return resolved(undefined);
    }
    reading = true;
    readerRead(reader, req);
    return resolved(undefined);
  }
  const cancel1 = (r) => {
    canceled1 = true;
    reason1 = r;
    if (canceled2) cancelD.resolve(rsCancel(s, [reason1, reason2]));
    return cancelD.promise;
  };
  const cancel2 = (r) => {
    canceled2 = true;
    reason2 = r;
    if (canceled1) cancelD.resolve(rsCancel(s, [reason1, reason2]));
    return cancelD.promise;
  };
  b1 = ops.create(pull, cancel1);
  b2 = ops.create(pull, cancel2);
  reader.closed.promise.then(undefined, (e) => {
    ops.error(b1.controller, e);
    ops.error(b2.controller, e);
    if (!canceled1 || !canceled2) cancelD.resolve(undefined);
  });
  return [b1, b2];
}

// ReadableStreamDefaultTee: both branches share each chunk.
const defaultTeeOps = {
  create: (pull, cancel) => createRS(noop, pull, cancel),
  enqueue(c1, c2, value) {
    if (c1) dcEnqueue(c1, value);
    if (c2) dcEnqueue(c2, value);
  },
  close: (c) => dcClose(c),
  error: (c, e) => dcError(c, e),
};

function defaultTee(s) {
  return teeWith(s, defaultTeeOps);
}

// byteTee tees a byte stream into two byte streams. It reads the source
// with a default reader and gives each branch its own copy of every chunk;
// BYOB reads on the branches are served from their queues.
const byteTeeOps = {
  create: (pull, cancel) => createByteRS(noop, pull, cancel),
  enqueue(c1, c2, value) {
    const copy = c1 && c2 ? value.slice() : value;
    if (c1) ctrlEnqueue(c1, value);
    if (c2) ctrlEnqueue(c2, copy);
  },
  close: (c) => ctrlClose(c),
  error: (c, e) => bcError(c, e),
};

function byteTee(s) {
  return teeWith(s, byteTeeOps);
}

// ------------------------------------------------------------ async iteration

const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);

class ReadableStreamAsyncIterator {
  #reader;
  #preventCancel;
  #ongoing = undefined;
  #finished = false;

  constructor(reader, preventCancel) {
    this.#reader = reader;
    this.#preventCancel = preventCancel;
  }

  next() {
    const step = () => this.#nextStep();
    const p = this.#ongoing === undefined ? step() : this.#ongoing.then(step, step);
    this.#ongoing = p;
    return p;
  }

  return(value = undefined) {
    const step = () => this.#returnStep(value);
    const p = this.#ongoing === undefined ? step() : this.#ongoing.then(step, step);
    this.#ongoing = p;
    return p;
  }

  #nextStep() {
    if (this.#finished) return resolved({ value: undefined, done: true });
    const r = this.#reader;
    if (r.stream === undefined) return rejected(new TypeError("The stream's reader has been released."));
    const d = deferred();
    readerRead(r, {
      chunk: (value) => d.resolve({ value, done: false }),
      close: () => {
        this.#finished = true;
        readerRelease(r);
        d.resolve({ value: undefined, done: true });
      },
      error: (e) => {
        this.#finished = true;
        readerRelease(r);
        d.reject(e);
      },
    });
    return d.promise;
  }

  #returnStep(value) {
    if (this.#finished) return resolved({ value, done: true });
    this.#finished = true;
    const r = this.#reader;
    if (r.stream === undefined) return rejected(new TypeError("The stream's reader has been released."));
    if (!this.#preventCancel) {
      const result = rsCancel(r.stream, value);
      readerRelease(r);
      return result.then(() => ({ value, done: true }));
    }
    readerRelease(r);
    return resolved({ value, done: true });
  }

  get [Symbol.toStringTag]() {
    return "ReadableStream AsyncIterator";
  }
}
Object.setPrototypeOf(ReadableStreamAsyncIterator.prototype, AsyncIteratorPrototype);

// ReadableStreamFromIterable.
function rsFromIterable(iterable) {
  if (iterable === null || iterable === undefined) throw new TypeError("ReadableStream.from: the argument must be an iterable or async iterable.");
  let method = iterable[Symbol.asyncIterator];
  let sync = false;
  if (method === undefined || method === null) {
    method = iterable[Symbol.iterator];
    sync = true;
  }
  if (typeof method !== "function") throw new TypeError("ReadableStream.from: the argument must be an iterable or async iterable.");
  const it = method.call(iterable);
  if (!isObject(it)) throw new TypeError("ReadableStream.from: the iterator must be an object.");
  const nextMethod = it.next;
  let s;
  const pull = () => {
    let result;
    try {
      result = nextMethod.call(it);
    } catch (e) {
      return rejected(e);
    }
    return resolved(result).then((r) => {
      if (!isObject(r)) throw new TypeError("The iterator's result must be an object.");
      if (r.done) {
        dcClose(s.controller);
        return;
      }
      return sync
        ? resolved(r.value).then((v) => dcEnqueue(s.controller, v))
        : dcEnqueue(s.controller, r.value);
    });
  };
  const cancel = (reason) => {
    let ret;
    try {
      ret = it.return;
      if (ret === undefined || ret === null) return resolved(undefined);
      if (typeof ret !== "function") throw new TypeError("The iterator's return must be a function.");
      return resolved(ret.call(it, reason)).then((r) => {
        if (!isObject(r)) throw new TypeError("The iterator's return() result must be an object.");
      });
    } catch (e) {
      return rejected(e);
    }
  };
  s = createRS(noop, pull, cancel, 0);
  return s;
}

// ------------------------------------------------------------ piping

// ReadableStreamPipeTo.
function rsPipeTo(source, dest, preventClose, preventAbort, preventCancel, signal) {
  const reader = acquireDefaultReader(source);
  const writer = acquireWriter(dest);
  source.disturbed = true;
  let shuttingDown = false;
  let currentWrite = resolved(undefined);
  const done = deferred();
  let abortListener;

  const finalize = (isError, error) => {
    writerRelease(writer);
    readerRelease(reader);
    if (signal !== undefined && abortListener !== undefined) signal.removeEventListener("abort", abortListener);
    if (isError) done.reject(error);
    else done.resolve(undefined);
  };

  // Waits for the write in flight (if the destination may still take it),
  // then runs action (or nothing) and finalizes.
  const shutdownWithAction = (action, isError, originalError) => {
    if (shuttingDown) return;
    shuttingDown = true;
    const run = () => {
      if (action === undefined) {
        finalize(isError, originalError);
        return;
      }
      let p;
      try {
        p = resolved(action());
      } catch (e) {
        p = rejected(e);
      }
      p.then(
        () => finalize(isError, originalError),
        (e) => finalize(true, e),
      );
    };
    if (dest.state === WRITABLE && !wsCloseQueuedOrInFlight(dest)) {
      waitForWrites().then(run);
    } else run();
  };

  const waitForWrites = () => {
    const old = currentWrite;
    return old.then(noop, noop).then(() => (old !== currentWrite ? waitForWrites() : undefined));
  };

  if (signal !== undefined) {
    const abortAlgorithm = () => {
      const error = signal.reason !== undefined ? signal.reason : abortError("The operation was aborted.");
      const actions = [];
      if (!preventAbort) actions.push(() => (dest.state === WRITABLE ? wsAbort(dest, error) : resolved(undefined)));
      if (!preventCancel) actions.push(() => (source.state === READABLE ? rsCancel(source, error) : resolved(undefined)));
      shutdownWithAction(actions.length ? () => Promise.all(actions.map((a) => a())) : undefined, true, error);
    };
    if (signal.aborted) {
      abortAlgorithm();
      return done.promise;
    }
    abortListener = abortAlgorithm;
    signal.addEventListener("abort", abortListener);
  }

  // Errors must be propagated forward.
  const onSourceErrored = (e) => {
    if (!preventAbort) shutdownWithAction(() => wsAbort(dest, e), true, e);
    else shutdownWithAction(undefined, true, e);
  };
  // Errors must be propagated backward.
  const onDestErrored = (e) => {
    if (!preventCancel) shutdownWithAction(() => rsCancel(source, e), true, e);
    else shutdownWithAction(undefined, true, e);
  };
  // Closing must be propagated forward.
  const onSourceClosed = () => {
    if (!preventClose) shutdownWithAction(() => writerCloseWithErrorPropagation(writer), false);
    else shutdownWithAction(undefined, false);
  };

  if (source.state === ERRORED) onSourceErrored(source.storedError);
  else reader.closed.promise.then(undefined, onSourceErrored);
  if (!shuttingDown) {
    if (dest.state === W_ERRORED || dest.state === ERRORING) onDestErrored(dest.storedError);
    else writer.closed.promise.then(undefined, onDestErrored);
  }
  if (!shuttingDown && source.state === CLOSED) onSourceClosed();
  else if (!shuttingDown) reader.closed.promise.then(onSourceClosed, noop);
  // Closing must be propagated backward.
  if (!shuttingDown && (wsCloseQueuedOrInFlight(dest) || dest.state === W_CLOSED)) {
    const e = new TypeError("The destination writable stream closed before all the data could be piped to it.");
    if (!preventCancel) shutdownWithAction(() => rsCancel(source, e), true, e);
    else shutdownWithAction(undefined, true, e);
  }

  // The pump: wait for the destination to want data, read a chunk, write it.
  const readReq = {
    chunk(value) {
      currentWrite = handled(writerWrite(writer, value));
      step();
    },
    close() {},
    error() {},
  };
  const step = () => {
    if (shuttingDown) return;
    if (dest.backpressure && dest.state === WRITABLE) {
      writer.ready.promise.then(step, noop);
      return;
    }
    if (source.state !== READABLE || dest.state !== WRITABLE) return;
    readerRead(reader, readReq);
  };
  if (!shuttingDown) queueMicrotask(step);
  return done.promise;
}

// ============================================================ WritableStream

class WS {
  constructor() {
    this.pub = undefined;
    this.state = WRITABLE;
    this.storedError = undefined;
    this.writer = undefined;
    this.controller = undefined;
    this.inFlightWriteRequest = undefined;
    this.closeRequest = undefined;
    this.inFlightCloseRequest = undefined;
    this.pendingAbortRequest = undefined;
    this.writeRequests = [];
    this.backpressure = false;
  }
}

let wsOf;
let writerOf;

class WritableStream {
  #s;

  constructor(underlyingSink = undefined, strategy = undefined) {
    const s = (this.#s = new WS());
    s.pub = this;
    if (underlyingSink === INTERNAL) return;
    const sink = dictOf(underlyingSink, "Failed to construct 'WritableStream'");
    const strat = dictOf(strategy, "Failed to construct 'WritableStream'");
    const abort = getCallback(sink, "abort", "WritableStream");
    const close = getCallback(sink, "close", "WritableStream");
    const start = getCallback(sink, "start", "WritableStream");
    const type = sink.type;
    const write = getCallback(sink, "write", "WritableStream");
    if (type !== undefined) throw new RangeError("Failed to construct 'WritableStream': invalid type is specified.");
    const size = extractSize(strat);
    const hwm = extractHWM(strat, 1);
    const c = new WSController();
    const startAlgorithm = start ? (pub) => start.call(sink, pub) : noop;
    const writeAlgorithm = write ? (chunk) => promiseCall(write, sink, chunk, c.pub) : resolvedNoop;
    const closeAlgorithm = close ? () => promiseCall(close, sink) : resolvedNoop;
    const abortAlgorithm = abort ? (r) => promiseCall(abort, sink, r) : resolvedNoop;
    setUpWSController(s, c, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm, size);
  }

  static {
    wsOf = (o) => (isObject(o) && #s in o ? o.#s : undefined);
  }

  get locked() {
    return this.#s.writer !== undefined;
  }

  abort(reason = undefined) {
    const s = wsOf(this);
    if (s === undefined) return rejected(new TypeError("Illegal invocation"));
    if (s.writer !== undefined) return rejected(new TypeError("This WritableStream is currently locked to a writer."));
    return wsAbort(s, reason);
  }

  close() {
    const s = wsOf(this);
    if (s === undefined) return rejected(new TypeError("Illegal invocation"));
    if (s.writer !== undefined) return rejected(new TypeError("This WritableStream is currently locked to a writer."));
    if (wsCloseQueuedOrInFlight(s)) return rejected(new TypeError("This WritableStream is already closing."));
    return wsClose(s);
  }

  getWriter() {
    void this.#s;
    return new WritableStreamDefaultWriter(this);
  }

  get [Symbol.toStringTag]() {
    return "WritableStream";
  }
}

function newWS() {
  return wsOf(new WritableStream(INTERNAL));
}

// CreateWritableStream.
function createWS(startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm = 1, size = sizeOne) {
  const s = newWS();
  setUpWSController(s, new WSController(), startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm, size);
  return s;
}

// WritableStreamAbort.
function wsAbort(s, reason) {
  if (s.state === W_CLOSED || s.state === W_ERRORED) return resolved(undefined);
  wscSignalAbort(s.controller, reason);
  const state = s.state;
  if (state === W_CLOSED || state === W_ERRORED) return resolved(undefined);
  if (s.pendingAbortRequest !== undefined) return s.pendingAbortRequest.promise;
  let wasAlreadyErroring = false;
  if (state === ERRORING) {
    wasAlreadyErroring = true;
    reason = undefined;
  }
  const d = deferred();
  s.pendingAbortRequest = { promise: d.promise, resolve: d.resolve, reject: d.reject, reason, wasAlreadyErroring };
  if (!wasAlreadyErroring) wsStartErroring(s, reason);
  return d.promise;
}

// WritableStreamClose.
function wsClose(s) {
  const state = s.state;
  if (state === W_CLOSED) return rejected(new TypeError("This WritableStream has been closed."));
  if (state === W_ERRORED) return rejected(new TypeError("The stream is closed or errored."));
  const d = deferred();
  s.closeRequest = d;
  const w = s.writer;
  if (w !== undefined && s.backpressure && state === WRITABLE) w.ready.resolve(undefined);
  wscClose(s.controller);
  return d.promise;
}

function wsDealWithRejection(s, error) {
  if (s.state === WRITABLE) {
    wsStartErroring(s, error);
    return;
  }
  wsFinishErroring(s);
}

function wsStartErroring(s, reason) {
  const c = s.controller;
  s.state = ERRORING;
  s.storedError = reason;
  const w = s.writer;
  if (w !== undefined) writerEnsureReadyPromiseRejected(w, reason);
  if (!wsHasOperationMarkedInFlight(s) && c.started) wsFinishErroring(s);
}

function wsFinishErroring(s) {
  s.state = W_ERRORED;
  s.controller.errorSteps();
  const e = s.storedError;
  const reqs = s.writeRequests;
  s.writeRequests = [];
  for (const r of reqs) r.reject(e);
  const ar = s.pendingAbortRequest;
  if (ar === undefined) {
    wsRejectCloseAndClosedPromiseIfNeeded(s);
    return;
  }
  s.pendingAbortRequest = undefined;
  if (ar.wasAlreadyErroring) {
    ar.reject(e);
    wsRejectCloseAndClosedPromiseIfNeeded(s);
    return;
  }
  s.controller.abortSteps(ar.reason).then(
    () => {
      ar.resolve(undefined);
      wsRejectCloseAndClosedPromiseIfNeeded(s);
    },
    (r) => {
      ar.reject(r);
      wsRejectCloseAndClosedPromiseIfNeeded(s);
    },
  );
}

function wsFinishInFlightWrite(s) {
  s.inFlightWriteRequest.resolve(undefined);
  s.inFlightWriteRequest = undefined;
}

function wsFinishInFlightWriteWithError(s, error) {
  s.inFlightWriteRequest.reject(error);
  s.inFlightWriteRequest = undefined;
  wsDealWithRejection(s, error);
}

function wsFinishInFlightClose(s) {
  s.inFlightCloseRequest.resolve(undefined);
  s.inFlightCloseRequest = undefined;
  if (s.state === ERRORING) {
    s.storedError = undefined;
    if (s.pendingAbortRequest !== undefined) {
      s.pendingAbortRequest.resolve(undefined);
      s.pendingAbortRequest = undefined;
    }
  }
  s.state = W_CLOSED;
  const w = s.writer;
  if (w !== undefined) w.closed.resolve(undefined);
}

function wsFinishInFlightCloseWithError(s, error) {
  s.inFlightCloseRequest.reject(error);
  s.inFlightCloseRequest = undefined;
  if (s.pendingAbortRequest !== undefined) {
    s.pendingAbortRequest.reject(error);
    s.pendingAbortRequest = undefined;
  }
  wsDealWithRejection(s, error);
}

function wsCloseQueuedOrInFlight(s) {
  return s.closeRequest !== undefined || s.inFlightCloseRequest !== undefined;
}

function wsHasOperationMarkedInFlight(s) {
  return s.inFlightWriteRequest !== undefined || s.inFlightCloseRequest !== undefined;
}

function wsRejectCloseAndClosedPromiseIfNeeded(s) {
  if (s.closeRequest !== undefined) {
    s.closeRequest.reject(s.storedError);
    s.closeRequest = undefined;
  }
  const w = s.writer;
  if (w !== undefined) w.closed.reject(s.storedError);
}

function wsUpdateBackpressure(s, bp) {
  const w = s.writer;
  if (w !== undefined && bp !== s.backpressure) {
    if (bp) w.ready = new Slot();
    else w.ready.resolve(undefined);
  }
  s.backpressure = bp;
}

// ------------------------------------------------------------ writer

class Writer {
  constructor() {
    this.pub = undefined;
    this.stream = undefined;
    this.ready = undefined; // Slot
    this.closed = undefined; // Slot
  }
}

// SetUpWritableStreamDefaultWriter.
function writerInit(w, s) {
  if (s.writer !== undefined) throw new TypeError("This WritableStream is currently locked to a writer.");
  w.stream = s;
  s.writer = w;
  const st = s.state;
  if (st === WRITABLE) {
    w.ready = !wsCloseQueuedOrInFlight(s) && s.backpressure ? new Slot() : new Slot(resolved(undefined));
    w.closed = new Slot();
  } else if (st === ERRORING) {
    w.ready = new Slot(rejectedHandled(s.storedError));
    w.closed = new Slot();
  } else if (st === W_CLOSED) {
    w.ready = new Slot(resolved(undefined));
    w.closed = new Slot(resolved(undefined));
  } else {
    w.ready = new Slot(rejectedHandled(s.storedError));
    w.closed = new Slot(rejectedHandled(s.storedError));
  }
}

function acquireWriter(s) {
  return writerOf(new WritableStreamDefaultWriter(s.pub));
}

class WritableStreamDefaultWriter {
  #w;

  constructor(stream) {
    const s = wsOf(stream);
    if (s === undefined) throw new TypeError("Failed to construct 'WritableStreamDefaultWriter': parameter 1 is not of type 'WritableStream'.");
    const w = (this.#w = new Writer());
    w.pub = this;
    writerInit(w, s);
  }

  static {
    writerOf = (o) => (isObject(o) && #w in o ? o.#w : undefined);
  }

  get closed() {
    return this.#w.closed.promise;
  }

  get desiredSize() {
    const w = this.#w;
    if (w.stream === undefined) throw new TypeError("This writer has been released.");
    return writerGetDesiredSize(w);
  }

  get ready() {
    return this.#w.ready.promise;
  }

  abort(reason = undefined) {
    const w = writerOf(this);
    if (w === undefined) return rejected(new TypeError("Illegal invocation"));
    if (w.stream === undefined) return rejected(new TypeError("This writer has been released."));
    return wsAbort(w.stream, reason);
  }

  close() {
    const w = writerOf(this);
    if (w === undefined) return rejected(new TypeError("Illegal invocation"));
    const s = w.stream;
    if (s === undefined) return rejected(new TypeError("This writer has been released."));
    if (wsCloseQueuedOrInFlight(s)) return rejected(new TypeError("This WritableStream is already closing."));
    return wsClose(s);
  }

  releaseLock() {
    const w = this.#w;
    if (w.stream === undefined) return;
    writerRelease(w);
  }

  write(chunk = undefined) {
    const w = writerOf(this);
    if (w === undefined) return rejected(new TypeError("Illegal invocation"));
    if (w.stream === undefined) return rejected(new TypeError("This writer has been released."));
    return writerWrite(w, chunk);
  }

  get [Symbol.toStringTag]() {
    return "WritableStreamDefaultWriter";
  }
}

function writerCloseWithErrorPropagation(w) {
  const s = w.stream;
  const st = s.state;
  if (wsCloseQueuedOrInFlight(s) || st === W_CLOSED) return resolved(undefined);
  if (st === W_ERRORED) return rejected(s.storedError);
  return wsClose(s);
}

function writerEnsureClosedPromiseRejected(w, error) {
  w.closed.forceReject(error);
}

function writerEnsureReadyPromiseRejected(w, error) {
  w.ready.forceReject(error);
}

function writerGetDesiredSize(w) {
  const s = w.stream;
  const st = s.state;
  if (st === W_ERRORED || st === ERRORING) return null;
  if (st === W_CLOSED) return 0;
  return s.controller.strategyHWM - s.controller.queueTotalSize;
}

function writerRelease(w) {
  const s = w.stream;
  const e = new TypeError("This writer has been released.");
  writerEnsureReadyPromiseRejected(w, e);
  writerEnsureClosedPromiseRejected(w, e);
  s.writer = undefined;
  w.stream = undefined;
}

function writerWrite(w, chunk) {
  const s = w.stream;
  const c = s.controller;
  const chunkSize = wscGetChunkSize(c, chunk);
  if (s !== w.stream) return rejected(new TypeError("This writer has been released."));
  const st = s.state;
  if (st === W_ERRORED) return rejected(s.storedError);
  if (wsCloseQueuedOrInFlight(s) || st === W_CLOSED) return rejected(new TypeError("This WritableStream is closed or closing."));
  if (st === ERRORING) return rejected(s.storedError);
  const d = deferred();
  s.writeRequests.push(d);
  wscWrite(c, chunk, chunkSize);
  return d.promise;
}

// ------------------------------------------------------------ writable controller

const CLOSE_SENTINEL = Symbol("close");

class WSController {
  constructor() {
    this.pub = undefined;
    this.stream = undefined;
    this.queue = [];
    this.sizes = [];
    this.queueTotalSize = 0;
    this.started = false;
    this.strategyHWM = 1;
    this.strategySize = undefined;
    this.writeAlgorithm = undefined;
    this.closeAlgorithm = undefined;
    this.abortAlgorithm = undefined;
    this.abortController = undefined; // created when signal is first read
    this.aborted = false;
    this.abortReason = undefined;
  }

  abortSteps(reason) {
    const result = this.abortAlgorithm(reason);
    wscClearAlgorithms(this);
    return result;
  }

  errorSteps() {
    resetQueue(this);
  }
}

class WritableStreamDefaultController {
  #c;

  constructor(token) {
    if (token !== INTERNAL) throw illegal();
  }

  static _make(c) {
    const p = new WritableStreamDefaultController(INTERNAL);
    p.#c = c;
    c.pub = p;
    return p;
  }

  get signal() {
    const c = this.#c;
    if (c.abortController === undefined) {
      const AC = globalThis.AbortController;
      if (typeof AC === "function") {
        c.abortController = new AC();
        if (c.aborted) c.abortController.abort(c.abortReason);
      } else {
        return { aborted: c.aborted, reason: c.abortReason, addEventListener: noop, removeEventListener: noop };
      }
    }
    return c.abortController.signal;
  }

  error(e = undefined) {
    const c = this.#c;
    if (c.stream.state !== WRITABLE) return;
    wscError(c, e);
  }

  get [Symbol.toStringTag]() {
    return "WritableStreamDefaultController";
  }
}
const makeWSController = WritableStreamDefaultController._make;
delete WritableStreamDefaultController._make;

function wscSignalAbort(c, reason) {
  c.aborted = true;
  c.abortReason = reason;
  if (c.abortController !== undefined) c.abortController.abort(reason);
}

function setUpWSController(s, c, startAlgorithm, writeAlgorithm, closeAlgorithm, abortAlgorithm, hwm, size) {
  c.stream = s;
  s.controller = c;
  c.strategyHWM = hwm;
  c.strategySize = size;
  c.writeAlgorithm = writeAlgorithm;
  c.closeAlgorithm = closeAlgorithm;
  c.abortAlgorithm = abortAlgorithm;
  wsUpdateBackpressure(s, wscGetDesiredSize(c) <= 0);
  const pub = makeWSController(c);
  const startResult = startAlgorithm(pub);
  resolved(startResult).then(
    () => {
      c.started = true;
      wscAdvanceQueueIfNeeded(c);
    },
    (r) => {
      c.started = true;
      wsDealWithRejection(s, r);
    },
  );
}

function wscAdvanceQueueIfNeeded(c) {
  const s = c.stream;
  if (!c.started || s.inFlightWriteRequest !== undefined) return;
  if (s.state === ERRORING) {
    wsFinishErroring(s);
    return;
  }
  if (c.queue.length === 0) return;
  const v = c.queue[0];
  if (v === CLOSE_SENTINEL) wscProcessClose(c);
  else wscProcessWrite(c, v);
}

function wscClearAlgorithms(c) {
  c.writeAlgorithm = undefined;
  c.closeAlgorithm = undefined;
  c.abortAlgorithm = undefined;
  c.strategySize = undefined;
}

function wscClose(c) {
  enqueueValueWithSize(c, CLOSE_SENTINEL, 0);
  wscAdvanceQueueIfNeeded(c);
}

function wscError(c, e) {
  wscClearAlgorithms(c);
  wsStartErroring(c.stream, e);
}

function wscErrorIfNeeded(c, e) {
  if (c.stream.state === WRITABLE) wscError(c, e);
}

function wscGetChunkSize(c, chunk) {
  if (c.strategySize === undefined) return 1;
  try {
    return c.strategySize(chunk);
  } catch (e) {
    wscErrorIfNeeded(c, e);
    return 1;
  }
}

function wscGetDesiredSize(c) {
  return c.strategyHWM - c.queueTotalSize;
}

function wscProcessClose(c) {
  const s = c.stream;
  s.inFlightCloseRequest = s.closeRequest;
  s.closeRequest = undefined;
  dequeueValue(c);
  const p = c.closeAlgorithm();
  wscClearAlgorithms(c);
  p.then(
    () => wsFinishInFlightClose(s),
    (r) => wsFinishInFlightCloseWithError(s, r),
  );
}

function wscProcessWrite(c, chunk) {
  const s = c.stream;
  s.inFlightWriteRequest = s.writeRequests.shift();
  c.writeAlgorithm(chunk).then(
    () => {
      wsFinishInFlightWrite(s);
      dequeueValue(c);
      if (!wsCloseQueuedOrInFlight(s) && s.state === WRITABLE) wsUpdateBackpressure(s, wscGetDesiredSize(c) <= 0);
      wscAdvanceQueueIfNeeded(c);
    },
    (r) => {
      if (s.state === WRITABLE) wscClearAlgorithms(c);
      wsFinishInFlightWriteWithError(s, r);
    },
  );
}

function wscWrite(c, chunk, chunkSize) {
  try {
    enqueueValueWithSize(c, chunk, chunkSize);
  } catch (e) {
    wscErrorIfNeeded(c, e);
    return;
  }
  const s = c.stream;
  if (!wsCloseQueuedOrInFlight(s) && s.state === WRITABLE) wsUpdateBackpressure(s, wscGetDesiredSize(c) <= 0);
  wscAdvanceQueueIfNeeded(c);
}

// ============================================================ TransformStream

class TS {
  constructor() {
    this.readable = undefined; // RS
    this.writable = undefined; // WS
    this.backpressure = undefined;
    this.backpressureChange = undefined; // deferred
    this.controller = undefined;
  }
}

let tsOf;

class TransformStream {
  #t;

  constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
    const t = (this.#t = new TS());
    if (transformer === INTERNAL) return;
    const tr = dictOf(transformer, "Failed to construct 'TransformStream'");
    const ws = dictOf(writableStrategy, "Failed to construct 'TransformStream'");
    const rs = dictOf(readableStrategy, "Failed to construct 'TransformStream'");
    const cancel = getCallback(tr, "cancel", "TransformStream");
    const flush = getCallback(tr, "flush", "TransformStream");
    const readableType = tr.readableType;
    const start = getCallback(tr, "start", "TransformStream");
    const transform = getCallback(tr, "transform", "TransformStream");
    const writableType = tr.writableType;
    if (readableType !== undefined) throw new RangeError("Failed to construct 'TransformStream': invalid readableType is specified.");
    if (writableType !== undefined) throw new RangeError("Failed to construct 'TransformStream': invalid writableType is specified.");
    const readableSize = extractSize(rs);
    const readableHWM = extractHWM(rs, 0);
    const writableSize = extractSize(ws);
    const writableHWM = extractHWM(ws, 1);
    const startD = deferred();
    initTS(t, startD.promise, writableHWM, writableSize, readableHWM, readableSize, false);
    const c = new TSController();
    const pub = makeTSController(c);
    const transformAlgorithm = transform
      ? (chunk) => promiseCall(transform, tr, chunk, pub)
      : (chunk) => {
          try {
            tscEnqueue(c, chunk);
            return resolved(undefined);
          } catch (e) {
            return rejected(e);
          }
        };
    const flushAlgorithm = flush ? () => promiseCall(flush, tr, pub) : resolvedNoop;
    const cancelAlgorithm = cancel ? (r) => promiseCall(cancel, tr, r) : resolvedNoop;
    setUpTSController(t, c, transformAlgorithm, flushAlgorithm, cancelAlgorithm);
    if (start) startD.resolve(start.call(tr, pub));
    else startD.resolve(undefined);
  }

  static {
    tsOf = (o) => (isObject(o) && #t in o ? o.#t : undefined);
  }

  get readable() {
    return this.#t.readable.pub;
  }

  get writable() {
    return this.#t.writable.pub;
  }

  get [Symbol.toStringTag]() {
    return "TransformStream";
  }
}

// InitializeTransformStream; bytes makes the readable side a byte stream
// (Cloudflare's identity streams).
function initTS(t, startPromise, writableHWM, writableSize, readableHWM, readableSize, bytes) {
  const startAlgorithm = () => startPromise;
  t.writable = createWS(
    startAlgorithm,
    (chunk) => tsSinkWrite(t, chunk),
    () => tsSinkClose(t),
    (reason) => tsSinkAbort(t, reason),
    writableHWM,
    writableSize,
  );
  const pull = () => tsSourcePull(t);
  const cancel = (reason) => tsSourceCancel(t, reason);
  t.readable = bytes
    ? createByteRS(startAlgorithm, pull, cancel, readableHWM)
    : createRS(startAlgorithm, pull, cancel, readableHWM, readableSize);
  t.backpressure = undefined;
  t.backpressureChange = undefined;
  tsSetBackpressure(t, true);
  t.controller = undefined;
}

function tsError(t, e) {
  ctrlError(t.readable.controller, e);
  tsErrorWritableAndUnblockWrite(t, e);
}

function tsErrorWritableAndUnblockWrite(t, e) {
  tscClearAlgorithms(t.controller);
  wscErrorIfNeeded(t.writable.controller, e);
  tsUnblockWrite(t);
}

function tsUnblockWrite(t) {
  if (t.backpressure) tsSetBackpressure(t, false);
}

function tsSetBackpressure(t, bp) {
  if (t.backpressureChange !== undefined) t.backpressureChange.resolve(undefined);
  t.backpressureChange = deferred();
  t.backpressure = bp;
}

class TSController {
  constructor() {
    this.pub = undefined;
    this.stream = undefined;
    this.transformAlgorithm = undefined;
    this.flushAlgorithm = undefined;
    this.cancelAlgorithm = undefined;
    this.finishPromise = undefined;
  }
}

class TransformStreamDefaultController {
  #c;

  constructor(token) {
    if (token !== INTERNAL) throw illegal();
  }

  static _make(c) {
    const p = new TransformStreamDefaultController(INTERNAL);
    p.#c = c;
    c.pub = p;
    return p;
  }

  get desiredSize() {
    return ctrlDesiredSize(this.#c.stream.readable.controller);
  }

  enqueue(chunk = undefined) {
    tscEnqueue(this.#c, chunk);
  }

  error(reason = undefined) {
    tsError(this.#c.stream, reason);
  }

  terminate() {
    tscTerminate(this.#c);
  }

  get [Symbol.toStringTag]() {
    return "TransformStreamDefaultController";
  }
}
const makeTSController = TransformStreamDefaultController._make;
delete TransformStreamDefaultController._make;

function setUpTSController(t, c, transformAlgorithm, flushAlgorithm, cancelAlgorithm) {
  c.stream = t;
  t.controller = c;
  c.transformAlgorithm = transformAlgorithm;
  c.flushAlgorithm = flushAlgorithm;
  c.cancelAlgorithm = cancelAlgorithm;
}

function tscClearAlgorithms(c) {
  c.transformAlgorithm = undefined;
  c.flushAlgorithm = undefined;
  c.cancelAlgorithm = undefined;
}

function tscEnqueue(c, chunk) {
  const t = c.stream;
  const rc = t.readable.controller;
  if (!ctrlCanCloseOrEnqueue(rc)) throw new TypeError("Readable side is not in a state that permits enqueue.");
  try {
    ctrlEnqueue(rc, chunk);
  } catch (e) {
    tsErrorWritableAndUnblockWrite(t, e);
    throw t.readable.state === ERRORED ? t.readable.storedError : e;
  }
  const bp = ctrlHasBackpressure(rc);
  if (bp !== t.backpressure) tsSetBackpressure(t, true);
}

function tscPerformTransform(c, chunk) {
  return c.transformAlgorithm(chunk).then(undefined, (r) => {
    tsError(c.stream, r);
    throw r;
  });
}

function tscTerminate(c) {
  const t = c.stream;
  ctrlClose(t.readable.controller);
  tsErrorWritableAndUnblockWrite(t, new TypeError("The TransformStream has been terminated."));
}

function tsSinkWrite(t, chunk) {
  const c = t.controller;
  if (t.backpressure) {
    return t.backpressureChange.promise.then(() => {
      const w = t.writable;
      if (w.state === ERRORING) throw w.storedError;
      return tscPerformTransform(c, chunk);
    });
  }
  return tscPerformTransform(c, chunk);
}

function tsSinkAbort(t, reason) {
  const c = t.controller;
  if (c.finishPromise !== undefined) return c.finishPromise;
  const readable = t.readable;
  const d = deferred();
  c.finishPromise = d.promise;
  const p = c.cancelAlgorithm(reason);
  tscClearAlgorithms(c);
  p.then(
    () => {
      if (readable.state === ERRORED) d.reject(readable.storedError);
      else {
        ctrlError(readable.controller, reason);
        d.resolve(undefined);
      }
    },
    (r) => {
      ctrlError(readable.controller, r);
      d.reject(r);
    },
  );
  return d.promise;
}

function tsSinkClose(t) {
  const c = t.controller;
  if (c.finishPromise !== undefined) return c.finishPromise;
  const readable = t.readable;
  const d = deferred();
  c.finishPromise = d.promise;
  const p = c.flushAlgorithm();
  tscClearAlgorithms(c);
  p.then(
    () => {
      if (readable.state === ERRORED) d.reject(readable.storedError);
      else {
        ctrlClose(readable.controller);
        d.resolve(undefined);
      }
    },
    (r) => {
      ctrlError(readable.controller, r);
      d.reject(r);
    },
  );
  return d.promise;
}

function tsSourcePull(t) {
  tsSetBackpressure(t, false);
  return t.backpressureChange.promise;
}

function tsSourceCancel(t, reason) {
  const c = t.controller;
  if (c.finishPromise !== undefined) return c.finishPromise;
  const writable = t.writable;
  const d = deferred();
  c.finishPromise = d.promise;
  const p = c.cancelAlgorithm(reason);
  tscClearAlgorithms(c);
  p.then(
    () => {
      if (writable.state === W_ERRORED) d.reject(writable.storedError);
      else {
        wscErrorIfNeeded(writable.controller, reason);
        tsUnblockWrite(t);
        d.resolve(undefined);
      }
    },
    (r) => {
      wscErrorIfNeeded(writable.controller, r);
      tsUnblockWrite(t);
      d.reject(r);
    },
  );
  return d.promise;
}

// ------------------------------------------------------------ Cloudflare identity streams

// byteChunk validates a chunk written to an identity stream and returns it
// as a Uint8Array (a copy, so that the writer may reuse its buffer).
function byteChunk(chunk) {
  if (typeof chunk === "string") {
    throw new TypeError("This TransformStream is being used as a byte stream, but received a string on its writable side. If you wish to write a string, you'll probably want to explicitly UTF-8-encode it with TextEncoder.");
  }
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice();
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk.slice(0));
  throw new TypeError("This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.");
}

// setUpIdentity makes t an identity byte transform; check, if set, sees
// each chunk's length and the end (n < 0) and may throw.
function setUpIdentity(t, hwm, check) {
  initTS(t, resolved(undefined), hwm, byteSize, 0, sizeOne, true);
  const c = new TSController();
  makeTSController(c);
  const transformAlgorithm = (chunk) => {
    try {
      const b = byteChunk(chunk);
      if (check !== undefined) check(b.byteLength);
      if (b.byteLength > 0) tscEnqueue(c, b);
      return resolved(undefined);
    } catch (e) {
      return rejected(e);
    }
  };
  const flushAlgorithm = check === undefined ? resolvedNoop : () => {
    try {
      check(-1);
      return resolved(undefined);
    } catch (e) {
      return rejected(e);
    }
  };
  setUpTSController(t, c, transformAlgorithm, flushAlgorithm, resolvedNoop);
}

function byteSize(chunk) {
  return chunk !== null && typeof chunk === "object" && typeof chunk.byteLength === "number" ? chunk.byteLength : 1;
}

// identityHWM is the writable side's high water mark in bytes: at least 1,
// so that a pipe into the stream can always make progress.
function identityHWM(options, ctx) {
  const o = dictOf(options, ctx);
  const h = o.highWaterMark;
  if (h === undefined) return 1;
  const n = Number(h);
  if (n !== n || n < 0) throw new RangeError("The highWaterMark must be a non-negative number.");
  return Math.max(n, 1);
}

const INTERNAL_FIXED = Symbol("fixed");

// IdentityTransformStream passes bytes through unchanged; its readable side
// is a byte stream (BYOB readers work).
class IdentityTransformStream extends TransformStream {
  constructor(options = undefined) {
    super(INTERNAL);
    if (options === INTERNAL_FIXED) return; // FixedLengthStream sets up
    setUpIdentity(tsOf(this), identityHWM(options, "Failed to construct 'IdentityTransformStream'"), undefined);
  }

  get [Symbol.toStringTag]() {
    return "IdentityTransformStream";
  }
}

// FixedLengthStream is an IdentityTransformStream that must see exactly
// expectedLength bytes; its readable carries the length (a body of known
// Content-Length).
class FixedLengthStream extends IdentityTransformStream {
  constructor(expectedLength, options = undefined) {
    super(INTERNAL_FIXED);
    const n = Number(expectedLength);
    if (!Number.isFinite(n) || n < 0 || Math.trunc(n) !== n || n > Number.MAX_SAFE_INTEGER) {
      throw new TypeError("FixedLengthStream requires a non-negative integer expected length.");
    }
    const t = tsOf(this);
    let seen = 0;
    setUpIdentity(t, identityHWM(options, "Failed to construct 'FixedLengthStream'"), (len) => {
      if (len < 0) {
        if (seen !== n) throw new TypeError("FixedLengthStream did not see all expected bytes before close().");
        return;
      }
      seen += len;
      if (seen > n) throw new TypeError("Attempt to write too many bytes through a FixedLengthStream.");
    });
    t.readable.expectedLength = n;
  }

  get [Symbol.toStringTag]() {
    return "FixedLengthStream";
  }
}

// ============================================================ queuing strategies

const byteLengthSize = {
  size(chunk) {
    return chunk.byteLength;
  },
}.size;
const countSize = {
  size() {
    return 1;
  },
}.size;
Object.defineProperty(byteLengthSize, "name", { value: "size" });
Object.defineProperty(countSize, "name", { value: "size" });

function strategyHWM(init, ctx) {
  if (!isObject(init)) throw new TypeError(`Failed to construct '${ctx}': parameter 1 is not an object.`);
  const h = init.highWaterMark;
  if (h === undefined) throw new TypeError(`Failed to construct '${ctx}': required member highWaterMark is undefined.`);
  return Number(h);
}

class ByteLengthQueuingStrategy {
  #hwm;

  constructor(init) {
    this.#hwm = strategyHWM(init, "ByteLengthQueuingStrategy");
  }

  get highWaterMark() {
    return this.#hwm;
  }

  get size() {
    void this.#hwm;
    return byteLengthSize;
  }

  get [Symbol.toStringTag]() {
    return "ByteLengthQueuingStrategy";
  }
}

class CountQueuingStrategy {
  #hwm;

  constructor(init) {
    this.#hwm = strategyHWM(init, "CountQueuingStrategy");
  }

  get highWaterMark() {
    return this.#hwm;
  }

  get size() {
    void this.#hwm;
    return countSize;
  }

  get [Symbol.toStringTag]() {
    return "CountQueuingStrategy";
  }
}

// ============================================================ exports

// isReadableStream reports whether x is a ReadableStream of this runtime.
export function isReadableStream(x) {
  return rsOf(x) !== undefined;
}

// isWritableStream reports whether x is a WritableStream of this runtime.
export function isWritableStream(x) {
  return wsOf(x) !== undefined;
}

// isDisturbed reports whether stream has been read from or cancelled (a
// body that can no longer be used).
export function isDisturbed(stream) {
  const s = rsOf(stream);
  return s !== undefined && s.disturbed;
}

// isErrored reports whether stream is errored.
export function isErrored(stream) {
  const s = rsOf(stream);
  return s !== undefined && s.state === ERRORED;
}

// expectedLength returns the byte length a FixedLengthStream's readable
// will produce, or undefined for other streams.
export function expectedLength(stream) {
  const s = rsOf(stream);
  return s === undefined ? undefined : s.expectedLength;
}

// readableWanted returns a promise that resolves when the readable side of
// the TransformStream ts wants more chunks (at once if it has no
// backpressure), for transformers that produce much output per chunk.
export function readableWanted(ts) {
  const t = tsOf(ts);
  if (t === undefined || !t.backpressure) return resolved(undefined);
  return t.backpressureChange.promise;
}

// readAllBytes reads stream to its end and returns its bytes in one
// Uint8Array. Every chunk must be an ArrayBuffer or a view (else the stream
// is cancelled and the promise rejects with a TypeError). It throws
// (rejects) if the stream is locked.
export function readAllBytes(stream) {
  const s = rsOf(stream);
  if (s === undefined) return rejected(new TypeError("Not a ReadableStream."));
  if (s.reader !== undefined) return rejected(new TypeError("This ReadableStream is currently locked to a reader."));
  const reader = acquireDefaultReader(s);
  const chunks = [];
  let total = 0;
  const d = deferred();
  const req = {
    chunk(v) {
      let b;
      if (v instanceof Uint8Array) b = v;
      else if (ArrayBuffer.isView(v)) b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      else if (v instanceof ArrayBuffer) b = new Uint8Array(v);
      else {
        const e = new TypeError("This ReadableStream did not return bytes.");
        rsCancel(s, e);
        readerRelease(reader);
        d.reject(e);
        return;
      }
      chunks.push(b);
      total += b.byteLength;
      readerRead(reader, req);
    },
    close() {
      readerRelease(reader);
      if (chunks.length === 1) {
        const c = chunks[0];
        d.resolve(c.byteOffset === 0 && c.byteLength === c.buffer.byteLength ? c : c.slice());
        return;
      }
      const out = new Uint8Array(total);
      let o = 0;
      for (const c of chunks) {
        out.set(c, o);
        o += c.byteLength;
      }
      d.resolve(out);
    },
    error(e) {
      readerRelease(reader);
      d.reject(e);
    },
  };
  readerRead(reader, req);
  return d.promise;
}

defineGlobal("ReadableStream", ReadableStream);
defineGlobal("ReadableStreamDefaultReader", ReadableStreamDefaultReader);
defineGlobal("ReadableStreamBYOBReader", ReadableStreamBYOBReader);
defineGlobal("ReadableStreamBYOBRequest", ReadableStreamBYOBRequest);
defineGlobal("ReadableStreamDefaultController", ReadableStreamDefaultController);
defineGlobal("ReadableByteStreamController", ReadableByteStreamController);
defineGlobal("WritableStream", WritableStream);
defineGlobal("WritableStreamDefaultWriter", WritableStreamDefaultWriter);
defineGlobal("WritableStreamDefaultController", WritableStreamDefaultController);
defineGlobal("TransformStream", TransformStream);
defineGlobal("TransformStreamDefaultController", TransformStreamDefaultController);
defineGlobal("ByteLengthQueuingStrategy", ByteLengthQueuingStrategy);
defineGlobal("CountQueuingStrategy", CountQueuingStrategy);
defineGlobal("IdentityTransformStream", IdentityTransformStream);
defineGlobal("FixedLengthStream", FixedLengthStream);
export { ReadableStream, WritableStream, TransformStream };
