// index.js: the prelude's entry point. Order matters: later modules use the
// globals that earlier ones define.
import "./host.js";
import "./errors.js";
import "./events.js";
import "./console.js";
import "./timers.js";
import "./globals.js";
import "./encoding.js";
import "./streams.js";
import "./blob.js";
import "./formdata.js";
import "./structured.js";
import "./url.js";
import "./urlpattern.js";
import "./crypto.js";
import "./node.js"; // nodejs_compat primitives (node.go)
import "./compression.js";
import "./headers.js";
import "./request.js";
import "./fetch.js";
import "./cache.js";
import "./websocket.js";
import "./htmlrewriter.js"; // HTMLRewriter (htmlrewriter task)
import "./worker.js";
import "./internal.js";
