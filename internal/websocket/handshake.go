package websocket

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrNotHijackable is returned by [Upgrade] when the connection cannot be
// taken over (an HTTP/2 request): nothing has been written to the client.
var ErrNotHijackable = errors.New("websocket: the connection cannot be hijacked (WebSockets need HTTP/1.1 here)")

// acceptGUID is RFC 6455's magic string for Sec-WebSocket-Accept.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKey returns the Sec-WebSocket-Accept value for a client's
// Sec-WebSocket-Key.
func AcceptKey(key string) string {
	h := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

func newMask(m *[4]byte) { rand.Read(m[:]) }

// HandshakeError is a request that is not a valid WebSocket upgrade. Status
// is the HTTP status to answer with.
type HandshakeError struct {
	Status int
	Msg    string
}

func (e *HandshakeError) Error() string { return e.Msg }

// headerHasToken reports whether a comma-separated header of r contains
// token (case-insensitively), as Connection and Upgrade are read.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// IsUpgrade reports whether r asks for a WebSocket (Upgrade: websocket).
func IsUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Upgrade", "websocket")
}

// CheckUpgrade validates r as an RFC 6455 opening handshake.
func CheckUpgrade(r *http.Request) error {
	switch {
	case r.Method != http.MethodGet:
		return &HandshakeError{http.StatusBadRequest, "A WebSocket upgrade must use GET."}
	case !headerHasToken(r.Header, "Upgrade", "websocket"):
		return &HandshakeError{http.StatusBadRequest, `The request has no "Upgrade: websocket" header.`}
	case !headerHasToken(r.Header, "Connection", "upgrade"):
		return &HandshakeError{http.StatusBadRequest, `The request has no "Connection: Upgrade" header.`}
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		return &HandshakeError{http.StatusUpgradeRequired, "Only WebSocket version 13 is supported (Sec-WebSocket-Version: 13)."}
	}
	key := r.Header.Get("Sec-WebSocket-Key")
	if b, err := base64.StdEncoding.DecodeString(key); err != nil || len(b) != 16 {
		return &HandshakeError{http.StatusBadRequest, "The Sec-WebSocket-Key header is missing or not 16 bytes in base64."}
	}
	return nil
}

// Upgrade completes the server side of the opening handshake on w: it
// checks r ([CheckUpgrade]), hijacks the connection and writes the 101
// response with header's fields (Sec-WebSocket-Protocol, Set-Cookie, …)
// added; the handshake fields themselves are computed here. On a
// *HandshakeError nothing has been written: answer with its Status. The
// returned Conn reads nothing until [Conn.Start].
func Upgrade(w http.ResponseWriter, r *http.Request, header http.Header) (*Conn, error) {
	if err := CheckUpgrade(r); err != nil {
		return nil, err
	}
	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, fmt.Errorf("%w (%s): %v", ErrNotHijackable, r.Proto, err)
	}
	nc.SetDeadline(time.Time{})
	var b strings.Builder
	b.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
	b.WriteString(AcceptKey(r.Header.Get("Sec-WebSocket-Key")))
	b.WriteString("\r\n")
	for k, vs := range header {
		switch http.CanonicalHeaderKey(k) {
		case "Upgrade", "Connection", "Sec-Websocket-Accept", "Content-Length", "Transfer-Encoding", "Sec-Websocket-Extensions":
			continue
		}
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				continue
			}
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteString("\r\n")
		}
	}
	b.WriteString("\r\n")
	// Bytes the client sent after its request (frames, pipelined) are in
	// brw's reader; keep them and drop the 4 KiB buffers.
	var rest []byte
	if n := brw.Reader.Buffered(); n > 0 {
		p, _ := brw.Reader.Peek(n)
		rest = append([]byte(nil), p...)
	}
	if _, err := nc.Write([]byte(b.String())); err != nil {
		nc.Close()
		return nil, fmt.Errorf("websocket: write the handshake: %w", err)
	}
	return newConn(nc, rest, false, header.Get("Sec-WebSocket-Protocol")), nil
}

// DialTimeout bounds the connection and handshake of [Dial].
const DialTimeout = 30 * time.Second

// Dial opens a client connection to rawURL (ws, wss, http or https) with
// the request header fields in header (Sec-WebSocket-Protocol among them).
// When the server answers 101 with a valid Sec-WebSocket-Accept it returns
// the Conn and the response (without a body). When it answers anything
// else it returns a nil Conn and the response, whose Body the caller must
// close; err is nil. Compression is never offered (a
// Sec-WebSocket-Extensions field in header is dropped).
func Dial(ctx context.Context, rawURL string, header http.Header) (*Conn, *http.Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, nil, fmt.Errorf("websocket: bad URL %q: %w", rawURL, err)
	}
	secure := false
	switch u.Scheme {
	case "ws", "http":
	case "wss", "https":
		secure = true
	default:
		return nil, nil, fmt.Errorf("websocket: URL scheme %q is not ws, wss, http or https", u.Scheme)
	}
	host := u.Host
	if u.Port() == "" {
		if secure {
			host = net.JoinHostPort(u.Hostname(), "443")
		} else {
			host = net.JoinHostPort(u.Hostname(), "80")
		}
	}
	ctx, cancel := context.WithTimeout(ctx, DialTimeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if secure {
		tc := tls.Client(nc, &tls.Config{ServerName: u.Hostname(), NextProtos: []string{"http/1.1"}, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, nil, err
		}
		nc = tc
	}
	var keyb [16]byte
	rand.Read(keyb[:])
	key := base64.StdEncoding.EncodeToString(keyb[:])
	hu := *u
	hu.Scheme = map[bool]string{false: "http", true: "https"}[secure]
	req := &http.Request{Method: http.MethodGet, URL: &hu, Host: u.Host, Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	for k, vs := range header {
		switch http.CanonicalHeaderKey(k) {
		case "Upgrade", "Connection", "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Extensions", "Content-Length", "Transfer-Encoding":
			continue
		case "Host":
			if len(vs) > 0 {
				req.Host = vs[0]
			}
			continue
		}
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Key", key)
	req.Header.Set("Sec-WebSocket-Version", "13")
	if _, ok := req.Header["User-Agent"]; !ok {
		req.Header["User-Agent"] = []string{""}
	}
	if err := req.Write(nc); err != nil {
		nc.Close()
		return nil, nil, err
	}
	br := bufio.NewReaderSize(nc, 1024)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		resp.Body = connBody{resp.Body, nc}
		nc.SetDeadline(time.Time{})
		return nil, resp, nil
	}
	if !headerHasToken(resp.Header, "Upgrade", "websocket") || resp.Header.Get("Sec-WebSocket-Accept") != AcceptKey(key) {
		nc.Close()
		return nil, nil, errors.New("websocket: the server's 101 response is not a valid WebSocket handshake (Upgrade or Sec-WebSocket-Accept)")
	}
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != "" {
		nc.Close()
		return nil, nil, fmt.Errorf("websocket: the server enabled extensions %q that were not offered", ext)
	}
	nc.SetDeadline(time.Time{})
	var rest []byte
	if n := br.Buffered(); n > 0 {
		p, _ := br.Peek(n)
		rest = append([]byte(nil), p...)
	}
	resp.Body = http.NoBody
	return newConn(nc, rest, true, resp.Header.Get("Sec-WebSocket-Protocol")), resp, nil
}

// connBody is a non-101 response's body: closing it closes the connection.
type connBody struct {
	io.ReadCloser
	nc net.Conn
}

func (b connBody) Close() error {
	b.ReadCloser.Close()
	return b.nc.Close()
}
