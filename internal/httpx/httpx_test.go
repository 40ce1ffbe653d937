package httpx

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingConn records the write calls made on an accepted connection.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes []int
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes = append(c.writes, len(p))
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// ReadFrom keeps sendfile reachable, as *net.TCPConn's does.
func (c *countingConn) ReadFrom(r io.Reader) (int64, error) {
	c.mu.Lock()
	c.writes = append(c.writes, -1)
	c.mu.Unlock()
	return c.Conn.(io.ReaderFrom).ReadFrom(r)
}

func (c *countingConn) CloseWrite() error { return c.Conn.(*net.TCPConn).CloseWrite() }

// writeCount returns the number of write calls so far.
func (c *countingConn) writeCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.writes)
}

type countingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []*countingConn
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	cc := &countingConn{Conn: c}
	l.mu.Lock()
	l.conns = append(l.conns, cc)
	l.mu.Unlock()
	return cc, nil
}

func (l *countingListener) last() *countingConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conns[len(l.conns)-1]
}

// serve starts h on a loopback port, through httpx unless plain; it
// returns the address and the listener that counts writes.
func serve(t *testing.T, h http.Handler, plain bool) (string, *countingListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	srv := &http.Server{Handler: h}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if plain {
			srv.Serve(cl)
		} else {
			Serve(srv, cl)
		}
	}()
	t.Cleanup(func() { srv.Close(); <-done })
	return ln.Addr().String(), cl
}

// dial opens a raw client connection that fails reads after 10 s instead
// of hanging a broken test.
func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

func body(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + (seed+byte(i%23))%26
	}
	return b
}

// sized answers /N with N bytes (seeded by the path's query "s") through
// WriteFull, with a few headers as an asset would have.
func sized() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		seed, _ := strconv.Atoi(r.URL.Query().Get("s"))
		w.Header().Set("Content-Type", "application/javascript")
		w.Header().Set("Etag", `"0123456789abcdef0123456789abcdef"`)
		WriteFull(w, r, 200, body(n, byte(seed)))
	})
}

func readResponse(t *testing.T, br *bufio.Reader, method string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading a response: %v", err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading a body: %v", err)
	}
	return res, b
}

func TestWriteFullOneWrite(t *testing.T) {
	addr, cl := serve(t, sized(), false)
	c, br := dial(t, addr)
	fmt.Fprintf(c, "GET /0 HTTP/1.1\r\nHost: x\r\n\r\n")
	readResponse(t, br, "GET")
	for _, n := range []int{0, 100, 2047, holdMin, 4000, 10240, 100 << 10, holdMax, holdMax + 1, 600 << 10} {
		before := cl.last().writeCount()
		fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", n)
		res, b := readResponse(t, br, "GET")
		if res.StatusCode != 200 || res.ContentLength != int64(n) || !bytes.Equal(b, body(n, 0)) {
			t.Fatalf("size %d: status %d, Content-Length %d, body of %d bytes intact=%v", n, res.StatusCode, res.ContentLength, len(b), bytes.Equal(b, body(n, 0)))
		}
		// The next request's head is read only after this response
		// was written, so the count below is complete.
		fmt.Fprintf(c, "GET /0 HTTP/1.1\r\nHost: x\r\n\r\n")
		readResponse(t, br, "GET")
		writes := cl.last().writeCount() - before - 1 // the /0 response is one write
		if n >= holdMin && n <= holdMax && writes != 1 {
			t.Errorf("size %d: %d write calls for one response, want 1", n, writes)
		}
		t.Logf("size %d: %d write calls", n, writes)
	}
}

// TestPlainNetHTTPWrites shows what the hold saves: plain net/http writes
// a 10 KiB response in more than one call. (Logged, not asserted: it is a
// fact about net/http, not about this package.)
func TestPlainNetHTTPWrites(t *testing.T) {
	addr, cl := serve(t, sized(), true)
	c, br := dial(t, addr)
	fmt.Fprintf(c, "GET /10240 HTTP/1.1\r\nHost: x\r\n\r\n")
	_, b := readResponse(t, br, "GET")
	fmt.Fprintf(c, "GET /0 HTTP/1.1\r\nHost: x\r\n\r\n")
	readResponse(t, br, "GET")
	if !bytes.Equal(b, body(10240, 0)) {
		t.Fatal("WriteFull without httpx's server: wrong body")
	}
	t.Logf("plain net/http: %d write calls for a 10 KiB response", cl.last().writeCount()-1)
}

func TestPipelinedKeepAlive(t *testing.T) {
	addr, _ := serve(t, sized(), false)
	c, br := dial(t, addr)
	type req struct {
		method string
		n, s   int
	}
	reqs := []req{{"GET", 10240, 1}, {"GET", 5, 2}, {"HEAD", 10240, 3}, {"GET", 20000, 4}, {"GET", 3000, 5}, {"GET", 0, 6}, {"GET", 9000, 7}}
	var all bytes.Buffer
	for _, r := range reqs {
		fmt.Fprintf(&all, "%s /%d?s=%d HTTP/1.1\r\nHost: x\r\n\r\n", r.method, r.n, r.s)
	}
	if _, err := c.Write(all.Bytes()); err != nil { // every request in one segment
		t.Fatal(err)
	}
	for i, r := range reqs {
		res, b := readResponse(t, br, r.method)
		want := body(r.n, byte(r.s))
		if r.method == "HEAD" {
			want = []byte{}
		}
		if res.StatusCode != 200 || res.ContentLength != int64(r.n) || !bytes.Equal(b, want) {
			t.Fatalf("response %d (%s /%d): status %d, Content-Length %d, %d body bytes, intact=%v", i, r.method, r.n, res.StatusCode, res.ContentLength, len(b), bytes.Equal(b, want))
		}
	}
}

// TestHoldNeverLeaks: a handler that holds and forgets to release still
// gets its response out when it returns, and the next response on the
// connection, a stream, is not held: its first part arrives while the
// handler still waits.
func TestHoldNeverLeaks(t *testing.T) {
	proceed := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/forget":
			FromContext(r.Context()).Hold()
			w.Header().Set("Content-Length", "10240")
			w.Write(body(10240, 9))
		case "/stream":
			if FromContext(r.Context()).Held() {
				t.Error("a new request starts held")
			}
			w.Write([]byte("part one\n"))
			w.(http.Flusher).Flush()
			<-proceed
			w.Write([]byte("part two\n"))
		}
	})
	addr, _ := serve(t, h, false)
	c, br := dial(t, addr)
	fmt.Fprintf(c, "GET /forget HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, b := readResponse(t, br, "GET"); !bytes.Equal(b, body(10240, 9)) {
		t.Fatal("/forget: wrong body")
	}
	fmt.Fprintf(c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	if err != nil || line != "part one\n" {
		t.Fatalf("the stream's first part did not arrive before the handler finished: %q, %v", line, err)
	}
	close(proceed)
}

// TestHijackWhileHeld: a connection hijacked in the middle of a hold works
// as a plain connection, and what was held before goes out first.
func TestHijackWhileHeld(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		FromContext(r.Context()).Hold()
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
		line, err := rw.ReadString('\n')
		if err != nil {
			t.Error(err)
			return
		}
		conn.Write([]byte("echo: " + line))
	})
	addr, _ := serve(t, h, false)
	c, br := dial(t, addr)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != 101 {
		t.Fatalf("upgrade: %v %v", res, err)
	}
	fmt.Fprintf(c, "ping\n")
	line, err := br.ReadString('\n')
	if err != nil || line != "echo: ping\n" {
		t.Fatalf("after the hijack: %q, %v", line, err)
	}
}

// TestSendfileAfterHold: a large file served with http.ServeContent goes
// through the connection's ReadFrom (sendfile) intact.
func TestSendfileAfterHold(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.bin")
	want := body(3<<20, 5)
	if err := os.WriteFile(p, want, 0o644); err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(p)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, "big.bin", time.Time{}, f)
	})
	addr, cl := serve(t, h, false)
	c, br := dial(t, addr)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, b := readResponse(t, br, "GET"); !bytes.Equal(b, want) {
		t.Fatalf("3 MiB file: %d bytes, intact=%v", len(b), bytes.Equal(b, want))
	}
	cc := cl.last()
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if !containsInt(cc.writes, -1) {
		t.Errorf("the file did not go through ReadFrom (sendfile): writes %v", cc.writes)
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestWriteFullNoBodyStatuses(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		w.Header().Set("Etag", `"x"`)
		WriteFullString(w, r, st, "")
	})
	addr, _ := serve(t, h, false)
	c, br := dial(t, addr)
	for _, st := range []int{204, 304, 200} {
		fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", st)
		res, b := readResponse(t, br, "GET")
		if res.StatusCode != st || len(b) != 0 {
			t.Fatalf("%d: got %d with %d body bytes", st, res.StatusCode, len(b))
		}
		if _, has := res.Header["Content-Length"]; has != (st == 200) {
			t.Errorf("%d: Content-Length present=%v", st, has)
		}
	}
}

// memConn is an in-memory connection that records what reaches it.
type memConn struct {
	net.Conn // nil: only the methods below are used
	out      bytes.Buffer
	calls    int
	fail     error
	closed   bool
}

func (m *memConn) Write(p []byte) (int, error) {
	m.calls++
	if m.fail != nil {
		return 0, m.fail
	}
	return m.out.Write(p)
}
func (m *memConn) Close() error { m.closed = true; return nil }

func TestReleaseErrorClosesConn(t *testing.T) {
	m := &memConn{fail: errors.New("broken pipe")}
	c := &Conn{Conn: m}
	c.Hold()
	if n, err := c.Write([]byte("held")); n != 4 || err != nil {
		t.Fatalf("held write: %d, %v", n, err)
	}
	if err := c.Release(); err == nil || !m.closed {
		t.Fatalf("Release after a failing write: err %v, closed %v", err, m.closed)
	}
	if c.Held() {
		t.Fatal("still held after Release")
	}
}

func TestReadFromSendsHeldFirst(t *testing.T) {
	m := &memConn{}
	c := &Conn{Conn: m}
	c.Hold()
	c.Write([]byte("head "))
	if _, err := c.ReadFrom(strings.NewReader("body")); err != nil {
		t.Fatal(err)
	}
	if m.out.String() != "head body" || c.Held() {
		t.Fatalf("got %q, held %v", m.out.String(), c.Held())
	}
}

// FuzzHold drives a Conn with a sequence of holds, releases, writes and
// copies taken from the input and checks the properties the servers rely
// on: bytes arrive complete and in order; nothing written while held
// arrives before the release unless the hold outgrew maxHeld; a release
// of at most maxHeld held bytes is exactly one write; nothing stays held
// once released.
func FuzzHold(f *testing.F) {
	f.Add([]byte{0, 2, 10, 2, 200, 1, 2, 3})
	f.Add([]byte{2, 1, 0, 0, 2, 255, 2, 255, 3, 9, 1, 1})
	f.Add([]byte{0, 4, 2, 4, 1, 4, 3, 40, 0, 2, 7, 4})
	f.Fuzz(func(t *testing.T, ops []byte) {
		m := &memConn{}
		c := &Conn{Conn: m}
		var want []byte
		held, heldStart, heldBig := false, 0, false
		next := byte(0)
		chunk := func(n int) []byte {
			b := make([]byte, n)
			for i := range b {
				b[i] = next
				next++
			}
			return b
		}
		for i := 0; i < len(ops); i++ {
			arg := 0
			if i+1 < len(ops) {
				arg = int(ops[i+1])
			}
			switch ops[i] % 5 {
			case 0:
				c.Hold()
				if !held {
					held, heldStart, heldBig = true, m.calls, false
				}
			case 1:
				pending := len(want) - m.out.Len()
				if err := c.Release(); err != nil {
					t.Fatal(err)
				}
				if held && !heldBig && pending > 0 && m.calls != heldStart+1 {
					t.Fatalf("a release of %d held bytes took %d writes", pending, m.calls-heldStart)
				}
				held = false
			case 2, 4:
				n := arg * 97
				if ops[i]%5 == 4 {
					n = arg << 13 // up to 2 MiB: beyond maxHeld
				}
				p := chunk(n)
				if held && len(want)-m.out.Len()+n > maxHeld {
					heldBig = true
				}
				if w, err := c.Write(p); w != n || err != nil {
					t.Fatalf("write of %d: %d, %v", n, w, err)
				}
				want = append(want, p...)
				i++
			case 3:
				p := chunk(arg)
				if _, err := c.ReadFrom(bytes.NewReader(p)); err != nil {
					t.Fatal(err)
				}
				want = append(want, p...)
				held = false // a copy ends the hold
				i++
			}
			got := m.out.Bytes()
			if !bytes.HasPrefix(want, got) {
				t.Fatalf("bytes out of order after op %d", i)
			}
			if !held && len(got) != len(want) {
				t.Fatalf("op %d: %d bytes written while not held, %d arrived", i, len(want), len(got))
			}
			if held && !heldBig && m.calls != heldStart {
				t.Fatalf("op %d: a write reached the connection while held", i)
			}
			if c.Held() != held {
				t.Fatalf("op %d: Held() = %v, want %v", i, c.Held(), held)
			}
		}
		c.Release()
		if !bytes.Equal(m.out.Bytes(), want) {
			t.Fatalf("after the last release: %d of %d bytes", m.out.Len(), len(want))
		}
	})
}
