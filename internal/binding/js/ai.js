// ai.js: the Ai binding (Cloudflare Workers AI) over the ai* host functions
// of internal/binding/ai.go. run() returns Workers AI's output object, or a
// ReadableStream of server-sent events for stream: true; failures reject
// with InferenceUpstreamError ("5007: No such model …") as workerd's binding
// does, or AiInternalError for calls the binding itself refuses.
const { callAsync, registerBinding, hostStream } = globalThis.__zs_internal;

class InferenceUpstreamError extends Error {
  constructor(message, name = "InferenceUpstreamError") {
    super(message);
    this.name = name;
  }
}

class AiInternalError extends Error {
  constructor(message, name = "AiInternalError") {
    super(message);
    this.name = name;
  }
}

// jsonInputs serialises run()'s inputs: bytes (an image or audio as
// ArrayBuffer or typed array) become arrays of numbers, as Workers AI's
// JSON API takes them.
function jsonInputs(inputs) {
  return JSON.stringify(inputs, (k, v) => {
    if (v instanceof ArrayBuffer) return Array.from(new Uint8Array(v));
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v);
    if (v instanceof ReadableStream) {
      throw new AiInternalError("zerostack does not take ReadableStream inputs yet: pass the bytes as a Uint8Array or an array of numbers");
    }
    return v;
  });
}

function upstream(err) {
  if (err instanceof TypeError || err instanceof RangeError) return err;
  return new InferenceUpstreamError(String(err?.message ?? err));
}

class Ai {
  constructor() {
    this.lastRequestId = null;
    this.aiGatewayLogId = null;
  }

  async run(model, inputs, options = {}) {
    if (typeof model !== "string") throw new AiInternalError("model must be a string");
    if (inputs === null || typeof inputs !== "object") {
      throw new InferenceUpstreamError("5006: Error: Type mismatch of '/', '" + (inputs === null ? "null" : typeof inputs) + "' not in 'object'");
    }
    if (options?.gateway?.id) {
      // AI Gateway caching and logging do not exist locally; the request runs directly.
    }
    this.lastRequestId = crypto.randomUUID();
    let res;
    try {
      res = await callAsync("aiRun", model, jsonInputs(inputs));
    } catch (err) {
      throw upstream(err);
    }
    if (typeof res === "number") {
      const stream = hostStream(res);
      if (options?.returnRawResponse) {
        return new Response(stream, { headers: { "content-type": "text/event-stream" } });
      }
      return stream;
    }
    if (options?.returnRawResponse) return Response.json(res);
    return res;
  }

  async models(params = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params ?? {})) q.set(k, String(v));
    try {
      return await callAsync("aiModels", q.toString());
    } catch (err) {
      throw new AiInternalError(String(err?.message ?? err));
    }
  }

  gateway(id) {
    throw new AiInternalError(`AI Gateway (${id}) is not available in zerostack: call env.AI.run directly`);
  }

  autorag(id) {
    throw new AiInternalError(`AutoRAG (${id}) is not available in zerostack: use Vectorize and env.AI.run`);
  }

  async toMarkdown() {
    throw new AiInternalError("toMarkdown is not available in zerostack");
  }
}
Object.defineProperty(Ai.prototype, Symbol.toStringTag, { value: "Ai" });

registerBinding("ai", () => new Ai());
