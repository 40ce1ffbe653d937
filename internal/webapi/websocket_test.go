package webapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/websocket"
)

// rtThread runs a Runtime on its own locked thread, with its loop.
type rtThread struct {
	r    *Runtime
	do   chan func()
	quit chan struct{}
}

func startRuntime(t *testing.T) *rtThread {
	t.Helper()
	x := &rtThread{do: make(chan func()), quit: make(chan struct{})}
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		r, err := New(Options{})
		if err != nil {
			ready <- err
			return
		}
		x.r = r
		ready <- nil
		for {
			select {
			case f := <-x.do:
				f()
				r.Iso.Microtasks()
				r.Iso.EndTask()
			case <-r.Loop.Wake():
				r.RunTasks()
			case <-x.quit:
				r.Close()
				return
			}
		}
	}()
	if err := <-ready; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { close(x.quit) })
	return x
}

func (x *rtThread) run(f func()) {
	done := make(chan struct{})
	x.do <- func() { f(); close(done) }
	<-done
}

func (x *rtThread) eval(t *testing.T, src string) {
	t.Helper()
	var err error
	x.run(func() {
		s, cerr := x.r.Iso.Compile(src, "test", nil)
		if cerr != nil {
			err = cerr
			return
		}
		v, rerr := s.Run()
		v.Release()
		err = rerr
	})
	if err != nil {
		t.Fatal(err)
	}
}

// chanHandler forwards a connection's events to channels.
type chanHandler struct{ msgs, ends chan string }

func newChanHandler() chanHandler {
	return chanHandler{make(chan string, 16), make(chan string, 4)}
}
func (h chanHandler) Message(_ *websocket.Conn, text bool, data []byte) { h.msgs <- string(data) }
func (h chanHandler) Close(_ *websocket.Conn, code int, reason string, clean bool) {
	h.ends <- strconv.Itoa(code) + " " + reason
}
func (h chanHandler) Error(_ *websocket.Conn, err error) { h.ends <- err.Error() }

func recv(t *testing.T, ch chan string) string {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("nothing arrived")
		return ""
	}
}

// TestWebSocketParkAndAdopt moves a live connection from one runtime to
// another through a parked state, as hibernation does: the message that
// arrives while parked is delivered to the new runtime's WebSocket, and
// the client sees no break.
func TestWebSocketParkAndAdopt(t *testing.T) {
	conns := make(chan *websocket.Conn, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Upgrade(w, r, nil)
		if err == nil {
			conns <- c
		}
	}))
	defer srv.Close()
	client, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	fromServer := newChanHandler()
	client.Start(fromServer)
	conn := <-conns

	a, b := startRuntime(t), startRuntime(t)
	echo := func(name string) string {
		return `globalThis.ws = __zs_internal.adoptWebSocket(HID);
ws.addEventListener("message", (e) => ws.send("` + name + `:" + e.data));
ws.addEventListener("close", (e) => ws.send("never"));`
	}
	var hid int
	a.run(func() { hid = a.r.AdoptWebSocket(conn) })
	a.eval(t, strings.ReplaceAll(echo("A"), "HID", strconv.Itoa(hid)))
	client.SendText("1")
	if m := recv(t, fromServer.msgs); m != "A:1" {
		t.Fatalf("before parking: %q", m)
	}

	// Park while a message is already queued for runtime A: the message
	// must reach the parked handler, not vanish with A's socket.
	parked := newChanHandler()
	var got *websocket.Conn
	release := make(chan struct{})
	parkedDone := make(chan struct{})
	go a.run(func() {
		<-release
		v, err := a.r.Iso.Compile(`__zs_internal.forgetWebSocket(ws)`, "forget", nil)
		if err != nil {
			t.Error(err)
			return
		}
		r, _ := v.Run()
		if int(r.Int()) != hid {
			t.Errorf("forgetWebSocket = %d, want %d", r.Int(), hid)
		}
		r.Release()
		got = a.r.ParkWebSocket(hid, parked)
		close(parkedDone)
	})
	client.SendText("2")
	for a.r.Loop.Pending() == 0 {
		runtime.Gosched() // until the reader has queued the message for A
	}
	close(release)
	<-parkedDone
	if got != conn {
		t.Fatal("ParkWebSocket did not return the connection")
	}
	if m := recv(t, parked.msgs); m != "2" {
		t.Fatalf("parked message %q", m)
	}

	var hid2 int
	b.run(func() { hid2 = b.r.AdoptWebSocket(got) })
	b.eval(t, strings.ReplaceAll(echo("B"), "HID", strconv.Itoa(hid2)))
	b.run(func() { b.r.DeliverWebSocketMessage(hid2, true, []byte("2")) })
	if m := recv(t, fromServer.msgs); m != "B:2" {
		t.Fatalf("after adoption: %q", m)
	}
	client.SendText("3")
	if m := recv(t, fromServer.msgs); m != "B:3" {
		t.Fatalf("after adoption: %q", m)
	}
	// Runtime A's old WebSocket is silent: its send was ignored.
	a.eval(t, `ws.send("stale")`)
	client.Close(4000, "bye")
	if e := recv(t, fromServer.ends); e != "4000 bye" {
		t.Fatalf("close %q", e)
	}
	select {
	case m := <-fromServer.msgs:
		t.Fatalf("unexpected message %q", m)
	default:
	}
}
