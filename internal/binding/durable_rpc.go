package binding

// Capabilities: functions and RpcTargets passed over Durable Object RPC
// and over service bindings' RPC (service.go, which delivers its calls
// through callWorker below: the messages, tables and rules are the same).
//
// A function or an RpcTarget instance cannot be copied, so JS RPC passes it
// by reference, as Cloudflare does: the isolate that holds it (its owner)
// keeps it in a table of exports (js/durable.js) under an id that Go
// allocates here, and the receiver gets a stub whose calls come back to the
// owner as "cap" events ([worker.Worker.EventOn] on the owner's isolate),
// with their arguments and results serialized the same way, recursively.
// The owner's event loop keeps serving those events while its JavaScript
// awaits the call that handed the capability out (an await never blocks
// the isolate thread), so a Durable Object may call back a function of the
// request that is waiting for it. A stub used in the isolate that holds its
// capability calls it there directly, with the same copying and checks,
// so that stubs behave the same wherever the object lives. A
// capability that a Durable Object returned runs as one of the object's
// events (through its input gate, its writes committed before the result
// leaves), and the object is not evicted while one is held.
//
// # Lifetimes
//
// Go keeps a reference count per capability, as workerd's stubs do:
//   - a capability in the arguments of a call is held by the call and
//     released when the call ends; the callee's stubs then fail, unless it
//     kept a dup() (which holds a reference of its own);
//   - a capability in a result is held by the stub the caller receives,
//     until the caller disposes it (stub[Symbol.dispose]()), and dup()
//     adds a reference;
//   - passing a stub on adds a reference for the new holder.
//
// Besides, every capability belongs to a request (a scope): the request
// that exported it for call arguments, the request that made the call for
// results. When that request ends (its response is sent and its waitUntil
// work is over), its capabilities are released whatever their count, as
// workerd drops the I/O context's objects: nothing exported for a request
// outlives it. A WebSocket event of an object, which belongs to no
// request, gets a scope of its own (doEventScope). A released capability leaves the owner's table at the
// owner's next turn (the doCapWatch promise) and the owner calls its
// Symbol.dispose method, if it has one; a call on its stubs rejects with
// workerd's "RPC stub used after being disposed.".

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
	"github.com/zerostack/zerostack/internal/worker"
)

// errStubDisposed is workerd's error for a call on a released stub.
var errStubDisposed = errors.New("RPC stub used after being disposed.")

// capScope is the request a capability belongs to: its end releases it.
type capScope struct {
	rt  *webapi.Runtime
	tag any
}

// capEntry is one exported capability.
type capEntry struct {
	owner *webapi.Runtime
	w     *worker.Worker
	refs  int
	scope capScope
}

// capOwner is the release queue of one isolate's export table.
type capOwner struct {
	mu    sync.Mutex
	gone  []int64 // released ids the table still holds
	watch int64   // the armed doCapWatch promise, 0 if none
	held  int     // ids the table holds (exported, not yet removed)
}

// capTable holds every capability of a [DurableHost].
type capTable struct {
	mu     sync.Mutex
	next   int64
	caps   map[int64]*capEntry
	scopes map[capScope]map[int64]struct{}
	owners map[*webapi.Runtime]*capOwner
	replys map[int64][]int64 // reply token → ids exported for that result
	bodies map[int64]io.ReadCloser
	events map[int64]*eventScope // doEventScope's scopes still open
}

// eventScope is the Tag of a Durable Object event that runs outside any
// request (a WebSocket message to an object): what it exports, and the
// readers it opens, are released when it ends, as for a request.
type eventScope struct{ id int64 }

func (t *capTable) init() {
	t.caps = map[int64]*capEntry{}
	t.scopes = map[capScope]map[int64]struct{}{}
	t.owners = map[*webapi.Runtime]*capOwner{}
	t.replys = map[int64][]int64{}
	t.bodies = map[int64]io.ReadCloser{}
	t.events = map[int64]*eventScope{}
}

// owner returns rt's release queue (with t.mu held).
func (t *capTable) owner(rt *webapi.Runtime) *capOwner {
	o := t.owners[rt]
	if o == nil {
		o = &capOwner{}
		t.owners[rt] = o
	}
	return o
}

// export registers a capability held by rt with one reference, in scope
// (none when scope.tag is nil).
func (t *capTable) export(rt *webapi.Runtime, w *worker.Worker, scope capScope) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	id := t.next
	t.caps[id] = &capEntry{owner: rt, w: w, refs: 1}
	t.setScope(id, scope)
	o := t.owner(rt)
	o.mu.Lock()
	o.held++
	o.mu.Unlock()
	return id
}

// setScope moves id into scope (with t.mu held).
func (t *capTable) setScope(id int64, scope capScope) {
	e := t.caps[id]
	if e == nil {
		return
	}
	if old := t.scopes[e.scope]; old != nil {
		delete(old, id)
		if len(old) == 0 {
			delete(t.scopes, e.scope)
		}
	}
	e.scope = scope
	if scope.tag == nil {
		e.scope = capScope{}
		return
	}
	s := t.scopes[scope]
	if s == nil {
		s = map[int64]struct{}{}
		t.scopes[scope] = s
	}
	s[id] = struct{}{}
}

// dup adds a reference to id.
func (t *capTable) dup(id int64) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.caps[id]
	if e == nil {
		return errStubDisposed
	}
	e.refs++
	return nil
}

// release drops one reference to each id; a capability without references
// is released.
func (t *capTable) release(ids []int64) {
	t.mu.Lock()
	var drop []int64
	for _, id := range ids {
		if e := t.caps[id]; e != nil {
			if e.refs--; e.refs <= 0 {
				drop = append(drop, id)
			}
		}
	}
	t.mu.Unlock()
	t.drop(drop)
}

// releaseScope releases every capability of scope.
func (t *capTable) releaseScope(scope capScope) {
	t.mu.Lock()
	s := t.scopes[scope]
	var drop []int64
	for id := range s {
		drop = append(drop, id)
	}
	t.mu.Unlock()
	t.drop(drop)
}

// drop forgets ids and tells their owners' tables.
func (t *capTable) drop(ids []int64) {
	if len(ids) == 0 {
		return
	}
	t.mu.Lock()
	notify := map[*webapi.Runtime]*capOwner{}
	for _, id := range ids {
		e := t.caps[id]
		if e == nil {
			continue
		}
		t.setScope(id, capScope{})
		delete(t.caps, id)
		o := t.owner(e.owner)
		o.mu.Lock()
		o.gone = append(o.gone, id)
		o.mu.Unlock()
		notify[e.owner] = o
	}
	t.mu.Unlock()
	for rt, o := range notify {
		t.flush(rt, o)
	}
}

// flush hands the released ids to rt's table when its watch is armed.
func (t *capTable) flush(rt *webapi.Runtime, o *capOwner) {
	ok := rt.Loop.Enqueue(func() {
		o.mu.Lock()
		ids, w := o.gone, o.watch
		if w == 0 || len(ids) == 0 {
			o.mu.Unlock()
			return
		}
		o.gone, o.watch = nil, 0
		o.held -= len(ids)
		o.mu.Unlock()
		var sb strings.Builder
		for k, id := range ids {
			if k > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(strconv.FormatInt(id, 10))
		}
		rt.Settle(w, sb.String(), nil)
	})
	if !ok {
		// The isolate is gone, and its table with it.
		t.dropOwner(rt)
	}
}

// dropOwner forgets the capabilities of an isolate that is gone.
func (t *capTable) dropOwner(rt *webapi.Runtime) {
	t.mu.Lock()
	for id, e := range t.caps {
		if e.owner == rt {
			t.setScope(id, capScope{})
			delete(t.caps, id)
		}
	}
	delete(t.owners, rt)
	t.mu.Unlock()
}

// lookup returns id's entry, or nil when it was released.
func (t *capTable) lookup(id int64) *capEntry {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.caps[id]
}

// counts reports the live capabilities and the ids export tables hold.
func (t *capTable) counts() (live, held int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, o := range t.owners {
		o.mu.Lock()
		held += o.held
		o.mu.Unlock()
	}
	return len(t.caps), held
}

// Capabilities reports how many functions and RpcTargets are exported over
// RPC (live) and how many entries the isolates' export tables hold
// (including released ones not yet removed), for tests and diagnostics:
// both return to zero once the requests that exported them have ended.
func (h *DurableHost) Capabilities() (live, held int) { return h.cap.counts() }

// parseIDs reads a comma-separated list of ids.
func parseIDs(s string) []int64 {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	ids := make([]int64, 0, len(parts))
	for _, p := range parts {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// installCaps defines the capability host functions of js/durable.js.
func (h *DurableHost) installCaps(rt *webapi.Runtime, self func() *worker.Worker) {
	t := &h.cap
	rt.OnReleaseTag(func(tag any) {
		if tag != nil {
			t.releaseScope(capScope{rt, tag})
		}
	})
	// doCapExport(scoped) → a new capability id held by this isolate, in
	// the current request's scope when scoped (a result's capabilities are
	// scoped to the caller's request once it is delivered).
	rt.Func("doCapExport", func(c *v8.Call) (any, error) {
		var scope capScope
		if c.Bool(0) {
			scope = capScope{rt, rt.Tag}
		}
		return float64(t.export(rt, self(), scope)), nil
	})
	// doCapDup(id): one more reference (throws when it was released).
	rt.Func("doCapDup", func(c *v8.Call) (any, error) {
		return nil, t.dup(c.Int(0))
	})
	// doCapRelease(ids): drops one reference to each of the listed ids.
	rt.Func("doCapRelease", func(c *v8.Call) (any, error) {
		t.release(parseIDs(c.String(0)))
		return nil, nil
	})
	// doCapAlive(id): whether capability id was not released yet.
	rt.Func("doCapAlive", func(c *v8.Call) (any, error) {
		return t.lookup(c.Int(0)) != nil, nil
	})
	// doCapWatch(promise) resolves with the ids (comma-separated) this
	// isolate's table must drop, once there are some.
	rt.Func("doCapWatch", func(c *v8.Call) (any, error) {
		t.mu.Lock()
		o := t.owner(rt)
		t.mu.Unlock()
		o.mu.Lock()
		o.watch = c.Int(0)
		has := len(o.gone) > 0
		o.mu.Unlock()
		if has {
			t.flush(rt, o)
		}
		return nil, nil
	})
	// doCapScope(id): a capability of a result delivered within this
	// isolate belongs to the current request.
	rt.Func("doCapScope", func(c *v8.Call) (any, error) {
		t.mu.Lock()
		t.setScope(c.Int(0), capScope{rt, rt.Tag})
		t.mu.Unlock()
		return nil, nil
	})
	// doEventScope() → a scope for a Durable Object event that runs
	// outside any request (WebSocket messages arrive without one): it
	// becomes rt's Tag for the rest of the task, and the work the event
	// starts carries it on; 0 when there is a request already.
	// doEventScopeEnd(id) ends it as a request ends (ReleaseTag).
	rt.Func("doEventScope", func(c *v8.Call) (any, error) {
		if rt.Tag != nil {
			return 0, nil
		}
		t.mu.Lock()
		t.next++
		sc := &eventScope{t.next}
		t.events[sc.id] = sc
		t.mu.Unlock()
		rt.Tag = sc
		return float64(sc.id), nil
	})
	rt.Func("doEventScopeEnd", func(c *v8.Call) (any, error) {
		t.mu.Lock()
		sc := t.events[c.Int(0)]
		delete(t.events, c.Int(0))
		t.mu.Unlock()
		if sc != nil {
			rt.ReleaseTag(sc)
		}
		return nil, nil
	})
	// Bodies that cross isolates as Go readers (js/durable.js's bodyOut):
	// doBodyOut(reader) takes one of this runtime's readers (or pipes) and
	// returns a token, doBodyIn(token) registers it in this runtime (owned
	// by the current request) and returns its reader id, doBodyDrop(token)
	// closes one that was never taken.
	rt.Func("doBodyOut", func(c *v8.Call) (any, error) {
		rc, ok := rt.TakeReader(int(c.Int(0)))
		if !ok {
			return nil, &v8.TypeError{Msg: "This ReadableStream is disturbed (has already been read from), and cannot be used as a body."}
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		t.next++
		t.bodies[t.next] = rc
		return float64(t.next), nil
	})
	rt.Func("doBodyIn", func(c *v8.Call) (any, error) {
		t.mu.Lock()
		rc := t.bodies[c.Int(0)]
		delete(t.bodies, c.Int(0))
		t.mu.Unlock()
		if rc == nil {
			return nil, errors.New("Durable Object body stream was lost: the call that carried it failed; retry")
		}
		return rt.AddReader(rc), nil
	})
	rt.Func("doBodyDrop", func(c *v8.Call) (any, error) {
		t.mu.Lock()
		rc := t.bodies[c.Int(0)]
		delete(t.bodies, c.Int(0))
		t.mu.Unlock()
		if rc != nil {
			rc.Close()
		}
		return nil, nil
	})
	// doCapCall(promise, id, bytes, n) → the serialized result of a call
	// (or property get) on capability id, run in its owner's isolate.
	rt.Async("doCapCall", func(c *v8.Call) (webapi.Work, error) {
		id := c.Int(1)
		msg, err := c.Bytes(2, int(c.Int(3)))
		if err != nil {
			return nil, err
		}
		scope := capScope{rt, rt.Tag}
		return func() (any, error) { return h.callCap(id, msg, scope) }, nil
	})
}

// callCap delivers a call on capability id to its owner and returns the
// serialized result; the result's new capabilities join scope.
func (h *DurableHost) callCap(id int64, msg []byte, scope capScope) (any, error) {
	e := h.cap.lookup(id)
	if e == nil {
		return nil, errStubDisposed
	}
	if e.w == nil {
		return nil, errors.New("RPC stub cannot be used: the Worker that exported it is not running")
	}
	tok := h.putMsg(msg)
	res, ok := e.w.EventOn(e.owner, "durable", strconv.FormatInt(tok, 10))
	h.takeMsg(tok)
	if !ok {
		h.cap.dropOwner(e.owner)
		return nil, errors.New("RPC stub cannot be used any more: the isolate that held its target was reset (it exceeded a limit or the Worker was reloaded)")
	}
	if !res.OK {
		return nil, errors.New(res.Error)
	}
	return h.takeReply(res.Result, scope), nil
}

// takeReply returns the bytes of an event's reply token and moves the
// capabilities exported for it into scope.
func (h *DurableHost) takeReply(token string, scope capScope) []byte {
	rt, _ := strconv.ParseInt(token, 10, 64)
	t := &h.cap
	t.mu.Lock()
	ids := t.replys[rt]
	delete(t.replys, rt)
	for _, id := range ids {
		t.setScope(id, scope)
	}
	t.mu.Unlock()
	return h.takeMsg(rt)
}

// callWorker delivers the serialized RPC message msg (a service binding's
// call, js/durable.js's serviceCall) as a "durable" event to any isolate of
// w and returns the serialized result; the result's capabilities join
// scope (the caller's request).
func (h *DurableHost) callWorker(w *worker.Worker, msg []byte, scope capScope) (any, error) {
	tok := h.putMsg(msg)
	res := w.Event("durable", strconv.FormatInt(tok, 10))
	h.takeMsg(tok)
	if !res.OK {
		return nil, errors.New(res.Error)
	}
	return h.takeReply(res.Result, scope), nil
}
