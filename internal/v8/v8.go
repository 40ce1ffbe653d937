// Package v8 is zerostack's only cgo package: a narrow API over the V8
// JavaScript engine (through github.com/tommie/v8go) that the rest of the
// runtime uses. Nothing outside this package imports v8go, so the binding can
// be replaced without touching the runtime.
//
// # Ownership
//
// An [Isolate] owns one V8 isolate and exactly one long-lived context. It is
// not safe for concurrent use: one goroutine, locked to its OS thread, calls
// every method except [Isolate.Terminate], which any goroutine may call.
//
// # Value lifetimes
//
// Every V8 value that Go holds stays alive until it is released. This package
// hides that: arguments of host functions are released when the host function
// returns, values converted from Go for a call are released after the call,
// and values returned to JavaScript from host functions are released at the
// next [Isolate.EndTask]. Callers only release the [Value]s they receive from
// [Function.Call] and [Script.Run] (a zero Value needs no release).
//
// # Bytes
//
// V8 offers Go no way to read or fill an ArrayBuffer directly. Bytes cross the
// boundary through one SharedArrayBuffer per isolate, the scratch area, that
// both sides see without copying: [Isolate.Scratch] is Go's view, and the
// prelude receives the same buffer as host.scratch. Larger payloads travel in a
// series of scratch-sized chunks that JavaScript stages with host.stage(n)
// before the call that consumes them ([Call.Bytes]).
package v8

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"

	v8go "github.com/tommie/v8go"
)

// DefaultScratchBytes is the size of the scratch area when [Options] leaves it
// zero. Bodies are streamed in chunks of at most this size.
const DefaultScratchBytes = 256 << 10

// Options configures a new [Isolate]. The zero value is valid.
type Options struct {
	// MaxHeapBytes caps the V8 heap; 0 leaves V8's default. An isolate that
	// reaches the cap has its execution terminated and must be discarded
	// (see [Isolate.HeapExceeded]).
	MaxHeapBytes uint64
	// ScratchBytes is the size of the shared scratch area; 0 means
	// [DefaultScratchBytes].
	ScratchBytes int
}

// Isolate is a V8 isolate with one context, a host object through which
// JavaScript calls Go ([Isolate.Func]) and a scratch area for bytes.
type Isolate struct {
	iso      *v8go.Isolate
	ctx      *v8go.Context
	host     *v8go.Object
	maxHeap  uint64
	scratch  []byte
	scrRel   func()
	deferred []*v8go.Value
	mkerr    *Function
	staged   []byte
	closed   bool
}

// New creates an isolate and its context, and defines globalThis.__zs_host
// with a scratch property holding the scratch SharedArrayBuffer. The prelude
// is expected to capture and delete __zs_host before user code runs.
func New(opts Options) (*Isolate, error) {
	var isoOpts []v8go.IsolateOption
	if opts.MaxHeapBytes > 0 {
		initial := opts.MaxHeapBytes / 8
		if initial < 4<<20 {
			initial = 4 << 20
		}
		isoOpts = append(isoOpts, v8go.WithResourceConstraints(initial, opts.MaxHeapBytes))
	}
	size := opts.ScratchBytes
	if size <= 0 {
		size = DefaultScratchBytes
	}
	iso := v8go.NewIsolate(isoOpts...)
	ctx := v8go.NewContext(iso)
	i := &Isolate{iso: iso, ctx: ctx, maxHeap: opts.MaxHeapBytes}
	// mkerr builds the errors host functions throw; the prelude may replace
	// __zs_host.mkerr to produce DOMExceptions for other names.
	hv, err := ctx.RunScript(fmt.Sprintf(`(() => { const h = {
		scratch: new SharedArrayBuffer(%d),
		mkerr(kind, msg) {
			const C = { TypeError, RangeError, SyntaxError }[kind];
			if (C) return new C(msg);
			if (h.domerr) return h.domerr(kind, msg);
			const e = new Error(msg);
			if (kind !== "Error") e.name = kind;
			return e;
		},
	};
	globalThis.__zs_host = h;
	globalThis.__zs_mkerr = (k, m) => h.mkerr(k, m);
	return h; })()`, size), "zerostack:host")
	if err != nil {
		i.Close()
		return nil, fmt.Errorf("v8: host object: %w", err)
	}
	i.host = hv.Object()
	hv.Release()
	sv, err := i.host.Get("scratch")
	if err != nil {
		i.Close()
		return nil, fmt.Errorf("v8: scratch: %w", err)
	}
	buf, rel, err := sv.SharedArrayBufferGetContents()
	sv.Release()
	if err != nil {
		i.Close()
		return nil, fmt.Errorf("v8: scratch contents: %w", err)
	}
	i.scratch, i.scrRel = buf, rel
	if i.mkerr, err = i.Global("__zs_mkerr"); err != nil {
		i.Close()
		return nil, err
	}
	// stage(n) appends the first n bytes of the scratch area to the staged
	// bytes: payloads larger than the scratch area cross in chunks, and the
	// next [Call.Bytes] of the scratch area for that many bytes takes them.
	// This avoids a fresh SharedArrayBuffer per large payload, whose pages
	// would all fault in.
	// stage(n, total) with total > 0 starts a new payload of total bytes.
	i.Func("stage", func(c *Call) (any, error) {
		n := int(c.Int(0))
		if n < 0 || n > len(i.scratch) {
			return nil, &RangeError{Msg: "stage: bad length"}
		}
		if total := int(c.Int(1)); total > 0 {
			i.staged = make([]byte, 0, total)
		}
		i.staged = append(i.staged, i.scratch[:n]...)
		return nil, nil
	})
	return i, nil
}

// Close disposes of the context and the isolate. The Isolate must not be used
// afterwards. Close is idempotent.
func (i *Isolate) Close() {
	if i.closed {
		return
	}
	i.closed = true
	i.EndTask()
	if i.scrRel != nil {
		i.scrRel()
	}
	if i.host != nil {
		i.host.Release()
	}
	if i.mkerr != nil {
		i.mkerr.Release()
	}
	i.ctx.Close()
	i.iso.Dispose()
}

// Scratch returns Go's view of the scratch SharedArrayBuffer. Its contents are
// only meaningful within one host call or one call into JavaScript.
func (i *Isolate) Scratch() []byte { return i.scratch }

// Terminate stops the JavaScript currently running in the isolate as soon as
// possible. It is the one method that is safe to call from any goroutine.
func (i *Isolate) Terminate() { i.iso.TerminateExecution() }

// HeapStats reports the V8 heap in use and its limit, in bytes.
func (i *Isolate) HeapStats() (used, limit uint64) {
	s := i.iso.GetHeapStatistics()
	return s.UsedHeapSize, s.HeapSizeLimit
}

// HeapExceeded reports whether the heap limit was reached. V8 raises its own
// limit to avoid crashing when that happens, so an isolate for which this
// reports true must be discarded.
func (i *Isolate) HeapExceeded() bool {
	if i.maxHeap == 0 {
		return false
	}
	_, limit := i.HeapStats()
	return limit > i.maxHeap+i.maxHeap/2
}

// RetainedValues reports how many V8 values Go holds in the isolate's
// context. It must not grow over time; tests watch it.
func (i *Isolate) RetainedValues() int { return i.ctx.RetainedValueCount() }

// EndTask releases the values handed to JavaScript by host functions since
// the previous EndTask. The owner calls it after each task of its event loop.
func (i *Isolate) EndTask() {
	for _, v := range i.deferred {
		v.Release()
	}
	i.deferred = i.deferred[:0]
}

// Microtasks runs the microtask queue to completion.
func (i *Isolate) Microtasks() { i.ctx.PerformMicrotaskCheckpoint() }

// Script is a compiled script bound to its isolate.
type Script struct {
	i   *Isolate
	s   *v8go.UnboundScript
	rej bool
}

// Compile compiles source (a classic script) under the name origin. If cache
// holds V8 code cache data for the same source, compilation uses it; a
// rejected cache is ignored. Syntax errors are returned as *[JSError].
func (i *Isolate) Compile(source, origin string, cache []byte) (*Script, error) {
	var opts v8go.CompileOptions
	var cd *v8go.CompilerCachedData
	if len(cache) > 0 {
		cd = &v8go.CompilerCachedData{Bytes: cache}
		opts.CachedData = cd
	}
	s, err := i.iso.CompileUnboundScript(source, origin, opts)
	if err != nil {
		return nil, wrapErr(err)
	}
	return &Script{i: i, s: s, rej: cd != nil && cd.Rejected}, nil
}

// CacheRejected reports whether the code cache given to Compile was rejected.
func (s *Script) CacheRejected() bool { return s.rej }

// CodeCache returns V8 code cache data for the script, to be passed to
// [Isolate.Compile] in other isolates.
func (s *Script) CodeCache() []byte {
	return s.s.CreateCodeCache().Bytes
}

// Run runs the script in the isolate's context and returns its completion
// value, which the caller releases.
func (s *Script) Run() (Value, error) {
	v, err := s.s.Run(s.i.ctx)
	if err != nil {
		return Value{}, wrapErr(err)
	}
	return Value{v}, nil
}

// Global returns the function stored in the global property name. Its handle
// lives until [Function.Release] or the isolate closes.
func (i *Isolate) Global(name string) (*Function, error) {
	g := i.ctx.Global()
	defer g.Release()
	v, err := g.Get(name)
	if err != nil {
		return nil, wrapErr(err)
	}
	f, err := v.AsFunction()
	if err != nil {
		v.Release()
		return nil, fmt.Errorf("v8: global %s is not a function", name)
	}
	return &Function{i: i, f: f, v: v}, nil
}

// Function is a JavaScript function held by Go.
type Function struct {
	i *Isolate
	f *v8go.Function
	v *v8go.Value
}

// Release lets V8 collect the function.
func (f *Function) Release() { f.v.Release() }

// Call calls the function with undefined as this. Arguments are converted as
// [Isolate.NewValue] does and released after the call. The result is the
// caller's to release. A thrown exception is returned as *[JSError]; a
// terminated execution as [ErrTerminated].
func (f *Function) Call(args ...any) (Value, error) {
	var stack [8]v8go.Valuer
	vals := stack[:0]
	var owned [8]*v8go.Value
	own := owned[:0]
	for _, a := range args {
		if v, ok := a.(Value); ok {
			vals = append(vals, v.v)
			continue
		}
		if a == nil {
			vals = append(vals, v8go.Undefined(f.i.iso))
			continue
		}
		v, err := f.i.newValue(a)
		if err != nil {
			for _, o := range own {
				o.Release()
			}
			return Value{}, err
		}
		vals = append(vals, v)
		own = append(own, v)
	}
	res, err := f.f.Call(v8go.Undefined(f.i.iso), vals...)
	for _, o := range own {
		o.Release()
	}
	if err != nil {
		if f.i.iso.IsExecutionTerminating() {
			return Value{}, ErrTerminated
		}
		return Value{}, wrapErr(err)
	}
	return Value{res}, nil
}

// ErrTerminated is returned by calls into JavaScript that were stopped by
// [Isolate.Terminate] or by the heap limit.
var ErrTerminated = errors.New("v8: execution terminated")

// JSError is a JavaScript exception that reached Go.
type JSError struct {
	Message string // the exception's message, e.g. "TypeError: x is not a function"
	Stack   string // the stack trace, with the message as its first line, when known
}

func (e *JSError) Error() string { return e.Message }

func wrapErr(err error) error {
	var je *v8go.JSError
	if errors.As(err, &je) {
		if je.Message == "" && je.StackTrace == "" || strings.HasPrefix(je.Message, "ExecutionTerminated:") {
			return ErrTerminated
		}
		return &JSError{Message: je.Message, Stack: je.StackTrace}
	}
	return err
}

// Value is a JavaScript value held by Go. The zero Value is undefined.
type Value struct{ v *v8go.Value }

// Release lets V8 collect the value. It is a no-op on the zero Value.
func (v Value) Release() {
	if v.v != nil {
		v.v.Release()
	}
}

// IsUndefined reports whether v is undefined (or the zero Value).
func (v Value) IsUndefined() bool { return v.v == nil || v.v.IsUndefined() }

// String converts v to a string as JavaScript's String(v) does.
func (v Value) String() string {
	if v.v == nil {
		return "undefined"
	}
	return v.v.String()
}

// Int returns v as an integer (truncating numbers).
func (v Value) Int() int64 {
	if v.v == nil {
		return 0
	}
	return v.v.Integer()
}

// newValue converts a Go value for JavaScript: bool, integers and floats →
// number, *big.Int → BigInt, string → string, a [Value] as is. The result is
// tracked and must be released, except for a Value passed through. nil is
// handled by callers (undefined is shared and never released).
func (i *Isolate) newValue(a any) (*v8go.Value, error) {
	switch x := a.(type) {
	case bool:
		return v8go.NewValue(i.iso, x)
	case int:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return v8go.NewValue(i.iso, int32(x))
		}
		return v8go.NewValue(i.iso, float64(x))
	case int32:
		return v8go.NewValue(i.iso, x)
	case uint32:
		return v8go.NewValue(i.iso, x)
	case int64:
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return v8go.NewValue(i.iso, int32(x))
		}
		return v8go.NewValue(i.iso, float64(x))
	case float64:
		return v8go.NewValue(i.iso, x)
	case string:
		return v8go.NewValue(i.iso, x)
	case *big.Int:
		return v8go.NewValue(i.iso, x)
	case Value:
		return x.v, nil
	}
	return nil, fmt.Errorf("v8: cannot convert %T", a)
}
