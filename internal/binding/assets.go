package binding

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
	"github.com/zerostack/zerostack/internal/worker"
)

// TypeAssets is the binding type of a static-assets Fetcher (env.ASSETS of
// Pages Functions, or [assets] binding of a Worker).
const TypeAssets = "zs_assets"

// AssetsBinding returns the env entry name → a Fetcher over the worker's
// static assets (served by the handler given to [AssetsExtension]).
func AssetsBinding(name string) worker.Binding {
	return worker.Binding{Name: name, Type: TypeAssets, Config: map[string]string{}}
}

// assetsHead is what assetsFetch hands to JavaScript.
type assetsHead struct {
	Status     int    `json:"status"`
	StatusText string `json:"statusText"`
	Headers    string `json:"headers"`
	Body       int    `json:"body"`
}

// recorder is a minimal http.ResponseWriter that keeps the response.
type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

// AssetsExtension returns the extension that serves [AssetsBinding]
// Fetchers: fetch(request | url, init) runs the request through h (the Go
// static asset server; no JavaScript is involved in serving the file) on
// the isolate's thread and returns its Response. The request's
// Accept-Encoding is dropped so that the body is the file's own bytes.
func AssetsExtension(h http.Handler) worker.Extension {
	script, err := jsFiles.ReadFile("js/assets.js")
	if err != nil {
		panic("binding: missing embedded assets.js")
	}
	return worker.Extension{
		Name: "assets",
		Setup: func(rt *webapi.Runtime) {
			rt.Func("assetsFetch", func(c *v8.Call) (any, error) {
				method, url, wire := c.String(0), c.String(1), c.String(2)
				req, err := http.NewRequest(method, url, nil)
				if err != nil {
					return nil, &v8.TypeError{Msg: "Fetch API cannot load: " + url}
				}
				parts := strings.Split(wire, "\n")
				for i := 0; i+1 < len(parts); i += 2 {
					req.Header.Add(parts[i], parts[i+1])
				}
				req.Header.Del("Accept-Encoding")
				if hh := req.Header.Get("Host"); hh != "" {
					req.Host = hh
				}
				rec := &recorder{h: http.Header{}}
				h.ServeHTTP(rec, req)
				if rec.status == 0 {
					rec.status = http.StatusOK
				}
				head := assetsHead{Status: rec.status, StatusText: http.StatusText(rec.status), Headers: headerLines(rec.h)}
				if method != http.MethodHead && rec.status != 204 && rec.status != 304 && (rec.body.Len() > 0 || rec.status < 300 || rec.status >= 400) {
					head.Body = rt.AddReader(io.NopCloser(bytes.NewReader(rec.body.Bytes())))
				}
				b, err := json.Marshal(head)
				if err != nil {
					return nil, err
				}
				return string(b), nil // parsed by assets.js
			})
		},
		Script: "(() => {\n" + string(script) + "\n})();\n",
	}
}

// headerLines encodes h as the JS side's Headers wire format: a lower-case
// name line and a value line for every value.
func headerLines(h http.Header) string {
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
