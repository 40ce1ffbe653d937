package worker

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/textproto"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
)

// isolate is one V8 isolate of a worker's pool and the goroutine that owns
// it. Fields without a comment belong to the owner goroutine.
type isolate struct {
	w          *Worker
	rt         *webapi.Runtime
	jsDispatch *v8.Function
	jsSched    *v8.Function
	jsEvent    *v8.Function

	reqs       map[int64]*request
	nextID     int64
	tasks      uint64
	batch      []taskTime
	batchWall  time.Duration
	terminated bool // a call returned v8.ErrTerminated

	// Shared with other goroutines.
	inflight atomic.Int32  // requests not yet finished (incl. waitUntil)
	tid      int           // OS thread id, set before the isolate is published
	taskSeq  atomic.Uint64 // incremented when a task starts; odd while one runs
	busy     atomic.Int64  // nanoseconds spent in tasks, for the pool's growth
	exceeded atomic.Bool   // the watchdog terminated a task over the CPU limit
	quit     chan struct{}
	stopOnce sync.Once
	dead     bool

	// inbox holds requests submitted but not yet dispatched. Requests wait
	// here, not in the event loop, so that those an isolate never started
	// can move to another isolate when it is discarded.
	inboxMu     sync.Mutex
	inbox       []*request
	inboxClosed bool
}

// submit queues req for dispatch; false if the isolate no longer accepts
// requests.
func (i *isolate) submit(req *request) bool {
	i.inboxMu.Lock()
	if i.inboxClosed {
		i.inboxMu.Unlock()
		return false
	}
	i.inbox = append(i.inbox, req)
	first := len(i.inbox) == 1
	i.inflight.Add(1)
	i.inboxMu.Unlock()
	if first {
		// Wake the loop; run() dispatches the inbox after each batch.
		i.rt.Loop.Enqueue(noop)
	}
	return true
}

func noop() {}

// pumpInbox dispatches the queued requests; it runs on the isolate thread.
func (i *isolate) pumpInbox() {
	i.inboxMu.Lock()
	reqs := i.inbox
	i.inbox = nil
	i.inboxMu.Unlock()
	for k, req := range reqs {
		if i.dead {
			// Hand the rest back to the pool.
			i.inflight.Add(-int32(len(reqs) - k))
			for _, r := range reqs[k:] {
				go i.w.resubmit(r)
			}
			return
		}
		i.runTask(func() { i.dispatch(req) })
	}
}

// closeInbox stops accepting requests and hands those not yet dispatched to
// other isolates.
func (i *isolate) closeInbox() {
	i.inboxMu.Lock()
	i.inboxClosed = true
	reqs := i.inbox
	i.inbox = nil
	i.inboxMu.Unlock()
	i.inflight.Add(-int32(len(reqs)))
	for _, r := range reqs {
		go i.w.resubmit(r)
	}
}

// errNeverResponds is workerd's message for a request whose promise can no
// longer settle.
const errNeverResponds = "The script will never generate a response."

func (w *Worker) startIsolate() (*isolate, error) {
	i := &isolate{w: w, reqs: map[int64]*request{}, quit: make(chan struct{})}
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// The thread is not unlocked: a thread that ran V8 is not handed
		// back to the Go scheduler; it exits with the goroutine.
		i.tid = gettid()
		if err := i.init(); err != nil {
			ready <- err
			return
		}
		ready <- nil
		i.run()
	}()
	if err := <-ready; err != nil {
		return nil, err
	}
	return i, nil
}

func (i *isolate) init() error {
	cfg := i.w.cfg
	rt, err := webapi.New(webapi.Options{
		MaxHeapBytes: uint64(cfg.MemoryMB) << 20,
		Log:          i.console,
		Logger:       i.w.log,
		Setup: func(rt *webapi.Runtime) {
			i.installHost(rt)
			for _, e := range cfg.Extensions {
				if e.Setup != nil {
					e.Setup(rt)
				}
			}
		},
	})
	if err != nil {
		return fmt.Errorf("worker %s: runtime: %w", cfg.Name, err)
	}
	i.rt = rt
	w := i.w
	for _, e := range cfg.Extensions {
		if e.Script == "" {
			continue
		}
		s, err := rt.Iso.Compile(e.Script, "zerostack:"+e.Name, nil)
		if err == nil {
			var v v8.Value
			if v, err = s.Run(); err == nil {
				v.Release()
			}
		}
		if err != nil {
			rt.Close()
			return fmt.Errorf("worker %s: extension %s: %w", cfg.Name, e.Name, err)
		}
	}
	w.cache.mu.Lock()
	cache := w.cache.data
	w.cache.mu.Unlock()
	s, err := rt.Iso.Compile(cfg.Bundle.Script, cfg.Bundle.Name, cache)
	if err != nil {
		rt.Close()
		return fmt.Errorf("worker %s: script failed to load: %s", cfg.Name, i.mapErr(err))
	}
	if cache == nil || s.CacheRejected() {
		data := s.CodeCache()
		w.cache.mu.Lock()
		w.cache.data = data
		w.cache.mu.Unlock()
	}
	v, err := s.Run()
	if err != nil {
		rt.Close()
		return fmt.Errorf("worker %s: script failed to load: %s", cfg.Name, i.mapErr(err))
	}
	v.Release()
	setup, err := rt.Iso.Global("__zs_setup")
	if err != nil {
		rt.Close()
		return err
	}
	kind, err := setup.Call(w.envJSON, w.pendingJSON, w.bindingsJSON)
	setup.Release()
	if err != nil {
		rt.Close()
		return fmt.Errorf("worker %s: setup: %s", cfg.Name, i.mapErr(err))
	}
	k := kind.String()
	kind.Release()
	if k == "none" {
		rt.Close()
		return fmt.Errorf("worker %s: the script has no fetch handler: export default { fetch(request, env, ctx) { … } } or call addEventListener(\"fetch\", …)", cfg.Name)
	}
	if i.jsSched, err = rt.Iso.Global("__zs_scheduled"); err != nil {
		rt.Close()
		return err
	}
	if i.jsEvent, err = rt.Iso.Global("__zs_event"); err != nil {
		rt.Close()
		return err
	}
	if i.jsDispatch, err = rt.Iso.Global("__zs_dispatch"); err != nil {
		rt.Close()
		return err
	}
	clean, _ := rt.Iso.Compile(`delete globalThis.__zs_setup; delete globalThis.__zs_dispatch; delete globalThis.__zs_scheduled; delete globalThis.__zs_event; delete globalThis.__zs_complete; delete globalThis.__zs_timer; delete globalThis.__zs_internal;`, "zerostack:cleanup", nil)
	if v, err := clean.Run(); err == nil {
		v.Release()
	}
	rt.RunTasks()
	return nil
}

func (i *isolate) mapErr(err error) string {
	var je *v8.JSError
	if errors.As(err, &je) {
		if je.Stack != "" {
			return i.w.cfg.Bundle.Map.MapStack(je.Stack)
		}
		return i.w.cfg.Bundle.Map.MapStack(je.Message)
	}
	return err.Error()
}

func (i *isolate) console(level, msg string) {
	if c := i.w.cfg.Console; c != nil {
		if level == "error" || level == "warn" {
			msg = i.w.cfg.Bundle.Map.MapStack(msg)
		}
		c(level, msg)
	}
}

// stop ends the isolate's goroutine; the isolate is disposed there.
func (i *isolate) stop() {
	i.stopOnce.Do(func() { close(i.quit) })
}

func (i *isolate) run() {
	rt := i.rt
	defer func() {
		i.closeInbox()
		i.failAll(http.StatusServiceUnavailable, "The worker was stopped.")
		i.jsDispatch.Release()
		i.jsSched.Release()
		i.jsEvent.Release()
		rt.Close()
	}()
	for {
		select {
		case <-rt.Loop.Wake():
		case <-i.quit:
			return
		}
		batchCPU := threadCPU()
		tasks := rt.Loop.Drain()
		for _, t := range tasks {
			if i.dead {
				break
			}
			i.runTask(t)
		}
		if !i.dead {
			i.pumpInbox()
		}
		i.chargeBatch(threadCPU() - batchCPU)
		if i.dead {
			return
		}
		if rt.Loop.Pending() == 0 && len(i.reqs) > 0 {
			i.reapHung()
		}
	}
}

// runTask runs one task and notes its wall time against the request it
// served; chargeBatch turns those notes into CPU time.
//
// Reading the thread's CPU clock is a system call, and an expensive one in
// some sandboxes (it was 18% of all CPU at 15,000 requests/s), so it is read
// once per batch of tasks and the batch's CPU time is shared among its tasks
// in proportion to their wall time. A single task that runs away is caught
// by the watchdog, which reads the thread's clock from outside.
func (i *isolate) runTask(t func()) {
	rt := i.rt
	rt.Tag = nil
	i.taskSeq.Add(1)
	start := time.Now()
	t()
	rt.Iso.EndTask()
	wall := time.Since(start)
	i.taskSeq.Add(1)
	if req, ok := rt.Tag.(*request); ok && req != nil {
		i.batch = append(i.batch, taskTime{req, wall})
	}
	i.batchWall += wall
	i.busy.Add(int64(wall))
	// V8 terminates execution when the heap limit is reached (and then
	// raises the limit to survive); check the heap only every 64 tasks
	// since reading its statistics is not free.
	i.tasks++
	if i.exceeded.Load() || (i.tasks&63 == 0 || i.terminated || rt.Terminated) && rt.Iso.HeapExceeded() {
		i.discard()
	}
}

// taskTime is the wall time of one task, for its request.
type taskTime struct {
	req  *request
	wall time.Duration
}

// chargeBatch shares cpu, the CPU time of the batch just run, among the
// requests its tasks served, and answers requests over the CPU limit.
func (i *isolate) chargeBatch(cpu time.Duration) {
	if i.batchWall > 0 {
		for _, tt := range i.batch {
			used := time.Duration(float64(cpu) * float64(tt.wall) / float64(i.batchWall))
			tt.req.cpu += used
			if lim := i.w.cfg.CPULimit; lim > 0 && tt.req.cpu > lim && !tt.req.responded && !i.dead {
				i.respondError(tt.req, http.StatusServiceUnavailable, errCPU)
			}
		}
	}
	clear(i.batch)
	i.batch = i.batch[:0]
	i.batchWall = 0
}

var (
	errCPU    = "Error 1102: Worker exceeded resource limits (CPU time limit exceeded)."
	errMemory = "Error 1102: Worker exceeded resource limits (memory limit exceeded)."
)

// discard fails every request of a terminated isolate and replaces it.
func (i *isolate) discard() {
	if i.dead {
		return
	}
	i.dead = true
	msg := errMemory
	if i.exceeded.Load() {
		msg = errCPU
	}
	i.w.log.Warn("isolate discarded", "worker", i.w.cfg.Name, "reason", msg)
	i.closeInbox()
	i.failAll(http.StatusServiceUnavailable, msg)
	go i.w.replace(i)
}

func (i *isolate) failAll(status int, msg string) {
	for _, req := range i.reqs {
		if !req.responded {
			i.respondError(req, status, msg)
		}
		i.finish(req)
	}
}

// finish forgets a request whose response and waitUntil work are over and
// closes the bodies it opened but never read (fetch responses, its own
// request body), as workerd cancels a finished request's I/O.
func (i *isolate) finish(req *request) {
	delete(i.reqs, req.id)
	i.inflight.Add(-1)
	i.rt.ReleaseTag(req)
}

// resubmit hands a request that an isolate never started to another one;
// a pinned one is answered with statusGone instead.
func (w *Worker) resubmit(req *request) {
	if req.pinned {
		req.resp <- result{status: statusGone}
		return
	}
	if !w.submit(req) {
		req.resp <- result{status: http.StatusServiceUnavailable, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, text: "The worker is not running; retry.\n", isText: true}
	}
}

// reapHung fails requests whose promises can no longer settle: nothing is
// pending on the loop that could resolve them.
func (i *isolate) reapHung() {
	for _, req := range i.reqs {
		if !req.responded {
			i.console("error", "Error: "+errNeverResponds)
			i.respondError(req, http.StatusInternalServerError, "Error: "+errNeverResponds)
		}
		i.finish(req)
	}
}

// dispatch starts a request in JavaScript. It runs on the isolate thread.
func (i *isolate) dispatch(req *request) {
	i.nextID++
	req.id = i.nextID
	i.reqs[req.id] = req
	i.rt.Tag = req
	bodyID := 0
	if req.body != nil {
		bodyID = i.rt.AddReader(req.body)
	}
	var v v8.Value
	var err error
	if req.kind != "" {
		v, err = i.jsEvent.Call(strconv.FormatInt(req.id, 10) + "\n" + req.kind + "\n" + req.payload)
	} else if req.isEvent {
		packed := strconv.FormatInt(req.id, 10) + "\n" + strconv.FormatInt(req.cronTime.UnixMilli(), 10) + "\n" + req.cron
		v, err = i.jsSched.Call(packed)
	} else {
		packed := strconv.FormatInt(req.id, 10) + "\n" + strconv.Itoa(bodyID) + "\n" + req.head
		v, err = i.jsDispatch.Call(packed)
	}
	v.Release()
	if err != nil {
		if errors.Is(err, v8.ErrTerminated) {
			i.terminated = true
			i.discard()
			return
		}
		i.fail(req, i.mapErr(err), false)
	}
}

// respondError answers req with an error page.
func (i *isolate) respondError(req *request, status int, msg string) {
	if req.responded {
		return
	}
	req.responded = true
	h := http.Header{}
	body := msg + "\n"
	if i.w.cfg.Dev && strings.Contains(req.accept, "text/html") {
		h.Set("Content-Type", "text/html; charset=utf-8")
		body = "<!doctype html><html><head><title>Worker error</title><style>body{font-family:system-ui,sans-serif;margin:2rem}pre{background:#f6f6f6;padding:1rem;overflow:auto}</style></head><body><h1>" +
			html.EscapeString(http.StatusText(status)) + "</h1><p>" + html.EscapeString(i.w.cfg.Name) + "</p><pre>" + html.EscapeString(msg) + "</pre></body></html>"
	} else {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	req.resp <- result{status: status, header: h, text: body, isText: true}
}

// fail reports an uncaught exception of a request.
func (i *isolate) fail(req *request, stack string, passThrough bool) {
	stack = i.w.cfg.Bundle.Map.MapStack(stack)
	i.w.log.Error("uncaught exception", "worker", i.w.cfg.Name, "url", req.url)
	i.console("error", stack)
	if i.w.cfg.Dev {
		i.respondError(req, http.StatusInternalServerError, stack)
	} else {
		i.respondError(req, http.StatusInternalServerError, "Error 1101: Worker threw exception")
	}
}

func (i *isolate) req(id int64) *request {
	return i.reqs[id]
}

// installHost defines the host functions the dispatch glue calls.
func (i *isolate) installHost(rt *webapi.Runtime) {
	// respond(head, kind, a, b): head is "id\nstatus\nstatusText\n" and
	// the headers' wire form; kind says what a and b hold (see worker.js).
	rt.Func("respond", func(c *v8.Call) (any, error) {
		head := c.String(0)
		idS, rest, _ := strings.Cut(head, "\n")
		statusS, rest, _ := strings.Cut(rest, "\n")
		_, wire, _ := strings.Cut(rest, "\n")
		id, _ := strconv.ParseInt(idS, 10, 64)
		status, _ := strconv.Atoi(statusS)
		req := i.req(id)
		if req == nil || req.responded {
			return nil, nil
		}
		req.responded = true
		res := result{status: status, header: wireHeader(wire)}
		var ret any
		switch c.Int(1) {
		case 0:
		case 1:
			res.text, res.isText = c.String(2), true
		case 2:
			b, err := c.Bytes(2, int(c.Int(3)))
			if err != nil {
				return nil, err
			}
			res.bytes = b
		case 3:
			pr, pw := newPipe()
			ret = rt.AddWriter(pw)
			res.stream = pr
		case 4:
			rc, ok := rt.TakeReader(int(c.Int(2)))
			if !ok {
				return nil, &v8.TypeError{Msg: "The response body has already been used."}
			}
			res.stream = rc
		}
		req.resp <- res
		return ret, nil
	})
	// wsRespond(id, hid, wire) answers with 101 and the WebSocket that
	// host socket hid carries (see js/websocket.js's coupleToHost).
	rt.Func("wsRespond", func(c *v8.Call) (any, error) {
		req := i.req(c.Int(0))
		up := rt.WebSocketUpgrade(int(c.Int(1)))
		if req == nil || req.responded {
			up.Cancel()
			return nil, nil
		}
		if !req.upgrade {
			up.Cancel()
			return nil, &v8.TypeError{Msg: `Worker tried to return a WebSocket in a response to a request which did not contain the header "Upgrade: websocket".`}
		}
		req.responded = true
		req.resp <- result{status: http.StatusSwitchingProtocols, header: wireHeader(c.String(2)), ws: up}
		return nil, nil
	})
	rt.Func("fail", func(c *v8.Call) (any, error) {
		req := i.req(c.Int(0))
		if req == nil {
			return nil, nil
		}
		if req.responded {
			i.console("error", c.String(1))
			return nil, nil
		}
		i.fail(req, c.String(1), c.Bool(2))
		return nil, nil
	})
	// eventResult(id, ok, text) reports how a non-HTTP event ended: text
	// is the handler's result, or its error when !ok.
	rt.Func("eventResult", func(c *v8.Call) (any, error) {
		req := i.req(c.Int(0))
		if req == nil || req.responded {
			return nil, nil
		}
		req.responded = true
		if c.Bool(1) {
			res := result{status: http.StatusOK}
			if req.kind != "" {
				res.text, res.isText = c.String(2), true
			}
			req.resp <- res
			return nil, nil
		}
		msg := i.w.cfg.Bundle.Map.MapStack(c.String(2))
		i.console("error", msg)
		req.resp <- result{status: http.StatusInternalServerError, text: msg, isText: true}
		return nil, nil
	})
	rt.Func("done", func(c *v8.Call) (any, error) {
		if req := i.req(c.Int(0)); req != nil {
			i.finish(req)
		}
		return nil, nil
	})
}

// wireHeader parses the prelude's "name\nvalue\n" form.
func wireHeader(wire string) http.Header {
	h := http.Header{}
	for len(wire) > 0 {
		nl := strings.IndexByte(wire, '\n')
		if nl < 0 {
			break
		}
		name := wire[:nl]
		wire = wire[nl+1:]
		nl = strings.IndexByte(wire, '\n')
		if nl < 0 {
			nl = len(wire)
		}
		val := wire[:nl]
		if nl < len(wire) {
			wire = wire[nl+1:]
		} else {
			wire = ""
		}
		k := textproto.CanonicalMIMEHeaderKey(name)
		h[k] = append(h[k], val)
	}
	return h
}

// watchdog terminates tasks that run past the CPU limit (a `while(true){}`
// never yields, so the per-task accounting in runTask cannot catch it).
func (w *Worker) watchdog() {
	period := w.cfg.CPULimit / 4
	period = max(min(period, 50*time.Millisecond), 2*time.Millisecond)
	t := time.NewTicker(period)
	defer t.Stop()
	type cpuBase struct {
		seq uint64
		cpu time.Duration
	}
	base := map[*isolate]cpuBase{}
	for {
		select {
		case <-w.stopDog:
			return
		case <-t.C:
		}
		w.mu.Lock()
		isos := append([]*isolate(nil), w.isolates...)
		w.mu.Unlock()
		for i := range base {
			if !slices.Contains(isos, i) {
				delete(base, i)
			}
		}
		for _, i := range isos {
			seq := i.taskSeq.Load()
			if seq&1 == 0 {
				continue // idle
			}
			now, ok := threadCPUOf(i.tid)
			if !ok {
				continue
			}
			b := base[i]
			if b.seq != seq {
				// First sight of this task: its CPU so far is not known,
				// so start counting now (the kill comes at most one tick
				// late, never early).
				base[i] = cpuBase{seq, now}
				continue
			}
			if now-b.cpu > w.cfg.CPULimit && i.taskSeq.Load() == seq {
				i.exceeded.Store(true)
				i.rt.Iso.Terminate()
			}
		}
	}
}
