// internal.js: what the prelude offers to the runtime's other JavaScript
// (binding classes installed by Go extensions, see internal/worker
// Extension). It lives in globalThis.__zs_internal until the runtime deletes
// it, just before the user's code runs.
import { host, callAsync, startAsync, toHost, fromScratch, makeError, SCRATCH_SIZE } from "./host.js";
import { headersFromWire, headersToWire } from "./headers.js";
import { requestFromHost, responseFromHost } from "./request.js";
import { extractBody, consume, hostStream, bodyStream, utf8Encode, utf8Decode, kBody } from "./body.js";
import { bodyForHost, pumpToHost } from "./fetch.js";
import { serialize, deserialize, Writer, Reader, T } from "./serialize.js";
import { registerBinding, registerEvent, ExecutionContext, workerExports, workerEnv } from "./worker.js";
import { exportWebSocket, importWebSocket, adoptWebSocket, forgetWebSocket, webSocketHostId } from "./websocket.js";

Object.defineProperty(globalThis, "__zs_internal", {
  value: Object.freeze({
    host, callAsync, startAsync, toHost, fromScratch, makeError, SCRATCH_SIZE,
    headersFromWire, headersToWire, requestFromHost, responseFromHost,
    extractBody, consume, hostStream, bodyStream, utf8Encode, utf8Decode, kBody,
    bodyForHost, pumpToHost, registerBinding, registerEvent, ExecutionContext,
    workerExports, workerEnv, serialize, deserialize, Writer, Reader, T,
    exportWebSocket, importWebSocket, adoptWebSocket, forgetWebSocket, webSocketHostId,
  }),
  configurable: true,
  enumerable: false,
});
