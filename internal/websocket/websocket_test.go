package websocket

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAcceptKey(t *testing.T) {
	// RFC 6455 §1.3's example.
	if got := AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("AcceptKey = %q", got)
	}
}

// frame builds a frame as a peer would send it.
func frame(fin bool, op byte, payload []byte, masked bool) []byte {
	var b []byte
	b0 := op
	if fin {
		b0 |= 0x80
	}
	b = append(b, b0)
	m := byte(0)
	if masked {
		m = 0x80
	}
	n := len(payload)
	switch {
	case n < 126:
		b = append(b, m|byte(n))
	case n < 1<<16:
		b = append(b, m|126, byte(n>>8), byte(n))
	default:
		b = append(b, m|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	p := append([]byte(nil), payload...)
	if masked {
		mask := [4]byte{1, 2, 3, 4}
		b = append(b, mask[:]...)
		maskBytes(mask, 0, p)
	}
	return append(b, p...)
}

// recorder is a Handler that records what it receives.
type recorder struct {
	mu     sync.Mutex
	msgs   []string
	closed chan struct{}
	code   int
	reason string
	clean  bool
	err    error
}

func newRecorder() *recorder { return &recorder{closed: make(chan struct{})} }

func (r *recorder) Message(c *Conn, text bool, data []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kind := "b:"
	if text {
		kind = "t:"
	}
	r.msgs = append(r.msgs, kind+string(data))
}

func (r *recorder) Close(c *Conn, code int, reason string, clean bool) {
	r.code, r.reason, r.clean = code, reason, clean
	close(r.closed)
}

func (r *recorder) Error(c *Conn, err error) {
	r.err = err
	close(r.closed)
}

func (r *recorder) wait(t *testing.T) {
	t.Helper()
	select {
	case <-r.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection did not end")
	}
}

// serverConn returns a server-side Conn reading input, and the peer end.
func serverConn(input []byte) (*Conn, net.Conn) {
	a, b := net.Pipe()
	c := newConn(a, input, false, "")
	return c, b
}

func TestReadFragmentsPingsAndClose(t *testing.T) {
	var in []byte
	in = append(in, frame(true, opText, []byte("hello"), true)...)
	in = append(in, frame(false, opBinary, []byte("ab"), true)...)
	in = append(in, frame(true, opPing, []byte("p"), true)...) // between fragments
	in = append(in, frame(false, opContinuation, []byte("cd"), true)...)
	in = append(in, frame(true, opContinuation, []byte("ef"), true)...)
	in = append(in, frame(true, opText, bytes.Repeat([]byte("x"), 70000), true)...)
	in = append(in, frame(true, opClose, append([]byte{0x0f, 0xa0}, "bye"...), true)...) // 4000
	c, peer := serverConn(in)
	rec := newRecorder()
	got := make(chan []byte, 1)
	go func() { b, _ := io.ReadAll(peer); got <- b }()
	c.Start(rec)
	rec.wait(t)
	if rec.code != 4000 || rec.reason != "bye" || !rec.clean {
		t.Fatalf("close = %d %q %v", rec.code, rec.reason, rec.clean)
	}
	if len(rec.msgs) != 3 || rec.msgs[0] != "t:hello" || rec.msgs[1] != "b:abcdef" || len(rec.msgs[2]) != 70002 {
		t.Fatalf("messages = %.40q", rec.msgs)
	}
	c.Close(4000, "bye")
	out := <-got
	// The pong, then the Close echo, unmasked from the server.
	want := append(frame(true, opPong, []byte("p"), false), frame(true, opClose, append([]byte{0x0f, 0xa0}, "bye"...), false)...)
	if !bytes.Equal(out, want) {
		t.Fatalf("server wrote %x, want %x", out, want)
	}
}

func TestProtocolErrors(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		code int
	}{
		{"unmasked client frame", frame(true, opText, []byte("x"), false), CloseProtocolError},
		{"reserved bits", func() []byte { f := frame(true, opText, []byte("x"), true); f[0] |= 0x40; return f }(), CloseProtocolError},
		{"unknown opcode", frame(true, 0x3, nil, true), CloseProtocolError},
		{"fragmented ping", frame(false, opPing, nil, true), CloseProtocolError},
		{"long ping", frame(true, opPing, make([]byte, 126), true), CloseProtocolError},
		{"lone continuation", frame(true, opContinuation, []byte("x"), true), CloseProtocolError},
		{"interleaved message", append(frame(false, opText, []byte("a"), true), frame(true, opText, []byte("b"), true)...), CloseProtocolError},
		{"bad utf-8", frame(true, opText, []byte{0xff, 0xfe}, true), CloseInvalidPayload},
		{"bad close code", frame(true, opClose, []byte{0x03, 0xed}, true), CloseProtocolError}, // 1005
		{"one-byte close", frame(true, opClose, []byte{1}, true), CloseProtocolError},
		{"non-minimal length", []byte{0x81, 0x80 | 126, 0, 5, 1, 2, 3, 4, 'h', 'e', 'l', 'l', 'o'}, CloseProtocolError},
		{"too big", []byte{0x82, 0x80 | 127, 0, 0, 0, 0, 0x02, 0, 0, 1, 1, 2, 3, 4}, CloseMessageTooBig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, peer := serverConn(tc.in)
			go io.Copy(io.Discard, peer)
			rec := newRecorder()
			c.Start(rec)
			rec.wait(t)
			var pe *ProtocolError
			if !errors.As(rec.err, &pe) || pe.Code != tc.code {
				t.Fatalf("err = %v, want a protocol error with code %d", rec.err, tc.code)
			}
			c.Abort()
		})
	}
}

func TestDisconnectWithoutClose(t *testing.T) {
	c, peer := serverConn(frame(true, opText, []byte("hi"), true))
	rec := newRecorder()
	c.Start(rec)
	peer.Close()
	rec.wait(t)
	if rec.code != CloseAbnormal || rec.clean || rec.reason != "WebSocket disconnected without sending Close frame." {
		t.Fatalf("close = %d %q %v", rec.code, rec.reason, rec.clean)
	}
	if len(rec.msgs) != 1 {
		t.Fatalf("messages = %q", rec.msgs)
	}
}

// echo is a Handler that sends every message back and answers Close.
type echo struct{ done chan struct{} }

func (e echo) Message(c *Conn, text bool, data []byte) {
	if text {
		c.SendText(string(data))
	} else {
		c.SendBinary(data)
	}
}
func (e echo) Close(c *Conn, code int, reason string, clean bool) {
	c.Close(code, reason)
	close(e.done)
}
func (e echo) Error(c *Conn, err error) { close(e.done) }

func TestUpgradeAndDial(t *testing.T) {
	done := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test") != "1" {
			http.Error(w, "missing header", 400)
			return
		}
		h := http.Header{}
		h.Set("Sec-WebSocket-Protocol", "chat")
		c, err := Upgrade(w, r, h)
		if err != nil {
			var he *HandshakeError
			if errors.As(err, &he) {
				http.Error(w, he.Msg, he.Status)
			}
			return
		}
		c.Start(echo{done})
	}))
	defer srv.Close()
	h := http.Header{}
	h.Set("X-Test", "1")
	h.Set("Sec-WebSocket-Protocol", "chat")
	c, resp, err := Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/x", h)
	if err != nil || c == nil {
		t.Fatalf("Dial: %v %v", resp, err)
	}
	if c.Protocol() != "chat" {
		t.Fatalf("protocol = %q", c.Protocol())
	}
	rec := newRecorder()
	c.Start(rec)
	big := strings.Repeat("0123456789", 200000) // 2 MB
	c.SendText("one")
	c.SendBinary([]byte{0, 1, 2})
	c.SendText(big)
	c.Close(CloseNormal, "done")
	rec.wait(t)
	<-done
	if rec.code != CloseNormal || rec.reason != "done" || !rec.clean {
		t.Fatalf("close = %d %q %v", rec.code, rec.reason, rec.clean)
	}
	if len(rec.msgs) != 3 || rec.msgs[0] != "t:one" || rec.msgs[1] != "b:\x00\x01\x02" || rec.msgs[2] != "t:"+big {
		t.Fatalf("messages = %.40q", rec.msgs)
	}

	// A plain request is refused, and a non-101 answer comes back whole.
	c2, resp, err := Dial(context.Background(), srv.URL, nil)
	if err != nil || c2 != nil || resp.StatusCode != 400 {
		t.Fatalf("Dial without the header: %v %v %v", c2, resp, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "missing header\n" {
		t.Fatalf("body = %q", body)
	}
	r, _ := http.Get(srv.URL)
	if r.StatusCode != 400 {
		t.Fatalf("plain GET: %d", r.StatusCode)
	}
	r.Body.Close()
}

func TestManyConcurrentConnections(t *testing.T) {
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c.Start(echo{make(chan struct{})})
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, _, err := Dial(context.Background(), url, nil)
			if err != nil {
				errs <- err
				return
			}
			rec := newRecorder()
			c.Start(rec)
			for k := 0; k < 20; k++ {
				c.SendText("m")
			}
			c.Close(CloseNormal, "")
			rec.wait(t)
			if len(rec.msgs) != 20 || rec.code != CloseNormal {
				errs <- errors.New("lost messages or close code")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestCheckUpgrade(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if err := CheckUpgrade(r); err == nil {
		t.Fatal("a plain GET passed")
	}
	r.Header.Set("Upgrade", "WebSocket")
	r.Header.Set("Connection", "keep-alive, Upgrade")
	r.Header.Set("Sec-WebSocket-Version", "13")
	r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if err := CheckUpgrade(r); err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Sec-WebSocket-Version", "8")
	var he *HandshakeError
	if err := CheckUpgrade(r); !errors.As(err, &he) || he.Status != 426 {
		t.Fatalf("version 8: %v", err)
	}
}

func TestMask(t *testing.T) {
	mask := [4]byte{0xa, 0xb, 0xc, 0xd}
	for n := 0; n < 40; n++ {
		for pos := 0; pos < 4; pos++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(i * 7)
			}
			want := append([]byte(nil), b...)
			for i := range want {
				want[i] ^= mask[(pos+i)&3]
			}
			maskBytes(mask, pos, b)
			if !bytes.Equal(b, want) {
				t.Fatalf("n=%d pos=%d: %x want %x", n, pos, b, want)
			}
		}
	}
}

// FuzzReadMessage feeds arbitrary bytes to the frame parser as a client's
// stream: it must never panic, never return a message over the limit, and
// report every text message as valid UTF-8.
func FuzzReadMessage(f *testing.F) {
	f.Add(frame(true, opText, []byte("hello"), true))
	f.Add(append(frame(false, opBinary, []byte("ab"), true), frame(true, opContinuation, []byte("c"), true)...))
	f.Add(frame(true, opClose, []byte{0x03, 0xe8, 'o', 'k'}, true))
	f.Add(frame(true, opPing, []byte("p"), true))
	f.Add([]byte{0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4})
	f.Add([]byte{0x81, 0xfe, 0x00, 0x7e})
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &Conn{r: bytes.NewReader(in), nc: nopConn{}, dead: true}
		var hdr [maxFrameHeaderLength]byte
		for i := 0; i < 64; i++ {
			text, data, err := c.readMessage(hdr[:])
			if err != nil {
				return
			}
			if len(data) > MaxMessageSize {
				t.Fatalf("message of %d bytes", len(data))
			}
			if text && !bytes.Equal([]byte(string(data)), data) {
				t.Fatal("text changed")
			}
		}
	})
}

// nopConn is a net.Conn that discards writes (the fuzz target's pongs).
type nopConn struct{ net.Conn }

func (nopConn) Write(b []byte) (int, error) { return len(b), nil }
func (nopConn) Close() error                { return nil }

func TestUpgradeNotHijackable(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Sec-WebSocket-Version", "13")
	r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	w := httptest.NewRecorder() // like HTTP/2's writer: no Hijack
	if _, err := Upgrade(w, r, nil); !errors.Is(err, ErrNotHijackable) {
		t.Fatalf("err = %v", err)
	}
	if w.Body.Len() != 0 || w.Code != 200 || len(w.Header()) != 0 {
		t.Fatal("Upgrade wrote to a connection it could not take")
	}
}
