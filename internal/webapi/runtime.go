package webapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/eventloop"
	"github.com/zerostack/zerostack/internal/v8"
)

// Completion kinds of js/host.js's complete().
const (
	kUndefined = 0
	kValue     = 1
	kScratch   = 2
	kBig       = 3
	kJSON      = 4
	kError     = 5
)

// JSON is a result of asynchronous host work that JavaScript receives parsed.
type JSON string

// OnLoop is a result of asynchronous host work that must be finished on the
// isolate thread (to register a reader, say): [Runtime.Settle] calls it and
// delivers what it returns.
type OnLoop func() (any, error)

// Work is the part of an asynchronous host function that runs off the isolate
// thread. It must not touch the isolate. Its result is delivered as described
// in the package doc.
type Work func() (any, error)

// Options configures a [Runtime]. The zero value is valid.
type Options struct {
	// MaxHeapBytes caps the V8 heap (0: V8's default).
	MaxHeapBytes uint64
	// Log receives console output: level is "debug", "log", "info", "warn"
	// or "error", and msg the formatted line. nil discards it.
	Log func(level, msg string)
	// Logger receives runtime diagnostics; nil discards them.
	Logger *slog.Logger
	// Setup, if set, defines extra host functions before the prelude runs.
	Setup func(r *Runtime)
	// Cache stores the Cache API's responses; nil uses one in-memory cache
	// (256 MiB) shared by the process.
	Cache CacheStore
}

// Runtime is an isolate with the prelude loaded and its event loop. All
// methods must be called on the owning goroutine unless noted.
type Runtime struct {
	Iso  *v8.Isolate
	Loop *eventloop.Loop
	// Tag is an opaque label for the work in progress (the runtime uses the
	// current request). Asynchronous host work records the Tag it started
	// under and restores it while its result is delivered.
	Tag any
	// Terminated is set when a call into JavaScript was terminated (by
	// the heap limit or a watchdog); the owner should discard the runtime.
	Terminated bool

	opts     Options
	log      *slog.Logger
	complete *v8.Function

	nextHandle int
	readers    map[int]io.ReadCloser
	writers    map[int]io.WriteCloser
	big        map[int][]byte
	timers     map[int]*eventloop.Timer
	pipes      map[int]*io.PipeReader
	owners     map[int]any
	cancels    map[int64]func()
	fireTimer  *v8.Function
	ws         *wsTable // host WebSockets (websocket.go)
	tagHooks   []func(tag any)
}

// New creates an isolate, defines the host functions, runs the prelude and
// returns the runtime. It must be called on the goroutine that will own it.
func New(opts Options) (*Runtime, error) {
	src, err := Prelude()
	if err != nil {
		return nil, err
	}
	iso, err := v8.New(v8.Options{MaxHeapBytes: opts.MaxHeapBytes})
	if err != nil {
		return nil, err
	}
	r := &Runtime{
		Iso:     iso,
		Loop:    eventloop.New(),
		opts:    opts,
		log:     opts.Logger,
		readers: map[int]io.ReadCloser{},
		writers: map[int]io.WriteCloser{},
		big:     map[int][]byte{},
		timers:  map[int]*eventloop.Timer{},
		pipes:   map[int]*io.PipeReader{},
		owners:  map[int]any{},
		cancels: map[int64]func(){},
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.install()
	if opts.Setup != nil {
		opts.Setup(r)
	}
	s, err := iso.Compile(src, "zerostack:prelude", preludeCache())
	if err != nil {
		iso.Close()
		return nil, fmt.Errorf("webapi: compile prelude: %w", err)
	}
	storePreludeCache(s)
	v, err := s.Run()
	if err != nil {
		iso.Close()
		return nil, fmt.Errorf("webapi: run prelude: %w", err)
	}
	v.Release()
	if r.complete, err = iso.Global("__zs_complete"); err != nil {
		iso.Close()
		return nil, err
	}
	if r.fireTimer, err = iso.Global("__zs_timer"); err != nil {
		iso.Close()
		return nil, err
	}
	return r, nil
}

var preludeCacheData struct {
	mu   sync.Mutex
	data []byte
}

func preludeCache() []byte {
	preludeCacheData.mu.Lock()
	defer preludeCacheData.mu.Unlock()
	return preludeCacheData.data
}

func storePreludeCache(s *v8.Script) {
	preludeCacheData.mu.Lock()
	defer preludeCacheData.mu.Unlock()
	if preludeCacheData.data == nil || s.CacheRejected() {
		preludeCacheData.data = s.CodeCache()
	}
}

// Close releases everything the runtime holds: open readers and writers are
// closed, timers stopped, the loop closed and the isolate disposed.
func (r *Runtime) Close() {
	r.Loop.Close()
	r.closeWebSockets()
	for _, t := range r.timers {
		t.Stop()
	}
	for id, rc := range r.readers {
		rc.Close()
		delete(r.readers, id)
	}
	for id, w := range r.writers {
		w.Close()
		delete(r.writers, id)
	}
	r.complete.Release()
	r.fireTimer.Release()
	r.Iso.Close()
}

// Func defines the synchronous host function host.name.
func (r *Runtime) Func(name string, fn v8.HostFunc) { r.Iso.Func(name, fn) }

// Async defines the asynchronous host function host.name, called from
// JavaScript through callAsync(name, ...args). fn runs on the isolate thread
// with the promise id as argument 0 and the caller's arguments from 1; it
// copies what it needs from the arguments and returns the [Work] to run on
// another goroutine. An error from fn rejects the promise at once.
func (r *Runtime) Async(name string, fn func(c *v8.Call) (Work, error)) {
	r.Iso.Func(name, func(c *v8.Call) (any, error) {
		id := c.Int(0)
		work, err := fn(c)
		if err != nil {
			return nil, err
		}
		r.Go(id, work)
		return nil, nil
	})
}

// Go runs work on a new goroutine and settles the promise id with its
// result. It must be called on the isolate thread.
func (r *Runtime) Go(id int64, work Work) {
	done := r.Loop.Register()
	tag := r.Tag
	go func() {
		res, err := work()
		done(func() {
			r.Tag = tag
			r.Settle(id, res, err)
		})
	}()
}

// Settle delivers a result to the promise id on the isolate thread.
func (r *Runtime) Settle(id int64, res any, err error) {
	var v v8.Value
	var cerr error
	if f, ok := res.(OnLoop); ok && err == nil {
		res, err = f()
	}
	if err != nil {
		name := "Error"
		var te *v8.TypeError
		var re *v8.RangeError
		var de *v8.DOMError
		msg := err.Error()
		switch {
		case errors.As(err, &te):
			name, msg = "TypeError", te.Msg
		case errors.As(err, &re):
			name, msg = "RangeError", re.Msg
		case errors.As(err, &de):
			name, msg = de.Name, de.Msg
		}
		v, cerr = r.complete.Call(id, kError, msg, name)
	} else {
		switch x := res.(type) {
		case nil:
			v, cerr = r.complete.Call(id, kUndefined)
		case []byte:
			if len(x) <= len(r.Iso.Scratch()) {
				copy(r.Iso.Scratch(), x)
				v, cerr = r.complete.Call(id, kScratch, len(x))
			} else {
				h := r.handle()
				r.big[h] = x
				v, cerr = r.complete.Call(id, kBig, len(x), h)
				delete(r.big, h)
			}
		case JSON:
			v, cerr = r.complete.Call(id, kJSON, string(x))
		default:
			v, cerr = r.complete.Call(id, kValue, res)
		}
	}
	v.Release()
	r.checkCall(cerr, "settle promise")
}

// checkCall records a terminated call and logs other failures of the
// runtime's own calls into JavaScript.
func (r *Runtime) checkCall(err error, what string) {
	switch {
	case err == nil:
	case errors.Is(err, v8.ErrTerminated):
		r.Terminated = true
	default:
		r.log.Warn(what, "err", err)
	}
}

func (r *Runtime) handle() int {
	r.nextHandle++
	return r.nextHandle
}

// AddReader registers rc so that JavaScript can stream it with
// host.read(promise, id) and host.cancelRead(id); it returns the id. The
// runtime closes rc at EOF, on cancel or when it closes.
//
// A reader registered while [Runtime.Tag] is set belongs to that tag (the
// request): [Runtime.ReleaseTag] closes it if it is still open when the
// request ends, as workerd cancels the I/O of a finished request. Readers
// made outside any request live until read or until the runtime closes.
func (r *Runtime) AddReader(rc io.ReadCloser) int {
	h := r.handle()
	r.readers[h] = rc
	if r.Tag != nil {
		r.owners[h] = r.Tag
	}
	return h
}

// OnReleaseTag registers fn to be called by [Runtime.ReleaseTag] with the
// tag whose request ended, on the isolate thread (Durable Objects release
// the RPC stubs a request exported). Call it from an extension's Setup.
func (r *Runtime) OnReleaseTag(fn func(tag any)) { r.tagHooks = append(r.tagHooks, fn) }

// ReleaseTag closes the readers that belong to tag and are still open and
// runs the [Runtime.OnReleaseTag] functions.
func (r *Runtime) ReleaseTag(tag any) {
	for _, fn := range r.tagHooks {
		fn(tag)
	}
	for id, o := range r.owners {
		if o == tag {
			delete(r.owners, id)
			r.dropReader(id)
		}
	}
}

// TakeReader removes the reader id from the runtime and returns it; the
// caller owns it. A pipe made by host.pipe() is found too.
func (r *Runtime) TakeReader(id int) (io.ReadCloser, bool) {
	if rc, ok := r.readers[id]; ok {
		delete(r.readers, id)
		delete(r.owners, id)
		return rc, true
	}
	if pr, ok := r.pipes[id]; ok {
		delete(r.pipes, id)
		return pr, true
	}
	return nil, false
}

// AddWriter registers w so that JavaScript can write to it with
// host.write(promise, id, sab, n) and end it with host.closeWriter(id) or
// host.abortWriter(id, reason); it returns the id.
func (r *Runtime) AddWriter(w io.WriteCloser) int {
	h := r.handle()
	r.writers[h] = w
	return h
}

// Live marks a reader registered with [Runtime.AddReader] whose Read
// returns whatever has arrived so far and blocks only when nothing has (a
// stream of server-sent events, such as Workers AI's). host.read hands each
// such Read to JavaScript at once, where it otherwise fills a scratch-sized
// chunk first, so that the first event reaches a JavaScript reader as soon
// as it exists.
type Live interface {
	io.Reader
	Live()
}

// Abortable is a writer that can be ended with an error.
type Abortable interface {
	CloseWithError(err error) error
}

func (r *Runtime) install() {
	// take(token, offset) copies the next chunk of a large result into the
	// scratch area and returns its length.
	r.Func("take", func(c *v8.Call) (any, error) {
		b, ok := r.big[int(c.Int(0))]
		off := int(c.Int(1))
		if !ok || off < 0 || off > len(b) {
			return nil, errors.New("webapi: no pending bytes")
		}
		return copy(r.Iso.Scratch(), b[off:]), nil
	})
	r.Func("log", func(c *v8.Call) (any, error) {
		if r.opts.Log != nil {
			r.opts.Log(c.String(0), c.String(1))
		}
		return nil, nil
	})
	r.Func("timer", func(c *v8.Call) (any, error) {
		id := int(c.Int(0))
		ms := c.Float(1)
		if ms < 0 || ms != ms {
			ms = 0
		}
		tag := r.Tag
		r.timers[id] = r.Loop.AfterFunc(msDuration(ms), func() {
			delete(r.timers, id)
			r.Tag = tag
			v, err := r.fireTimer.Call(id)
			v.Release()
			r.checkCall(err, "timer callback")
		})
		return nil, nil
	})
	r.Func("clearTimer", func(c *v8.Call) (any, error) {
		id := int(c.Int(0))
		if t, ok := r.timers[id]; ok {
			t.Stop()
			delete(r.timers, id)
		}
		return nil, nil
	})
	r.Async("read", func(c *v8.Call) (Work, error) {
		rc, ok := r.readers[int(c.Int(1))]
		if !ok {
			return nil, &v8.TypeError{Msg: "This ReadableStream is closed."}
		}
		id := int(c.Int(1))
		max := len(r.Iso.Scratch())
		if n := int(c.Int(2)); n > 0 && n < max {
			max = n
		}
		return func() (any, error) {
			buf := make([]byte, max)
			var n int
			var err error
			if _, live := rc.(Live); live {
				// A live stream: hand on what has arrived (see Live).
				for n == 0 && err == nil {
					n, err = rc.Read(buf)
				}
			} else {
				n, err = io.ReadFull(rc, buf)
			}
			if n > 0 {
				return buf[:n], nil
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				r.Loop.Enqueue(func() { r.dropReader(id) })
				return false, nil
			}
			return nil, err
		}, nil
	})
	r.Async("readAll", func(c *v8.Call) (Work, error) {
		id := int(c.Int(1))
		rc, ok := r.readers[id]
		if !ok {
			return nil, &v8.TypeError{Msg: "This ReadableStream is closed."}
		}
		delete(r.readers, id)
		return func() (any, error) {
			defer rc.Close()
			if br, ok := rc.(*bytesReader); ok {
				return br.b, nil
			}
			var buf bytes.Buffer
			if s, ok := rc.(interface{ Size() int64 }); ok && s.Size() > 0 && s.Size() < 1<<30 {
				buf.Grow(int(s.Size()) + 1)
			}
			if _, err := buf.ReadFrom(rc); err != nil {
				return nil, err
			}
			return buf.Bytes(), nil
		}, nil
	})
	// bytesReader(sab, n) moves bytes into Go and returns a reader id: a
	// large body made from bytes lives in Go, so passing it on (respond,
	// fetch, R2 put) costs no further copies in JavaScript.
	r.Func("bytesReader", func(c *v8.Call) (any, error) {
		b, err := c.Bytes(0, int(c.Int(1)))
		if err != nil {
			return nil, err
		}
		return r.AddReader(&bytesReader{b: b, r: bytes.NewReader(b)}), nil
	})
	r.Func("pipe", func(c *v8.Call) (any, error) {
		pr, pw := io.Pipe()
		h := r.AddWriter(pw)
		r.pipes[h] = pr
		return h, nil
	})
	r.Func("cancelRead", func(c *v8.Call) (any, error) {
		r.dropReader(int(c.Int(0)))
		return nil, nil
	})
	r.Async("write", func(c *v8.Call) (Work, error) {
		w, ok := r.writers[int(c.Int(1))]
		if !ok {
			return nil, &v8.TypeError{Msg: "This WritableStream has been closed."}
		}
		b, err := c.Bytes(2, int(c.Int(3)))
		if err != nil {
			return nil, err
		}
		return func() (any, error) {
			_, err := w.Write(b)
			return nil, err
		}, nil
	})
	r.Func("closeWriter", func(c *v8.Call) (any, error) {
		id := int(c.Int(0))
		if w, ok := r.writers[id]; ok {
			delete(r.writers, id)
			return nil, w.Close()
		}
		return nil, nil
	})
	r.Func("abortWriter", func(c *v8.Call) (any, error) {
		id := int(c.Int(0))
		if w, ok := r.writers[id]; ok {
			delete(r.writers, id)
			if a, ok := w.(Abortable); ok {
				a.CloseWithError(errors.New(c.String(1)))
			} else {
				w.Close()
			}
		}
		return nil, nil
	})
	// The web API areas, one file each.
	installEncoding(r)
	installURL(r)
	installCrypto(r)
	installCompression(r)
	installFetch(r)
	installCache(r)
	installWebSocket(r)
	installNode(r) // nodejs_compat primitives (node.go)
}

func msDuration(ms float64) time.Duration {
	if ms > float64(math.MaxInt64/int64(time.Millisecond)) {
		return math.MaxInt64
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// bytesReader is a reader over bytes that JavaScript handed to Go.
type bytesReader struct {
	b []byte
	r *bytes.Reader
}

func (b *bytesReader) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *bytesReader) Close() error               { return nil }

func bytesNewReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// SizedReader is an io.ReadCloser whose length is known in advance (an HTTP
// body with Content-Length); readers that implement Size are read whole in
// one allocation.
type SizedReader struct {
	io.ReadCloser
	N int64
}

// Size returns the announced length.
func (s SizedReader) Size() int64 { return s.N }

func (r *Runtime) dropReader(id int) {
	delete(r.owners, id)
	if rc, ok := r.readers[id]; ok {
		delete(r.readers, id)
		rc.Close()
	}
}

// RunTasks runs the queued tasks of the event loop, releasing values after
// each. It reports how many ran.
func (r *Runtime) RunTasks() int {
	tasks := r.Loop.Drain()
	for _, t := range tasks {
		t()
		r.Iso.EndTask()
	}
	return len(tasks)
}
