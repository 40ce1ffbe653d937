// Which globals exist, and what kind of thing each is.
export default {
  fetch() {
    const names = ["setTimeout", "setInterval", "clearTimeout", "clearInterval", "queueMicrotask", "structuredClone",
      "scheduler", "caches", "HTMLRewriter", "WebSocketPair", "WebSocket", "FixedLengthStream", "IdentityTransformStream",
      "CompressionStream", "DecompressionStream", "URLPattern", "URL", "URLSearchParams", "TextEncoder", "TextDecoder",
      "TextEncoderStream", "TextDecoderStream", "ReadableStream", "WritableStream", "TransformStream",
      "ReadableStreamDefaultReader", "ReadableStreamBYOBReader", "ByteLengthQueuingStrategy", "CountQueuingStrategy",
      "Headers", "Request", "Response", "fetch", "FormData", "Blob", "File", "AbortController", "AbortSignal", "Event",
      "EventTarget", "CustomEvent", "DOMException", "crypto", "Crypto", "SubtleCrypto", "CryptoKey", "atob", "btoa",
      "console", "performance", "navigator", "self", "addEventListener", "MessageEvent", "CloseEvent", "ErrorEvent",
      "PromiseRejectionEvent", "window", "document", "require", "module", "exports", "Deno", "Bun"];
    const out = {};
    for (const n of names) out[n] = typeof globalThis[n];
    out.selfIsGlobal = globalThis.self === globalThis;
    out.userAgent = navigator.userAgent;
    out.consoleKeys = Object.keys(console).sort();
    return Response.json(out);
  },
};
