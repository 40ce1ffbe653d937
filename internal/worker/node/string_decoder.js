// node:string_decoder — StringDecoder: decodes bytes to text across chunk
// boundaries, holding back an incomplete multi-byte character (UTF-8,
// UTF-16LE) or base64 group until the next write. Invalid UTF-8 becomes
// U+FFFD as in Buffer.toString.

import { Buffer } from "node:buffer";
import { nodeError, invalidArgType } from "zerostack:node/errors";

function normalize(enc) {
  const e = String(enc ?? "utf8").toLowerCase();
  switch (e) {
    case "utf8": case "utf-8": return "utf8";
    case "ucs2": case "ucs-2": case "utf16le": case "utf-16le": return "utf16le";
    case "base64": case "base64url": case "hex": case "latin1": case "ascii": return e;
    case "binary": return "latin1";
  }
  throw nodeError(TypeError, "ERR_UNKNOWN_ENCODING", `Unknown encoding: ${enc}`);
}

export function StringDecoder(encoding) {
  if (!(this instanceof StringDecoder)) return new StringDecoder(encoding);
  this.encoding = normalize(encoding);
  this._pending = new Uint8Array(0);
  if (this.encoding === "utf8") this._td = new TextDecoder("utf-8", { ignoreBOM: true });
}

function bytes(buf) {
  if (typeof buf === "string") return Buffer.from(buf);
  if (buf instanceof Uint8Array) return buf;
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  throw invalidArgType("buf", "an instance of Buffer, TypedArray, or DataView", buf);
}

function join(a, b) {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

StringDecoder.prototype.write = function write(buf) {
  if (typeof buf === "string") return buf;
  const b = bytes(buf);
  switch (this.encoding) {
    case "utf8": return this._td.decode(b, { stream: true });
    case "utf16le": {
      let all = join(this._pending, b);
      let keep = all.length % 2;
      // Keep a lead surrogate back until its trail arrives.
      if (all.length - keep >= 2) {
        const last = all[all.length - keep - 2] | (all[all.length - keep - 1] << 8);
        if (last >= 0xd800 && last <= 0xdbff) keep += 2;
      }
      this._pending = all.slice(all.length - keep);
      return Buffer.from(all.buffer, all.byteOffset, all.length - keep).toString("utf16le");
    }
    case "base64": case "base64url": {
      const all = join(this._pending, b);
      const keep = all.length % 3;
      this._pending = all.slice(all.length - keep);
      return Buffer.from(all.buffer, all.byteOffset, all.length - keep).toString(this.encoding);
    }
    default:
      return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(this.encoding);
  }
};

StringDecoder.prototype.end = function end(buf) {
  let s = buf === undefined ? "" : this.write(buf);
  if (this.encoding === "utf8") s += this._td.decode();
  else if (this._pending.length) {
    const p = this._pending;
    s += Buffer.from(p.buffer, p.byteOffset, p.length).toString(this.encoding);
  }
  this._pending = new Uint8Array(0);
  return s;
};

StringDecoder.prototype.text = function text(buf, offset) { return this.write(bytes(buf).subarray(offset)); };

export default { StringDecoder };
