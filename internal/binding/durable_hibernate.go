package binding

// WebSocket Hibernation for Durable Objects. An object that accepted
// WebSockets with ctx.acceptWebSocket and handles them with
// webSocketMessage/webSocketClose methods is evicted like any idle object:
// JavaScript gives up its sockets (forgetWebSocket) and the host parks each
// connection in Go (webapi.Runtime.ParkWebSocket) with its tags, its
// serialized attachment and the object's auto-response. A parked
// connection costs no isolate memory. A message that matches the
// auto-response is answered from Go; any other message (or a close) wakes
// the object: a "wake" event constructs it in an isolate, which adopts every
// parked connection of the object (AdoptWebSocket) with its attachment, and
// then the message is delivered. The connection's reader waits in the
// handler meanwhile, so nothing is lost or reordered.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
	"github.com/zerostack/zerostack/internal/websocket"
)

// parkedObject is the hibernated state of one object's sockets.
type parkedObject struct {
	mu      sync.Mutex
	key     string
	script  string
	class   string
	id      string
	sockets []*parkedSocket
	auto    *[2]string
	timeout float64 // setHibernatableWebSocketEventTimeout's, in ms (0: none)
	// woken is where the sockets were adopted by the last wake, by
	// connection: the runtime and the new host socket id.
	woken map[*websocket.Conn]adopted
}

type adopted struct {
	rt  *webapi.Runtime
	hid int
}

type parkedSocket struct {
	p      *parkedObject
	h      *DurableHost
	conn   *websocket.Conn
	tags   []string
	attach []byte
	autoAt float64 // when it last got the auto-response, in ms since the epoch (0: never)
}

// installHibernation defines doHibernate and doAdopt on rt.
func (h *DurableHost) installHibernation(rt *webapi.Runtime, s *rtState, obj func(c *v8.Call) (*dobject, error)) {
	// doHibernate(h, bytes, n): bytes list the object's sockets as
	// js/durable.js's hibernate() packs them.
	rt.Func("doHibernate", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		b, err := c.Bytes(1, int(c.Int(2)))
		if err != nil {
			return nil, err
		}
		script, class, _ := strings.Cut(o.ns, ":")
		p := &parkedObject{key: o.key, script: script, class: class, id: o.id}
		rd := &reader{b: b}
		n := rd.u32()
		for i := 0; i < n && rd.err == nil; i++ {
			ps := &parkedSocket{p: p, h: h}
			hid := rd.u32()
			nt := rd.u32()
			for j := 0; j < nt && rd.err == nil; j++ {
				ps.tags = append(ps.tags, string(rd.bytes()))
			}
			ps.attach = append([]byte(nil), rd.bytes()...)
			ps.autoAt = rd.f64()
			if rd.err != nil {
				break
			}
			conn := rt.ParkWebSocket(hid, ps)
			if conn == nil {
				h.log.Warn("durable object hibernation: a socket could not be parked and was dropped", "object", o.key)
				continue
			}
			ps.conn = conn
			p.sockets = append(p.sockets, ps)
		}
		if rd.u8() == 1 {
			p.auto = &[2]string{string(rd.bytes()), string(rd.bytes())}
		}
		p.timeout = rd.f64()
		if rd.err != nil {
			return nil, errors.New("durable object hibernation: malformed socket list")
		}
		h.mu.Lock()
		if old := h.parked[o.key]; old != nil {
			// Sockets parked by an earlier hibernation that were not woken.
			old.mu.Lock()
			p.sockets = append(old.sockets, p.sockets...)
			for _, ps := range old.sockets {
				ps.p = p
			}
			old.mu.Unlock()
		}
		h.parked[o.key] = p
		h.mu.Unlock()
		return nil, nil
	})
	// doAdopt(h) → the parked sockets of the object, adopted into rt: u32
	// count; per socket u32 host id, u32 tag count, tags, attachment, f64
	// auto-response time; then u8 has-auto-response and its two strings,
	// and the f64 event timeout.
	rt.Func("doAdopt", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		h.mu.Lock()
		p := h.parked[o.key]
		delete(h.parked, o.key)
		h.mu.Unlock()
		out := binary.BigEndian.AppendUint32(nil, 0)
		if p == nil {
			return s.ret(binary.BigEndian.AppendUint64(append(out, 0), 0)), nil
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		p.woken = map[*websocket.Conn]adopted{}
		n := 0
		for _, ps := range p.sockets {
			hid := rt.AdoptWebSocket(ps.conn)
			p.woken[ps.conn] = adopted{rt, hid}
			out = binary.BigEndian.AppendUint32(out, uint32(hid))
			out = binary.BigEndian.AppendUint32(out, uint32(len(ps.tags)))
			for _, t := range ps.tags {
				out = binary.BigEndian.AppendUint32(out, uint32(len(t)))
				out = append(out, t...)
			}
			out = binary.BigEndian.AppendUint32(out, uint32(len(ps.attach)))
			out = append(out, ps.attach...)
			out = binary.BigEndian.AppendUint64(out, math.Float64bits(ps.autoAt))
			n++
		}
		binary.BigEndian.PutUint32(out, uint32(n))
		p.sockets = nil
		if p.auto != nil {
			out = append(out, 1)
			for _, x := range p.auto {
				out = binary.BigEndian.AppendUint32(out, uint32(len(x)))
				out = append(out, x...)
			}
		} else {
			out = append(out, 0)
		}
		out = binary.BigEndian.AppendUint64(out, math.Float64bits(p.timeout))
		return s.ret(out), nil
	})
}

// wake constructs the object of p in an isolate, which adopts p's sockets,
// and returns where c now lives.
func (ps *parkedSocket) wake(c *websocket.Conn) (adopted, bool) {
	p := ps.p
	_, err := ps.h.deliver(p.script, p.class, p.id, wakeMessage(p.class, p.id), nil, capScope{})
	if err != nil {
		ps.h.log.Error("durable object wake", "object", p.key, "err", err)
		return adopted{}, false
	}
	p.mu.Lock()
	a, ok := p.woken[c]
	p.mu.Unlock()
	return a, ok
}

// Message implements websocket.Handler for a parked connection.
func (ps *parkedSocket) Message(c *websocket.Conn, text bool, data []byte) {
	ps.p.mu.Lock()
	auto := ps.p.auto
	ps.p.mu.Unlock()
	if auto != nil && text && string(data) == auto[0] {
		ps.p.mu.Lock()
		ps.autoAt = float64(time.Now().UnixMilli())
		ps.p.mu.Unlock()
		c.SendText(auto[1])
		return
	}
	a, ok := ps.wake(c)
	if !ok {
		c.Close(1011, "Durable Object could not be woken")
		return
	}
	done := make(chan struct{})
	if !a.rt.Loop.Enqueue(func() { a.rt.DeliverWebSocketMessage(a.hid, text, data); close(done) }) {
		c.Abort()
		return
	}
	<-done
}

// Close implements websocket.Handler: the object wakes to see the close.
func (ps *parkedSocket) Close(c *websocket.Conn, code int, reason string, clean bool) {
	a, ok := ps.wake(c)
	if !ok {
		return
	}
	a.rt.Loop.Enqueue(func() { a.rt.DeliverWebSocketClose(a.hid, code, reason, clean) })
}

// Error implements websocket.Handler: the connection is gone; forget it.
func (ps *parkedSocket) Error(c *websocket.Conn, err error) {
	p := ps.p
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, x := range p.sockets {
		if x == ps {
			p.sockets = append(p.sockets[:i], p.sockets[i+1:]...)
			break
		}
	}
}

// Parked reports how many WebSocket connections are held for hibernated
// objects, for tests.
func (h *DurableHost) Parked() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, p := range h.parked {
		p.mu.Lock()
		n += len(p.sockets)
		p.mu.Unlock()
	}
	return n
}

func wakeMessage(class, id string) []byte {
	var b []byte
	b = append(b, tagObject)
	b = binary.BigEndian.AppendUint32(b, 3)
	for _, kv := range [][2]string{{"op", "wake"}, {"cls", class}, {"id", id}} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(kv[0])))
		b = append(b, kv[0]...)
		b = append(b, tagString)
		b = binary.BigEndian.AppendUint32(b, uint32(len(kv[1])))
		b = append(b, kv[1]...)
	}
	return b
}

// reader reads the big-endian packing of js/durable.js's Writer.
type reader struct {
	b   []byte
	p   int
	err error
}

func (r *reader) need(n int) bool {
	if r.err != nil || n < 0 || r.p+n > len(r.b) {
		r.err = fmt.Errorf("durable: truncated data")
		return false
	}
	return true
}

func (r *reader) u8() int {
	if !r.need(1) {
		return 0
	}
	r.p++
	return int(r.b[r.p-1])
}

func (r *reader) u32() int {
	if !r.need(4) {
		return 0
	}
	r.p += 4
	return int(binary.BigEndian.Uint32(r.b[r.p-4:]))
}

func (r *reader) f64() float64 {
	if !r.need(8) {
		return 0
	}
	r.p += 8
	return math.Float64frombits(binary.BigEndian.Uint64(r.b[r.p-8:]))
}

func (r *reader) bytes() []byte {
	n := r.u32()
	if !r.need(n) {
		return nil
	}
	r.p += n
	return r.b[r.p-n : r.p]
}
