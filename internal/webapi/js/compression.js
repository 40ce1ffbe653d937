// compression.js: CompressionStream and DecompressionStream ("gzip",
// "deflate", "deflate-raw") as TransformStreams over Go's compress packages
// (compression.go). Each stream holds a Go handle from its first chunk until
// it finishes, errors or is cancelled.
import { host, toHost, fromScratch, defineGlobal } from "./host.js";
import { TransformStream, readableWanted } from "./streams.js";

const FORMATS = { gzip: 0, deflate: 1, "deflate-raw": 2 };

function formatOf(format, what) {
  const f = FORMATS[String(format)];
  if (f === undefined) {
    throw new TypeError(`Failed to construct '${what}': The provided value '${format}' is not a valid enum value of type CompressionFormat.`);
  }
  return f;
}

// ZState is one stream's link to its Go handle.
class ZState {
  constructor(format, decompress) {
    this.format = format;
    this.decompress = decompress;
    this.h = 0;
    this.freed = false;
    this.ts = undefined;
  }

  // handle returns the Go handle, created on first use; after free it
  // throws (the stream was cancelled or failed while output was pending).
  handle() {
    if (this.h === 0) {
      if (this.freed) throw new TypeError("This compression stream is closed.");
      this.h = host.zNew(this.format, this.decompress);
    }
    return this.h;
  }

  free() {
    this.freed = true;
    if (this.h !== 0) {
      host.zFree(this.h);
      this.h = 0;
    }
  }
}

function bytesOf(chunk) {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer || chunk instanceof SharedArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError("The compression stream's input must be an ArrayBuffer or ArrayBufferView.");
}

// drain enqueues the output described by r (bytes in scratch, r>>1 of
// them; r&1: more pending) and fetches the rest, waiting for the reader
// when the readable side is full. Returns a promise only if it had to wait.
function drain(z, r, controller, last) {
  for (;;) {
    const n = r >>> 1;
    if (n > 0) controller.enqueue(fromScratch(n));
    if ((r & 1) === 0) {
      if (last) z.free();
      return undefined;
    }
    if (controller.desiredSize <= 0) {
      return readableWanted(z.ts).then(() => {
        let next;
        try {
          next = host.zRead(z.handle());
        } catch (e) {
          z.free();
          throw e;
        }
        return drain(z, next, controller, last);
      });
    }
    try {
      r = host.zRead(z.h);
    } catch (e) {
      z.free();
      throw e;
    }
  }
}

function transformer(z) {
  return {
    transform(chunk, controller) {
      const b = bytesOf(chunk);
      if (b.byteLength === 0) return undefined;
      let r;
      try {
        r = host.zWrite(z.handle(), toHost(b), b.byteLength);
      } catch (e) {
        z.free();
        throw e;
      }
      return drain(z, r, controller, false);
    },
    flush(controller) {
      let r;
      try {
        r = host.zEnd(z.handle());
      } catch (e) {
        z.free();
        throw e;
      }
      return drain(z, r, controller, true);
    },
    cancel() {
      z.free();
    },
  };
}

class CompressionStream extends TransformStream {
  constructor(format) {
    const z = new ZState(formatOf(format, "CompressionStream"), false);
    super(transformer(z));
    z.ts = this;
  }

  get [Symbol.toStringTag]() {
    return "CompressionStream";
  }
}

class DecompressionStream extends TransformStream {
  constructor(format) {
    const z = new ZState(formatOf(format, "DecompressionStream"), true);
    super(transformer(z));
    z.ts = this;
  }

  get [Symbol.toStringTag]() {
    return "DecompressionStream";
  }
}

defineGlobal("CompressionStream", CompressionStream);
defineGlobal("DecompressionStream", DecompressionStream);
