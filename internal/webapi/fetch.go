package webapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/zerostack/zerostack/internal/v8"
)

// fetchTransport is shared by all runtimes: connection reuse across
// isolates matters more than isolation of idle connections.
var fetchTransport = &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	ForceAttemptHTTP2:     true,
	MaxIdleConns:          256,
	MaxIdleConnsPerHost:   64,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   10 * time.Second,
	ExpectContinueTimeout: time.Second,
	TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
}

// maxRedirects is how many redirects fetch follows, as in workerd.
const maxRedirects = 20

// fetchHead is what JavaScript receives when response headers arrive.
type fetchHead struct {
	Status     int    `json:"status"`
	StatusText string `json:"statusText"`
	Headers    string `json:"headers"`
	Body       int    `json:"body"`
	URL        string `json:"url"`
	Redirected bool   `json:"redirected"`
}

// cancelOnClose cancels a fetch's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel func()
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// installFetch defines host.fetch (async), host.abortFetch.
//
// host.fetch(id, method, url, headersWire, redirect, bodyKind, a, b):
// bodyKind 0 none, 1 string a, 2 bytes (sab a, length b), 3 a pipe made with
// host.pipe() (id a), 4 a Go reader (id a).
func installFetch(r *Runtime) {
	r.Async("fetch", func(c *v8.Call) (Work, error) {
		id := c.Int(0)
		method, url, wire, redirect := c.String(1), c.String(2), c.String(3), c.String(4)
		var body io.Reader
		var size int64 = -1
		switch c.Int(5) {
		case 1:
			s := c.String(6)
			body, size = strings.NewReader(s), int64(len(s))
		case 2:
			b, err := c.Bytes(6, int(c.Int(7)))
			if err != nil {
				return nil, err
			}
			body, size = bytes.NewReader(b), int64(len(b))
		case 3, 4:
			rc, ok := r.TakeReader(int(c.Int(6)))
			if !ok {
				return nil, &v8.TypeError{Msg: "The request body has already been used."}
			}
			body = rc
		}
		ctx, cancel := context.WithCancel(context.Background())
		req, err := http.NewRequestWithContext(ctx, method, url, body)
		if err != nil {
			cancel()
			return nil, &v8.TypeError{Msg: "Fetch API cannot load: " + url}
		}
		if body != nil {
			req.ContentLength = size
		}
		parts := strings.Split(wire, "\n")
		for i := 0; i+1 < len(parts); i += 2 {
			req.Header.Add(parts[i], parts[i+1])
		}
		if req.Header.Get("User-Agent") == "" {
			req.Header["User-Agent"] = []string{""} // Go would add its own.
		}
		if h := req.Header.Get("Host"); h != "" {
			req.Host = h
		}
		r.cancels[id] = cancel
		redirected := false
		client := &http.Client{
			Transport: fetchTransport,
			CheckRedirect: func(nreq *http.Request, via []*http.Request) error {
				switch redirect {
				case "manual":
					return http.ErrUseLastResponse
				case "error":
					return &v8.TypeError{Msg: "Redirect failed: the request had redirect mode 'error'."}
				}
				if len(via) >= maxRedirects {
					return &v8.TypeError{Msg: "Too many redirects."}
				}
				redirected = true
				return nil
			},
		}
		return func() (any, error) {
			resp, err := client.Do(req)
			if err != nil {
				aborted := ctx.Err() != nil
				cancel()
				var jsErr error
				var te *v8.TypeError
				switch {
				case errors.As(err, &te):
					jsErr = te
				case aborted:
					jsErr = &v8.DOMError{Name: "AbortError", Msg: "The operation was aborted."}
				default:
					r.log.Debug("fetch", "url", url, "err", err)
					jsErr = &v8.TypeError{Msg: "Network connection lost."}
				}
				// Forget the cancel function on the isolate thread, then fail.
				return OnLoop(func() (any, error) {
					delete(r.cancels, id)
					return nil, jsErr
				}), nil
			}
			var sb strings.Builder
			for k, vs := range resp.Header {
				lk := strings.ToLower(k)
				for _, v := range vs {
					sb.WriteString(lk)
					sb.WriteByte('\n')
					sb.WriteString(v)
					sb.WriteByte('\n')
				}
			}
			head := fetchHead{
				Status:     resp.StatusCode,
				StatusText: strings.TrimSpace(strings.TrimPrefix(resp.Status, itoa(resp.StatusCode))),
				Headers:    sb.String(),
				URL:        resp.Request.URL.String(),
				Redirected: redirected,
			}
			return OnLoop(func() (any, error) {
				delete(r.cancels, id)
				if method == "HEAD" || resp.StatusCode == 204 || resp.StatusCode == 304 {
					resp.Body.Close()
					cancel()
				} else {
					head.Body = r.AddReader(cancelOnClose{resp.Body, cancel})
				}
				return jsonResult(head)
			}), nil
		}, nil
	})
	r.Func("abortFetch", func(c *v8.Call) (any, error) {
		if cancel, ok := r.cancels[c.Int(0)]; ok {
			cancel()
			delete(r.cancels, c.Int(0))
		}
		return nil, nil
	})
}
