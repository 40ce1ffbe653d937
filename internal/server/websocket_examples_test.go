package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/websocket"
)

// wsPeer is a real WebSocket client for end-to-end tests.
type wsPeer struct {
	conn   *websocket.Conn
	msgs   chan string
	closed chan string
}

func (p *wsPeer) Message(_ *websocket.Conn, text bool, data []byte) {
	if text {
		p.msgs <- string(data)
	} else {
		p.msgs <- "binary:" + string(data)
	}
}
func (p *wsPeer) Close(_ *websocket.Conn, code int, reason string, clean bool) {
	p.closed <- fmt.Sprintf("%d %s %v", code, reason, clean)
}
func (p *wsPeer) Error(_ *websocket.Conn, err error) { p.closed <- "error: " + err.Error() }

func dialPeer(t *testing.T, url string) *wsPeer {
	t.Helper()
	conn, resp, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(url, "http"), nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	if conn == nil {
		resp.Body.Close()
		t.Fatalf("dial %s: status %d", url, resp.StatusCode)
	}
	p := &wsPeer{conn: conn, msgs: make(chan string, 64), closed: make(chan string, 1)}
	conn.Start(p)
	t.Cleanup(conn.Abort)
	return p
}

// next returns the next message, or the close if the server closed first.
func (p *wsPeer) next(t *testing.T) string {
	t.Helper()
	select {
	case m := <-p.msgs:
		return m
	case c := <-p.closed:
		return "closed " + c
	case <-time.After(10 * time.Second):
		t.Fatal("nothing from the server")
		return ""
	}
}

func TestExampleHonoWebSocket(t *testing.T) {
	d := startExample(t, "hono-websocket", nil)
	if r := do(t, "GET", d.URL()+"/ws/echo", "", nil); r.status == 101 || r.status < 400 {
		// Hono's helper falls through to its 404 without Upgrade.
		t.Fatalf("plain GET of /ws/echo: %d %q", r.status, r.body)
	}
	e := dialPeer(t, d.URL()+"/ws/echo")
	e.conn.SendText("hello")
	if m := e.next(t); m != "echo: hello" {
		t.Fatalf("echo: %q", m)
	}
	e.conn.SendBinary([]byte{1, 2, 3})
	if m := e.next(t); m != "binary:\x01\x02\x03" {
		t.Fatalf("binary echo: %q", m)
	}
	e.conn.SendText("bye")
	if m := e.next(t); m != "closed 4000 bye true" {
		t.Fatalf("server close: %q", m)
	}

	// The guide's chat room, unchanged: Hono's Cloudflare adapter never
	// calls onOpen, so nobody is in `connections` and a message is
	// broadcast to no one (as on Cloudflare). What the server sends before
	// its reply to our Close would arrive first: nothing does.
	a := dialPeer(t, d.URL()+"/ws/chat/lobby")
	b := dialPeer(t, d.URL()+"/ws/chat/lobby")
	a.conn.SendText(`{"user":"ann","text":"hi"}`)
	a.conn.Close(1000, "done")
	if m := a.next(t); m != "closed 1000 done true" {
		t.Fatalf("chat: %q before the close", m)
	}
	b.conn.Close(1000, "")
	if m := b.next(t); m != "closed 1000  true" {
		t.Fatalf("chat b: %q before the close", m)
	}
}
