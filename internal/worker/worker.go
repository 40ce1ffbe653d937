// Package worker runs a Cloudflare Worker: it bundles the user's code, keeps
// a pool of isolates for each deployed version, dispatches HTTP requests to
// them and enforces the limits (CPU time per request, heap size).
//
// Each isolate is owned by one goroutine locked to its OS thread; requests
// reach it as tasks on its event loop (package eventloop) and leave through
// host functions that hand the response to the waiting HTTP goroutine. One
// isolate serves many requests concurrently, interleaved at await points,
// and its module state persists across them, as on Cloudflare.
package worker

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/httpx"
	"github.com/zerostack/zerostack/internal/webapi"
	"github.com/zerostack/zerostack/internal/websocket"
)

// Defaults for [Config] fields left zero.
const (
	// DefaultCPULimit is the CPU time a request may use: Cloudflare's
	// default for paid plans (30 s); wrangler's limits.cpu_ms changes it.
	DefaultCPULimit = 30 * time.Second
	// DefaultMemoryMB is the isolate heap limit, Cloudflare's 128 MB.
	DefaultMemoryMB = 128
)

// Config describes one worker version.
type Config struct {
	// Name is the worker's name (for logs).
	Name string
	// Bundle is the bundled script.
	Bundle *Bundle
	// Vars are the plain-text and JSON variables; Secrets the dev secrets.
	// Both appear on env.
	Vars    map[string]any
	Secrets map[string]string
	// Extensions add host functions and JavaScript (binding classes) to
	// every isolate.
	Extensions []Extension
	// Bindings are the env entries that extensions serve.
	Bindings []Binding
	// Pending lists bindings that are configured but not yet served, by
	// name, with their kind for the error message (e.g. "D1").
	Pending map[string]string
	// CPULimit caps the CPU time of one request (0: [DefaultCPULimit];
	// negative: unlimited).
	CPULimit time.Duration
	// MemoryMB caps each isolate's heap (0: [DefaultMemoryMB]).
	MemoryMB int
	// Isolates is the number of isolates in the pool (0: one per two
	// CPUs, at least one and at most 8: the HTTP server needs the other
	// half; measured with bench/run.sh, one isolate served hello-world 27%
	// faster than two on a 2-core machine).
	Isolates int
	// MaxIsolates caps the pool's growth: when every isolate is busy running
	// JavaScript most of the time, the pool adds one (0: one per CPU).
	MaxIsolates int
	// Dev selects development behaviour: error pages with stack traces.
	Dev bool
	// Country is reported as request.cf.country and CF-IPCountry when the
	// client sends no CF-IPCountry header (default "US").
	Country string
	// Console receives console output of the worker; nil discards it.
	Console func(level, msg string)
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// Extension adds host functions and JavaScript to every isolate of a worker.
// The binding layer (internal/binding) uses it to offer env.KV, env.DB, ….
type Extension struct {
	// Name appears in errors.
	Name string
	// Setup defines host functions on a new runtime, before the prelude
	// runs. It is called on the isolate's thread, once per isolate.
	Setup func(rt *webapi.Runtime)
	// Script runs after the prelude and before the user's code. It may use
	// globalThis.__zs_internal (see internal/webapi/js/internal.js), e.g.
	// to call registerBinding(type, factory).
	Script string
	// Attach, if set, is called by [New] with the worker before its first
	// isolate starts, so that the extension can send it events (Durable
	// Objects do); the function it returns, if not nil, is called when the
	// worker closes or fails to start.
	Attach func(w *Worker) (detach func())
}

// Binding is one env entry served by an extension: env[Name] =
// factory(Name, Config) for the factory registered under Type.
type Binding struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Config any    `json:"config"`
}

// Worker serves requests with a pool of isolates running one bundle.
type Worker struct {
	cfg          Config
	log          *slog.Logger
	envJSON      string
	pendingJSON  string
	bindingsJSON string
	cfJSON       string

	mu       sync.Mutex
	isolates []*isolate
	closed   bool
	rr       atomic.Uint32

	cache   codeCache
	stopDog chan struct{}
	detach  []func() // from Extension.Attach
}

type codeCache struct {
	mu   sync.Mutex
	data []byte
}

// New starts a worker: it creates the first isolate (so that a script that
// fails to load is reported here, with the reason) and then the rest of the
// pool in the background.
func New(cfg Config) (*Worker, error) {
	if cfg.Bundle == nil {
		return nil, errors.New("worker: no bundle")
	}
	if cfg.CPULimit == 0 {
		cfg.CPULimit = DefaultCPULimit
	}
	if cfg.MemoryMB <= 0 {
		cfg.MemoryMB = DefaultMemoryMB
	}
	if cfg.Isolates <= 0 {
		cfg.Isolates = min(max(runtime.GOMAXPROCS(0)/2, 1), 8)
	}
	if cfg.Country == "" {
		cfg.Country = "US"
	}
	w := &Worker{cfg: cfg, log: cfg.Logger, stopDog: make(chan struct{})}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	env := map[string]any{}
	for k, v := range cfg.Vars {
		env[k] = v
	}
	for k, v := range cfg.Secrets {
		env[k] = v
	}
	b, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("worker: vars: %w", err)
	}
	w.envJSON = string(b)
	pending := [][2]string{}
	for name, kind := range cfg.Pending {
		pending = append(pending, [2]string{name, kind})
	}
	pb, _ := json.Marshal(pending)
	w.pendingJSON = string(pb)
	bb, err := json.Marshal(append([]Binding{}, cfg.Bindings...))
	if err != nil {
		return nil, fmt.Errorf("worker: bindings: %w", err)
	}
	w.bindingsJSON = string(bb)
	for _, e := range cfg.Extensions {
		if e.Attach != nil {
			if d := e.Attach(w); d != nil {
				w.detach = append(w.detach, d)
			}
		}
	}
	first, err := w.startIsolate()
	if err != nil {
		for _, d := range w.detach {
			d()
		}
		return nil, err
	}
	w.isolates = []*isolate{first}
	// The default is set before any goroutine that reads w.cfg starts.
	if cfg.MaxIsolates == 0 {
		cfg.MaxIsolates = max(runtime.GOMAXPROCS(0), cfg.Isolates)
		w.cfg.MaxIsolates = cfg.MaxIsolates
	}
	for i := 1; i < cfg.Isolates; i++ {
		go w.replace(nil)
	}
	if cfg.MaxIsolates > cfg.Isolates {
		go w.grow()
	}
	if cfg.CPULimit > 0 {
		go w.watchdog()
	}
	return w, nil
}

// Close stops every isolate. Requests in flight fail.
func (w *Worker) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	isos := w.isolates
	w.isolates = nil
	w.mu.Unlock()
	close(w.stopDog)
	for _, i := range isos {
		i.stop()
	}
	for _, d := range w.detach {
		d()
	}
}

// Name is the worker's name from its [Config].
func (w *Worker) Name() string { return w.cfg.Name }

// growth is how often the pool checks its load, and how busy (the
// fraction of wall time spent running JavaScript tasks) every isolate must
// be for it to add one. A hello-world worker at 25,000 req/s keeps its
// isolate well below that (HTTP costs more than its JavaScript) and stays
// at one isolate per two CPUs; a worker whose requests are CPU-bound in
// JavaScript saturates its isolate and gets more, up to MaxIsolates.
const (
	growthPeriod = 500 * time.Millisecond
	growthBusy   = 0.85
)

// grow adds an isolate when all of them have been busy for two periods in
// a row. The pool does not shrink (isolates are cheap to keep; a shrinking
// pool would throw away warm module state).
func (w *Worker) grow() {
	t := time.NewTicker(growthPeriod)
	defer t.Stop()
	last := map[*isolate]int64{}
	hot := 0
	for {
		select {
		case <-w.stopDog:
			return
		case <-t.C:
		}
		w.mu.Lock()
		isos := append([]*isolate(nil), w.isolates...)
		w.mu.Unlock()
		allBusy := len(isos) > 0
		seen := map[*isolate]int64{}
		for _, i := range isos {
			b := i.busy.Load()
			prev, ok := last[i]
			seen[i] = b
			if !ok || float64(b-prev) < growthBusy*float64(growthPeriod) {
				allBusy = false
			}
		}
		last = seen
		if !allBusy {
			hot = 0
			continue
		}
		if hot++; hot < 2 || len(isos) >= w.cfg.MaxIsolates {
			continue
		}
		hot = 0
		w.log.Info("pool grows", "worker", w.cfg.Name, "isolates", len(isos)+1)
		w.replace(nil)
	}
}

// replace removes old (if not nil) from the pool and adds a new isolate.
func (w *Worker) replace(old *isolate) {
	w.mu.Lock()
	if old != nil {
		for k, i := range w.isolates {
			if i == old {
				w.isolates = append(w.isolates[:k], w.isolates[k+1:]...)
				break
			}
		}
	}
	closed := w.closed
	w.mu.Unlock()
	if closed {
		return
	}
	n, err := w.startIsolate()
	if err != nil {
		w.log.Error("start isolate", "worker", w.cfg.Name, "err", err)
		return
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		n.stop()
		return
	}
	w.isolates = append(w.isolates, n)
	w.mu.Unlock()
}

// pick chooses the isolate with the fewest requests in flight, starting
// the search at a rotating offset.
func (w *Worker) pick() *isolate {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.isolates)
	if n == 0 {
		return nil
	}
	start := int(w.rr.Add(1)) % n
	best := w.isolates[start]
	bl := best.inflight.Load()
	for k := 1; k < n && bl > 0; k++ {
		i := w.isolates[(start+k)%n]
		if l := i.inflight.Load(); l < bl {
			best, bl = i, l
		}
	}
	return best
}

// Stats reports the pool's state, for tests and the dashboard.
type Stats struct {
	Isolates       int
	RetainedValues int // summed over isolates, sampled on their threads
	WebSockets     int // host WebSockets the isolates hold, summed likewise
}

// Stats samples the pool.
func (w *Worker) Stats() Stats {
	w.mu.Lock()
	isos := append([]*isolate(nil), w.isolates...)
	w.mu.Unlock()
	s := Stats{Isolates: len(isos)}
	for _, i := range isos {
		ch := make(chan [2]int, 1)
		if i.rt.Loop.Enqueue(func() { ch <- [2]int{i.rt.Iso.RetainedValues(), i.rt.WebSockets()} }) {
			select {
			case n := <-ch:
				s.RetainedValues += n[0]
				s.WebSockets += n[1]
			case <-time.After(5 * time.Second):
			}
		}
	}
	return s
}

// InFlight reports how many requests and events the pool's isolates have
// not finished, counting the ctx.waitUntil work that outlives a response.
// zerostack serve waits for it to reach zero before closing a worker, so
// that a graceful stop does not cut waitUntil work short. Safe for
// concurrent use.
func (w *Worker) InFlight() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, i := range w.isolates {
		n += int(i.inflight.Load())
	}
	return n
}

// ServeHTTP dispatches r to an isolate and writes its response.
func (w *Worker) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	req := w.newRequest(r)
	if !w.submit(req) {
		http.Error(rw, "The worker is not running; retry.", http.StatusServiceUnavailable)
		return
	}
	res := <-req.resp
	w.write(rw, r, res)
}

// ScheduledResult is the outcome of a Cron Trigger run.
type ScheduledResult struct {
	// OK is false when the handler threw or its promise rejected.
	OK bool
	// Error is the exception with its stack, mapped to the user's sources.
	Error string
}

// Scheduled runs the worker's scheduled() handler for cron, as Cloudflare
// does when a Cron Trigger fires at scheduledTime, and returns once the
// handler's promise has settled (waitUntil work may continue).
func (w *Worker) Scheduled(cron string, scheduledTime time.Time) ScheduledResult {
	req := &request{
		isEvent:  true,
		cron:     cron,
		cronTime: scheduledTime,
		url:      "scheduled:" + cron,
		resp:     make(chan result, 1),
	}
	if !w.submit(req) {
		return ScheduledResult{Error: "The worker is not running."}
	}
	res := <-req.resp
	if res.status == http.StatusOK {
		return ScheduledResult{OK: true}
	}
	return ScheduledResult{Error: strings.TrimSpace(res.text)}
}

// EventResult is the outcome of an event run with [Worker.Event].
type EventResult struct {
	// OK is false when the handler threw, its promise rejected, or the
	// worker could not run it; Error then holds the exception with its
	// stack mapped to the user's sources (or why it did not run).
	OK    bool
	Error string
	// Result is the string the handler's promise resolved to.
	Result string
}

// Event runs the handler that an extension registered for kind (in its
// script, with __zs_internal.registerEvent(kind, (payload, ctx, exports,
// env) => result)) in one of the worker's isolates, and returns once the
// handler's promise settles; ctx.waitUntil work may go on after it. kind
// must not contain a newline. Queues deliver batches this way.
func (w *Worker) Event(kind, payload string) EventResult {
	req := &request{
		isEvent: true,
		kind:    kind,
		payload: payload,
		url:     "event:" + kind,
		resp:    make(chan result, 1),
	}
	if !w.submit(req) {
		return EventResult{Error: "The worker is not running."}
	}
	res := <-req.resp
	if res.status == http.StatusOK {
		return EventResult{OK: true, Result: res.text}
	}
	return EventResult{Error: strings.TrimSpace(res.text)}
}

// --- events pinned to one isolate (Durable Objects) ---

// EventOn runs an event like [Worker.Event], but in the isolate whose
// runtime is rt (a runtime an extension's Setup received), never in
// another: Durable Objects keep each object's instance in one isolate. ok
// is false when that isolate is no longer part of the pool (it was
// discarded or the worker closed) and the event did not run.
func (w *Worker) EventOn(rt *webapi.Runtime, kind, payload string) (res EventResult, ok bool) {
	w.mu.Lock()
	var iso *isolate
	for _, i := range w.isolates {
		if i.rt == rt {
			iso = i
			break
		}
	}
	w.mu.Unlock()
	req := &request{
		isEvent: true,
		pinned:  true,
		kind:    kind,
		payload: payload,
		url:     "event:" + kind,
		resp:    make(chan result, 1),
	}
	if iso == nil || !iso.submit(req) {
		return EventResult{Error: "The isolate is gone."}, false
	}
	r := <-req.resp
	switch r.status {
	case http.StatusOK:
		return EventResult{OK: true, Result: r.text}, true
	case statusGone:
		return EventResult{Error: "The isolate is gone."}, false
	}
	return EventResult{Error: strings.TrimSpace(r.text)}, true
}

// Owns reports whether rt is the runtime of one of the worker's running
// isolates.
func (w *Worker) Owns(rt *webapi.Runtime) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, i := range w.isolates {
		if i.rt == rt {
			return true
		}
	}
	return false
}

// statusGone answers a pinned request whose isolate was discarded before
// the request started.
const statusGone = -1

// --- end pinned events ---

// submit hands req to an isolate. When the chosen isolate is being
// discarded it retries on another, waiting a little for a replacement to
// start; it reports false when no isolate took the request.
func (w *Worker) submit(req *request) bool {
	for attempt := 0; attempt < 100; attempt++ {
		if iso := w.pick(); iso != nil && iso.submit(req) {
			return true
		}
		w.mu.Lock()
		closed := w.closed
		w.mu.Unlock()
		if closed {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// request is one HTTP request in flight in an isolate.
type request struct {
	id   int64
	head string // "method\nurl\ncountry\nproto\n" + headers' wire form
	url  string
	body io.ReadCloser

	// cron, for a Cron Trigger event instead of an HTTP request: the
	// expression and the scheduled time.
	cron     string
	cronTime time.Time
	isEvent  bool
	// kind and payload, for an event of another kind (see [Worker.Event]).
	kind      string
	payload   string
	pinned    bool // runs only in the isolate it was submitted to (EventOn)
	resp      chan result
	responded bool
	cpu       time.Duration
	accept    string
	upgrade   bool // the client asked for a WebSocket (Upgrade: websocket)
}

// result is what the HTTP goroutine writes.
type result struct {
	status int
	header http.Header
	text   string
	bytes  []byte
	stream io.ReadCloser
	isText bool
	// ws is the WebSocket of a 101 response: write upgrades the connection.
	ws *webapi.WebSocketUpgrade
}

func (w *Worker) newRequest(r *http.Request) *request {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	var sb strings.Builder
	sb.Grow(256)
	country := ""
	for k, vs := range r.Header {
		lk := lowerHeader(k)
		switch lk {
		case "cf-connecting-ip", "x-forwarded-for", "x-forwarded-proto", "x-real-ip", "cf-ray", "cf-visitor":
			continue // set below, as Cloudflare overwrites them
		case "cf-ipcountry":
			if len(vs) > 0 {
				country = vs[0]
			}
			continue
		}
		for _, v := range vs {
			sb.WriteString(lk)
			sb.WriteByte('\n')
			sb.WriteString(v)
			sb.WriteByte('\n')
		}
	}
	if r.Host != "" && r.Header.Get("Host") == "" {
		sb.WriteString("host\n" + r.Host + "\n")
	}
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	if country == "" {
		country = w.cfg.Country
	}
	ray := newRayID()
	sb.WriteString("cf-connecting-ip\n" + ip + "\n")
	sb.WriteString("cf-ipcountry\n" + country + "\n")
	sb.WriteString("cf-ray\n" + ray + "\n")
	sb.WriteString(`cf-visitor` + "\n" + `{"scheme":"` + scheme + `"}` + "\n")
	sb.WriteString("x-forwarded-for\n" + ip + "\n")
	sb.WriteString("x-forwarded-proto\n" + scheme + "\n")
	sb.WriteString("x-real-ip\n" + ip + "\n")
	url := scheme + "://" + host + r.URL.RequestURI()
	req := &request{
		head:   r.Method + "\n" + url + "\n" + country + "\n" + r.Proto + "\n" + sb.String(),
		url:    url,
		resp:   make(chan result, 1),
		accept: r.Header.Get("Accept"),
	}
	req.upgrade = websocket.IsUpgrade(r)
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		req.body = r.Body
		if r.ContentLength > 0 {
			req.body = webapi.SizedReader{ReadCloser: r.Body, N: r.ContentLength}
		}
	}
	return req
}

var rayCounter atomic.Uint64

func newRayID() string {
	n := rayCounter.Add(1) ^ uint64(time.Now().UnixNano())
	return strconv.FormatUint(n&0xffffffffffffffff, 16) + "-DEV"
}

// lowerCache holds the lowercase forms of header names seen so far, up to
// lowerCacheMax of them, so that a client sending endless distinct names
// cannot grow it.
var (
	lowerCache     sync.Map
	lowerCacheSize atomic.Int32
)

const lowerCacheMax = 1024

// lowerHeader lowercases a canonical header name, caching the common ones.
func lowerHeader(k string) string {
	if v, ok := lowerCache.Load(k); ok {
		return v.(string)
	}
	l := strings.ToLower(k)
	if len(k) < 64 && lowerCacheSize.Load() < lowerCacheMax {
		if _, loaded := lowerCache.LoadOrStore(k, l); !loaded {
			lowerCacheSize.Add(1)
		}
	}
	return l
}

// InMemoryBody is implemented by response bodies that a binding hands to a
// Response whole in memory (an R2 object's small body, say). Remaining
// returns the bytes not read yet; the caller must not modify them. Such a
// body is sent with its head in one write instead of being streamed.
type InMemoryBody interface {
	io.ReadCloser
	Remaining() []byte
}

// StoredBody is implemented by response bodies that a binding reads from
// local storage (a large R2 object's file): Size bytes, always ready to be
// read. WriteTo copies the rest of the body to w, through the connection's
// ReadFrom (sendfile) where it can; Stored only marks the type.
type StoredBody interface {
	io.ReadCloser
	io.WriterTo
	Size() int64
	Stored()
}

// isClientGone reports whether r's client went away (its context ended),
// which makes a failed body copy unremarkable.
func isClientGone(r *http.Request) bool { return r.Context().Err() != nil }

// write sends res to the client.
// bodyBufs holds the 64 KiB buffers that copy streamed response bodies.
var bodyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

func (w *Worker) write(rw http.ResponseWriter, r *http.Request, res result) {
	if res.ws != nil {
		res.ws.Serve(rw, r, res.header)
		return
	}
	h := rw.Header()
	for k, v := range res.header {
		h[k] = v
	}
	if _, ok := h["Content-Type"]; !ok {
		// No Content-Type is sent without one, as in workerd; a nil entry
		// stops net/http from sniffing one.
		h["Content-Type"] = nil
	}
	// A Go body whole in memory, or read from local storage (nil otherwise).
	mem, _ := res.stream.(InMemoryBody)
	stored, _ := res.stream.(StoredBody)
	switch {
	// --- httpx: a Go body already in memory leaves with its head in one write ---
	case mem != nil:
		defer res.stream.Close()
		b := mem.Remaining()
		if _, ok := h["Content-Length"]; !ok && res.status != 204 && res.status != 304 {
			h["Content-Length"] = []string{strconv.Itoa(len(b))}
		}
		httpx.WriteFull(rw, r, res.status, b)
	// --- end httpx ---
	case stored != nil:
		// A body read from local storage is always ready: it is copied with
		// its WriteTo (sendfile for a file) rather than flushed chunk by chunk.
		defer res.stream.Close()
		if _, ok := h["Content-Length"]; !ok && res.status != 204 && res.status != 304 {
			h["Content-Length"] = []string{strconv.FormatInt(stored.Size(), 10)}
		}
		rw.WriteHeader(res.status)
		if r.Method == http.MethodHead {
			return
		}
		if _, err := stored.WriteTo(rw); err != nil && !isClientGone(r) {
			w.log.Warn("response body", "worker", w.cfg.Name, "err", err)
		}
	case res.stream != nil:
		defer res.stream.Close()
		if _, ok := h["Content-Length"]; !ok {
			h.Del("Content-Length")
			// A body of known length (an R2 object's, say) is sent with a
			// Content-Length instead of chunked, as workerd does.
			if sz, ok := res.stream.(interface{ Size() int64 }); ok && res.status != 204 && res.status != 304 {
				h["Content-Length"] = []string{strconv.FormatInt(sz.Size(), 10)}
			}
		}
		rw.WriteHeader(res.status)
		if r.Method == http.MethodHead {
			return
		}
		fl, _ := rw.(http.Flusher)
		bp := bodyBufs.Get().(*[]byte)
		defer bodyBufs.Put(bp)
		buf := *bp
		for {
			n, err := res.stream.Read(buf)
			if n > 0 {
				if _, werr := rw.Write(buf[:n]); werr != nil {
					return
				}
				if fl != nil {
					fl.Flush()
				}
			}
			if err != nil {
				if err != io.EOF {
					w.log.Warn("response body", "worker", w.cfg.Name, "err", err)
				}
				return
			}
		}
	// --- httpx: a body complete in Go leaves with its head in one write ---
	case res.isText:
		h["Content-Length"] = []string{strconv.Itoa(len(res.text))}
		httpx.WriteFullString(rw, r, res.status, res.text)
	default:
		if res.status != 204 && res.status != 304 {
			h["Content-Length"] = []string{strconv.Itoa(len(res.bytes))}
		}
		httpx.WriteFull(rw, r, res.status, res.bytes)
	}
	// --- end httpx ---
}
