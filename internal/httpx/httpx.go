// Package httpx holds what zerostack's HTTP servers need beyond net/http:
// connections that can hold a response's writes, so that a response whose
// body is complete in memory leaves in one write system call instead of
// the two or three net/http makes when head and body pass its 4 KiB
// connection buffer.
//
// A server opts in with [Serve] (or [Configure] and [NewListener]); a
// handler that has the whole body answers with [WriteFull]. Nothing is held
// unless a handler asks, so streamed responses, WebSockets and hijacked
// connections behave exactly as with plain net/http. The package depends
// on the standard library only.
package httpx

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
)

// maxHeld is the most a [Conn] holds: a response that grows beyond it while
// held is sent at once (held bytes and the new write together) and holding
// goes on for the rest, so a hold costs at most this much memory.
const maxHeld = 1 << 20

// holdMin and holdMax bound the bodies [WriteFull] holds for. Below holdMin
// head and body fit net/http's 4 KiB connection buffer together (bodies
// under 2 KiB pass through its 2 KiB response buffer first) and leave in
// one write anyway; above holdMax one system call more is noise next to
// copying the body once more.
const (
	holdMin = 2 << 10
	holdMax = 256 << 10
)

// Conn is an accepted connection whose writes can be held: between
// [Conn.Hold] and [Conn.Release] every write is appended to a buffer, and
// Release sends it with one write. Not held, writes go straight through.
// A Conn is safe for concurrent use; writes are kept in the order they
// were made. Close and a hijack (through [Configure]'s state hook) send
// what is held before anything else happens, so bytes are never lost or
// carried into another response.
type Conn struct {
	net.Conn
	mu   sync.Mutex
	held bool
	buf  *[]byte // from bufPool while held, else nil
	err  error   // the first error of a held write; the connection is closed
}

// Interface guards: net/http uses io.ReaderFrom (sendfile) and CloseWrite
// on the connections it serves when they have them.
var (
	_ io.ReaderFrom                   = (*Conn)(nil)
	_ interface{ CloseWrite() error } = (*Conn)(nil)
)

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// Hold starts holding writes until [Conn.Release]. Holding a held Conn
// does nothing.
func (c *Conn) Hold() {
	c.mu.Lock()
	if !c.held {
		c.held = true
		c.buf = bufPool.Get().(*[]byte)
	}
	c.mu.Unlock()
}

// Held reports whether writes are being held.
func (c *Conn) Held() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.held
}

// Release stops holding and sends what was held in one write. It returns
// the write's error, after which the connection is closed (the peer may
// have received part of a response, so the stream cannot go on).
// Releasing a Conn that is not held returns nil.
func (c *Conn) Release() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.releaseLocked()
}

func (c *Conn) releaseLocked() error {
	if !c.held {
		return nil
	}
	c.held = false
	b := c.buf
	c.buf = nil
	err := c.err
	c.err = nil
	if err == nil && len(*b) > 0 {
		_, err = c.Conn.Write(*b)
		if err != nil {
			c.Conn.Close()
		}
	}
	if cap(*b) <= 4*holdMax {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
	return err
}

// Write sends p, or appends it to the held bytes while held. A held write
// always succeeds; its error, if any, comes from [Conn.Release].
func (c *Conn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if !c.held {
		c.mu.Unlock()
		return c.Conn.Write(p)
	}
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, c.err
	}
	b := c.buf
	if len(*b)+len(p) > maxHeld {
		// Too much to hold: send the held bytes and p together now and
		// go on holding what follows.
		bufs := net.Buffers{*b, p}
		if _, err := bufs.WriteTo(c.Conn); err != nil {
			c.err = err
			c.Conn.Close()
			return 0, err
		}
		*b = (*b)[:0]
		return len(p), nil
	}
	*b = append(*b, p...)
	return len(p), nil
}

// ReadFrom copies r to the connection (net/http calls it to send files
// with sendfile): held bytes are sent first and holding ends, since a
// body copied from a reader is a stream.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	c.mu.Lock()
	err := c.releaseLocked()
	c.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{c.Conn}, r)
}

// writerOnly hides a writer's ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }

// CloseWrite sends what is held, then shuts down the writing side when the
// underlying connection can (TCP); otherwise it only sends.
func (c *Conn) CloseWrite() error {
	c.mu.Lock()
	err := c.releaseLocked()
	c.mu.Unlock()
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok && err == nil {
		return cw.CloseWrite()
	}
	return err
}

// Close sends what is held and closes the connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	c.releaseLocked()
	c.mu.Unlock()
	return c.Conn.Close()
}

// Listener wraps the connections an inner listener accepts in [Conn]s.
type Listener struct {
	net.Listener
}

// NewListener returns a listener whose accepted connections are [Conn]s.
// It is for plain TCP: net/http recognizes TLS connections by their type
// (*tls.Conn), so a TLS listener must not be wrapped by it (wrapping the
// TCP listener under tls.NewListener works, but then nothing is held: the
// hold would sit below the encryption).
func NewListener(ln net.Listener) *Listener { return &Listener{ln} }

// Accept waits for the next connection and returns it as a *[Conn].
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c}, nil
}

type connKey struct{}

// FromContext returns the [Conn] serving the request whose context ctx is,
// or nil when the server was not set up with [Configure] or the
// connection is not a Conn (then nothing can be held).
func FromContext(ctx context.Context) *Conn {
	c, _ := ctx.Value(connKey{}).(*Conn)
	return c
}

// Configure makes srv put each [Conn] into its requests' contexts (for
// [FromContext]) and release a hold that a handler left when its response
// is done, when the connection is hijacked and when it closes. It keeps
// srv's own ConnContext and ConnState hooks, calling them after its own.
// Call it before serving, with connections from a [Listener].
func Configure(srv *http.Server) {
	prevCtx, prevState := srv.ConnContext, srv.ConnState
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		if hc, ok := c.(*Conn); ok {
			ctx = context.WithValue(ctx, connKey{}, hc)
		}
		if prevCtx != nil {
			ctx = prevCtx(ctx, c)
		}
		return ctx
	}
	srv.ConnState = func(c net.Conn, st http.ConnState) {
		switch st {
		case http.StateIdle, http.StateHijacked, http.StateClosed:
			if hc, ok := c.(*Conn); ok {
				hc.Release()
			}
		}
		if prevState != nil {
			prevState(c, st)
		}
	}
}

// Serve configures srv (see [Configure]) and serves ln's connections as
// [Conn]s; it returns what [http.Server.Serve] returns.
func Serve(srv *http.Server, ln net.Listener) error {
	Configure(srv)
	return srv.Serve(NewListener(ln))
}

// WriteFull answers r with status, the headers already set on w and body,
// a response complete in memory: Content-Length is set to len(body) unless
// the header has one or the status has no body (1xx, 204, 304), the body
// is left out for HEAD, and when the connection is a [Conn] and the body
// is a few KiB or more (where net/http would write head and body
// separately) the whole response leaves in one write. Streams must not use
// it: nothing of the response is sent before WriteFull returns. Errors
// writing to the client are not reported, as with [http.ResponseWriter]
// writes ignored by handlers: the connection is closed.
func WriteFull(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	writeFull(w, r, status, len(body), func() { w.Write(body) })
}

// WriteFullString is [WriteFull] for a string body.
func WriteFullString(w http.ResponseWriter, r *http.Request, status int, body string) {
	writeFull(w, r, status, len(body), func() { io.WriteString(w, body) })
}

func writeFull(w http.ResponseWriter, r *http.Request, status, n int, write func()) {
	h := w.Header()
	noBody := status < 200 || status == http.StatusNoContent || status == http.StatusNotModified
	if _, ok := h["Content-Length"]; !ok && !noBody {
		h["Content-Length"] = []string{strconv.Itoa(n)}
	}
	var hc *Conn
	if n >= holdMin && n <= holdMax && r.Method != http.MethodHead && !noBody {
		if hc = FromContext(r.Context()); hc != nil && hc.Held() {
			hc = nil // someone else's hold: theirs to release
		}
	}
	if hc == nil {
		w.WriteHeader(status)
		if r.Method != http.MethodHead && !noBody && n > 0 {
			write()
		}
		return
	}
	hc.Hold()
	defer hc.Release()
	w.WriteHeader(status)
	write()
	// Push net/http's buffers into the held bytes; without a flusher the
	// rest leaves when the handler returns, after the held part.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	} else {
		http.NewResponseController(w).Flush()
	}
}
