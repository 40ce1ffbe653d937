// WebSocketPair and WebSocket in one isolate, as workerd behaves
// (src/workerd/api/web-socket.c++).

const tick = () => new Promise((r) => setTimeout(r, 0));

test("WebSocketPair shape", () => {
  const pair = new WebSocketPair();
  const [a, b] = Object.values(pair);
  assert(a instanceof WebSocket && b instanceof WebSocket, "both ends are WebSockets");
  assert(pair[0] === a && pair[1] === b, "indexed ends");
  assertEquals([...pair].length, 2);
  assertEquals(Object.keys(pair), ["0", "1"]);
  assertEquals(a.readyState, WebSocket.OPEN);
  assertEquals(a.url, null);
  assertEquals(a.protocol, "");
  assertEquals(a.extensions, "");
  assertEquals(a.binaryType, "arraybuffer");
  a.binaryType = "nonsense";
  assertEquals(a.binaryType, "arraybuffer", "invalid values are ignored");
  assertEquals([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED], [0, 1, 2, 3]);
  assertEquals(WebSocket.READY_STATE_OPEN, 1);
  assertEquals(Object.prototype.toString.call(a), "[object WebSocket]");
});

test("send before accept throws", () => {
  const [a] = Object.values(new WebSocketPair());
  assertThrows(() => a.send("x"), TypeError);
  assertThrows(() => a.close(), TypeError);
  try {
    a.send("x");
  } catch (e) {
    assertEquals(e.message, "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.");
  }
});

test("messages wait for accept and keep their order", async () => {
  const [a, b] = Object.values(new WebSocketPair());
  const got = [];
  a.accept();
  a.send("one");
  a.send(new Uint8Array([1, 2, 3]));
  a.send(new Uint16Array([0x0201]).buffer);
  a.send(new DataView(new Uint8Array([9, 8, 7]).buffer, 1, 2));
  b.addEventListener("message", (e) => got.push(e.data));
  await tick();
  assertEquals(got.length, 0, "nothing before accept");
  b.accept();
  await tick();
  assertEquals(got[0], "one");
  assert(got[1] instanceof ArrayBuffer, "binary arrives as ArrayBuffer");
  assertEquals([...new Uint8Array(got[1])], [1, 2, 3]);
  assertEquals([...new Uint8Array(got[2])], [1, 2]);
  assertEquals([...new Uint8Array(got[3])], [8, 7]);
});

test("sent bytes are copied", async () => {
  const [a, b] = Object.values(new WebSocketPair());
  a.accept();
  b.accept();
  let data;
  b.addEventListener("message", (e) => (data = e.data));
  const u8 = new Uint8Array([1, 2]);
  a.send(u8);
  u8[0] = 9;
  await tick();
  assertEquals([...new Uint8Array(data)], [1, 2]);
});

test("binaryType blob", async () => {
  const [a, b] = Object.values(new WebSocketPair());
  a.accept();
  b.accept();
  b.binaryType = "blob";
  let data;
  b.onmessage = (e) => (data = e.data);
  a.send(new Uint8Array([104, 105]));
  await tick();
  assert(data instanceof Blob, "a Blob");
  assertEquals(await data.text(), "hi");
});

test("close handshake", async () => {
  const [a, b] = Object.values(new WebSocketPair());
  a.accept();
  b.accept();
  const events = [];
  a.addEventListener("close", (e) => events.push(["a", e.code, e.reason, e.wasClean, a.readyState]));
  b.addEventListener("close", (e) => events.push(["b", e.code, e.reason, e.wasClean, b.readyState]));
  a.close(4000, "bye");
  assertEquals(a.readyState, WebSocket.CLOSING);
  assertThrows(() => a.send("late"), TypeError, "send after close");
  a.close(4001, "again"); // ignored
  await tick();
  await tick();
  assertEquals(events, [["b", 4000, "bye", true, 3], ["a", 4000, "bye", true, 3]]);
  assertEquals(a.readyState, WebSocket.CLOSED);
  assertThrows(() => b.send("x"), TypeError, "the automatic reply closed b's outgoing side");
});

test("close without a code is 1005", async () => {
  const [a, b] = Object.values(new WebSocketPair());
  a.accept();
  b.accept();
  let ev;
  b.addEventListener("close", (e) => (ev = e));
  a.close();
  await tick();
  assertEquals([ev.code, ev.reason, ev.wasClean], [1005, "", true]);
  assert(ev instanceof CloseEvent, "a CloseEvent");
});

test("allowHalfOpen keeps the other direction open", async () => {
  const [a, b] = Object.values(new WebSocketPair());
  a.accept();
  b.accept({ allowHalfOpen: true });
  const got = [];
  a.addEventListener("message", (e) => got.push(e.data));
  a.close(1000, "done");
  await tick();
  assertEquals(b.readyState, WebSocket.CLOSING);
  b.send("still here");
  b.close(1000, "now");
  await tick();
  assertEquals(got, ["still here"]);
  assertEquals(a.readyState, WebSocket.CLOSED);
});

test("close argument checks", () => {
  const [a] = Object.values(new WebSocketPair());
  a.accept();
  for (const code of [999, 1004, 1005, 1006, 1015, 5000, 0]) {
    try {
      a.close(code);
      assert(false, `code ${code} accepted`);
    } catch (e) {
      assertEquals(e.name, "InvalidAccessError");
      assertEquals(e.message, `Invalid WebSocket close code: ${code}.`);
    }
  }
  try {
    a.close(1000, "x".repeat(124));
    assert(false, "long reason accepted");
  } catch (e) {
    assertEquals(e.name, "SyntaxError");
    assertEquals(e.message, "WebSocket close reason must not be longer than 123 bytes when UTF-8 encoded.");
  }
  assertThrows(() => a.close(1000, "é".repeat(62)), DOMException, "124 UTF-8 bytes");
  try {
    a.close(undefined, "why");
    assert(false, "reason without code accepted");
  } catch (e) {
    assertEquals(e.name, "InvalidAccessError");
  }
  assertEquals(a.readyState, WebSocket.OPEN, "failed closes change nothing");
  a.close(1000, "x".repeat(123));
  assertEquals(a.readyState, WebSocket.CLOSING);
});

test("accept twice is fine; events via on-properties", async () => {
  const [a, b] = Object.values(new WebSocketPair());
  a.accept();
  a.accept();
  b.accept();
  let msg;
  b.onmessage = (e) => (msg = e);
  a.send("x");
  await tick();
  assert(msg instanceof MessageEvent, "a MessageEvent");
  assertEquals(msg.type, "message");
  assertEquals(msg.isTrusted, true);
  assert(msg.target === b, "target is the receiving socket");
});

test("a listener that throws does not stop the connection", async () => {
  const [a, b] = Object.values(new WebSocketPair());
  a.accept();
  b.accept();
  const got = [];
  b.addEventListener("message", (e) => {
    got.push(e.data);
    throw new Error("listener failure");
  });
  a.send("1");
  a.send("2");
  await tick();
  assertEquals(got, ["1", "2"]);
});

test("returning an accepted socket fails", () => {
  const [a] = Object.values(new WebSocketPair());
  a.accept();
  assertThrows(() => new Response(null, { status: 200, webSocket: a }), RangeError);
});

test("new WebSocket argument checks", () => {
  for (const url of ["not a url", "http://example.com/", "ws://example.com/#frag"]) {
    try {
      new WebSocket(url);
      assert(false, url + " accepted");
    } catch (e) {
      assertEquals(e.name, "SyntaxError", url);
    }
  }
});
