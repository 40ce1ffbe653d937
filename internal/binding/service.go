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

// Service returns the env entry name → a Fetcher for the Worker named
// service (a [[services]] entry), served by [ServiceExtension]. entrypoint
// names the exported class that serves it ("" for the default export);
// props become ctx.props of that entrypoint (nil: an empty object). props
// must marshal to JSON.
func Service(name, service, entrypoint string, props map[string]any) worker.Binding {
	cfg := map[string]any{"service": service}
	if entrypoint != "" {
		cfg["entrypoint"] = entrypoint
	}
	if len(props) > 0 {
		cfg["props"] = props
	}
	return worker.Binding{Name: name, Type: TypeService, Config: cfg}
}

// serviceHead is what serviceFetch hands to JavaScript.
type serviceHead struct {
	Status     int    `json:"status"`
	StatusText string `json:"statusText"`
	Headers    string `json:"headers"`
	Body       int    `json:"body"`
}

// ServiceExtension returns the extension that serves [Service] bindings,
// reaching the Worker that lookup returns for the binding's service name
// (nil: not running, and the call throws an error that says so).
//
// env.X.fetch(request | url, init) dispatches the request to that Worker
// and resolves to its Response once the head is written. Both bodies
// stream: the request body through a pipe the callee reads, the response
// body through a reader the caller reads, so server-sent events and large
// bodies pass without being held whole. With an entrypoint or props, the
// request goes instead to that entrypoint's fetch method as an RPC call
// (bodies still stream).
//
// Every other property of env.X is RPC, as on Cloudflare: env.X.m(args)
// calls method m of a fresh instance of the entrypoint class (a class
// extending WorkerEntrypoint: the default export, or the export the
// binding's entrypoint names) in one of the callee's isolates, with
// this.env the callee's env and this.ctx its waitUntil and the binding's
// props; await env.X.p reads a property. A plain handler object serves
// its own functions as handler(arg, env, ctx), with exactly one argument,
// as workerd does. Arguments and results are copied as by
// structuredClone, plus Request, Response, ReadableStream (streamed) and
// Headers; functions and RpcTargets pass as stubs; errors are rethrown in
// the caller with their name and message; workerd's error texts are kept
// for missing and reserved methods. This is the Durable Object RPC of rpc
// (its capability table, lifetimes and counters: [DurableHost.Capabilities]);
// with rpc nil, only fetch() is served.
func ServiceExtension(lookup func(service string) *worker.Worker, rpc *DurableHost) worker.Extension {
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
						return nil, errServiceNotRunning(name, service)
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
			if rpc == nil {
				return
			}
			// serviceCall(promise, name, service, bytes, n) → the
			// serialized result of an RPC message of js/durable.js
			// (serviceCall), run as a "durable" event in any isolate of
			// the bound Worker; the result's capabilities join the
			// caller's request.
			rt.Async("serviceCall", func(c *v8.Call) (webapi.Work, error) {
				name, service := c.String(1), c.String(2)
				msg, err := c.Bytes(3, int(c.Int(4)))
				if err != nil {
					return nil, err
				}
				scope := capScope{rt, rt.Tag}
				return func() (any, error) {
					w := lookup(service)
					if w == nil {
						return nil, errServiceNotRunning(name, service)
					}
					return rpc.callWorker(w, msg, scope)
				}, nil
			})
		},
		Script: "(() => {\n" + string(script) + "\n})();\n",
	}
}

// errServiceNotRunning explains a call on binding name whose Worker is not
// served here.
func errServiceNotRunning(name, service string) error {
	return fmt.Errorf("env.%s: the Worker %q of this service binding is not running in this zerostack process; run it in the same process (zerostack dev -c this/wrangler.toml -c that/wrangler.toml, or zerostack serve with both projects)", name, service)
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
