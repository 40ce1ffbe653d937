// node:stream — Readable, Writable, Duplex, Transform, PassThrough,
// pipeline and finished, as Node.js documents them, written for zerostack.
// Scheduling uses queueMicrotask (workerd's process.nextTick). Not
// provided: the experimental operators (map, filter, toArray…), compose,
// Readable.fromWeb/toWeb, wrap(), and the internals some old packages reach
// into (_readableState fields beyond the common ones).

import { EventEmitter } from "node:events";
import { Buffer } from "node:buffer";
import { StringDecoder } from "node:string_decoder";
import { nodeError, invalidArgType, validateFunction } from "zerostack:node/errors";

const tick = (fn, ...args) => queueMicrotask(() => fn(...args));
const DEFAULT_HWM = 64 * 1024; // Node 22 and workerd
const DEFAULT_OBJECT_HWM = 16;
export function getDefaultHighWaterMark(objectMode) { return objectMode ? DEFAULT_OBJECT_HWM : DEFAULT_HWM; }
export function setDefaultHighWaterMark() {}

// Stream is the legacy base class: an EventEmitter with pipe().
export function Stream(opts) { EventEmitter.call(this, opts); }
Object.setPrototypeOf(Stream.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Stream, EventEmitter);

function hwm(opts, key, objectMode) {
  const v = opts?.[key] ?? opts?.highWaterMark;
  if (v === undefined) return getDefaultHighWaterMark(objectMode);
  if (!Number.isInteger(v) || v < 0) throw invalidArgValue(`options.${key}`, v);
  return v;
}
function invalidArgValue(name, v) { return nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The property '${name}' is invalid. Received ${v}`); }

// destroyImpl is shared by every stream kind: _destroy, then 'error'
// (once) and 'close'.
function destroyImpl(stream, err, cb) {
  const r = stream._readableState, w = stream._writableState;
  const s = r ?? w;
  if (s.destroyed) {
    if (typeof cb === "function") cb(err);
    return stream;
  }
  if (r) r.destroyed = true;
  if (w) w.destroyed = true;
  if (err) {
    if (r && !r.errored) r.errored = err;
    if (w && !w.errored) w.errored = err;
  }
  stream._destroy(err || null, (e) => {
    if (e) {
      if (r && !r.errored) r.errored = e;
      if (w && !w.errored) w.errored = e;
    }
    if (w && !w.finished) {
      const premature = e || nodeError(Error, "ERR_STREAM_DESTROYED", "Cannot call end after a stream was destroyed");
      for (const f of w.onFinished.splice(0)) tick(f, premature);
    }
    if (typeof cb === "function") cb(e);
    tick(() => {
      if (e && !s.errorEmitted) {
        s.errorEmitted = true;
        if (r) r.errorEmitted = true;
        if (w) w.errorEmitted = true;
        stream.emit("error", e);
      }
      if (r) r.closed = true;
      if (w) w.closed = true;
      if (s.emitClose) stream.emit("close");
    });
  });
  return stream;
}

// ---------------------------------------------------------------------------
// Readable.

class ReadableState {
  constructor(opts, isDuplex) {
    this.objectMode = !!(opts?.objectMode || (isDuplex && opts?.readableObjectMode));
    this.highWaterMark = hwm(opts, isDuplex ? "readableHighWaterMark" : "highWaterMark", this.objectMode);
    this.buffer = [];
    this.length = 0;
    this.flowing = null;
    this.ended = false;
    this.endEmitted = false;
    this.reading = false;
    this.sync = true;
    this.needReadable = false;
    this.emittedReadable = false;
    this.readableListening = false;
    this.resumeScheduled = false;
    this.destroyed = false;
    this.errored = null;
    this.errorEmitted = false;
    this.closed = false;
    this.emitClose = opts?.emitClose !== false;
    this.autoDestroy = opts?.autoDestroy !== false;
    this.defaultEncoding = opts?.defaultEncoding || "utf8";
    this.decoder = null;
    this.encoding = null;
    this.pipes = [];
    if (opts?.encoding) {
      this.decoder = new StringDecoder(opts.encoding);
      this.encoding = opts.encoding;
    }
  }
}

export function Readable(opts) {
  if (!(this instanceof Readable)) return new Readable(opts);
  const isDuplex = this instanceof Duplex;
  this._readableState = new ReadableState(opts, isDuplex);
  if (opts) {
    if (typeof opts.read === "function") this._read = opts.read;
    if (typeof opts.destroy === "function") this._destroy = opts.destroy;
    if (opts.signal) addAbortSignal(opts.signal, this);
  }
  Stream.call(this, opts);
}
Object.setPrototypeOf(Readable.prototype, Stream.prototype);
Object.setPrototypeOf(Readable, Stream);

const R = Readable.prototype;

R._read = function () { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The _read() method is not implemented"); };
R._destroy = function (err, cb) { cb(err); };
R.destroy = function (err, cb) { return destroyImpl(this, err, cb); };

R.push = function (chunk, encoding) { return addChunk(this, chunk, encoding, false); };
R.unshift = function (chunk, encoding) { return addChunk(this, chunk, encoding, true); };

function addChunk(stream, chunk, encoding, front) {
  const s = stream._readableState;
  if (chunk === null) {
    s.reading = false;
    if (!s.ended) {
      if (s.decoder) {
        const rest = s.decoder.end();
        if (rest) { s.buffer.push(rest); s.length += s.objectMode ? 1 : rest.length; }
      }
      s.ended = true;
      if (s.sync) emitReadable(stream); else { s.needReadable = false; s.emittedReadable = true; emitReadableNow(stream); }
    }
    return false;
  }
  if (s.destroyed) return false;
  if (s.ended && !front) {
    errorOrDestroy(stream, nodeError(Error, "ERR_STREAM_PUSH_AFTER_EOF", "stream.push() after EOF"));
    return false;
  }
  if (!s.objectMode) {
    if (typeof chunk === "string") {
      encoding = encoding || s.defaultEncoding;
      if (s.encoding !== encoding || !s.decoder) chunk = Buffer.from(chunk, encoding);
    } else if (!(chunk instanceof Uint8Array)) {
      errorOrDestroy(stream, invalidArgType("chunk", "of type string or an instance of Buffer, TypedArray, or DataView", chunk));
      return false;
    } else if (!(chunk instanceof Buffer)) chunk = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  s.reading = false;
  if (s.decoder && typeof chunk !== "string" && !s.objectMode) {
    chunk = s.decoder.write(chunk);
    if (chunk.length === 0) return s.length < s.highWaterMark;
  }
  if (!s.objectMode && chunk.length === 0) return s.length < s.highWaterMark;
  if (s.flowing && s.length === 0 && !s.sync && stream.listenerCount("data") > 0 && !front) {
    stream.emit("data", chunk);
  } else {
    s.length += s.objectMode ? 1 : chunk.length;
    if (front) s.buffer.unshift(chunk); else s.buffer.push(chunk);
    if (s.needReadable) emitReadable(stream);
  }
  maybeReadMore(stream);
  return s.length < s.highWaterMark || s.length === 0;
}

function errorOrDestroy(stream, err) {
  const s = stream._readableState ?? stream._writableState;
  if (s.destroyed || s.errored) return;
  if (s.autoDestroy) stream.destroy(err);
  else { s.errored = err; stream.emit("error", err); }
}

function emitReadable(stream) {
  const s = stream._readableState;
  s.needReadable = false;
  if (!s.emittedReadable) {
    s.emittedReadable = true;
    tick(emitReadableNow, stream);
  }
}

function emitReadableNow(stream) {
  const s = stream._readableState;
  if (!s.destroyed && !s.errored && (s.length || s.ended)) {
    stream.emit("readable");
    s.emittedReadable = false;
  }
  s.needReadable = !s.flowing && !s.ended && s.length <= s.highWaterMark;
  flow(stream);
}

function maybeReadMore(stream) {
  const s = stream._readableState;
  if (s.readingMore) return;
  s.readingMore = true;
  tick(() => {
    while (!s.reading && !s.ended && !s.destroyed && (s.length < s.highWaterMark || (s.flowing && s.length === 0))) {
      const len = s.length;
      stream.read(0);
      if (len === s.length) break;
    }
    s.readingMore = false;
  });
}

function howMuchToRead(n, s) {
  if (n <= 0 || (s.length === 0 && s.ended)) return 0;
  if (s.objectMode) return 1;
  if (Number.isNaN(n)) return s.flowing && s.length ? s.buffer[0].length : s.length;
  if (n <= s.length) return n;
  return s.ended ? s.length : 0;
}

R.read = function (n) {
  const s = this._readableState;
  n = n === undefined ? NaN : Number.parseInt(n, 10);
  const nOrig = n;
  if (n !== 0) s.emittedReadable = false;
  if (n === 0 && s.needReadable && ((s.highWaterMark !== 0 ? s.length >= s.highWaterMark : s.length > 0) || s.ended)) {
    if (s.length === 0 && s.ended) endReadable(this); else emitReadable(this);
    return null;
  }
  n = howMuchToRead(n, s);
  if (n === 0 && s.ended) {
    if (s.length === 0) endReadable(this);
    return null;
  }
  let doRead = s.needReadable;
  if (s.length === 0 || s.length - n < s.highWaterMark) doRead = true;
  if (s.ended || s.reading || s.destroyed || s.errored) doRead = false;
  if (doRead) {
    s.reading = true;
    s.sync = true;
    if (s.length === 0) s.needReadable = true;
    try { this._read(s.highWaterMark); } catch (e) { errorOrDestroy(this, e); }
    s.sync = false;
    if (!s.reading) n = howMuchToRead(nOrig, s);
  }
  let ret = n > 0 ? take(n, s) : null;
  if (ret === null) {
    s.needReadable = s.length <= s.highWaterMark;
    n = 0;
  } else {
    s.length -= s.objectMode ? 1 : n;
  }
  if (s.length === 0) {
    if (!s.ended) s.needReadable = true;
    if (nOrig !== n && s.ended) endReadable(this);
  }
  if (ret !== null && !s.errorEmitted && !s.closeEmitted) {
    s.dataEmitted = true;
    this.emit("data", ret);
  }
  return ret;
};

// take removes n bytes (or one object) from the front of the buffer.
function take(n, s) {
  if (s.length === 0) return null;
  if (s.objectMode) return s.buffer.shift();
  if (n >= s.length) {
    const all = s.decoder ? s.buffer.join("") : s.buffer.length === 1 ? s.buffer[0] : Buffer.concat(s.buffer, s.length);
    s.buffer = [];
    return all;
  }
  const first = s.buffer[0];
  if (n < first.length) {
    s.buffer[0] = first.slice(n);
    return first.slice(0, n);
  }
  if (n === first.length) return s.buffer.shift();
  const parts = [];
  let need = n;
  while (need > 0) {
    const c = s.buffer[0];
    if (c.length <= need) { parts.push(s.buffer.shift()); need -= c.length; }
    else { parts.push(c.slice(0, need)); s.buffer[0] = c.slice(need); need = 0; }
  }
  return s.decoder ? parts.join("") : Buffer.concat(parts, n);
}

function endReadable(stream) {
  const s = stream._readableState;
  if (!s.endEmitted) {
    s.ended = true;
    tick(() => {
      if (!s.errored && !s.closeEmitted && !s.endEmitted && s.length === 0) {
        s.endEmitted = true;
        stream.emit("end");
        const w = stream._writableState;
        if (w && !stream.allowHalfOpen && !w.ending) stream.end();
        if (s.autoDestroy && (!w || (w.autoDestroy && (w.finished || w.writable === false)))) stream.destroy();
      }
    });
  }
}

function flow(stream) {
  const s = stream._readableState;
  while (s.flowing && stream.read() !== null);
}

R.on = function (ev, fn) {
  const res = Stream.prototype.on.call(this, ev, fn);
  const s = this._readableState;
  if (ev === "data") {
    s.readableListening = this.listenerCount("readable") > 0;
    if (s.flowing !== false) this.resume();
  } else if (ev === "readable") {
    if (!s.endEmitted && !s.readableListening) {
      s.readableListening = s.needReadable = true;
      s.flowing = false;
      s.emittedReadable = false;
      if (s.length) emitReadable(this);
      else if (!s.reading) tick(() => this.read(0));
    }
  }
  return res;
};
R.addListener = R.on;

R.resume = function () {
  const s = this._readableState;
  if (!s.flowing) {
    s.flowing = !s.readableListening;
    if (!s.resumeScheduled) {
      s.resumeScheduled = true;
      tick(() => {
        s.resumeScheduled = false;
        if (!s.reading) this.read(0);
        this.emit("resume");
        flow(this);
        if (s.flowing && !s.reading) this.read(0);
      });
    }
  }
  s.paused = false;
  return this;
};

R.pause = function () {
  const s = this._readableState;
  if (s.flowing !== false) {
    s.flowing = false;
    this.emit("pause");
  }
  s.paused = true;
  return this;
};

R.isPaused = function () { const s = this._readableState; return s.paused === true || s.flowing === false; };

R.setEncoding = function (enc) {
  const s = this._readableState;
  s.decoder = new StringDecoder(enc);
  s.encoding = s.decoder.encoding;
  let content = "";
  for (const c of s.buffer) content += s.decoder.write(c);
  s.buffer = content ? [content] : [];
  s.length = content.length;
  return this;
};

R.pipe = function (dest, opts) {
  const src = this;
  const s = this._readableState;
  s.pipes.push(dest);
  const doEnd = opts?.end !== false;
  const ondata = (chunk) => { if (dest.write(chunk) === false) src.pause(); };
  const ondrain = () => { if (s.flowing === false || s.paused) src.resume(); };
  const onend = () => { if (doEnd) dest.end(); };
  const cleanup = () => {
    src.removeListener("data", ondata);
    src.removeListener("end", onend);
    dest.removeListener("drain", ondrain);
    dest.removeListener("unpipe", onunpipe);
  };
  const onunpipe = (from) => { if (from === src) cleanup(); };
  src.on("data", ondata);
  src.once("end", onend);
  dest.on("drain", ondrain);
  dest.on("unpipe", onunpipe);
  dest.emit("pipe", src);
  if (!s.flowing) src.resume();
  return dest;
};

R.unpipe = function (dest) {
  const s = this._readableState;
  const targets = dest ? [dest] : s.pipes.slice();
  for (const d of targets) {
    const i = s.pipes.indexOf(d);
    if (i < 0) continue;
    s.pipes.splice(i, 1);
    d.emit("unpipe", this);
  }
  if (s.pipes.length === 0) this.pause();
  return this;
};

R[Symbol.asyncIterator] = function () { return iterate(this); };
R.iterator = function (opts) { return iterate(this, opts); };

async function* iterate(stream, opts) {
  let wake = null;
  const next = () => { if (wake) { const w = wake; wake = null; w(); } };
  stream.on("readable", next);
  let error = null, done = false;
  const onErr = (e) => { error = e; next(); };
  const onEnd = () => { done = true; next(); };
  stream.on("error", onErr);
  stream.on("end", onEnd);
  stream.on("close", onEnd);
  try {
    while (true) {
      const chunk = stream.destroyed ? null : stream.read();
      if (chunk !== null) yield chunk;
      else if (error) throw error;
      else if (done || stream._readableState.endEmitted) return;
      else await new Promise((r) => { wake = r; });
    }
  } finally {
    stream.removeListener("readable", next);
    stream.removeListener("error", onErr);
    stream.removeListener("end", onEnd);
    stream.removeListener("close", onEnd);
    if (opts?.destroyOnReturn !== false && !stream._readableState.endEmitted) stream.destroy();
  }
}

const rprop = (name, get) => Object.defineProperty(R, name, { get, configurable: true, enumerable: false });
rprop("readable", function () { const s = this._readableState; return !!s && !s.destroyed && !s.errored && !s.endEmitted; });
rprop("readableEnded", function () { return this._readableState.endEmitted; });
rprop("readableLength", function () { return this._readableState.length; });
rprop("readableFlowing", function () { return this._readableState.flowing; });
rprop("readableHighWaterMark", function () { return this._readableState.highWaterMark; });
rprop("readableObjectMode", function () { return this._readableState.objectMode; });
rprop("readableEncoding", function () { return this._readableState.encoding; });
rprop("readableAborted", function () { const s = this._readableState; return !!(s.destroyed || s.errored) && !s.endEmitted; });
rprop("errored", function () { return (this._readableState ?? this._writableState).errored; });
rprop("closed", function () { return (this._readableState ?? this._writableState).closed; });
Object.defineProperty(R, "destroyed", {
  get() { return this._readableState.destroyed; },
  set(v) { this._readableState.destroyed = v; if (this._writableState) this._writableState.destroyed = v; },
  configurable: true,
});

Readable.from = function from(iterable, opts) {
  if (typeof iterable === "string" || iterable instanceof Uint8Array) {
    return new Readable({ objectMode: true, ...opts, read() { this.push(iterable); this.push(null); } });
  }
  const it = iterable?.[Symbol.asyncIterator] ? iterable[Symbol.asyncIterator]() : iterable?.[Symbol.iterator] ? iterable[Symbol.iterator]() : null;
  if (!it) throw invalidArgType("iterable", "an instance of Iterable", iterable);
  let reading = false;
  const readable = new Readable({
    objectMode: true,
    highWaterMark: 1,
    ...opts,
    read() {
      if (reading) return;
      reading = true;
      (async () => {
        try {
          while (true) {
            const { value, done } = await it.next();
            if (done) { this.push(null); break; }
            const v = await value;
            if (v === null) throw nodeError(TypeError, "ERR_STREAM_NULL_VALUES", "May not write null values to stream");
            if (!this.push(v)) break;
          }
        } catch (e) { this.destroy(e); }
        reading = false;
      })();
    },
    destroy(err, cb) {
      Promise.resolve(typeof it.return === "function" && !err ? it.return() : undefined).then(() => cb(err), (e) => cb(e || err));
    },
  });
  return readable;
};

// ---------------------------------------------------------------------------
// Writable.

class WritableState {
  constructor(opts, isDuplex) {
    this.objectMode = !!(opts?.objectMode || (isDuplex && opts?.writableObjectMode));
    this.highWaterMark = hwm(opts, isDuplex ? "writableHighWaterMark" : "highWaterMark", this.objectMode);
    this.decodeStrings = opts?.decodeStrings !== false;
    this.defaultEncoding = opts?.defaultEncoding || "utf8";
    this.length = 0;
    this.writing = false;
    this.corked = 0;
    this.buffered = [];
    this.needDrain = false;
    this.ending = false;
    this.ended = false;
    this.finished = false;
    this.finalCalled = false;
    this.prefinished = false;
    this.pendingcb = 0;
    this.destroyed = false;
    this.errored = null;
    this.errorEmitted = false;
    this.closed = false;
    this.emitClose = opts?.emitClose !== false;
    this.autoDestroy = opts?.autoDestroy !== false;
    this.sync = true;
    this.onFinished = [];
  }
}

export function Writable(opts) {
  const isDuplex = this instanceof Duplex;
  if (!isDuplex && !(this instanceof Writable)) return new Writable(opts);
  this._writableState = new WritableState(opts, isDuplex);
  if (opts) {
    if (typeof opts.write === "function") this._write = opts.write;
    if (typeof opts.writev === "function") this._writev = opts.writev;
    if (typeof opts.final === "function") this._final = opts.final;
    if (typeof opts.destroy === "function") this._destroy = opts.destroy;
    if (opts.signal) addAbortSignal(opts.signal, this);
  }
  Stream.call(this, opts);
}
Object.setPrototypeOf(Writable.prototype, Stream.prototype);
Object.setPrototypeOf(Writable, Stream);

const W = Writable.prototype;

W._write = function (chunk, encoding, cb) {
  if (this._writev) this._writev([{ chunk, encoding }], cb);
  else throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The _write() method is not implemented");
};
W._writev = null;
W._destroy = function (err, cb) { cb(err); };
W.destroy = function (err, cb) { return destroyImpl(this, err, cb); };

W.write = function (chunk, encoding, cb) {
  const s = this._writableState;
  if (typeof encoding === "function") { cb = encoding; encoding = null; }
  if (!encoding && !s.objectMode) encoding = s.defaultEncoding;
  if (!encoding) encoding = null;
  if (typeof cb !== "function") cb = () => {};
  if (chunk === null) throw nodeError(TypeError, "ERR_STREAM_NULL_VALUES", "May not write null values to stream");
  let err;
  if (s.ending) err = nodeError(Error, "ERR_STREAM_WRITE_AFTER_END", "write after end");
  else if (s.destroyed) err = nodeError(Error, "ERR_STREAM_DESTROYED", "Cannot call write after a stream was destroyed");
  if (err) {
    tick(cb, err);
    errorOrDestroy(this, err);
    return false;
  }
  if (!s.objectMode) {
    if (typeof chunk === "string") {
      if (s.decodeStrings) { chunk = Buffer.from(chunk, encoding); encoding = "buffer"; }
    } else if (chunk instanceof Uint8Array) {
      if (!(chunk instanceof Buffer)) chunk = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      encoding = "buffer";
    } else {
      throw invalidArgType("chunk", "of type string or an instance of Buffer, TypedArray, or DataView", chunk);
    }
  }
  const len = s.objectMode ? 1 : chunk.length;
  s.length += len;
  const ret = s.length < s.highWaterMark;
  if (!ret) s.needDrain = true;
  s.pendingcb++;
  if (s.writing || s.corked || s.errored) s.buffered.push({ chunk, encoding, cb, len });
  else doWrite(this, s, chunk, encoding, cb, len);
  return ret && !s.errored && !s.destroyed;
};

function doWrite(stream, s, chunk, encoding, cb, len, writev) {
  s.writing = true;
  s.writelen = len;
  s.writecb = cb;
  s.sync = true;
  const onwrite = (err) => afterWriteCall(stream, s, err);
  if (s.destroyed) onwrite(nodeError(Error, "ERR_STREAM_DESTROYED", "Cannot call write after a stream was destroyed"));
  else if (writev) stream._writev(chunk, onwrite);
  else stream._write(chunk, encoding, onwrite);
  s.sync = false;
}

function afterWriteCall(stream, s, err) {
  const cb = s.writecb;
  if (typeof cb !== "function") { errorOrDestroy(stream, nodeError(Error, "ERR_MULTIPLE_CALLBACK", "Callback called multiple times")); return; }
  s.writing = false;
  s.writecb = null;
  s.length -= s.writelen;
  s.writelen = 0;
  if (err) {
    if (s.sync) tick(cb, err); else cb(err);
    errorOrDestroy(stream, err);
    return;
  }
  if (s.buffered.length && !s.corked && !s.destroyed) clearBuffer(stream, s);
  const after = () => {
    if (s.needDrain && s.length === 0 && !s.ending && !s.destroyed) {
      s.needDrain = false;
      stream.emit("drain");
    }
    s.pendingcb--;
    cb(null);
    finishMaybe(stream, s);
  };
  if (s.sync) tick(after); else after();
}

function clearBuffer(stream, s) {
  if (s.writing || s.destroyed || s.corked) return;
  if (s.buffered.length > 1 && stream._writev) {
    const entries = s.buffered.splice(0);
    const len = entries.reduce((n, e) => n + e.len, 0);
    s.pendingcb -= entries.length - 1;
    const cb = (err) => { for (const e of entries) e.cb(err); };
    doWrite(stream, s, entries.map((e) => ({ chunk: e.chunk, encoding: e.encoding })), null, cb, len, true);
  } else {
    const e = s.buffered.shift();
    doWrite(stream, s, e.chunk, e.encoding, e.cb, e.len);
  }
}

W.cork = function () { this._writableState.corked++; };
W.uncork = function () {
  const s = this._writableState;
  if (s.corked) {
    s.corked--;
    if (!s.writing) clearBuffer(this, s);
  }
};
W.setDefaultEncoding = function (enc) {
  if (!Buffer.isEncoding(enc)) throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${enc}`);
  this._writableState.defaultEncoding = enc;
  return this;
};

W.end = function (chunk, encoding, cb) {
  const s = this._writableState;
  if (typeof chunk === "function") { cb = chunk; chunk = null; encoding = null; }
  else if (typeof encoding === "function") { cb = encoding; encoding = null; }
  if (chunk !== null && chunk !== undefined) this.write(chunk, encoding);
  while (s.corked) this.uncork();
  let err;
  if (!s.errored && !s.ending) {
    s.ending = true;
    finishMaybe(this, s, true);
    s.ended = true;
  } else if (s.finished) err = nodeError(Error, "ERR_STREAM_ALREADY_FINISHED", "Cannot call end after a stream was finished");
  else if (s.destroyed) err = nodeError(Error, "ERR_STREAM_DESTROYED", "Cannot call end after a stream was destroyed");
  if (typeof cb === "function") {
    // Called just before 'finish' is emitted, or with the error that
    // destroys the stream first.
    if (err || s.finished) tick(cb, err);
    else s.onFinished.push(cb);
  }
  return this;
};

function needFinish(s) {
  return s.ending && !s.destroyed && s.length === 0 && !s.errored && s.buffered.length === 0 && !s.finished && !s.writing && !s.errorEmitted && !s.closeEmitted;
}

function finishMaybe(stream, s, sync) {
  if (!needFinish(s)) return;
  if (!s.prefinished && !s.finalCalled) {
    if (typeof stream._final === "function" && !s.destroyed) {
      s.finalCalled = true;
      s.pendingcb++;
      s.sync = true;
      const done = (err) => {
        s.pendingcb--;
        if (err) { errorOrDestroy(stream, err); return; }
        s.prefinished = true;
        stream.emit("prefinish");
        if (needFinish(s)) finish(stream, s);
      };
      try { stream._final(done); } catch (e) { done(e); }
      s.sync = false;
      return;
    }
    s.prefinished = true;
    stream.emit("prefinish");
  }
  if (s.pendingcb === 0 && s.prefinished) {
    if (sync) { s.pendingcb++; tick(() => { s.pendingcb--; if (needFinish(s)) finish(stream, s); }); }
    else finish(stream, s);
  }
}

function finish(stream, s) {
  s.pendingcb--;
  s.finished = true;
  for (const cb of s.onFinished.splice(0)) cb(null);
  stream.emit("finish");
  if (s.autoDestroy) {
    const r = stream._readableState;
    if (!r || (r.autoDestroy && (r.endEmitted || r.readable === false))) stream.destroy();
  }
}

const wprop = (name, get) => Object.defineProperty(W, name, { get, configurable: true, enumerable: false });
wprop("writable", function () { const s = this._writableState; return !!s && !s.destroyed && !s.errored && !s.ending; });
wprop("writableEnded", function () { return this._writableState.ending; });
wprop("writableFinished", function () { return this._writableState.finished; });
wprop("writableLength", function () { return this._writableState.length; });
wprop("writableHighWaterMark", function () { return this._writableState.highWaterMark; });
wprop("writableObjectMode", function () { return this._writableState.objectMode; });
wprop("writableCorked", function () { return this._writableState.corked; });
wprop("writableNeedDrain", function () { const s = this._writableState; return !s.destroyed && !s.ending && s.needDrain; });
wprop("errored", function () { return this._writableState.errored; });
wprop("closed", function () { return this._writableState.closed; });
Object.defineProperty(W, "destroyed", {
  get() { return this._writableState.destroyed; },
  set(v) { this._writableState.destroyed = v; },
  configurable: true,
});

// ---------------------------------------------------------------------------
// Duplex, Transform, PassThrough.

export function Duplex(opts) {
  if (!(this instanceof Duplex)) return new Duplex(opts);
  Readable.call(this, opts);
  this._writableState = new WritableState(opts, true);
  if (opts) {
    if (typeof opts.write === "function") this._write = opts.write;
    if (typeof opts.writev === "function") this._writev = opts.writev;
    if (typeof opts.final === "function") this._final = opts.final;
    if (opts.readable === false) { this._readableState.readable = false; this._readableState.ended = true; this._readableState.endEmitted = true; }
    if (opts.writable === false) { this._writableState.writable = false; this._writableState.ending = this._writableState.ended = this._writableState.finished = true; }
  }
  this.allowHalfOpen = opts?.allowHalfOpen !== false;
}
Object.setPrototypeOf(Duplex.prototype, Readable.prototype);
Object.setPrototypeOf(Duplex, Readable);
for (const key of Reflect.ownKeys(W)) {
  if (key === "constructor" || key === "destroy" || key === "_destroy" || key === "destroyed" || key === "errored" || key === "closed") continue;
  if (!Object.prototype.hasOwnProperty.call(Duplex.prototype, key)) Object.defineProperty(Duplex.prototype, key, Object.getOwnPropertyDescriptor(W, key));
}
Object.defineProperty(Duplex.prototype, "destroyed", {
  get() { return this._readableState.destroyed && this._writableState.destroyed; },
  set(v) { this._readableState.destroyed = v; this._writableState.destroyed = v; },
  configurable: true,
});
// instanceof Writable holds for a Duplex, as in Node.
Object.defineProperty(Writable, Symbol.hasInstance, {
  value(obj) { return Function.prototype[Symbol.hasInstance].call(this, obj) || (this === Writable && obj instanceof Duplex); },
});

const kCallback = Symbol("transformCallback");

export function Transform(opts) {
  if (!(this instanceof Transform)) return new Transform(opts);
  Duplex.call(this, { ...opts, readableHighWaterMark: opts?.readableHighWaterMark });
  this._readableState.sync = false;
  this[kCallback] = null;
  if (opts) {
    if (typeof opts.transform === "function") this._transform = opts.transform;
    if (typeof opts.flush === "function") this._flush = opts.flush;
  }
}
Object.setPrototypeOf(Transform.prototype, Duplex.prototype);
Object.setPrototypeOf(Transform, Duplex);

Transform.prototype._final = function (cb) {
  const done = (err, data) => {
    if (err) { cb(err); return; }
    if (data !== null && data !== undefined) this.push(data);
    this.push(null);
    cb();
  };
  if (typeof this._flush === "function" && !this.destroyed) this._flush(done);
  else done();
};

Transform.prototype._transform = function () {
  throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The _transform() method is not implemented");
};

Transform.prototype._write = function (chunk, encoding, callback) {
  const r = this._readableState;
  const length = r.length;
  this._transform(chunk, encoding, (err, val) => {
    if (err) { callback(err); return; }
    if (val !== null && val !== undefined) this.push(val);
    if (this._writableState.ended || length === r.length || r.length < r.highWaterMark) callback();
    else this[kCallback] = callback;
  });
};

Transform.prototype._read = function () {
  if (this[kCallback]) {
    const cb = this[kCallback];
    this[kCallback] = null;
    cb();
  }
};

export function PassThrough(opts) {
  if (!(this instanceof PassThrough)) return new PassThrough(opts);
  Transform.call(this, opts);
}
Object.setPrototypeOf(PassThrough.prototype, Transform.prototype);
Object.setPrototypeOf(PassThrough, Transform);
PassThrough.prototype._transform = function (chunk, encoding, cb) { cb(null, chunk); };

// ---------------------------------------------------------------------------
// finished, pipeline, addAbortSignal.

const isReadableStream = (s) => !!s && typeof s.pipe === "function" && typeof s.on === "function" && !!s._readableState && s._readableState.readable !== false;
const isWritableStream = (s) => !!s && typeof s.write === "function" && typeof s.on === "function" && !!s._writableState && s._writableState.writable !== false;

export function finished(stream, opts, callback) {
  if (typeof opts === "function") { callback = opts; opts = {}; }
  validateFunction(callback, "callback");
  opts = opts || {};
  let called = false;
  const done = (err) => { if (!called) { called = true; cleanup(); callback.call(stream, err); } };
  const readable = opts.readable ?? isReadableStream(stream);
  const writable = opts.writable ?? isWritableStream(stream);
  const r = stream._readableState, w = stream._writableState;
  let ended = !readable || !!r?.endEmitted, fin = !writable || !!w?.finished;
  const onend = () => { ended = true; if (fin) done(); };
  const onfinish = () => { fin = true; if (ended) done(); };
  const onerror = (err) => done(err);
  const onclose = () => {
    if ((readable && !ended) || (writable && !fin)) done(nodeError(Error, "ERR_STREAM_PREMATURE_CLOSE", "Premature close"));
    else done();
  };
  stream.on("end", onend);
  stream.on("finish", onfinish);
  if (opts.error !== false) stream.on("error", onerror);
  stream.on("close", onclose);
  const cleanup = () => {
    stream.removeListener("end", onend);
    stream.removeListener("finish", onfinish);
    stream.removeListener("error", onerror);
    stream.removeListener("close", onclose);
  };
  const err = r?.errored || w?.errored;
  if (err) tick(done, err);
  else if (ended && fin) tick(done);
  else if ((r?.closed || w?.closed)) tick(onclose);
  return cleanup;
}

function finishedPromise(stream, opts) {
  return new Promise((resolve, reject) => finished(stream, opts, (err) => (err ? reject(err) : resolve())));
}

function isIterable(v) { return v != null && (typeof v[Symbol.asyncIterator] === "function" || typeof v[Symbol.iterator] === "function"); }

// pipeline connects streams (and, as Node allows, an iterable source,
// async generator transforms and a final async function) and calls back
// once: with the first error, after destroying every stream, or when the
// last one has finished.
export function pipeline(...args) {
  const callback = args.pop();
  if (typeof callback !== "function") throw invalidArgType("streams[stream.length - 1]", "of type function", callback);
  const streams = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (streams.length < 2) throw nodeError(TypeError, "ERR_MISSING_ARGS", 'The "streams" argument must be specified');
  return runPipeline(streams, callback);
}

function runPipeline(streams, callback) {
  const all = [];
  let error = null, called = false;
  const finish = (err) => {
    if (err && !error) error = err;
    if (err) for (const s of all) if (!s.destroyed) s.destroy(err);
  };
  const done = (err) => {
    if (called) return;
    called = true;
    if (err) finish(err);
    tick(callback, err || undefined, ...(result !== undefined ? [result] : []));
  };
  let result;
  let prev = null;
  for (let i = 0; i < streams.length; i++) {
    let s = streams[i];
    const last = i === streams.length - 1;
    const fromFunction = typeof s === "function";
    if (fromFunction) {
      const out = s(prev === null ? undefined : prev, { signal: undefined });
      if (last && out && typeof out.then === "function") {
        // A sink: its promise settles the pipeline.
        out.then((v) => { result = v; done(); }, done);
        return streams[streams.length - 1];
      }
      s = isIterable(out) ? Readable.from(out, { objectMode: true }) : out;
    } else if (i === 0 && !s?.pipe && isIterable(s)) {
      s = Readable.from(s);
    }
    if (!s || typeof s.on !== "function") { done(invalidArgType(`streams[${i}]`, "a stream, an iterable or a function", s)); return; }
    all.push(s);
    finished(s, { readable: !last || isReadableStream(s), writable: i > 0 }, (err) => {
      if (err && err.code !== "ERR_STREAM_PREMATURE_CLOSE") done(err);
      else if (err && !(last && s._writableState?.finished)) done(err);
      else if (last) done();
    });
    if (prev !== null && !fromFunction) {
      if (typeof prev.pipe === "function") prev.pipe(s);
      else if (isIterable(prev)) Readable.from(prev).pipe(s);
    }
    prev = s;
  }
  return prev;
}

export function addAbortSignal(signal, stream) {
  if (!signal || typeof signal.aborted !== "boolean") throw invalidArgType("signal", "an instance of AbortSignal", signal);
  const onAbort = () => {
    const e = nodeError(Error, "ABORT_ERR", "The operation was aborted");
    e.name = "AbortError";
    e.cause = signal.reason;
    stream.destroy(e);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return stream;
}

export function isReadable(s) { return isReadableStream(s) && !s.destroyed && !s._readableState.endEmitted; }
export function isWritable(s) { return isWritableStream(s) && !s.destroyed && !s._writableState.ending; }
export function isErrored(s) { return !!(s?._readableState?.errored || s?._writableState?.errored); }
export function isDisturbed(s) { return !!(s?._readableState?.dataEmitted || s?._readableState?.endEmitted); }

export const promises = {
  pipeline: (...streams) => new Promise((resolve, reject) => {
    let opts = streams[streams.length - 1];
    if (opts && typeof opts === "object" && !opts.on && !isIterable(opts)) streams.pop();
    runPipeline(streams, (err, v) => (err ? reject(err) : resolve(v)));
  }),
  finished: finishedPromise,
};

Stream.Stream = Stream;
Stream.Readable = Readable;
Stream.Writable = Writable;
Stream.Duplex = Duplex;
Stream.Transform = Transform;
Stream.PassThrough = PassThrough;
Stream.pipeline = pipeline;
Stream.finished = finished;
Stream.addAbortSignal = addAbortSignal;
Stream.promises = promises;
Stream.isReadable = isReadable;
Stream.isWritable = isWritable;
Stream.isErrored = isErrored;
Stream.isDisturbed = isDisturbed;
Stream.getDefaultHighWaterMark = getDefaultHighWaterMark;
Stream.setDefaultHighWaterMark = setDefaultHighWaterMark;

export default Stream;
