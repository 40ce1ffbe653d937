package binding

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
	"github.com/zerostack/zerostack/internal/worker"
)

// TypeService is the binding type of a service binding's Fetcher.
const TypeService = "zs_service"

// Service returns the env entry name → a Fetcher whose fetch() runs the
// Worker named service (a [[services]] entry), served by
// [ServiceExtension].
func Service(name, service string) worker.Binding {
	return worker.Binding{Name: name, Type: TypeService, Config: map[string]string{"service": service}}
}

// serviceHead is what serviceFetch hands to JavaScript.
type serviceHead struct {
	Status     int    `json:"status"`
	StatusText string `json:"statusText"`
	Headers    string `json:"headers"`
	Body       int    `json:"body"`
}

// ServiceExtension returns the extension that serves [Service] bindings:
// env.X.fetch(request | url, init) dispatches the request to the Worker
// that lookup returns for the binding's service name (nil: not running,
// and the call throws an error that says so) and resolves to its Response
// once the head is written. Both bodies stream: the request body through a
// pipe the callee reads, the response body through a reader the caller
// reads, so server-sent events and large bodies pass without being held
// whole. Only fetch() is served; RPC to a WorkerEntrypoint's methods is
// not (yet).
func ServiceExtension(lookup func(service string) *worker.Worker) worker.Extension {
	script, err := jsFiles.ReadFile("js/service.js")
	if err != nil {
		panic("binding: missing embedded service.js")
	}
	return worker.Extension{
		Name: "service",
		Setup: func(rt *webapi.Runtime) {
			rt.Async("serviceFetch", func(c *v8.Call) (webapi.Work, error) {
				name, service, method, url, wire := c.String(1), c.String(2), c.String(3), c.String(4), c.String(5)
				kind := c.Int(6)
				rc, err := body(rt, c, 6)
				if err != nil {
					return nil, err
				}
				req, err := http.NewRequest(method, url, nil)
				if err != nil {
					rc.Close()
					return nil, &v8.TypeError{Msg: "Fetch API cannot load: " + url}
				}
				parts := strings.Split(wire, "\n")
				for i := 0; i+1 < len(parts); i += 2 {
					req.Header.Add(parts[i], parts[i+1])
				}
				if h := req.Header.Get("Host"); h != "" {
					req.Host = h
				}
				if kind != 0 {
					req.Body, req.ContentLength = rc, -1
				} else {
					rc.Close()
				}
				return func() (any, error) {
					w := lookup(service)
					if w == nil {
						if req.Body != nil {
							req.Body.Close()
						}
						return nil, fmt.Errorf("env.%s: the Worker %q of this service binding is not running in this zerostack process; serve it in the same process (zerostack serve with both projects)", name, service)
					}
					pr, pw := io.Pipe()
					sw := &serviceWriter{h: http.Header{}, pw: pw, head: make(chan struct{})}
					go func() {
						w.ServeHTTP(sw, req)
						sw.WriteHeader(http.StatusOK) // a handler that wrote nothing
						pw.Close()
					}()
					<-sw.head
					head := serviceHead{Status: sw.status, StatusText: http.StatusText(sw.status), Headers: headerLines(sw.h)}
					noBody := method == http.MethodHead || sw.status == http.StatusNoContent || sw.status == http.StatusNotModified
					return webapi.OnLoop(func() (any, error) {
						if noBody {
							pr.Close()
						} else {
							head.Body = rt.AddReader(pr)
						}
						return jsonResult(head)
					}), nil
				}, nil
			})
		},
		Script: "(() => {\n" + string(script) + "\n})();\n",
	}
}

// serviceWriter is the callee's http.ResponseWriter: the head is reported
// once written, and the body goes into a pipe the caller reads.
type serviceWriter struct {
	h      http.Header
	status int
	pw     *io.PipeWriter
	head   chan struct{}
	once   sync.Once
}

func (w *serviceWriter) Header() http.Header { return w.h }

func (w *serviceWriter) WriteHeader(code int) {
	w.once.Do(func() {
		w.status = code
		close(w.head)
	})
}

func (w *serviceWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pw.Write(p)
}

// Flush is a no-op: every write already reaches the pipe.
func (w *serviceWriter) Flush() {}
