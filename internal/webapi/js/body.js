// body.js: the Body mixin shared by Request and Response.
//
// A body is kept in the cheapest form that its source allows, and turned into
// a ReadableStream only when script asks for .body:
//   { s: string }        text given by script
//   { b: Uint8Array }    bytes given by script
//   { host: id }         bytes still in Go (an incoming request body, a fetch
//                        response); read with host "read"/"readAll", or
//                        handed back to Go untouched when returned as is
//   { stream: RS }       a ReadableStream
import { callAsync, host, toHost } from "./host.js";
import * as streams from "./streams.js";
import * as blobMod from "./blob.js";
import * as formMod from "./formdata.js";

export const kBody = Symbol("body");
export const kUsed = Symbol("bodyUsed");

let encoder, decoder;
export function utf8Encode(s) {
  encoder ??= new globalThis.TextEncoder();
  return encoder.encode(s);
}
export function utf8Decode(u8) {
  decoder ??= new globalThis.TextDecoder();
  return decoder.decode(u8);
}

// Bodies made from more bytes than this are copied into Go at once instead
// of into a new ArrayBuffer: Go reuses its memory, while every fresh large
// ArrayBuffer costs page faults, and most such bodies go back to Go anyway.
const GO_BODY_MIN = 64 << 10;

// bytesBody copies a BufferSource's bytes (a body never aliases the
// caller's buffer, as the Fetch standard requires).
function bytesBody(u8) {
  if (u8.byteLength >= GO_BODY_MIN) {
    return { host: host.bytesReader(toHost(u8), u8.byteLength) };
  }
  return { b: u8.slice() };
}

// extractBody turns a BodyInit into the internal form and its default
// Content-Type (or null).
export function extractBody(init) {
  if (init === null || init === undefined) return [null, null];
  if (typeof init === "string") return [{ s: init }, "text/plain;charset=UTF-8"];
  if (init instanceof ArrayBuffer) return [bytesBody(new Uint8Array(init)), null];
  if (ArrayBuffer.isView(init)) {
    return [bytesBody(new Uint8Array(init.buffer, init.byteOffset, init.byteLength)), null];
  }
  if (typeof SharedArrayBuffer !== "undefined" && init instanceof SharedArrayBuffer) {
    return [{ b: new Uint8Array(init).slice() }, null];
  }
  const g = globalThis;
  if (g.ReadableStream && init instanceof g.ReadableStream) {
    if (init.locked || streams.isDisturbed?.(init)) {
      throw new TypeError("This ReadableStream is disturbed (has already been read from), and cannot be used as a body.");
    }
    const id = hostStreams.get(init);
    if (id !== undefined) {
      hostStreams.delete(init);
      return [{ host: id }, null];
    }
    return [{ stream: init }, null];
  }
  if (g.Blob && init instanceof g.Blob) {
    return [{ b: blobToBytes(init) }, init.type || null];
  }
  if (g.URLSearchParams && init instanceof g.URLSearchParams) {
    return [{ s: init.toString() }, "application/x-www-form-urlencoded;charset=UTF-8"];
  }
  if (g.FormData && init instanceof g.FormData) {
    const { body, contentType } = formdata().serializeMultipart(init);
    return [{ b: body }, contentType];
  }
  return [{ s: String(init) }, "text/plain;charset=UTF-8"];
}

function blobToBytes(b) {
  return blobMod.blobBytes(b);
}
function formdata() {
  return formMod;
}

function usedError() {
  return new TypeError("Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");
}

// hostStreams remembers the Go reader behind each stream made by hostStream,
// so that a body passed on untouched (new Response(request.body), a proxied
// fetch) goes back to Go without crossing into JavaScript chunk by chunk.
const hostStreams = new WeakMap();

// hostStream makes a byte ReadableStream over a Go reader.
export function hostStream(id) {
  const s = new globalThis.ReadableStream({
    type: "bytes",
    async pull(c) {
      const chunk = await callAsync("read", id, 0);
      if (chunk === false) {
        c.close();
        c.byobRequest?.respond(0);
        return;
      }
      c.enqueue(chunk);
    },
    cancel() {
      host.cancelRead(id);
    },
  }, { highWaterMark: 0 });
  hostStreams.set(s, id);
  return s;
}

// bodyStream returns the body of o as a ReadableStream (or null), converting
// the internal form once.
export function bodyStream(o) {
  const b = o[kBody];
  if (b === null) return null;
  if (b.stream !== undefined) return b.stream;
  let s;
  if (b.host !== undefined) {
    s = hostStream(b.host);
  } else {
    const bytes = b.s !== undefined ? utf8Encode(b.s) : b.b;
    s = new globalThis.ReadableStream({
      type: "bytes",
      start(c) {
        if (bytes.byteLength > 0) c.enqueue(bytes);
        c.close();
      },
    });
  }
  o[kBody] = { stream: s };
  return s;
}

export function bodyUsed(o) {
  if (o[kUsed]) return true;
  const b = o[kBody];
  return b !== null && b.stream !== undefined && !!streams.isDisturbed?.(b.stream);
}

async function readAllStream(s) {
  const reader = s.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) {
      if (ArrayBuffer.isView(value)) {
        chunks.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        total += value.byteLength;
        continue;
      }
      if (value instanceof ArrayBuffer) {
        chunks.push(new Uint8Array(value));
        total += value.byteLength;
        continue;
      }
      throw new TypeError("This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.");
    }
    chunks.push(value);
    total += value.byteLength;
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

// consume reads the whole body once: a string when the body is text held
// as such, else a Uint8Array.
export async function consume(o) {
  if (bodyUsed(o)) throw usedError();
  o[kUsed] = true;
  const b = o[kBody];
  if (b === null) return new Uint8Array(0);
  if (b.s !== undefined) return b.s;
  if (b.b !== undefined) return b.b;
  if (b.host !== undefined) return await callAsync("readAll", b.host);
  return await readAllStream(b.stream);
}

function parseContentType(o) {
  const ct = o.headers.get("content-type");
  return ct === null ? "" : ct;
}

// Body installs the body readers on a class prototype.
export function installBody(proto) {
  Object.defineProperties(proto, {
    body: {
      get() { return bodyStream(this); },
      configurable: true,
      enumerable: true,
    },
    bodyUsed: {
      get() { return bodyUsed(this); },
      configurable: true,
      enumerable: true,
    },
  });
  const methods = {
    async text() {
      const v = await consume(this);
      return typeof v === "string" ? v : utf8Decode(v);
    },
    async json() {
      const v = await consume(this);
      return JSON.parse(typeof v === "string" ? v : utf8Decode(v));
    },
    async arrayBuffer() {
      const v = await consume(this);
      const u = typeof v === "string" ? utf8Encode(v) : v;
      if (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength) return u.buffer;
      return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength);
    },
    async bytes() {
      const v = await consume(this);
      return typeof v === "string" ? utf8Encode(v) : v;
    },
    async blob() {
      const v = await consume(this);
      const type = this.headers.get("content-type") || "";
      return new globalThis.Blob([v], { type });
    },
    async formData() {
      const ct = parseContentType(this);
      const v = await consume(this);
      return formMod.parseFormDataBody(typeof v === "string" ? utf8Encode(v) : v, ct);
    },
  };
  for (const [k, fn] of Object.entries(methods)) {
    Object.defineProperty(proto, k, { value: fn, writable: true, configurable: true, enumerable: true });
  }
}

// cloneBody tees a body for clone(): the original keeps one branch.
export function cloneBody(o) {
  const b = o[kBody];
  if (bodyUsed(o)) throw new TypeError("Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");
  if (b === null) return null;
  if (b.s !== undefined || b.b !== undefined) return b;
  const [x, y] = bodyStream(o).tee();
  o[kBody] = { stream: x };
  return { stream: y };
}
