package webapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/websocket"
)

// WebSockets (js/websocket.js) whose other end is a network connection use a
// host socket: an entry of the runtime's socket table that holds the
// *websocket.Conn, or, for the server end of a pair returned in a 101
// response, what JavaScript sent before the HTTP connection was upgraded.
// Connections live in Go (see package websocket's doc): JavaScript holds only
// the id, and what arrives is delivered as a task on the isolate's loop.

// wsTable is a runtime's host sockets. It belongs to the isolate thread,
// except done, which is closed when the runtime closes.
type wsTable struct {
	next    int
	socks   map[int]*hostSocket
	done    chan struct{}
	deliver *v8.Function
}

// hostSocket is one host socket.
type hostSocket struct {
	conn     *websocket.Conn
	pending  []outMsg // sent before conn was attached
	accepted bool     // JavaScript called accept(): start reading
	closing  bool     // JavaScript sent a Close
	// outbound connections (fetch, new WebSocket) count as pending work of
	// the loop while JavaScript reads them, as in workerd, so that a
	// request awaiting their messages is not taken for hung; release ends
	// that. Incoming connections do not: their requests are over.
	outbound bool
	release  func(func())
	// forward is set on a socket imported from another isolate
	// (wsImport): returning it in a 101 response serves that upgrade.
	forward *WebSocketUpgrade
}

type outMsg struct {
	text   bool
	close  bool
	s      string
	b      []byte
	code   int
	reason string
}

func (m outMsg) sendTo(c *websocket.Conn) {
	switch {
	case m.close:
		c.Close(m.code, m.reason)
	case m.text:
		c.SendText(m.s)
	default:
		c.SendBinary(m.b)
	}
}

func installWebSocket(r *Runtime) {
	r.ws = &wsTable{socks: map[int]*hostSocket{}, done: make(chan struct{})}
	t := r.ws
	installWebSocketTransfer(r)
	// wsNew() makes a host socket without a connection yet (the server
	// end of a pair being returned in a 101 response) and returns its id.
	r.Func("wsNew", func(c *v8.Call) (any, error) {
		t.next++
		t.socks[t.next] = &hostSocket{}
		return t.next, nil
	})
	// wsSend(hid, 1, text) or wsSend(hid, 2, sab, n).
	r.Func("wsSend", func(c *v8.Call) (any, error) {
		hs := t.socks[int(c.Int(0))]
		if hs == nil {
			return nil, nil
		}
		var m outMsg
		if c.Int(1) == 1 {
			m = outMsg{text: true, s: c.String(2)}
		} else {
			b, err := c.Bytes(2, int(c.Int(3)))
			if err != nil {
				return nil, err
			}
			m = outMsg{b: b}
		}
		if hs.conn == nil {
			hs.pending = append(hs.pending, m)
		} else {
			m.sendTo(hs.conn)
		}
		return nil, nil
	})
	// wsClose(hid, code, reason): code 1005 sends a Close without a body.
	r.Func("wsClose", func(c *v8.Call) (any, error) {
		hid := int(c.Int(0))
		hs := t.socks[hid]
		if hs == nil || hs.closing {
			return nil, nil
		}
		hs.closing = true
		m := outMsg{close: true, code: int(c.Int(1)), reason: c.String(2)}
		if hs.conn == nil {
			hs.pending = append(hs.pending, m)
		} else {
			m.sendTo(hs.conn)
			if !hs.accepted {
				// Nobody will read it (a new WebSocket() closed while it
				// connected): the Conn shuts down once its Close is sent.
				t.drop(hid)
			}
		}
		return nil, nil
	})
	// wsAccept(hid): JavaScript listens; start reading the connection.
	r.Func("wsAccept", func(c *v8.Call) (any, error) {
		hid := int(c.Int(0))
		if hs := t.socks[hid]; hs != nil && !hs.accepted {
			hs.accepted = true
			if hs.outbound {
				hs.release = r.Loop.Register()
			}
			if hs.conn != nil {
				hs.conn.Start(jsHandler{r, hid})
			}
		}
		return nil, nil
	})
	// wsConnect(promise, url, headersWire) opens an outbound connection
	// and resolves to {status, statusText, headers, body, hid, protocol,
	// extensions}: hid 0 and the response when the server refused.
	r.Async("wsConnect", func(c *v8.Call) (Work, error) {
		url, wire := c.String(1), c.String(2)
		h := http.Header{}
		parts := strings.Split(wire, "\n")
		for i := 0; i+1 < len(parts); i += 2 {
			h.Add(parts[i], parts[i+1])
		}
		return func() (any, error) {
			conn, resp, err := websocket.Dial(context.Background(), url, h)
			if err != nil {
				r.log.Debug("websocket connect", "url", url, "err", err)
				return nil, &v8.TypeError{Msg: "WebSocket connection failed: " + err.Error()}
			}
			head := wsHead{Status: resp.StatusCode, StatusText: strings.TrimSpace(strings.TrimPrefix(resp.Status, itoa(resp.StatusCode))), Headers: headerWire(resp.Header)}
			return OnLoop(func() (any, error) {
				if conn == nil {
					head.Body = r.AddReader(resp.Body)
				} else {
					t.next++
					head.HID = t.next
					head.Protocol = conn.Protocol()
					head.Extensions = conn.Extensions()
					t.socks[t.next] = &hostSocket{conn: conn, outbound: true}
				}
				return jsonResult(head)
			}), nil
		}, nil
	})
}

// exported holds WebSocket upgrades on their way from one isolate to
// another (a Durable Object's 101 response to a stub.fetch() from another
// isolate), by token. A token not imported within exportTTL is cancelled.
var (
	exported  sync.Map // int64 → *WebSocketUpgrade
	exportSeq atomic.Int64
)

const exportTTL = time.Minute

func installWebSocketTransfer(r *Runtime) {
	t := r.ws
	// wsExport(hid) hands host socket hid (see coupleToHost) to another
	// isolate and returns the token to pass there.
	r.Func("wsExport", func(c *v8.Call) (any, error) {
		u := r.WebSocketUpgrade(int(c.Int(0)))
		tok := exportSeq.Add(1)
		exported.Store(tok, u)
		time.AfterFunc(exportTTL, func() {
			if v, ok := exported.LoadAndDelete(tok); ok {
				v.(*WebSocketUpgrade).Cancel()
			}
		})
		return tok, nil
	})
	// wsImport(token) makes a host socket in this isolate for an exported
	// upgrade and returns its id: returning it in a 101 response serves it.
	r.Func("wsImport", func(c *v8.Call) (any, error) {
		v, ok := exported.LoadAndDelete(c.Int(0))
		if !ok {
			return nil, &v8.TypeError{Msg: "This WebSocket was already used or has expired."}
		}
		t.next++
		t.socks[t.next] = &hostSocket{forward: v.(*WebSocketUpgrade)}
		return t.next, nil
	})
}

// wsHead is what wsConnect resolves to.
type wsHead struct {
	Status     int    `json:"status"`
	StatusText string `json:"statusText"`
	Headers    string `json:"headers"`
	Body       int    `json:"body"`
	HID        int    `json:"hid"`
	Protocol   string `json:"protocol"`
	Extensions string `json:"extensions"`
}

func headerWire(h http.Header) string {
	var sb strings.Builder
	for k, vs := range h {
		lk := strings.ToLower(k)
		for _, v := range vs {
			sb.WriteString(lk)
			sb.WriteByte('\n')
			sb.WriteString(v)
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// WebSockets reports how many host sockets the runtime holds (connections
// and sockets waiting for one), for tests and statistics. Call it on the
// isolate thread.
func (r *Runtime) WebSockets() int { return len(r.ws.socks) }

// closeWebSockets ends the runtime's connections (the isolate is going
// away) with 1001 Going Away.
func (r *Runtime) closeWebSockets() {
	t := r.ws
	if t == nil {
		return
	}
	close(t.done)
	for id, hs := range t.socks {
		if hs.conn != nil {
			hs.conn.Close(websocket.CloseGoingAway, "")
		}
		if hs.forward != nil {
			hs.forward.Cancel()
		}
		t.drop(id)
	}
	if t.deliver != nil {
		t.deliver.Release()
	}
}

// WebSocketUpgrade is the WebSocket of a 101 response that JavaScript
// returned, waiting for its HTTP connection to be upgraded. Get one on the
// isolate thread with [Runtime.WebSocketUpgrade]; call Serve from the HTTP
// handler's goroutine.
type WebSocketUpgrade struct {
	r   *Runtime
	hid int
	// proxy is set when JavaScript returned a WebSocket it got from
	// fetch(): the two connections are joined in Go.
	proxy *websocket.Conn
}

// WebSocketUpgrade takes host socket hid (as returned by js/websocket.js's
// coupleToHost) for a 101 response. It must be called on the isolate thread.
func (r *Runtime) WebSocketUpgrade(hid int) *WebSocketUpgrade {
	u := &WebSocketUpgrade{r: r, hid: hid}
	if hs := r.ws.socks[hid]; hs != nil && hs.forward != nil {
		r.ws.drop(hid)
		return hs.forward
	}
	if hs := r.ws.socks[hid]; hs != nil && hs.conn != nil {
		// A connection from fetch() returned as is: Go carries it.
		u.proxy = hs.conn
		delete(r.ws.socks, hid)
	}
	return u
}

// Serve upgrades the client's connection (w, req) with the response header
// fields h and attaches it to the JavaScript socket. When the upgrade fails
// it answers with an error and the JavaScript socket sees a Close (1006).
func (u *WebSocketUpgrade) Serve(w http.ResponseWriter, req *http.Request, h http.Header) {
	conn, err := websocket.Upgrade(w, req, h)
	if err != nil {
		var he *websocket.HandshakeError
		switch {
		case errors.As(err, &he):
			http.Error(w, he.Msg, he.Status)
		case errors.Is(err, websocket.ErrNotHijackable):
			// HTTP/2 (no WebSockets over it here): nothing was written.
			http.Error(w, "WebSockets need HTTP/1.1 here; this request came over "+req.Proto+".", http.StatusHTTPVersionNotSupported)
		}
		if u.proxy != nil {
			u.proxy.Close(websocket.CloseGoingAway, "")
			return
		}
		u.r.Loop.Enqueue(func() {
			u.r.wsEnded(u.hid, websocket.CloseAbnormal, "WebSocket disconnected without sending Close frame.", false)
		})
		return
	}
	if u.proxy != nil {
		conn.Start(proxyHandler{u.proxy})
		u.proxy.Start(proxyHandler{conn})
		return
	}
	if !u.r.Loop.Enqueue(func() { u.r.wsAttach(u.hid, conn) }) {
		conn.Close(websocket.CloseGoingAway, "")
	}
}

// Cancel gives up the upgrade (the response was never sent).
func (u *WebSocketUpgrade) Cancel() {
	if u.proxy != nil {
		u.proxy.Close(websocket.CloseGoingAway, "")
		return
	}
	u.r.Loop.Enqueue(func() {
		u.r.wsEnded(u.hid, websocket.CloseAbnormal, "WebSocket disconnected without sending Close frame.", false)
	})
}

// wsAttach gives host socket hid its connection, on the isolate thread.
func (r *Runtime) wsAttach(hid int, conn *websocket.Conn) {
	hs := r.ws.socks[hid]
	if hs == nil {
		conn.Close(websocket.CloseGoingAway, "")
		return
	}
	hs.conn = conn
	for _, m := range hs.pending {
		m.sendTo(conn)
	}
	hs.pending = nil
	if hs.accepted {
		conn.Start(jsHandler{r, hid})
	}
}

// wsEnded reports the end of host socket hid's incoming side to
// JavaScript, on the isolate thread.
func (r *Runtime) wsEnded(hid int, code int, reason string, clean bool) {
	if _, ok := r.ws.socks[hid]; !ok {
		return
	}
	r.ws.drop(hid)
	r.wsCall(hid, 4, code, reason, clean)
}

// drop forgets host socket hid.
func (t *wsTable) drop(hid int) {
	if hs := t.socks[hid]; hs != nil {
		if hs.release != nil {
			hs.release(noop)
			hs.release = nil
		}
		delete(t.socks, hid)
	}
}

func noop() {}

// wsCall calls js/websocket.js's deliver(hid, kind, a, b, c).
func (r *Runtime) wsCall(hid int, kind int, args ...any) {
	t := r.ws
	if t.deliver == nil {
		f, err := r.Iso.Global("__zs_ws")
		if err != nil {
			r.log.Warn("websocket delivery", "err", err)
			return
		}
		t.deliver = f
	}
	v, err := t.deliver.Call(append([]any{hid, kind}, args...)...)
	v.Release()
	r.checkCall(err, "websocket event")
}

// wsMessage delivers a message on the isolate thread.
func (r *Runtime) wsMessage(hid int, text bool, data []byte) {
	if _, ok := r.ws.socks[hid]; !ok {
		return
	}
	switch {
	case text:
		r.wsCall(hid, 1, string(data))
	case len(data) <= len(r.Iso.Scratch()):
		copy(r.Iso.Scratch(), data)
		r.wsCall(hid, 2, len(data))
	default:
		h := r.handle()
		r.big[h] = data
		r.wsCall(hid, 3, len(data), h)
		delete(r.big, h)
	}
}

// jsHandler delivers a connection's events to its JavaScript socket.
type jsHandler struct {
	r   *Runtime
	hid int
}

// Message waits until JavaScript has dispatched the message (or the
// runtime closed): that is the connection's backpressure.
func (h jsHandler) Message(c *websocket.Conn, text bool, data []byte) {
	if h.onLoop(c, func() bool {
		if _, ok := h.r.ws.socks[h.hid]; !ok {
			return false
		}
		h.r.wsMessage(h.hid, text, data)
		return true
	}) {
		return
	}
	if nh := c.Handler(); nh != websocket.Handler(h) {
		nh.Message(c, text, data)
	}
}

func (h jsHandler) Close(c *websocket.Conn, code int, reason string, clean bool) {
	if h.onLoop(c, func() bool { return h.deliverClose(code, reason, clean) }) {
		return
	}
	if nh := c.Handler(); nh != websocket.Handler(h) {
		nh.Close(c, code, reason, clean)
	}
}

func (h jsHandler) Error(c *websocket.Conn, err error) {
	if h.onLoop(c, func() bool {
		if _, ok := h.r.ws.socks[h.hid]; !ok {
			return false
		}
		h.r.ws.drop(h.hid)
		h.r.wsCall(h.hid, 5, err.Error())
		return true
	}) {
		return
	}
	if nh := c.Handler(); nh != websocket.Handler(h) {
		nh.Error(c, err)
	}
}

// onLoop runs f on the isolate thread and waits for it. It reports false
// when f found the socket gone from the runtime: it was parked
// (hibernation) while the event waited, and the caller hands the event to
// the connection's new handler instead, so nothing is lost. When the
// runtime is closed it reports true (the connection is being closed).
func (h jsHandler) onLoop(c *websocket.Conn, f func() bool) bool {
	done := make(chan bool, 1)
	if !h.r.Loop.Enqueue(func() { done <- f() }) {
		c.Abort()
		return true
	}
	select {
	case ok := <-done:
		return ok
	case <-h.r.ws.done:
		return true
	}
}

func (h jsHandler) deliverClose(code int, reason string, clean bool) bool {
	hs := h.r.ws.socks[h.hid]
	if hs == nil {
		return false
	}
	h.r.wsCall(h.hid, 4, code, reason, clean)
	// JavaScript answers a Close with its own (unless it allows half-open
	// connections, and then it may still send and close later).
	if hs.closing || !clean {
		h.r.ws.drop(h.hid)
		return true
	}
	if hs.release != nil {
		// Nothing more can arrive.
		hs.release(noop)
		hs.release = nil
	}
	// A half-open socket (accept({allowHalfOpen: true})) may still send;
	// the connection drops it if JavaScript never closes, so forget it
	// after that too.
	r, hid := h.r, h.hid
	time.AfterFunc(halfOpenLimit, func() {
		r.Loop.Enqueue(func() {
			if r.ws.socks[hid] == hs {
				r.ws.drop(hid)
			}
		})
	})
	return true
}

// halfOpenLimit is how long a host socket outlives a received Close that
// JavaScript does not answer: a little more than the connection waits.
const halfOpenLimit = 15 * time.Second

// proxyHandler forwards what one connection reads to another.
type proxyHandler struct{ to *websocket.Conn }

func (p proxyHandler) Message(c *websocket.Conn, text bool, data []byte) {
	if text {
		p.to.SendText(string(data))
	} else {
		p.to.SendBinary(data)
	}
}

func (p proxyHandler) Close(c *websocket.Conn, code int, reason string, clean bool) {
	if !clean {
		p.to.Abort()
		return
	}
	p.to.Close(code, reason)
}

func (p proxyHandler) Error(c *websocket.Conn, err error) { p.to.Abort() }

// Hibernation. A Durable Object that accepted WebSockets with
// ctx.acceptWebSocket can be evicted while its connections stay open: the
// object host parks each socket (ParkWebSocket) with a handler of its own,
// keeping the connection (and whatever it keeps beside it: tags, the
// serialized attachment) in Go. When a message arrives, that handler wakes
// the object in some isolate, adopts the connection there (AdoptWebSocket),
// has JavaScript make a fresh WebSocket for it (__zs_internal.adoptWebSocket)
// and delivers the message (DeliverWebSocketMessage). The reader goroutine
// waits in the handler meanwhile, so nothing is lost or reordered.

// ParkWebSocket detaches host socket hid from the runtime without closing
// its connection: JavaScript's WebSocket for it gets no more events, and the
// connection's events go to h from now on. It returns the connection, or nil
// when hid has no connection (not upgraded yet, or over). Call it on the
// isolate thread, after JavaScript gave up the socket (forgetWebSocket).
func (r *Runtime) ParkWebSocket(hid int, h websocket.Handler) *websocket.Conn {
	hs := r.ws.socks[hid]
	if hs == nil || hs.conn == nil || len(hs.pending) > 0 {
		return nil
	}
	conn := hs.conn
	hs.conn = nil
	r.ws.drop(hid)
	conn.SetHandler(h)
	return conn
}

// AdoptWebSocket makes conn a host socket of r and returns its id; its
// events are delivered to the WebSocket that js/websocket.js's
// adoptWebSocket(hid) makes. Call it on the isolate thread.
func (r *Runtime) AdoptWebSocket(conn *websocket.Conn) int {
	t := r.ws
	t.next++
	t.socks[t.next] = &hostSocket{conn: conn, accepted: true}
	conn.Start(jsHandler{r, t.next})
	return t.next
}

// DeliverWebSocketMessage delivers a message that arrived while the socket
// was parked to host socket hid, on the isolate thread.
func (r *Runtime) DeliverWebSocketMessage(hid int, text bool, data []byte) {
	r.wsMessage(hid, text, data)
}

// DeliverWebSocketClose delivers the end of a parked socket's incoming side
// (see [websocket.Handler]'s Close) to host socket hid, on the isolate
// thread.
func (r *Runtime) DeliverWebSocketClose(hid int, code int, reason string, clean bool) {
	jsHandler{r, hid}.deliverClose(code, reason, clean)
}
