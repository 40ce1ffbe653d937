// Package binding is where zerostack's services meet JavaScript: it turns
// the Go services into the env bindings a worker sees, shaped and failing
// as Cloudflare's do: KVNamespace, D1Database and R2Bucket (this file's
// [Extension]), and, each with its own extension, Queue producers and the
// queue() event (queues.go), DurableObjectNamespace (durable.go),
// VectorizeIndex (vectorize.go), Ai (ai.go), the static-assets Fetcher
// (assets.go) and the service-binding Fetcher (service.go).
//
// Each binding is a set of Go host functions (defined by [Extension]'s Setup
// on every isolate) and a JavaScript class (js/*.js, run as the extension's
// Script) that registers a binding factory with the prelude. Calls that do
// I/O are asynchronous host functions: the JavaScript side copies its
// arguments (options as JSON text, bytes through SharedArrayBuffers, bodies
// as Go readers or pipes), the Go side runs the service call on another
// goroutine and settles the promise on the isolate's event loop. Object and
// value bodies never cross as base64, and R2 bodies stream through Go
// readers, so a whole object is never held in memory.
//
// Reads that are usually quick (KV get, R2 get and head, D1 SELECT) run on
// the isolate's own thread as one synchronous host call that returns the
// result as its value, which saves two thread switches and a Go → JavaScript
// call per read; a D1 SELECT that runs past a 2 ms budget is interrupted and
// re-run on a goroutine. An R2 get looks the object up once: a body of up to
// 64 KiB is read whole in the same call (its file opened and closed at
// once; arrayBuffer() and text() then take it in one more call), a larger
// one opens the object's file only when first read.
//
// A binding names its data with a string in [worker.Binding.Config]: the KV
// namespace id, the D1 database (UUID or name) or the R2 bucket name; see
// [KV], [D1] and [R2]. Which ids a wrangler.toml entry maps to is decided by
// the caller (internal/server).
package binding

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/v8"

	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/kv"
	"github.com/zerostack/zerostack/internal/r2"
	"github.com/zerostack/zerostack/internal/webapi"
	"github.com/zerostack/zerostack/internal/worker"
)

//go:embed js/*.js
var jsFiles embed.FS

// Services are the stores the bindings call. A nil store leaves its binding
// type uninstalled (a binding of that type then fails at worker start).
type Services struct {
	KV kv.Store
	// D1 opens databases by UUID or name; [Services] caches what it returns
	// for the life of the extension.
	D1 d1.Manager
	R2 r2.Store
	// R2Multipart serves createMultipartUpload and friends; usually the same
	// value as R2.
	R2Multipart r2.Multipart
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// Binding type names registered with the prelude.
const (
	TypeKV = "kv_namespace"
	TypeD1 = "d1"
	TypeR2 = "r2_bucket"
)

// KV returns the env entry name → a KVNamespace over namespace id ns.
func KV(name, ns string) worker.Binding {
	return worker.Binding{Name: name, Type: TypeKV, Config: map[string]string{"id": ns}}
}

// D1 returns the env entry name → a D1Database over the database with this
// UUID or name (which must exist when the binding is first used).
func D1(name, database string) worker.Binding {
	return worker.Binding{Name: name, Type: TypeD1, Config: map[string]string{"id": database}}
}

// R2 returns the env entry name → an R2Bucket over bucket.
func R2(name, bucket string) worker.Binding {
	return worker.Binding{Name: name, Type: TypeR2, Config: map[string]string{"id": bucket}}
}

// host holds the services behind one extension; it is shared by every
// isolate the extension is installed in and safe for concurrent use.
type host struct {
	s   Services
	log *slog.Logger

	dbs   sync.Map // database id → d1.Database
	inUse sync.Map // database → *atomic.Int32: D1 calls in flight on goroutines
}

// busy returns the counter of a database's D1 calls running on goroutines.
// Statements take the fast path only when it is zero, so that an isolate
// does not wait on the database lock behind a long write.
func (h *host) busy(id string) *atomic.Int32 {
	if n, ok := h.inUse.Load(id); ok {
		return n.(*atomic.Int32)
	}
	n, _ := h.inUse.LoadOrStore(id, new(atomic.Int32))
	return n.(*atomic.Int32)
}

// Extension returns the worker extension that installs the bindings for
// the services in s. Install it once per worker; the same value may serve
// several workers.
func Extension(s Services) worker.Extension {
	h := &host{s: s, log: s.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	var script strings.Builder
	add := func(file string) {
		b, err := jsFiles.ReadFile("js/" + file)
		if err != nil {
			panic("binding: missing embedded " + file)
		}
		script.WriteString("(() => {\n")
		script.Write(b)
		script.WriteString("\n})();\n")
	}
	if s.KV != nil {
		add("kv.js")
	}
	if s.D1 != nil {
		add("d1.js")
	}
	if s.R2 != nil {
		add("r2.js")
	}
	return worker.Extension{
		Name: "bindings",
		Setup: func(rt *webapi.Runtime) {
			if s.KV != nil {
				h.installKV(rt)
			}
			if s.D1 != nil {
				h.installD1(rt)
			}
			if s.R2 != nil {
				h.installR2(rt)
			}
		},
		Script: script.String(),
	}
}

// database returns the open database for id, opening it on first use.
func (h *host) database(ctx context.Context, id string) (d1.Database, error) {
	if db, ok := h.dbs.Load(id); ok {
		return db.(d1.Database), nil
	}
	db, err := h.s.D1.Open(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("D1_ERROR: database %q is not available: %v", id, err)
	}
	got, _ := h.dbs.LoadOrStore(id, db)
	return got.(d1.Database), nil
}

// noDeadline adapts a fast-path function for [fastAsync] whose work is a
// bounded lookup (a primary-key read): it runs without the budget's
// deadline. Interrupting a pooled SQLite connection is racy (an interrupt
// that lands after the query finished can hit the connection's next
// query), so only D1, whose interrupts are synchronized, uses the deadline.
func noDeadline(f func(context.Context) (any, error)) func(context.Context) (any, error) {
	return func(context.Context) (any, error) { return f(context.Background()) }
}

// syncBudget bounds the synchronous fast path of [fastAsync].
const syncBudget = 2 * time.Millisecond

// fastAsync defines an asynchronous host function (called from JavaScript
// with callAsync) that first tries to finish on the isolate's thread.
//
// Handing work to a goroutine and its result back through the event loop
// costs two thread switches per call, far more than a local SQLite lookup
// (about 100 µs against 10 µs on a busy two-core machine). So prepare
// returns, besides the goroutine [webapi.Work], an optional fast function:
// it runs at once with a context that expires after syncBudget and settles
// the promise before the host function returns. If it overruns (its context
// expired and it failed), the call is retried as ordinary asynchronous
// work; fast must therefore only do work that is safe to
// repeat (reads). Time spent in fast counts toward the request's CPU time.
func fastAsync(rt *webapi.Runtime, name string, prepare func(c *v8.Call) (fast func(ctx context.Context) (any, error), slow webapi.Work, err error)) {
	rt.Func(name, func(c *v8.Call) (any, error) {
		id := c.Int(0)
		fast, slow, err := prepare(c)
		if err != nil {
			return nil, err
		}
		if fast != nil {
			ctx, cancel := context.WithTimeout(context.Background(), syncBudget)
			res, err := fast(ctx)
			expired := ctx.Err() != nil
			cancel()
			if err == nil || !expired {
				rt.Settle(id, res, err)
				return nil, nil
			}
		}
		rt.Go(id, slow)
		return nil, nil
	})
}
