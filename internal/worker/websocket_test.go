package worker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/websocket"
)

// wsClient is a test client: what the server sends arrives on msgs, and
// the end on closed.
type wsClient struct {
	*websocket.Conn
	msgs   chan string // "t:text" or "b:bytes"
	closed chan string // "code reason clean"
}

func (c *wsClient) Message(_ *websocket.Conn, text bool, data []byte) {
	if text {
		c.msgs <- "t:" + string(data)
	} else {
		c.msgs <- "b:" + string(data)
	}
}

func (c *wsClient) Close(_ *websocket.Conn, code int, reason string, clean bool) {
	c.closed <- fmt.Sprintf("%d %s %v", code, reason, clean)
}

func (c *wsClient) Error(_ *websocket.Conn, err error) { c.closed <- "error " + err.Error() }

func dialWS(t *testing.T, url string, h http.Header) *wsClient {
	t.Helper()
	conn, resp, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(url, "http"), h)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	if conn == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("dial %s: status %d: %s", url, resp.StatusCode, b)
	}
	c := &wsClient{Conn: conn, msgs: make(chan string, 1024), closed: make(chan string, 1)}
	conn.Start(c)
	return c
}

func (c *wsClient) next(t *testing.T) string {
	t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message from the server")
		return ""
	}
}

func (c *wsClient) end(t *testing.T) string {
	t.Helper()
	select {
	case m := <-c.closed:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not close")
		return ""
	}
}

const wsEchoWorker = `
const log = [];
export default { async fetch(req) {
  const url = new URL(req.url);
  if (url.pathname === "/log") return Response.json(log);
  if (req.headers.get("Upgrade") !== "websocket") return new Response("Expected websocket", { status: 426 });
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  server.send("hello before the response");
  server.addEventListener("message", (e) => {
    if (e.data === "close me") { server.close(4001, "as you wish"); return; }
    if (typeof e.data === "string") server.send("echo:" + e.data);
    else server.send(e.data);
  });
  server.addEventListener("close", (e) => log.push(["close", e.code, e.reason, e.wasClean]));
  server.addEventListener("error", (e) => log.push(["error", e.message]));
  return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": "echo" } });
} };
`

func TestWebSocketEcho(t *testing.T) {
	_, srv := newTestWorker(t, wsEchoWorker, nil)
	h := http.Header{}
	h.Set("Sec-WebSocket-Protocol", "echo")
	c := dialWS(t, srv.URL+"/ws", h)
	if c.Protocol() != "echo" {
		t.Fatalf("protocol %q", c.Protocol())
	}
	if m := c.next(t); m != "t:hello before the response" {
		t.Fatalf("first message %q", m)
	}
	c.SendText("hi")
	if m := c.next(t); m != "t:echo:hi" {
		t.Fatalf("echo %q", m)
	}
	c.SendBinary([]byte{0, 1, 2, 255})
	if m := c.next(t); m != "b:\x00\x01\x02\xff" {
		t.Fatalf("binary echo %q", m)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, over the scratch area
	c.SendBinary(big)
	if m := c.next(t); m != "b:"+string(big) {
		t.Fatalf("large binary echo: %d bytes", len(m)-2)
	}
	bigText := strings.Repeat("é", 300000)
	c.SendText(bigText)
	if m := c.next(t); m != "t:echo:"+bigText {
		t.Fatalf("large text echo: %d bytes", len(m))
	}
	c.Conn.Close(4000, "bye")
	if e := c.end(t); e != "4000 bye true" {
		t.Fatalf("close: %q", e)
	}
	_, body, _ := getEventually(t, srv.URL+"/log", `[["close",4000,"bye",true]]`)
	if body != `[["close",4000,"bye",true]]` {
		t.Fatalf("server log %s", body)
	}
}

// getEventually polls url until its body is want (the server's side of a
// close is reported asynchronously), and returns the last answer.
func getEventually(t *testing.T, url, want string) (int, string, http.Header) {
	t.Helper()
	var code int
	var body string
	var h http.Header
	for i := 0; i < 200; i++ {
		code, body, h = get(t, url)
		if body == want {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	return code, body, h
}

func TestWebSocketServerCloses(t *testing.T) {
	_, srv := newTestWorker(t, wsEchoWorker, nil)
	c := dialWS(t, srv.URL, nil)
	c.next(t)
	c.SendText("close me")
	if e := c.end(t); e != "4001 as you wish true" {
		t.Fatalf("close: %q", e)
	}
	c.Conn.Close(4001, "as you wish")
	_, body, _ := getEventually(t, srv.URL+"/log", `[["close",4001,"as you wish",true]]`)
	if body != `[["close",4001,"as you wish",true]]` {
		t.Fatalf("server log %s", body)
	}
}

func TestWebSocketClientDisconnects(t *testing.T) {
	w, srv := newTestWorker(t, wsEchoWorker, nil)
	c := dialWS(t, srv.URL, nil)
	c.next(t)
	c.Abort()
	want := `[["close",1006,"WebSocket disconnected without sending Close frame.",false]]`
	if _, body, _ := getEventually(t, srv.URL+"/log", want); body != want {
		t.Fatalf("server log %s", body)
	}
	noSocketsLeft(t, w)
}

func TestWebSocketResponseErrors(t *testing.T) {
	_, srv := newTestWorker(t, `
export default { async fetch(req) {
  const [client, server] = Object.values(new WebSocketPair());
  if (new URL(req.url).pathname === "/accepted") client.accept();
  return new Response(null, { status: 101, webSocket: client });
} };
`, nil)
	code, body, _ := get(t, srv.URL)
	if code != 500 || !strings.Contains(body, `Worker tried to return a WebSocket in a response to a request which did not contain the header "Upgrade: websocket".`) {
		t.Fatalf("plain request: %d %s", code, body)
	}
	conn, resp, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/accepted", nil)
	if err != nil || conn != nil {
		t.Fatalf("dial: %v %v", conn, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(b), "Can't return WebSocket in a Response after calling accept().") {
		t.Fatalf("accepted client end: %d %s", resp.StatusCode, b)
	}
}

func TestWebSocketManyClients(t *testing.T) {
	w, srv := newTestWorker(t, wsEchoWorker, nil)
	const n, msgs = 50, 20
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := dialWS(t, srv.URL, nil)
			c.next(t)
			for k := 0; k < msgs; k++ {
				c.SendText(fmt.Sprintf("%d-%d", i, k))
			}
			for k := 0; k < msgs; k++ {
				if m := c.next(t); m != fmt.Sprintf("t:echo:%d-%d", i, k) {
					errs <- m
				}
			}
			c.Conn.Close(1000, "")
			c.end(t)
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("out of order or lost: %q", e)
	}
	noSocketsLeft(t, w)
}

// noSocketsLeft checks that every closed connection has left the isolates'
// socket tables (the server's side of a close is handled asynchronously:
// it polls).
func noSocketsLeft(t *testing.T, w *Worker) {
	t.Helper()
	left := -1
	for k := 0; k < 200 && left != 0; k++ {
		if left = w.Stats().WebSockets; left != 0 {
			time.Sleep(25 * time.Millisecond)
		}
	}
	if left != 0 {
		t.Fatalf("%d host sockets left after every connection closed", left)
	}
}

// upstreamWS is a WebSocket echo server for outbound tests.
func upstreamWS(t *testing.T) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := http.Header{}
		if p := r.Header.Get("Sec-WebSocket-Protocol"); p != "" {
			h.Set("Sec-WebSocket-Protocol", strings.Split(p, ",")[0])
		}
		if !websocket.IsUpgrade(r) {
			http.Error(w, "upstream wants a websocket", 400)
			return
		}
		c, err := websocket.Upgrade(w, r, h)
		if err != nil {
			return
		}
		c.SendText("upstream says hi " + r.Header.Get("X-Test"))
		c.Start(upstreamEcho{})
	}))
	t.Cleanup(s.Close)
	return s
}

type upstreamEcho struct{}

func (upstreamEcho) Message(c *websocket.Conn, text bool, data []byte) {
	if text {
		c.SendText("up:" + string(data))
	} else {
		c.SendBinary(data)
	}
}
func (upstreamEcho) Close(c *websocket.Conn, code int, reason string, clean bool) {
	c.Close(code, reason)
}
func (upstreamEcho) Error(c *websocket.Conn, err error) {}

func TestWebSocketOutbound(t *testing.T) {
	up := upstreamWS(t)
	w, srv := newTestWorker(t, `
export default { async fetch(req, env) {
  const path = new URL(req.url).pathname;
  const upstream = env.UP;
  if (path === "/proxy") {
    // The fetched socket returned as is: Go joins the two connections.
    const r = await fetch(upstream, { headers: { Upgrade: "websocket", "X-Test": "proxied" } });
    return new Response(null, { status: 101, webSocket: r.webSocket });
  }
  if (path === "/refused") {
    const r = await fetch(upstream.replace("ws", "http") + "/x", { headers: { Upgrade: "nothing" } });
    return Response.json([r.status, r.webSocket, await r.text()]);
  }
  const out = [];
  let ws;
  if (path === "/constructor") {
    ws = new WebSocket(upstream.replace("http", "ws"), ["p1", "p2"]);
    out.push(ws.readyState);
    await new Promise((resolve) => ws.addEventListener("open", resolve));
    out.push(ws.readyState, ws.protocol, ws.url === upstream.replace("http", "ws"));
  } else {
    const r = await fetch(upstream, { headers: { Upgrade: "websocket", "X-Test": "fetched", "Sec-WebSocket-Protocol": "chat" } });
    out.push(r.status, r.webSocket instanceof WebSocket, r.webSocket.protocol);
    ws = r.webSocket;
    ws.accept();
  }
  const got = [];
  const closed = new Promise((resolve) => ws.addEventListener("close", (e) => resolve([e.code, e.reason, e.wasClean])));
  const twoMessages = new Promise((resolve) => ws.addEventListener("message", (e) => {
    got.push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)]);
    if (got.length === 3) resolve();
  }));
  ws.send("ping");
  ws.send(new Uint8Array([7, 8]));
  await twoMessages;
  ws.close(4002, "done");
  out.push(got, await closed, ws.readyState);
  return Response.json(out);
} };
`, func(c *Config) { c.Vars = map[string]any{"UP": up.URL} })
	_, body, _ := get(t, srv.URL+"/fetch")
	if want := `[101,true,"chat",["upstream says hi fetched","up:ping",[7,8]],[4002,"done",true],3]`; body != want {
		t.Fatalf("fetch: %s\nwant %s", body, want)
	}
	_, body, _ = get(t, srv.URL+"/constructor")
	if want := `[0,1,"p1",true,["upstream says hi ","up:ping",[7,8]],[4002,"done",true],3]`; body != want {
		t.Fatalf("new WebSocket: %s\nwant %s", body, want)
	}
	_, body, _ = get(t, srv.URL+"/refused")
	if want := `[400,null,"upstream wants a websocket\n"]`; body != want {
		t.Fatalf("refused: %s\nwant %s", body, want)
	}
	c := dialWS(t, srv.URL+"/proxy", nil)
	if m := c.next(t); m != "t:upstream says hi proxied" {
		t.Fatalf("proxied greeting %q", m)
	}
	c.SendText("x")
	if m := c.next(t); m != "t:up:x" {
		t.Fatalf("proxied echo %q", m)
	}
	c.Conn.Close(1000, "")
	if e := c.end(t); e != "1000  true" {
		t.Fatalf("proxied close %q", e)
	}
	noSocketsLeft(t, w)
}

// TestWebSocketTransfer passes a socket through exportWebSocket and
// importWebSocket (what a Durable Object's 101 response to a stub in
// another isolate does) before returning it.
func TestWebSocketTransfer(t *testing.T) {
	_, srv := newTestWorker(t, `
export default { async fetch(req) {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  server.addEventListener("message", (e) => server.send("far:" + e.data));
  const token = globalThis.__wsTransfer.exp(client);
  const near = globalThis.__wsTransfer.imp(token);
  let err = "";
  try { near.accept(); } catch (e) { err = e.message; }
  try { globalThis.__wsTransfer.imp(token); } catch (e) { err += " | " + e.message; }
  server.send(err);
  return new Response(null, { status: 101, webSocket: near });
} };
`, func(c *Config) {
		c.Extensions = append(c.Extensions, Extension{Name: "transfer", Script: `globalThis.__wsTransfer = { exp: __zs_internal.exportWebSocket, imp: __zs_internal.importWebSocket };`})
	})
	c := dialWS(t, srv.URL, nil)
	if m := c.next(t); !strings.Contains(m, "return it in a Response") || !strings.Contains(m, "already used or has expired") {
		t.Fatalf("errors: %q", m)
	}
	c.SendText("x")
	if m := c.next(t); m != "t:far:x" {
		t.Fatalf("echo through the transfer: %q", m)
	}
	c.Conn.Close(1000, "")
	if e := c.end(t); e != "1000  true" {
		t.Fatalf("close: %q", e)
	}
}

func TestWebSocketConnectFails(t *testing.T) {
	// A port nothing listens on.
	dead := httptest.NewServer(http.NotFoundHandler())
	url := "ws" + strings.TrimPrefix(dead.URL, "http")
	dead.Close()
	_, srv := newTestWorker(t, `
export default { async fetch(req, env) {
  const ws = new WebSocket(env.DEAD);
  const ev = await new Promise((resolve) => ws.addEventListener("error", resolve));
  let accept = "";
  try { ws.accept(); } catch (e) { accept = e.message; }
  return Response.json([ev.constructor.name, ev.message.startsWith("WebSocket connection failed"), ws.readyState, accept]);
} };
`, func(c *Config) { c.Vars = map[string]any{"DEAD": url} })
	_, body, _ := get(t, srv.URL)
	if want := `["ErrorEvent",true,3,"Websockets obtained from the 'new WebSocket()' constructor cannot call accept"]`; body != want {
		t.Fatalf("got %s\nwant %s", body, want)
	}
}
