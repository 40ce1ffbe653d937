// queues.js: Cloudflare Queues for workers: the producer binding (Queue:
// send, sendBatch) over the queueSend host function of
// internal/binding/queues.go, and the consumer side, the "queue" event that
// calls the worker's queue(batch, env, ctx) handler with a MessageBatch.
const { callAsync, registerBinding, registerEvent, toHost, utf8Encode, utf8Decode, serialize, deserialize, host } = globalThis.__zs_internal;

const CONTENT_TYPES = ["text", "json", "bytes", "v8"];
const CT_CODE = { text: 0, json: 1, bytes: 2, v8: 3 };
const CT_NAME = ["text", "json", "bytes", "v8"];
const MAX_DELAY = 43200;

function typeName(v) {
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  return v.constructor?.name || "Object";
}

function checkDelay(d, what) {
  if (d === undefined) return NaN;
  const n = Number(d);
  if (typeof d !== "number" || !Number.isFinite(n) || n < 0 || n > MAX_DELAY) {
    throw new TypeError(`${what} must be a number of seconds between 0 and ${MAX_DELAY} (12 hours); got ${String(d)}`);
  }
  return n;
}

// encodeBody turns a message body into bytes for its content type.
function encodeBody(body, contentType) {
  switch (contentType) {
    case "text":
      if (typeof body !== "string") {
        throw new TypeError(`Content Type "text" requires a value of type string, but received ${typeName(body)}`);
      }
      return utf8Encode(body);
    case "json": {
      const s = JSON.stringify(body);
      if (s === undefined) throw new TypeError(`Content Type "json" requires a value that can be serialized to JSON, but received ${typeName(body)}`);
      return utf8Encode(s);
    }
    case "bytes":
      if (body instanceof ArrayBuffer) return new Uint8Array(body);
      if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
      throw new TypeError(`Content Type "bytes" requires a value of type ArrayBufferView, but received ${typeName(body)}`);
    case "v8":
      return serialize(body);
  }
  throw new TypeError(`Unknown Content Type "${contentType}": use one of "text", "json", "bytes" or "v8".`);
}

// frame packs messages for the host: per message a content-type byte, the
// delay as a float64 (NaN: none given) and the body's length, then the body.
function frame(items) {
  let total = 0;
  for (const it of items) total += 13 + it.bytes.byteLength;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  let p = 0;
  for (const it of items) {
    out[p] = CT_CODE[it.ct];
    dv.setFloat64(p + 1, it.delay);
    dv.setUint32(p + 9, it.bytes.byteLength);
    out.set(it.bytes, p + 13);
    p += 13 + it.bytes.byteLength;
  }
  return out;
}

function contentTypeOf(opts) {
  const ct = opts?.contentType ?? "v8";
  if (!CONTENT_TYPES.includes(ct)) {
    throw new TypeError(`Unknown Content Type "${ct}": use one of "text", "json", "bytes" or "v8".`);
  }
  return ct;
}

const kQueue = Symbol("queue");

class WorkerQueue {
  #delay;
  constructor(queue, delay) {
    this[kQueue] = queue;
    this.#delay = delay || 0;
  }
  async send(body, options) {
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError("Queue send: options must be an object");
    }
    const ct = contentTypeOf(options);
    const delay = checkDelay(options?.delaySeconds, "delaySeconds");
    const bytes = encodeBody(body, ct);
    const u8 = frame([{ ct, delay, bytes }]);
    await callAsync("queueSend", this[kQueue], toHost(u8), u8.byteLength, "send", NaN, this.#delay);
  }
  async sendBatch(messages, options) {
    if (messages === null || typeof messages !== "object" || typeof messages[Symbol.iterator] !== "function") {
      throw new TypeError("Queue sendBatch: messages must be an iterable of {body, contentType?, delaySeconds?}");
    }
    const batchDelay = checkDelay(options?.delaySeconds, "delaySeconds");
    const items = [];
    for (const m of messages) {
      if (m === null || typeof m !== "object" || !("body" in m)) {
        throw new TypeError("Queue sendBatch: each message must be an object with a body");
      }
      const ct = contentTypeOf(m);
      items.push({ ct, delay: checkDelay(m.delaySeconds, "delaySeconds"), bytes: encodeBody(m.body, ct) });
    }
    if (items.length === 0) throw new TypeError("Queue sendBatch: messages must not be empty");
    const u8 = frame(items);
    await callAsync("queueSend", this[kQueue], toHost(u8), u8.byteLength, "sendBatch", batchDelay, this.#delay);
  }
}
Object.defineProperty(WorkerQueue.prototype, Symbol.toStringTag, { value: "WorkerQueue" });

registerBinding("queue", (name, config) => new WorkerQueue(config.queue, config.delay));

// ---------------------------------------------------------------------------
// Consumer: the "queue" event.

const kState = Symbol("state");

function warn(msg) {
  host.log("warn", msg);
}

class Message {
  #batch; #id;
  constructor(batch, id, timestamp, body, attempts) {
    this.#batch = batch;
    this.#id = id;
    Object.defineProperties(this, {
      id: { value: id, enumerable: true },
      timestamp: { value: timestamp, enumerable: true },
      body: { value: body, enumerable: true },
      attempts: { value: attempts, enumerable: true },
    });
  }
  ack() {
    const s = this.#batch[kState];
    if (s.retries.has(this.#id)) {
      warn(`Received a call to ack() on message ${this.#id} after retry() was already called. Calling ack() on a message after calling retry() has no effect.`);
      return;
    }
    s.acks.add(this.#id);
  }
  retry(options) {
    const s = this.#batch[kState];
    const d = checkDelay(options?.delaySeconds, "delaySeconds");
    if (s.acks.has(this.#id)) {
      warn(`Received a call to retry() on message ${this.#id} after ack() was already called. Calling retry() on a message after calling ack() has no effect.`);
      return;
    }
    if (!s.retries.has(this.#id)) s.retries.set(this.#id, Number.isNaN(d) ? null : d);
  }
}

class MessageBatch {
  constructor(queue, messages) {
    this[kState] = { acks: new Set(), retries: new Map(), all: null, allDelay: null };
    Object.defineProperty(this, "queue", { value: queue, enumerable: true });
    Object.defineProperty(this, "messages", { value: messages(this), enumerable: true });
  }
  ackAll() {
    const s = this[kState];
    if (s.all === "retry") {
      warn("Received a call to ackAll() on a batch after retryAll() was already called. Calling ackAll() after retryAll() has no effect.");
      return;
    }
    s.all = "ack";
  }
  retryAll(options) {
    const s = this[kState];
    const d = checkDelay(options?.delaySeconds, "delaySeconds");
    if (s.all === "ack") {
      warn("Received a call to retryAll() on a batch after ackAll() was already called. Calling retryAll() after ackAll() has no effect.");
      return;
    }
    if (s.all === null) {
      s.all = "retry";
      s.allDelay = Number.isNaN(d) ? null : d;
    }
  }
}

function decodeBody(u8, ct) {
  switch (ct) {
    case "text": return utf8Decode(u8);
    case "json": return JSON.parse(utf8Decode(u8));
    case "bytes": return u8.slice().buffer;
    case "v8": return deserialize(u8);
  }
  return u8.slice().buffer;
}

// The payload is JSON: {queue, key, messages: [[id, timestampMs, attempts,
// contentTypeCode, length]]}; the bodies, concatenated, come from
// queueBodies(key). The handler resolves to the outcome as JSON.
registerEvent("queue", async (payload, ctx, exports, env, listeners) => {
  const p = JSON.parse(payload);
  const bodies = p.messages.length ? await callAsync("queueBodies", p.key) : new Uint8Array(0);
  const batch = new MessageBatch(p.queue, (b) => {
    const out = [];
    let off = 0;
    for (const [id, ts, attempts, ct, len] of p.messages) {
      const u8 = bodies.subarray(off, off + len);
      off += len;
      let body;
      try {
        body = decodeBody(u8, CT_NAME[ct]);
      } catch (e) {
        warn(`Queue ${p.queue}: message ${id} could not be decoded as ${CT_NAME[ct]}: ${e}`);
        body = u8.slice().buffer;
      }
      out.push(new Message(b, id, new Date(ts), body, attempts));
    }
    return Object.freeze(out);
  });
  const s = batch[kState];
  let ok = true, error = "";
  try {
    const def = exports && exports.default;
    let r;
    if (def && typeof def.queue === "function") {
      r = def.queue(batch, env, ctx);
    } else if (typeof def === "function" && typeof def.prototype?.queue === "function") {
      r = new def(ctx, env).queue(batch);
    } else if (listeners?.has("queue")) {
      // Service-worker syntax: addEventListener("queue", (event) => …).
      const waits = [];
      const ev = {
        type: "queue", queue: batch.queue, messages: batch.messages,
        ackAll: () => batch.ackAll(), retryAll: (o) => batch.retryAll(o),
        waitUntil: (q) => { waits.push(q); ctx.waitUntil(q); },
      };
      for (const fn of listeners.get("queue")) {
        if (typeof fn === "function") fn.call(globalThis, ev);
        else fn.handleEvent(ev);
      }
      r = Promise.all(waits);
    } else {
      throw new Error("Handler does not export a queue() function.");
    }
    await r;
  } catch (e) {
    ok = false;
    error = (e && e.stack) || String(e);
    host.log("error", "Uncaught " + error);
  }
  return JSON.stringify({
    ok, error,
    all: s.all, allDelay: s.allDelay,
    acks: [...s.acks],
    retries: Object.fromEntries(s.retries),
  });
});
