package binding

// Durable Objects (Cloudflare's DurableObjectNamespace binding) over package
// durable: js/durable.js is the JavaScript side.
//
// # One live instance per object
//
// Every object is pinned to one isolate of the Worker that exports its
// class: the first isolate that asks for it (usually the one where the
// calling request runs), for as long as the object lives. A call from that
// isolate runs in JavaScript at once, with arguments and results copied by
// structuredClone; a call from another isolate, another Worker or an alarm
// crosses through Go ([worker.Worker.EventOn]) with its values serialized.
// Functions and RpcTargets in arguments and results pass by reference in
// both cases, as stubs whose calls go back to the isolate that holds them
// (durable_rpc.go); request and response bodies that cross isolates are
// streamed through Go readers, never read whole.
// When the pinned isolate is discarded (it exceeded a limit), the object is
// reset: its next call pins it to the caller's isolate and constructs it
// again, and the write transaction the dead isolate left open is rolled
// back.
//
// # Gates
//
// An object's storage is used synchronously on its isolate's thread (a
// local SQLite read or write takes microseconds), and storage promises
// resolve at once. The first write of a turn opens a transaction; it is
// committed when the event that wrote settles, before its response or RPC
// result is handed to anyone (the output gate), and at the latest when the
// isolate's current task ends, so writes made without await are coalesced
// into one atomic commit (events of one batch share it). While a storage
// promise has not been observed by the object's code, no other event is
// delivered to the object (the input gate, js/durable.js): events that
// arrive meanwhile wait in order, and once the gate opens they are started
// one at a time in a new task, after the code that awaited storage has
// continued, each until it closes the gate again. blockConcurrencyWhile
// holds events back the same way. Awaiting anything else (fetch, timers)
// leaves the gate open, as on Cloudflare.
//
// A new version of the Worker (zerostack dev reloading after an edit) takes
// its objects over: their next call constructs them in the new version's
// isolates, and the old version's instances can no longer use their storage
// (Cloudflare also resets objects when their code is updated).
//
// # Eviction and alarms
//
// An object with no event for the idle timeout is evicted: its instance is
// dropped and its database closed; the next call constructs it again from
// storage. Alarms are kept in timers fed from the store's alarm index; a
// failing alarm handler is retried with exponential back-off (2 s, 4 s, …)
// up to six times, as Cloudflare does.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/durable"
	"github.com/zerostack/zerostack/internal/sqlitedb"
	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
	"github.com/zerostack/zerostack/internal/worker"
)

// TypeDurable is the binding type of a DurableObjectNamespace.
const TypeDurable = "durable_object_namespace"

// DurableObject returns the env entry name → a DurableObjectNamespace for
// class className exported by the Worker script (its [worker.Config] Name).
func DurableObject(name, script, className string) worker.Binding {
	return worker.Binding{Name: name, Type: TypeDurable, Config: map[string]string{"script": script, "class": className}}
}

// DurableOptions configures a [DurableHost].
type DurableOptions struct {
	// IdleTimeout evicts objects without events for this long (0: 70 s,
	// about when Cloudflare evicts an idle object).
	IdleTimeout time.Duration
	// HibernateTimeout hibernates an object whose only activity is
	// hibernatable WebSockets after this long without events (0: 10 s, as
	// Cloudflare does, or IdleTimeout when that is shorter).
	HibernateTimeout time.Duration
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

// DurableHost runs the Durable Objects of every Worker in the process over
// one store. Create one per store with [NewDurableHost], give each Worker
// its [DurableHost.Extension], and Close it after the Workers.
type DurableHost struct {
	store durable.Store
	log   *slog.Logger
	idle  time.Duration
	hib   time.Duration

	mu      sync.Mutex
	workers map[string]*worker.Worker // script name → the Worker serving it
	nss     map[string]durable.Namespace
	objects map[string]*dobject // ns + "/" + id
	handles map[int64]*dobject
	nextH   int64
	msgs    map[int64][]byte
	nextMsg int64
	alarms  map[string]*time.Timer
	retries map[string]int
	waiting map[string]bool          // alarms due while no Worker served their script
	parked  map[string]*parkedObject // hibernated objects' sockets (durable_hibernate.go)
	closed  bool
	stop    chan struct{}

	cap        capTable     // functions and RpcTargets passed over RPC (durable_rpc.go)
	crossCalls atomic.Int64 // events delivered through Go (see CrossCalls)
	sqlOff     sync.Map     // namespace name → true: a key-value-backed class (new_classes)
}

// dobject is one object that has (or had) a live instance.
type dobject struct {
	key, ns, id, script string
	h                   int64
	st                  *durable.Storage // used on pin's thread only
	pin                 *webapi.Runtime
	stale               bool // its isolate died: roll back before use
	last                atomic.Int64
	commitQueued        bool
	flushes             []flushWait // doFlush promises settled by the queued commit
}

// flushWait is a doFlush promise and the request (runtime Tag) it serves.
type flushWait struct {
	id  int64
	tag any
}

// NewDurableHost starts the object host over store and schedules the alarms
// the store lists.
func NewDurableHost(store durable.Store, opts DurableOptions) *DurableHost {
	h := &DurableHost{
		store: store, log: opts.Logger, idle: opts.IdleTimeout, hib: opts.HibernateTimeout,
		workers: map[string]*worker.Worker{}, nss: map[string]durable.Namespace{},
		objects: map[string]*dobject{}, handles: map[int64]*dobject{}, msgs: map[int64][]byte{},
		alarms: map[string]*time.Timer{}, retries: map[string]int{}, stop: make(chan struct{}),
		waiting: map[string]bool{},
		parked:  map[string]*parkedObject{},
	}
	h.cap.init()
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.idle <= 0 {
		h.idle = 70 * time.Second
	}
	if h.hib <= 0 {
		h.hib = min(10*time.Second, h.idle)
	}
	if as, err := store.Alarms(context.Background()); err == nil {
		for _, a := range as {
			h.schedule(a.Namespace, a.ID, a.At)
		}
	} else {
		h.log.Error("durable alarms", "err", err)
	}
	go h.evictLoop()
	return h
}

// Close stops alarms and eviction and closes the objects' databases
// (rolling back transactions left open). Call it after the Workers closed.
func (h *DurableHost) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	close(h.stop)
	for _, t := range h.alarms {
		t.Stop()
	}
	for _, p := range h.parked {
		p.mu.Lock()
		for _, ps := range p.sockets {
			ps.conn.Close(1001, "zerostack is shutting down")
		}
		p.mu.Unlock()
	}
	var errs []error
	for _, o := range h.objects {
		if o.st != nil {
			errs = append(errs, o.st.Close())
			o.st = nil
		}
	}
	return errors.Join(errs...)
}

// SetKeyValueClasses records the classes of script that its migrations
// declare key-value backed (new_classes, not later new_sqlite_classes): as
// on Cloudflare, their storage has no SQL API. Other classes, including
// classes no migration names, get both.
func (h *DurableHost) SetKeyValueClasses(script string, classes []string) {
	h.sqlOff.Range(func(k, _ any) bool {
		if strings.HasPrefix(k.(string), script+":") {
			h.sqlOff.Delete(k)
		}
		return true
	})
	for _, c := range classes {
		h.sqlOff.Store(script+":"+c, true)
	}
}

// CrossCalls reports how many events reached an object through Go (from
// another isolate, an alarm or a woken WebSocket) rather than directly in
// the caller's isolate, for tests and diagnostics.
func (h *DurableHost) CrossCalls() int64 { return h.crossCalls.Load() }

// Live reports how many objects have a live instance, for tests.
func (h *DurableHost) Live() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, o := range h.objects {
		if o.pin != nil {
			n++
		}
	}
	return n
}

func (h *DurableHost) namespace(script, class string) (durable.Namespace, error) {
	k := script + ":" + class
	h.mu.Lock()
	n, ok := h.nss[k]
	h.mu.Unlock()
	if ok {
		return n, nil
	}
	n, err := h.store.Namespace(context.Background(), script, class)
	if err != nil {
		return n, err
	}
	h.mu.Lock()
	h.nss[k] = n
	h.mu.Unlock()
	return n, nil
}

// Extension returns the worker extension serving DurableObjectNamespace
// bindings and the classes of the Worker it is installed in. Use a new one
// for each Worker.
func (h *DurableHost) Extension() worker.Extension {
	var self atomic.Pointer[worker.Worker]
	b, err := jsFiles.ReadFile("js/durable.js")
	if err != nil {
		panic("binding: missing embedded durable.js")
	}
	return worker.Extension{
		Name: "durable_objects",
		Attach: func(w *worker.Worker) func() {
			self.Store(w)
			h.mu.Lock()
			h.workers[w.Name()] = w
			h.mu.Unlock()
			go h.fireDue(w.Name())
			return func() {
				h.mu.Lock()
				if h.workers[w.Name()] == w {
					delete(h.workers, w.Name())
				}
				for _, o := range h.objects {
					if o.script == w.Name() && o.pin != nil && !h.pinLive(o) {
						o.pin, o.stale = nil, true
					}
				}
				h.mu.Unlock()
			}
		},
		Setup: func(rt *webapi.Runtime) {
			h.install(rt, func() *worker.Worker { return self.Load() })
		},
		Script: "(() => {\n" + string(b) + "\n})();\n",
	}
}

// pinLive reports whether o's isolate still belongs to a running Worker
// (called with h.mu held; a closed Worker's isolates do not).
func (h *DurableHost) pinLive(o *dobject) bool {
	w := h.workers[o.script]
	return w != nil && o.pin != nil && w.Owns(o.pin)
}

func (h *DurableHost) putMsg(b []byte) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextMsg++
	h.msgs[h.nextMsg] = b
	return h.nextMsg
}

func (h *DurableHost) takeMsg(id int64) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := h.msgs[id]
	delete(h.msgs, id)
	return b
}

// durableError turns a storage error into the JavaScript exception
// Cloudflare throws.
func durableError(err error) error {
	var le *durable.LimitError
	var se *durable.SQLError
	switch {
	case errors.As(err, &le):
		return &v8.RangeError{Msg: le.Msg}
	case errors.As(err, &se):
		return errors.New(se.Msg)
	case errors.Is(err, durable.ErrInvalidID), errors.Is(err, durable.ErrForeignID):
		return &v8.TypeError{Msg: err.Error()}
	}
	msg, code := sqlitedb.ErrorMessage(err)
	if code != "" {
		return fmt.Errorf("%s: %s", msg, code)
	}
	return err
}

// rtState is the per-isolate side of the host.
type rtState struct {
	rt  *webapi.Runtime
	big []byte // a result larger than the scratch area, read with doTake
}

// ret hands b to JavaScript as the result of a synchronous call: in the
// scratch area when it fits (returning its length), else through doTake
// (returning -length-1).
func (s *rtState) ret(b []byte) int {
	sc := s.rt.Iso.Scratch()
	if len(b) <= len(sc) {
		copy(sc, b)
		return len(b)
	}
	s.big = b
	return -len(b) - 1
}

// install defines the host functions of js/durable.js on rt.
func (h *DurableHost) install(rt *webapi.Runtime, self func() *worker.Worker) {
	s := &rtState{rt: rt}
	rt.Func("doSelf", func(c *v8.Call) (any, error) {
		if w := self(); w != nil {
			return w.Name(), nil
		}
		return "", nil
	})
	// doTake(off): copies the pending big result from off into scratch.
	rt.Func("doTake", func(c *v8.Call) (any, error) {
		off := int(c.Int(0))
		if off >= len(s.big) {
			s.big = nil
			return 0, nil
		}
		n := copy(rt.Iso.Scratch(), s.big[off:])
		if off+n >= len(s.big) {
			s.big = nil
		}
		return n, nil
	})
	// doId(script, class, op, arg) → id hex: op 0 idFromName, 1
	// newUniqueId(jurisdiction), 2 idFromString.
	rt.Func("doId", func(c *v8.Call) (any, error) {
		n, err := h.namespace(c.String(0), c.String(1))
		if err != nil {
			return nil, err
		}
		arg := c.String(3)
		switch c.Int(2) {
		case 0:
			return n.IDFromName(arg), nil
		case 1:
			id, err := n.NewUniqueID(arg)
			if err != nil {
				return nil, &v8.TypeError{Msg: err.Error()}
			}
			return id, nil
		default:
			id, err := n.IDFromString(arg)
			if err != nil {
				return nil, &v8.TypeError{Msg: err.Error()}
			}
			return id, nil
		}
	})
	// doOpen(script, class, id) → a storage handle when the object lives
	// (or now starts) in this isolate, 0 when it lives elsewhere.
	rt.Func("doOpen", func(c *v8.Call) (any, error) {
		script, class, id := c.String(0), c.String(1), c.String(2)
		w := self()
		if w == nil || w.Name() != script {
			return 0, nil
		}
		n, err := h.namespace(script, class)
		if err != nil {
			return nil, err
		}
		key := n.Name() + "/" + id
		h.mu.Lock()
		o := h.objects[key]
		if o == nil {
			o = &dobject{key: key, ns: n.Name(), id: id, script: script}
			h.objects[key] = o
		}
		if o.pin != nil && o.pin != rt {
			if h.pinLive(o) {
				h.mu.Unlock()
				return 0, nil
			}
			o.pin, o.stale = nil, true
		}
		if o.pin == nil {
			o.pin = rt
			h.nextH++
			o.h = h.nextH
			h.handles[o.h] = o
		}
		stale := o.stale
		o.stale = false
		h.mu.Unlock()
		o.last.Store(time.Now().UnixNano())
		if stale && o.st != nil {
			// The isolate that held the object died mid-turn: its
			// uncommitted writes are lost, as on Cloudflare's reset.
			o.st.Rollback()
		}
		if o.st == nil {
			st, err := h.store.Open(context.Background(), o.ns, id)
			if err != nil {
				h.unpin(o)
				return nil, fmt.Errorf("Durable Object storage could not be opened: %v", err)
			}
			o.st = st
		}
		return o.h, nil
	})
	obj := func(c *v8.Call) (*dobject, error) {
		h.mu.Lock()
		o := h.handles[c.Int(0)]
		h.mu.Unlock()
		if o == nil || o.pin != rt || o.st == nil {
			return nil, errors.New("Durable Object storage is no longer available: the object was evicted or reset; use the storage of its current instance")
		}
		return o, nil
	}
	// queueCommit queues a task that commits o's open transaction after
	// the tasks already queued (the events of the current batch) have run,
	// and then settles the doFlush promises waiting for it: the writes of
	// every event in the batch share one commit (group commit), and no
	// result leaves before it.
	queueCommit := func(o *dobject) {
		if o.commitQueued {
			return
		}
		o.commitQueued = true
		rt.Loop.Enqueue(func() {
			o.commitQueued = false
			var err error
			if o.st != nil && o.st.Depth() == 0 {
				if err = o.st.Commit(); err != nil {
					h.log.Error("durable object commit", "object", o.key, "err", err)
					err = fmt.Errorf("Durable Object storage commit failed: %v", err)
				}
			}
			// Each promise is settled under its request's Tag (its
			// continuation runs at once, as microtasks run when the call
			// into JavaScript returns), so that what the continuation
			// starts (I/O, RPC stubs) belongs to that request.
			ws := o.flushes
			o.flushes = nil
			for _, f := range ws {
				rt.Tag = f.tag
				rt.Settle(f.id, nil, err)
			}
			rt.Tag = nil
		})
	}
	// write prepares o for a write: the turn's transaction is open and its
	// commit queued.
	write := func(o *dobject) error {
		if o.st.InTransaction() {
			return nil
		}
		if err := o.st.Begin(); err != nil {
			return err
		}
		queueCommit(o)
		return nil
	}
	// doFlush(promise, h) resolves once the writes made so far are
	// committed (at once when there are none): the output gate.
	rt.Func("doFlush", func(c *v8.Call) (any, error) {
		id := c.Int(0)
		h.mu.Lock()
		o := h.handles[c.Int(1)]
		h.mu.Unlock()
		if o == nil || o.pin != rt || o.st == nil || !o.st.InTransaction() || o.st.Depth() > 0 {
			rt.Settle(id, nil, nil)
			return nil, nil
		}
		o.flushes = append(o.flushes, flushWait{id, rt.Tag})
		queueCommit(o)
		return nil, nil
	})
	rt.Func("doGet", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		v, ok, err := o.st.Get(c.String(1))
		if err != nil {
			return nil, durableError(err)
		}
		if !ok {
			return -1, nil
		}
		return s.ret(v), nil
	})
	rt.Func("doPut", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		v, err := c.Bytes(2, int(c.Int(3)))
		if err != nil {
			return nil, err
		}
		key := c.String(1)
		if err := durable.ValidateKey(key); err != nil {
			return nil, durableError(err)
		}
		if err := write(o); err != nil {
			return nil, durableError(err)
		}
		if err := o.st.Put(key, v); err != nil {
			return nil, durableError(err)
		}
		return nil, nil
	})
	rt.Func("doDelete", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		if err := write(o); err != nil {
			return nil, durableError(err)
		}
		ok, err := o.st.Delete(c.String(1))
		if err != nil {
			return nil, durableError(err)
		}
		return ok, nil
	})
	rt.Func("doDeleteAll", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		if err := write(o); err != nil {
			return nil, durableError(err)
		}
		return nil, durableError0(o.st.DeleteAll())
	})
	// doList(h, start, startAfter, end, prefix, reverse, limit) → packed
	// entries: u8 more, then per entry u32 key length, key, u32 value
	// length, value; at most what fits the scratch area.
	rt.Func("doList", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		opts := durable.ListOptions{Start: c.String(1), StartAfter: c.String(2), End: c.String(3), Prefix: c.String(4), Reverse: c.Bool(5)}
		if !c.IsNullish(6) {
			opts.Limit = int(c.Int(6))
		}
		es, more, err := o.st.List(opts, len(rt.Iso.Scratch())-64)
		if err != nil {
			return nil, durableError(err)
		}
		out := make([]byte, 1, 64)
		if more {
			out[0] = 1
		}
		for _, e := range es {
			out = binary.BigEndian.AppendUint32(out, uint32(len(e.Key)))
			out = append(out, e.Key...)
			out = binary.BigEndian.AppendUint32(out, uint32(len(e.Value)))
			out = append(out, e.Value...)
		}
		return s.ret(out), nil
	})
	// doSql(h, query, args, n) → packed result (see sqlPack).
	rt.Func("doSql", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		ab, err := c.Bytes(2, int(c.Int(3)))
		if err != nil {
			return nil, err
		}
		args, err := sqlUnpackArgs(ab)
		if err != nil {
			return nil, err
		}
		q := c.String(1)
		if err := write(o); err != nil {
			return nil, durableError(err)
		}
		res, err := o.st.Exec(q, args)
		if err != nil {
			return nil, durableError(err)
		}
		return s.ret(sqlPack(res)), nil
	})
	// doSqlEnabled(h): whether the object's class has the SQL API.
	rt.Func("doSqlEnabled", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		_, off := h.sqlOff.Load(o.ns)
		return !off, nil
	})
	rt.Func("doSize", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		return float64(o.st.DatabaseSize()), nil
	})
	// doAlarm(h, op, at): op 0 get (→ ms or -1), 1 set, 2 delete, 3 start
	// of an alarm run (deletes the alarm, returning its time or -1).
	rt.Func("doAlarm", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			return nil, err
		}
		switch c.Int(1) {
		case 0:
			at, ok, err := o.st.GetAlarm()
			if err != nil {
				return nil, durableError(err)
			}
			if !ok {
				return -1, nil
			}
			return float64(at), nil
		case 1:
			at := int64(c.Float(2))
			if err := write(o); err != nil {
				return nil, durableError(err)
			}
			if err := o.st.SetAlarm(at); err != nil {
				return nil, durableError(err)
			}
			h.schedule(o.ns, o.id, at)
			return nil, nil
		default:
			at, ok, err := o.st.GetAlarm()
			if err != nil {
				return nil, durableError(err)
			}
			if err := write(o); err != nil {
				return nil, durableError(err)
			}
			if err := o.st.DeleteAlarm(); err != nil {
				return nil, durableError(err)
			}
			if c.Int(1) == 2 {
				h.unschedule(o.key)
			}
			if !ok {
				return -1, nil
			}
			return float64(at), nil
		}
	})
	// doTx(h, op, depth): 0 savepoint (→ depth), 1 release, 2 roll back to
	// and release, 3 commit the turn's transaction, 4 roll it back.
	rt.Func("doTx", func(c *v8.Call) (any, error) {
		o, err := obj(c)
		if err != nil {
			if c.Int(1) >= 3 {
				return nil, nil // an evicted object has nothing to commit
			}
			return nil, err
		}
		switch c.Int(1) {
		case 0:
			if err := write(o); err != nil {
				return nil, durableError(err)
			}
			d, err := o.st.Savepoint()
			if err != nil {
				return nil, durableError(err)
			}
			return d, nil
		case 1, 2:
			return nil, durableError0(o.st.ReleaseSavepoint(int(c.Int(2)), c.Int(1) == 2))
		case 3:
			if o.st.Depth() > 0 {
				return nil, nil
			}
			if err := o.st.Commit(); err != nil {
				return nil, fmt.Errorf("Durable Object storage commit failed: %v", err)
			}
			return nil, nil
		default:
			return nil, durableError0(o.st.Rollback())
		}
	})
	// doCall(script, class, id, bytes, n) → the serialized result of an
	// event run where the object lives, or 0 when the object should be
	// (re)started in the caller's isolate.
	rt.Async("doCall", func(c *v8.Call) (webapi.Work, error) {
		script, class, id := c.String(1), c.String(2), c.String(3)
		msg, err := c.Bytes(4, int(c.Int(5)))
		if err != nil {
			return nil, err
		}
		caller := self()
		scope := capScope{rt, rt.Tag}
		return func() (any, error) {
			return h.deliver(script, class, id, msg, caller, scope)
		}, nil
	})
	// doYield(promise) resolves the promise in a new task of rt's loop,
	// after the current task and its microtasks.
	rt.Func("doYield", func(c *v8.Call) (any, error) {
		id := c.Int(0)
		tag := rt.Tag
		rt.Loop.Enqueue(func() {
			rt.Tag = tag
			rt.Settle(id, nil, nil)
		})
		return nil, nil
	})
	// doMsg(token) → the bytes of an event's message, like ret.
	rt.Func("doMsg", func(c *v8.Call) (any, error) {
		b := h.takeMsg(c.Int(0))
		return s.ret(b), nil
	})
	// doReply(bytes, n, caps) → a token for the event's result; caps
	// lists the capabilities exported for it (see takeReply).
	rt.Func("doReply", func(c *v8.Call) (any, error) {
		b, err := c.Bytes(0, int(c.Int(1)))
		if err != nil {
			return nil, err
		}
		tok := h.putMsg(b)
		if ids := parseIDs(c.String(2)); len(ids) > 0 {
			h.cap.mu.Lock()
			h.cap.replys[tok] = ids
			h.cap.mu.Unlock()
		}
		return float64(tok), nil
	})
	h.installCaps(rt, self)
	h.installHibernation(rt, s, obj)
	// doEvicted(h): the instance was dropped; close the storage.
	rt.Func("doEvicted", func(c *v8.Call) (any, error) {
		h.mu.Lock()
		o := h.handles[c.Int(0)]
		h.mu.Unlock()
		if o != nil && o.pin == rt {
			h.unpin(o)
		}
		return nil, nil
	})
}

func durableError0(err error) error {
	if err == nil {
		return nil
	}
	return durableError(err)
}

// unpin forgets o's instance and closes its storage (on its thread).
func (h *DurableHost) unpin(o *dobject) {
	h.mu.Lock()
	delete(h.handles, o.h)
	o.pin, o.h = nil, 0
	st := o.st
	o.st = nil
	h.mu.Unlock()
	if st != nil {
		if err := st.Commit(); err != nil {
			h.log.Error("durable object commit", "object", o.key, "err", err)
		}
		st.Close()
	}
}

// errNotRunning explains a binding to a class of a Worker that this process
// does not run.
func errNotRunning(script, class string) error {
	return fmt.Errorf("Durable Object class %s of Worker %q is not available: that Worker is not running in this zerostack process; run it in the same process (zerostack dev with a --config for each Worker, or zerostack serve with both projects)", class, script)
}

// deliver runs the serialized event msg for an object where it lives. It
// returns the serialized result, or 0 when the caller (a Worker isolate of
// the object's own script) should start the object itself.
// The capabilities of the result join scope (the caller's request).
func (h *DurableHost) deliver(script, class, id string, msg []byte, caller *worker.Worker, scope capScope) (any, error) {
	n, err := h.namespace(script, class)
	if err != nil {
		return nil, err
	}
	key := n.Name() + "/" + id
	for attempt := 0; attempt < 50; attempt++ {
		h.mu.Lock()
		w := h.workers[script]
		o := h.objects[key]
		var pin *webapi.Runtime
		if o != nil {
			pin = o.pin
		}
		h.mu.Unlock()
		if w == nil {
			return nil, errNotRunning(script, class)
		}
		tok := h.putMsg(msg)
		payload := fmt.Sprintf("%d", tok)
		h.crossCalls.Add(1)
		var res worker.EventResult
		ok := true
		if pin != nil {
			res, ok = w.EventOn(pin, "durable", payload)
		} else if caller == w {
			h.takeMsg(tok)
			return 0, nil
		} else {
			res = w.Event("durable", payload)
		}
		if !ok {
			h.takeMsg(tok)
			h.mu.Lock()
			if o.pin == pin {
				o.pin, o.stale = nil, true
				delete(h.handles, o.h)
			}
			h.mu.Unlock()
			if caller == w {
				return 0, nil
			}
			continue
		}
		h.takeMsg(tok)
		if !res.OK {
			return nil, errors.New(res.Error)
		}
		if res.Result == "retry" {
			// The object moved between the lookup and the event.
			time.Sleep(time.Millisecond)
			continue
		}
		return h.takeReply(res.Result, scope), nil
	}
	return nil, errors.New("Durable Object could not be reached: it kept moving between isolates; retry")
}

// --- alarms ---

func (h *DurableHost) schedule(ns, id string, at int64) {
	key := ns + "/" + id
	d := time.Until(time.UnixMilli(at))
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	if t := h.alarms[key]; t != nil {
		t.Stop()
	}
	h.alarms[key] = time.AfterFunc(max(d, 0), func() { h.fire(ns, id) })
}

func (h *DurableHost) unschedule(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.alarms[key]; t != nil {
		t.Stop()
		delete(h.alarms, key)
	}
	delete(h.retries, key)
}

// fireDue runs the alarms of script that came due while no Worker served it.
func (h *DurableHost) fireDue(script string) {
	h.mu.Lock()
	var due []string
	for k := range h.waiting {
		if strings.HasPrefix(k, script+":") {
			if t := h.alarms[k]; t != nil {
				t.Stop()
			}
			delete(h.waiting, k)
			due = append(due, k)
		}
	}
	h.mu.Unlock()
	for _, k := range due {
		ns, id, _ := strings.Cut(k, "/")
		go h.fire(ns, id)
	}
}

// fire runs an object's alarm handler; on failure it schedules a retry
// with back-off, at most durable.MaxAlarmRetry times.
func (h *DurableHost) fire(ns, id string) {
	key := ns + "/" + id
	script, class, _ := strings.Cut(ns, ":")
	h.mu.Lock()
	retry := h.retries[key]
	w := h.workers[script]
	closed := h.closed
	h.mu.Unlock()
	if closed {
		return
	}
	if w == nil {
		// Not served now; Attach runs it when the Worker starts.
		h.mu.Lock()
		h.waiting[key] = true
		h.mu.Unlock()
		return
	}
	msg := alarmMessage(class, id, retry)
	res, err := h.deliver(script, class, id, msg, nil, capScope{})
	outcome := ""
	if err == nil {
		if b, ok := res.([]byte); ok && len(b) >= 5 && b[0] == tagString {
			outcome = string(b[5:]) // a serialized string: tag, u32 length, bytes
		}
	}
	if err == nil && outcome != "error" {
		h.mu.Lock()
		delete(h.retries, key)
		if t := h.alarms[key]; t != nil && outcome != "rescheduled" {
			t.Stop()
			delete(h.alarms, key)
		}
		h.mu.Unlock()
		return
	}
	if err != nil {
		h.log.Warn("durable object alarm failed", "object", key, "err", err)
	}
	if retry >= durable.MaxAlarmRetry {
		h.log.Error("durable object alarm gave up", "object", key, "retries", retry)
		h.unschedule(key)
		return
	}
	h.mu.Lock()
	h.retries[key] = retry + 1
	h.mu.Unlock()
	backoff := time.Duration(1<<(retry+1)) * time.Second
	h.scheduleRetry(ns, id, backoff)
}

// scheduleRetry re-arms a failed alarm after d; the handler restores the
// alarm in storage too (see js/durable.js), so that it survives a restart.
func (h *DurableHost) scheduleRetry(ns, id string, d time.Duration) {
	key := ns + "/" + id
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	if t := h.alarms[key]; t != nil {
		t.Stop()
	}
	h.alarms[key] = time.AfterFunc(d, func() { h.fire(ns, id) })
}

// alarmMessage is the serialized event of an alarm run, in js/durable.js's
// format: a plain object {op: "alarm", cls, id, retryCount}.
func alarmMessage(class, id string, retry int) []byte {
	var b []byte
	b = append(b, tagObject)
	b = binary.BigEndian.AppendUint32(b, 4)
	str := func(s string) {
		b = append(b, tagString)
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	key := func(s string) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	key("op")
	str("alarm")
	key("cls")
	str(class)
	key("id")
	str(id)
	key("retryCount")
	b = append(b, tagNumber)
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(float64(retry)))
	return b
}

// Tags of js/durable.js's serialization that Go writes or reads.
const (
	tagUndefined = 0
	tagNull      = 1
	tagTrue      = 2
	tagFalse     = 3
	tagNumber    = 4
	tagString    = 5
	tagBigInt    = 6
	tagDate      = 7
	tagRegExp    = 8
	tagArrayBuf  = 9
	tagView      = 10
	tagArray     = 11
	tagObject    = 12
	tagMap       = 13
	tagSet       = 14
	tagHole      = 15
	tagRef       = 16
	tagError     = 17
)

// --- eviction ---

func (h *DurableHost) evictLoop() {
	period := max(min(h.idle, h.hib)/4, 10*time.Millisecond)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		cutoff := time.Now().Add(-min(h.idle, h.hib)).UnixNano()
		h.mu.Lock()
		type victim struct {
			o   *dobject
			w   *worker.Worker
			pin *webapi.Runtime
		}
		var vs []victim
		for _, o := range h.objects {
			if o.pin != nil && o.last.Load() < cutoff {
				vs = append(vs, victim{o, h.workers[o.script], o.pin})
			}
			if o.pin == nil && o.st == nil && !o.stale {
				delete(h.objects, o.key)
			}
		}
		h.mu.Unlock()
		for _, v := range vs {
			if v.w == nil {
				continue
			}
			// The isolate drops the instance if it is idle and calls
			// doEvicted, which closes the storage on its thread.
			msg := evictMessage(v.o, h.idle, h.hib)
			tok := h.putMsg(msg)
			res, ok := v.w.EventOn(v.pin, "durable", fmt.Sprintf("%d", tok))
			h.takeMsg(tok)
			if ok && res.OK {
				var rt int64
				fmt.Sscan(res.Result, &rt)
				if b := h.takeMsg(rt); len(b) > 5 && string(b[5:]) == "busy" {
					v.o.last.Store(time.Now().UnixNano()) // ask again an idle period later
				}
			}
		}
	}
}

// evictMessage asks the isolate to drop o's instance if it has been idle
// for idle (the isolate knows when the instance last ran: calls from its
// own isolate do not pass through Go).
func evictMessage(o *dobject, idle, hib time.Duration) []byte {
	_, class, _ := strings.Cut(o.ns, ":")
	var b []byte
	b = append(b, tagObject)
	b = binary.BigEndian.AppendUint32(b, 5)
	for _, kv := range [][2]string{{"op", "evict"}, {"cls", class}, {"id", o.id}} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(kv[0])))
		b = append(b, kv[0]...)
		b = append(b, tagString)
		b = binary.BigEndian.AppendUint32(b, uint32(len(kv[1])))
		b = append(b, kv[1]...)
	}
	b = binary.BigEndian.AppendUint32(b, 4)
	b = append(b, "idle"...)
	b = append(b, tagNumber)
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(float64(idle.Milliseconds())))
	b = binary.BigEndian.AppendUint32(b, 9)
	b = append(b, "hibernate"...)
	b = append(b, tagNumber)
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(float64(hib.Milliseconds())))
	return b
}

// --- SQL values ---

// sqlUnpackArgs reads the bindings js/durable.js packs: u32 count, then per
// value a tag (tagNull, tagNumber f64, tagString u32+bytes, tagArrayBuf
// u32+bytes, tagBigInt as a decimal string).
func sqlUnpackArgs(b []byte) ([]any, error) {
	bad := errors.New("durable sql: malformed bindings")
	if len(b) < 4 {
		return nil, nil
	}
	n := int(binary.BigEndian.Uint32(b))
	b = b[4:]
	out := make([]any, 0, n)
	for range n {
		if len(b) < 1 {
			return nil, bad
		}
		t := b[0]
		b = b[1:]
		switch t {
		case tagNull:
			out = append(out, nil)
		case tagNumber:
			if len(b) < 8 {
				return nil, bad
			}
			f := math.Float64frombits(binary.BigEndian.Uint64(b))
			b = b[8:]
			if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
				out = append(out, int64(f))
			} else {
				out = append(out, f)
			}
		case tagString, tagArrayBuf, tagBigInt:
			if len(b) < 4 {
				return nil, bad
			}
			l := int(binary.BigEndian.Uint32(b))
			b = b[4:]
			if len(b) < l {
				return nil, bad
			}
			switch t {
			case tagString:
				out = append(out, string(b[:l]))
			case tagBigInt:
				var v int64
				if _, err := fmt.Sscan(string(b[:l]), &v); err != nil {
					return nil, &v8.RangeError{Msg: "BigInt value is out of range for SQLite's 64-bit integers"}
				}
				out = append(out, v)
			default:
				out = append(out, append([]byte{}, b[:l]...))
			}
			b = b[l:]
		default:
			return nil, bad
		}
	}
	return out, nil
}

// sqlPack writes a result for js/durable.js: u32 columns, each u32+name;
// u32 rows, each value tagged as in sqlUnpackArgs; then rowsRead and
// rowsWritten as f64.
func sqlPack(r *durable.SQLResult) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(r.Columns)))
	for _, c := range r.Columns {
		b = binary.BigEndian.AppendUint32(b, uint32(len(c)))
		b = append(b, c...)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(r.Rows)))
	for _, row := range r.Rows {
		for _, v := range row {
			switch x := v.(type) {
			case nil:
				b = append(b, tagNull)
			case int64:
				b = append(b, tagNumber)
				b = binary.BigEndian.AppendUint64(b, math.Float64bits(float64(x)))
			case float64:
				b = append(b, tagNumber)
				b = binary.BigEndian.AppendUint64(b, math.Float64bits(x))
			case string:
				b = append(b, tagString)
				b = binary.BigEndian.AppendUint32(b, uint32(len(x)))
				b = append(b, x...)
			case []byte:
				b = append(b, tagArrayBuf)
				b = binary.BigEndian.AppendUint32(b, uint32(len(x)))
				b = append(b, x...)
			}
		}
	}
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(float64(r.RowsRead)))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(float64(r.RowsWritten)))
	return b
}
