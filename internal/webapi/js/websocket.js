// websocket.js: WebSocket and WebSocketPair as Cloudflare Workers offer them.
//
// A WebSocket is one end of a connection. Its other end is either
//   - a local peer: the other WebSocket of a `new WebSocketPair()`, in this
//     isolate; messages cross in JavaScript, as microtasks; or
//   - a host socket (`hid`): a connection that lives in Go (package
//     internal/websocket), reached with host.wsSend/wsClose. Go delivers what
//     arrives by calling __zs_ws(hid, kind, ...) as a task of the event loop.
// Returning the client end of a pair in `new Response(null, {status: 101,
// webSocket})` couples it to the HTTP connection: the server end's peer
// becomes a host socket, and what it sent before is handed to Go in order.
//
// Behaviour and error messages follow workerd (src/workerd/api/web-socket.c++):
// send() and close() need accept() first; messages that arrive before
// accept() wait for it; a received Close is answered with the same code and
// reason unless accept({allowHalfOpen: true}) (workerd's
// web_socket_auto_reply_to_close, the default since 2026-04-07, applied
// whatever the compatibility date: without it a worker that never calls
// close() leaves its clients waiting); send() after close() throws,
// while send() on a connection the peer dropped is ignored; close codes are
// 1000-4999 except 1004, 1005, 1006 and 1015, and a reason needs a code and
// at most 123 UTF-8 bytes (websocket_close_reason_byte_limit, 2026-03-03,
// also applied whatever the date); binaryType defaults to "arraybuffer" (workerd
// before the 2026-03-17 websocket_standard_binary_type date).
import { host, callAsync, toHost, scratchU8, defineGlobal } from "./host.js";
import { EventTarget, MessageEvent, CloseEvent, ErrorEvent, Event, markTrusted } from "./events.js";
import { DOMException } from "./errors.js";
import { newBlob } from "./blob.js";
import { responseFromHost, kWebSocket } from "./request.js";

const CONNECTING = 0, OPEN = 1, CLOSING = 2, CLOSED = 3;
const kNew = Symbol("new WebSocket");
const notAccepted = "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.";
const encoder = new TextEncoder();

// Per-socket state, kept off the object so user code cannot reach it.
const states = new WeakMap();
// Sockets by host id, for Go's deliveries. A socket stays here until its
// connection has ended in both directions.
const byHid = new Map();

function st(ws) {
  const s = states.get(ws);
  if (s === undefined) throw new TypeError("Illegal invocation");
  return s;
}

class State {
  constructor() {
    this.peer = null; // local peer WebSocket
    this.hid = 0; // host socket id
    this.accepted = false;
    this.released = false; // coupled to a response
    this.connecting = false; // new WebSocket(url) before it opened
    this.closedOutgoing = false;
    this.closedIncoming = false;
    this.aborted = false; // the peer disappeared: sends are ignored
    this.error = null;
    this.allowHalfOpen = false;
    this.inbox = []; // events received before accept()
    this.binaryType = "arraybuffer";
    this.url = null;
    this.protocol = ""; // as workerd: "" (not null) when none was negotiated
    this.extensions = "";
    this.hibernatable = false;
    this.imported = false; // a Durable Object's socket from another isolate
  }
}

export class WebSocket extends EventTarget {
  constructor(url, protocols = undefined) {
    super();
    const s = new State();
    states.set(this, s);
    if (url === kNew) return;
    if (arguments.length < 1) throw new TypeError("Failed to construct 'WebSocket': constructor parameter 1 is not of type 'string'.");
    // new WebSocket(url): an outbound connection, opened in Go.
    let u;
    try {
      u = new URL(`${url}`);
    } catch {
      throw new DOMException(`WebSocket Constructor: The url is invalid.`, "SyntaxError");
    }
    if (u.protocol !== "ws:" && u.protocol !== "wss:") {
      throw new DOMException("WebSocket Constructor: The url scheme must be ws or wss.", "SyntaxError");
    }
    if (u.hash !== "") throw new DOMException("WebSocket Constructor: The url fragment must be empty.", "SyntaxError");
    // Messages as workerd words them (WebSocket::constructor).
    let protos = [];
    if (protocols !== undefined) {
      if (typeof protocols === "string") {
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(protocols)) {
          throw new DOMException("WebSocket Constructor: The protocol header token is invalid.", "SyntaxError");
        }
        protos = [protocols];
      } else {
        protos = [...protocols].map(String);
        const seen = new Set();
        for (const p of protos) {
          if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p)) {
            throw new DOMException("WebSocket Constructor: One of the protocol header tokens is invalid.", "SyntaxError");
          }
          if (seen.has(p)) throw new DOMException("WebSocket Constructor: The protocols header cannot have repeating values.", "SyntaxError");
          seen.add(p);
        }
      }
    }
    s.url = `${url}`; // as given, as workerd reports it
    s.connecting = true;
    const wire = protos.length ? "sec-websocket-protocol\n" + protos.join(", ") + "\n" : "";
    const httpURL = (u.protocol === "wss:" ? "https:" : "http:") + u.href.slice(u.protocol.length);
    connect(httpURL, wire).then((head) => {
      if (!s.connecting) {
        if (head.hid) host.wsClose(head.hid, 1000, "");
        return;
      }
      s.connecting = false;
      if (!head.hid) {
        if (head.body) host.cancelRead(head.body);
        failed(this, s, new TypeError(`Failed to establish the WebSocket connection: expected server to reply with HTTP status code 101 (switching protocols), but received ${head.status} instead.`));
        return;
      }
      attachHost(this, s, head.hid);
      s.protocol = head.protocol;
      s.extensions = head.extensions;
      s.accepted = true;
      host.wsAccept(s.hid);
      fire(this, new Event("open"));
    }, (e) => {
      if (!s.connecting) return;
      s.connecting = false;
      failed(this, s, e);
    });
  }

  accept(options = undefined) {
    const s = st(this);
    if (s.connecting || (s.url !== null && !s.accepted && !s.hid)) {
      throw new TypeError("Websockets obtained from the 'new WebSocket()' constructor cannot call accept");
    }
    if (s.released) throw new TypeError("Can't accept() WebSocket that was already used in a response.");
    if (s.imported) {
      throw new TypeError("zerostack: this WebSocket comes from a Durable Object running in another isolate; return it in a Response (accept() on it is not supported yet).");
    }
    if (s.accepted) {
      if (s.hibernatable) throw new TypeError("Can't accept() WebSocket after enabling hibernation.");
      return;
    }
    if (options !== undefined && options !== null && options.allowHalfOpen !== undefined) {
      s.allowHalfOpen = !!options.allowHalfOpen;
    }
    s.accepted = true;
    if (s.hid) host.wsAccept(s.hid);
    const inbox = s.inbox;
    s.inbox = [];
    for (const ev of inbox) queueMicrotask(() => receive(this, s, ev));
  }

  send(message) {
    const s = st(this);
    if (arguments.length < 1) {
      throw new TypeError("Failed to execute 'send' on 'WebSocket': parameter 1 is not of type 'ArrayBuffer or ArrayBufferView or string'.");
    }
    if (s.closedOutgoing) throw new TypeError("Can't call WebSocket send() after close().");
    if (s.aborted || s.released) return;
    if (!s.accepted) throw new TypeError(notAccepted);
    let ev;
    if (typeof message === "string") {
      ev = { kind: "text", data: message };
    } else if (message instanceof ArrayBuffer || ArrayBuffer.isView(message)) {
      const u8 = message instanceof ArrayBuffer ? new Uint8Array(message) : new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
      ev = { kind: "binary", data: u8.slice() };
    } else {
      ev = { kind: "text", data: `${message}` };
    }
    transmit(this, s, ev);
  }

  close(code = undefined, reason = undefined) {
    const s = st(this);
    if (code !== undefined) {
      code = Number(code);
      if (!Number.isInteger(code) || code < 1000 || code >= 5000 || code === 1004 || code === 1005 || code === 1006 || code === 1015) {
        throw new DOMException(`Invalid WebSocket close code: ${code}.`, "InvalidAccessError");
      }
    }
    if (reason !== undefined) {
      reason = `${reason}`;
      if (encoder.encode(reason).byteLength > 123) {
        throw new DOMException("WebSocket close reason must not be longer than 123 bytes when UTF-8 encoded.", "SyntaxError");
      }
      if (code === undefined) {
        throw new DOMException("If you specify a WebSocket close reason, you must also specify a code.", "InvalidAccessError");
      }
    }
    if (s.connecting) {
      s.connecting = false;
      s.released = true;
      return;
    }
    if (s.closedOutgoing || s.aborted || s.released) return;
    if (!s.accepted) throw new TypeError(notAccepted);
    if (s.error !== null) throw s.error;
    s.closedOutgoing = true;
    transmit(this, s, { kind: "close", code: code ?? 1005, reason: reason ?? "" });
    maybeForget(s);
  }

  get readyState() {
    const s = st(this);
    if ((s.closedIncoming && s.closedOutgoing) || s.error !== null) return CLOSED;
    if (s.closedIncoming || s.closedOutgoing) return CLOSING;
    if (s.connecting) return CONNECTING;
    return OPEN;
  }
  get url() { return st(this).url; }
  get protocol() { return st(this).protocol; }
  get extensions() { return st(this).extensions; }
  get binaryType() { return st(this).binaryType; }
  set binaryType(v) {
    // Invalid values are ignored, as the spec says.
    if (v === "blob" || v === "arraybuffer") st(this).binaryType = v;
  }
}
for (const [name, value] of [["READY_STATE_CONNECTING", CONNECTING], ["CONNECTING", CONNECTING], ["READY_STATE_OPEN", OPEN], ["OPEN", OPEN],
  ["READY_STATE_CLOSING", CLOSING], ["CLOSING", CLOSING], ["READY_STATE_CLOSED", CLOSED], ["CLOSED", CLOSED]]) {
  const d = { value, enumerable: true, writable: false, configurable: false };
  Object.defineProperty(WebSocket, name, d);
  Object.defineProperty(WebSocket.prototype, name, d);
}
Object.defineProperty(WebSocket.prototype, Symbol.toStringTag, { value: "WebSocket", configurable: true });

export class WebSocketPair {
  constructor() {
    const a = new WebSocket(kNew), b = new WebSocket(kNew);
    st(a).peer = b;
    st(b).peer = a;
    Object.defineProperty(this, 0, { value: a, enumerable: true });
    Object.defineProperty(this, 1, { value: b, enumerable: true });
  }
  *[Symbol.iterator]() {
    yield this[0];
    yield this[1];
  }
}
Object.defineProperty(WebSocketPair.prototype, Symbol.toStringTag, { value: "WebSocketPair", configurable: true });

// fire dispatches a trusted event; an exception thrown by a listener is
// reported as uncaught, and the connection carries on.
function fire(ws, ev) {
  markTrusted(ev);
  try {
    ws.dispatchEvent(ev);
  } catch (e) {
    host.log("error", "Uncaught " + (e && e.stack || e));
  }
}

// transmit sends ev (text, binary or close) to the other end.
function transmit(ws, s, ev) {
  if (s.hid) {
    switch (ev.kind) {
      case "text": host.wsSend(s.hid, 1, ev.data); break;
      case "binary": host.wsSend(s.hid, 2, toHost(ev.data), ev.data.byteLength); break;
      case "close": host.wsClose(s.hid, ev.code, ev.reason); break;
    }
    return;
  }
  const peer = s.peer;
  if (peer === null) return;
  const ps = states.get(peer);
  if (ps.released && ps.hid === 0) {
    // The peer is being coupled to a response: keep the order.
    ps.inbox.push(ev);
    return;
  }
  if (!ps.accepted) {
    ps.inbox.push(ev);
    return;
  }
  queueMicrotask(() => receive(peer, ps, ev));
}

// receive dispatches what arrived at ws.
function receive(ws, s, ev) {
  if (s.closedIncoming) return;
  switch (ev.kind) {
    case "text":
      fire(ws, new MessageEvent("message", { data: ev.data }));
      break;
    case "binary": {
      const buf = ev.data.buffer.byteLength === ev.data.byteLength ? ev.data.buffer : ev.data.slice().buffer;
      fire(ws, new MessageEvent("message", { data: s.binaryType === "blob" ? newBlob(new Uint8Array(buf)) : buf }));
      break;
    }
    case "close":
      s.closedIncoming = true;
      if (!s.allowHalfOpen && !s.closedOutgoing && !s.aborted && !s.released) {
        s.closedOutgoing = true;
        const code = ev.code === 1005 || ev.code === 1006 ? 1005 : ev.code;
        transmit(ws, s, { kind: "close", code, reason: code === 1005 ? "" : ev.reason });
      }
      fire(ws, new CloseEvent("close", { code: ev.code, reason: ev.reason, wasClean: ev.clean !== false }));
      maybeForget(s);
      break;
    case "error":
      failed(ws, s, ev.error);
      break;
  }
}

// failed records an error and dispatches the error event.
function failed(ws, s, err) {
  if (s.error !== null) return;
  s.error = err;
  s.aborted = true;
  s.closedIncoming = true;
  fire(ws, new ErrorEvent("error", { message: String(err && err.message || err), error: err }));
  if (s.hid) {
    byHid.delete(s.hid);
  }
}

function maybeForget(s) {
  if (s.hid && s.closedIncoming && s.closedOutgoing) {
    byHid.delete(s.hid);
  }
}

// attachHost makes ws the JavaScript end of host socket hid.
function attachHost(ws, s, hid) {
  s.hid = hid;
  s.peer = null;
  byHid.set(hid, ws);
}

// coupleToHost releases the client end of a pair for a 101 response and
// returns the host socket id that now carries its peer's traffic (or the
// client's own, for a socket obtained from fetch()). It throws workerd's
// errors for sockets that cannot be returned.
export function coupleToHost(ws) {
  const s = states.get(ws);
  if (s === undefined) throw new TypeError("Failed to construct 'Response': member webSocket is not of type 'WebSocket'.");
  if (s.connecting || (s.url !== null && s.hid === 0)) {
    throw new TypeError("Can't return WebSocket in a Response if it was created with `new WebSocket()`");
  }
  if (s.released) throw new TypeError("Can't return WebSocket that was already used in a response.");
  if (s.accepted) {
    if (s.hibernatable) throw new TypeError("Can't return WebSocket in a Response after calling acceptWebSocket().");
    throw new TypeError("Can't return WebSocket in a Response after calling accept().");
  }
  s.released = true;
  if (s.hid) {
    // A socket from fetch(): Go proxies between the two connections.
    const hid = s.hid;
    byHid.delete(hid);
    s.hid = 0;
    return hid;
  }
  const hid = host.wsNew();
  const peer = s.peer;
  s.peer = null;
  if (peer !== null) {
    const ps = states.get(peer);
    attachHost(peer, ps, hid);
    if (ps.accepted) host.wsAccept(hid);
    // What the peer sent before the response left, in order.
    for (const ev of s.inbox) transmit(peer, ps, ev);
  }
  s.inbox = [];
  return hid;
}

// connect opens an outbound WebSocket from Go: head is
// {status, statusText, headers, body, hid, protocol, extensions}.
export function connect(url, headersWire) {
  return callAsync("wsConnect", url, headersWire);
}

// fetchWebSocket is fetch() of a request with "Upgrade: websocket": the
// connection is opened in Go; a 101 answer gives a Response whose
// webSocket is the client end (to accept()), any other answer a plain
// Response, as workerd does.
export async function fetchWebSocket(url, headersWire) {
  const head = await connect(url, headersWire);
  const r = responseFromHost(head.status, head.statusText, head.headers, head.body, url, false);
  if (head.hid) r[kWebSocket] = socketForHost(head.hid, head.protocol, head.extensions);
  return r;
}

// socketForHost makes the WebSocket of an outbound connection that fetch()
// opened (host socket hid).
export function socketForHost(hid, protocol, extensions) {
  const ws = new WebSocket(kNew);
  const s = st(ws);
  attachHost(ws, s, hid);
  s.url = null;
  s.protocol = protocol;
  s.extensions = extensions;
  return ws;
}

// exportWebSocket prepares ws, the client end of a pair that a Durable
// Object returned in a 101 response, to cross to another isolate: it
// returns a token for importWebSocket there (valid for a minute, once).
export function exportWebSocket(ws) {
  return host.wsExport(coupleToHost(ws));
}

// importWebSocket makes the WebSocket of an exported token: the caller can
// return it in a 101 response, which then serves the exporting isolate's
// socket.
export function importWebSocket(token) {
  const ws = socketForHost(host.wsImport(token), "", "");
  st(ws).imported = true;
  return ws;
}

// adoptWebSocket makes the WebSocket, already accepted, of host socket hid
// that Go adopted into this isolate (Runtime.AdoptWebSocket): a hibernated
// Durable Object's connection, woken by a message.
export function adoptWebSocket(hid) {
  const ws = socketForHost(hid, "", "");
  st(ws).accepted = true;
  return ws;
}

// webSocketHostId returns the host socket id that carries ws (0 for a local
// pair, or one not yet returned in a response), without changing anything:
// Durable Objects check that every socket can be parked before hibernating.
export function webSocketHostId(ws) {
  return st(ws).hid;
}

// forgetWebSocket detaches ws from its host socket before Go parks the
// connection (Runtime.ParkWebSocket): ws gets no more events and its sends
// are ignored. It returns the host socket id, 0 when ws has none (a local
// pair, or not yet returned in a response).
export function forgetWebSocket(ws) {
  const s = st(ws);
  const hid = s.hid;
  if (hid === 0) return 0;
  byHid.delete(hid);
  s.hid = 0;
  s.aborted = true;
  return hid;
}

// deliver is called by Go with what a host socket received: kind 1 text
// (a: the string), 2 binary in scratch (a: length), 3 binary staged in Go
// (a: length, b: token for host.take), 4 close (a: code, b: reason,
// c: clean), 5 error (a: message).
function deliver(hid, kind, a, b, c) {
  const ws = byHid.get(hid);
  if (ws === undefined) return;
  const s = states.get(ws);
  let ev;
  switch (kind) {
    case 1: ev = { kind: "text", data: a }; break;
    case 2: ev = { kind: "binary", data: scratchU8.slice(0, a) }; break;
    case 3: {
      const out = new Uint8Array(a);
      for (let off = 0; off < a;) {
        const n = host.take(b, off);
        out.set(scratchU8.subarray(0, n), off);
        off += n;
      }
      ev = { kind: "binary", data: out };
      break;
    }
    case 4: ev = { kind: "close", code: a, reason: b, clean: c }; break;
    case 5: ev = { kind: "error", error: new Error(a) }; break;
    default: return;
  }
  if (!s.accepted) {
    s.inbox.push(ev);
    return;
  }
  receive(ws, s, ev);
}
Object.defineProperty(globalThis, "__zs_ws", { value: deliver, writable: false, enumerable: false, configurable: false });

// The response glue (worker.js) calls host.respondWebSocket(id, ws, wire)
// for a 101 response; Go's half takes the host socket id instead.
if (typeof host.wsRespond === "function") {
  host.respondWebSocket = (id, ws, wire) => {
    try {
      host.wsRespond(id, coupleToHost(ws), wire);
    } catch (e) {
      host.fail(id, e.stack || String(e), false);
    }
  };
}

defineGlobal("WebSocket", WebSocket);
defineGlobal("WebSocketPair", WebSocketPair);
