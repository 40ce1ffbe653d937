// node:stream/consumers — read a whole stream (a Node stream, a
// ReadableStream or any async iterable) as text, JSON, bytes or a Blob.
import { Buffer } from "node:buffer";

async function chunks(stream) {
  const out = [];
  for await (const c of stream) out.push(typeof c === "string" ? Buffer.from(c) : c);
  return out;
}
export async function buffer(stream) { return Buffer.concat(await chunks(stream)); }
export async function arrayBuffer(stream) { const b = await buffer(stream); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); }
export async function bytes(stream) { return new Uint8Array(await arrayBuffer(stream)); }
export async function text(stream) { return new TextDecoder().decode(await buffer(stream)); }
export async function json(stream) { return JSON.parse(await text(stream)); }
export async function blob(stream) { return new Blob(await chunks(stream)); }
export default { buffer, arrayBuffer, bytes, text, json, blob };
