// Package websocket is RFC 6455 WebSockets for the Workers runtime: the
// server handshake on a hijacked net/http connection ([Upgrade]), the client
// handshake ([Dial]), and framed connections ([Conn]) that live in Go
// independently of any JavaScript isolate.
//
// # Design
//
// A [Conn] is owned by Go, not by the isolate that uses it. JavaScript holds a
// thin handle (a WebSocket object that knows the connection's id in its
// runtime); messages reach JavaScript as tasks on the owning isolate's event
// loop, delivered by the [Handler] the runtime installs with [Conn.Start].
// The handler can be swapped at any time with [Conn.SetHandler]. This is what
// lets a Durable Object hibernate: when the object's JavaScript is evicted,
// the hibernation manager installs a handler of its own that keeps the
// connection (and its tags and serialized attachment, kept next to it in Go)
// and, on the next message, constructs the object again, makes a fresh
// WebSocket handle for the same Conn and delivers the message to
// webSocketMessage(). Nothing about a Conn depends on the isolate that
// first accepted it.
//
// Memory: an idle connection costs one goroutine parked in a read of its
// socket (the reader, with a small stack and no read buffer: frame headers
// are read into a 14-byte array and payloads into a slice of the exact
// size, allocated only while a message arrives) plus the Conn itself. No
// goroutine writes while nothing is being sent: [Conn.Send] queues the frame
// and starts a writer goroutine only when the queue was empty, which exits
// once the queue drains. The 4 KiB buffers of net/http's hijacked
// connection are dropped after the handshake (their unread bytes are kept).
//
// Backpressure: the reader calls the handler's Message synchronously and
// reads the next frame only after it returns; the runtime's handler returns
// once JavaScript has dispatched the message, so a client that sends faster
// than the worker handles messages is slowed by TCP flow control instead of
// filling memory.
//
// Limits: a message may be at most [MaxMessageSize] bytes (32 MiB, as in
// workerd since 2025; Cloudflare documented 1 MiB before that). Outgoing
// messages are sent as single frames; incoming ones may be fragmented.
// Compression (permessage-deflate) is never negotiated.
package websocket

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// MaxMessageSize is the largest message a [Conn] accepts: workerd's
// WEBSOCKET_MAX_MESSAGE_SIZE (32 MiB). A larger message closes the
// connection with code 1009.
const MaxMessageSize = 32 << 20

// growChunk is the most a message buffer grows before the bytes to fill it
// have arrived.
const growChunk = 256 << 10

// closeWait is how long a Conn waits for the peer's Close frame after
// sending its own before it drops the connection.
const closeWait = 10 * time.Second

// Handler receives what a [Conn] reads. Its methods are called from the
// connection's reader goroutine, one at a time, in order.
type Handler interface {
	// Message delivers a complete message: text (valid UTF-8) or binary.
	// data is owned by the handler. The next frame is read only after
	// Message returns.
	Message(c *Conn, text bool, data []byte)
	// Close reports the end of the incoming side. clean is true when the
	// peer sent a Close frame (code is then its code, CloseNoStatus when
	// it gave none); false when the connection dropped without one (code
	// CloseAbnormal). No more calls follow.
	Close(c *Conn, code int, reason string, clean bool)
	// Error reports a protocol violation or an I/O error other than a
	// plain disconnect; the connection is closed. No more calls follow.
	Error(c *Conn, err error)
}

// Conn is one WebSocket connection. Its methods may be called from any
// goroutine.
type Conn struct {
	nc       net.Conn
	r        io.Reader // nc, after any bytes buffered during the handshake
	client   bool      // this side is the client: frames it sends are masked
	protocol string    // negotiated subprotocol, "" if none
	ext      string    // negotiated extensions (always "")

	handler atomic.Pointer[handlerBox]
	started atomic.Bool

	mu          sync.Mutex
	queue       []outFrame
	writing     bool
	closeQueued bool // a Close frame is queued or sent: no more frames
	closeSent   bool
	closeRecvd  bool
	dead        bool // the socket is closed
}

type handlerBox struct{ h Handler }

type outFrame struct {
	op   byte
	data []byte
}

// newConn wraps nc; buffered holds bytes read past the handshake.
func newConn(nc net.Conn, buffered []byte, client bool, protocol string) *Conn {
	c := &Conn{nc: nc, r: nc, client: client, protocol: protocol}
	if len(buffered) > 0 {
		c.r = &prefixReader{b: buffered, r: nc}
	}
	return c
}

// prefixReader reads b, then r; it forgets b once read.
type prefixReader struct {
	b []byte
	r io.Reader
}

func (p *prefixReader) Read(dst []byte) (int, error) {
	if len(p.b) > 0 {
		n := copy(dst, p.b)
		p.b = p.b[n:]
		if len(p.b) == 0 {
			p.b = nil
		}
		return n, nil
	}
	return p.r.Read(dst)
}

// Protocol returns the negotiated subprotocol ("" if none).
func (c *Conn) Protocol() string { return c.protocol }

// Extensions returns the negotiated extensions: always "" (none is
// negotiated).
func (c *Conn) Extensions() string { return c.ext }

// RemoteAddr returns the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// Start installs h and starts reading. It may be called once; later calls
// only replace the handler.
func (c *Conn) Start(h Handler) {
	c.SetHandler(h)
	if c.started.CompareAndSwap(false, true) {
		go c.readLoop()
	}
}

// SetHandler replaces the handler; the next message goes to h.
func (c *Conn) SetHandler(h Handler) { c.handler.Store(&handlerBox{h}) }

func (c *Conn) h() Handler { return c.handler.Load().h }

// Handler returns the current handler.
func (c *Conn) Handler() Handler { return c.h() }

// SendText queues a text message.
func (c *Conn) SendText(s string) error { return c.send(opText, []byte(s)) }

// SendBinary queues a binary message; c owns b afterwards.
func (c *Conn) SendBinary(b []byte) error { return c.send(opBinary, b) }

// Close queues a Close frame with code and reason (code CloseNoStatus
// sends an empty body) after the messages already queued. The socket is
// closed once the peer's Close frame has arrived too, or closeWait later.
// Calls after the first do nothing.
func (c *Conn) Close(code int, reason string) error {
	return c.send(opClose, closePayload(code, reason))
}

// Abort drops the connection at once without a closing handshake.
func (c *Conn) Abort() {
	c.mu.Lock()
	c.closeQueued = true
	c.dead = true
	c.queue = nil
	c.mu.Unlock()
	c.nc.Close()
}

func (c *Conn) send(op byte, data []byte) error {
	c.mu.Lock()
	if c.closeQueued || c.dead {
		c.mu.Unlock()
		if op == opClose {
			return nil
		}
		return errClosed
	}
	if op == opClose {
		c.closeQueued = true
	}
	c.queue = append(c.queue, outFrame{op, data})
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.writeLoop()
	}
	return nil
}

// pong queues a control frame that may follow a Close (a reply to a ping
// read before the peer's close).
func (c *Conn) pong(data []byte) {
	c.mu.Lock()
	if c.closeQueued || c.dead {
		c.mu.Unlock()
		return
	}
	c.queue = append(c.queue, outFrame{opPong, data})
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.writeLoop()
	}
}

// writeLoop writes queued frames until the queue is empty, then exits.
func (c *Conn) writeLoop() {
	var hdr [maxFrameHeaderLength]byte
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || c.dead {
			c.queue = nil
			c.writing = false
			c.mu.Unlock()
			return
		}
		f := c.queue[0]
		c.queue[0] = outFrame{}
		c.queue = c.queue[1:]
		c.mu.Unlock()
		if err := c.writeFrame(hdr[:0], f.op, f.data); err != nil {
			c.mu.Lock()
			c.dead = true
			c.queue = nil
			c.writing = false
			c.mu.Unlock()
			c.nc.Close()
			return
		}
		if f.op == opClose {
			c.mu.Lock()
			c.closeSent = true
			done := c.closeRecvd
			c.mu.Unlock()
			if done {
				c.shutdown()
			} else {
				// Wait for the peer's Close frame, but not forever.
				c.nc.SetReadDeadline(time.Now().Add(closeWait))
				if !c.started.Load() {
					// Nobody reads: the peer's reply cannot be seen.
					c.shutdown()
				}
			}
		}
	}
}

func (c *Conn) writeFrame(hdr []byte, op byte, data []byte) error {
	if !c.client {
		hdr = appendFrameHeader(hdr, op, len(data), nil)
		if len(data) == 0 {
			_, err := c.nc.Write(hdr)
			return err
		}
		bufs := net.Buffers{hdr, data}
		_, err := bufs.WriteTo(c.nc)
		return err
	}
	var mask [4]byte
	newMask(&mask)
	hdr = appendFrameHeader(hdr, op, len(data), &mask)
	// Mask a copy: the caller may still hold data.
	buf := make([]byte, len(hdr)+len(data))
	copy(buf, hdr)
	copy(buf[len(hdr):], data)
	maskBytes(mask, 0, buf[len(hdr):])
	_, err := c.nc.Write(buf)
	return err
}

// shutdown closes the socket after the closing handshake.
func (c *Conn) shutdown() {
	c.mu.Lock()
	c.dead = true
	c.mu.Unlock()
	if tc, ok := c.nc.(interface{ CloseWrite() error }); ok && !c.client {
		// The server closes the TCP connection first (RFC 6455 §7.1.1).
		tc.CloseWrite()
	}
	c.nc.Close()
}

// readLoop reads messages until the peer closes or the connection fails.
func (c *Conn) readLoop() {
	var hdr [maxFrameHeaderLength]byte
	for {
		text, data, err := c.readMessage(hdr[:])
		if err == nil {
			c.h().Message(c, text, data)
			continue
		}
		var ce *closeFrame
		var pe *ProtocolError
		switch {
		case errors.As(err, &ce):
			c.mu.Lock()
			c.closeRecvd = true
			sent := c.closeSent
			c.mu.Unlock()
			if sent {
				c.shutdown()
			} else {
				// The handler normally answers with Close; drop the
				// connection if it never does.
				time.AfterFunc(closeWait, c.Abort)
			}
			c.h().Close(c, ce.code, ce.reason, true)
		case errors.As(err, &pe):
			reason := ""
			if pe.Code == CloseMessageTooBig {
				reason = "Message is too large" // Cloudflare's words
			}
			c.Close(pe.Code, reason)
			c.h().Error(c, err)
			// Give the Close frame a moment to leave, then drop.
			time.AfterFunc(time.Second, c.Abort)
		default:
			c.mu.Lock()
			wasClosing := c.closeSent || c.dead
			c.dead = true
			c.mu.Unlock()
			c.nc.Close()
			if wasClosing {
				c.h().Close(c, CloseAbnormal, "", false)
			} else {
				c.h().Close(c, CloseAbnormal, "WebSocket disconnected without sending Close frame.", false)
			}
		}
		return
	}
}

// closeFrame is the "error" readMessage returns for a valid Close frame.
type closeFrame struct {
	code   int
	reason string
}

func (e *closeFrame) Error() string { return "websocket: close frame" }

// readMessage reads frames until a complete data message, answering pings
// on the way. A Close frame ends it with a *closeFrame.
func (c *Conn) readMessage(hdr []byte) (text bool, data []byte, err error) {
	inMessage := false
	var op byte
	var buf []byte
	for {
		h, err := readFrameHeader(c.r, hdr, !c.client)
		if err != nil {
			return false, nil, err
		}
		if h.op >= opClose {
			p := make([]byte, h.length)
			if _, err := io.ReadFull(c.r, p); err != nil {
				return false, nil, unexpected(err)
			}
			if h.masked {
				maskBytes(h.mask, 0, p)
			}
			switch h.op {
			case opPing:
				c.pong(p)
			case opClose:
				code, reason, err := parseClose(p)
				if err != nil {
					return false, nil, err
				}
				return false, nil, &closeFrame{code, reason}
			}
			continue
		}
		if h.op == opContinuation {
			if !inMessage {
				return false, nil, protoErr(CloseProtocolError, "a continuation frame without a message in progress")
			}
		} else {
			if inMessage {
				return false, nil, protoErr(CloseProtocolError, "a new message began before the previous one ended")
			}
			inMessage, op = true, h.op
		}
		if int64(len(buf))+h.length > MaxMessageSize {
			return false, nil, protoErr(CloseMessageTooBig, "a message is larger than %d bytes", MaxMessageSize)
		}
		start := len(buf)
		if buf == nil && h.fin && h.length <= growChunk {
			buf = make([]byte, h.length)
			if _, err := io.ReadFull(c.r, buf); err != nil {
				return false, nil, unexpected(err)
			}
		} else {
			// Grow as the bytes arrive, so that a header announcing a huge
			// frame costs nothing until its payload is really sent.
			for left := h.length; left > 0; {
				k := min(left, growChunk)
				n := len(buf)
				buf = append(buf, make([]byte, k)...)
				if _, err := io.ReadFull(c.r, buf[n:]); err != nil {
					return false, nil, unexpected(err)
				}
				left -= k
			}
		}
		if h.masked {
			maskBytes(h.mask, 0, buf[start:])
		}
		if h.fin {
			if op == opText && !utf8.Valid(buf) {
				return false, nil, protoErr(CloseInvalidPayload, "a text message is not valid UTF-8")
			}
			if buf == nil {
				buf = []byte{}
			}
			return op == opText, buf, nil
		}
	}
}
