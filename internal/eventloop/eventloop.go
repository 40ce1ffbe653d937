// Package eventloop is the task queue that serialises all work on an isolate's
// thread. Other goroutines never touch the isolate: they hand closures to the
// loop, which the owning goroutine runs one at a time.
//
// Asynchronous host work follows one pattern: on the loop thread, reserve a
// callback with [Loop.Register]; do the work on any goroutine; finish by
// calling the returned function exactly once with a closure that delivers the
// result. Until then the loop counts the work as pending, which is how the
// runtime knows whether a promise can still be settled.
package eventloop

import (
	"sync"
	"time"
)

// Loop is a queue of tasks for one owner goroutine. Enqueue, Register's
// callbacks and timers may be used from any goroutine; Drain and Pending
// belong to the owner.
type Loop struct {
	mu      sync.Mutex
	queue   []func()
	spare   []func()
	wake    chan struct{}
	pending int
	closed  bool
}

// New returns an empty, open loop.
func New() *Loop {
	return &Loop{wake: make(chan struct{}, 1)}
}

// Wake returns a channel that receives a value when tasks may be waiting.
func (l *Loop) Wake() <-chan struct{} { return l.wake }

// Enqueue schedules fn to run on the owner goroutine. It reports false, and
// drops fn, once the loop is closed.
func (l *Loop) Enqueue(fn func()) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, fn)
	first := len(l.queue) == 1
	l.mu.Unlock()
	if first {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// Register reserves a pending callback. The returned function enqueues its
// argument and must be called exactly once, from any goroutine; later calls
// are ignored. Until it is called, [Loop.Pending] counts the reservation.
func (l *Loop) Register() func(fn func()) {
	l.mu.Lock()
	l.pending++
	l.mu.Unlock()
	var once sync.Once
	return func(fn func()) {
		once.Do(func() {
			l.mu.Lock()
			l.pending--
			if l.closed {
				l.mu.Unlock()
				return
			}
			l.queue = append(l.queue, fn)
			first := len(l.queue) == 1
			l.mu.Unlock()
			if first {
				select {
				case l.wake <- struct{}{}:
				default:
				}
			}
		})
	}
}

// Timer is a pending timer created by [Loop.AfterFunc].
type Timer struct {
	l    *Loop
	t    *time.Timer
	done func(func())
	mu   sync.Mutex
	over bool
}

// AfterFunc runs fn on the owner goroutine after d. The timer counts as
// pending work until it fires or is stopped.
func (l *Loop) AfterFunc(d time.Duration, fn func()) *Timer {
	t := &Timer{l: l, done: l.Register()}
	t.t = time.AfterFunc(d, func() {
		t.mu.Lock()
		if t.over {
			t.mu.Unlock()
			return
		}
		t.over = true
		t.mu.Unlock()
		t.done(fn)
	})
	return t
}

// Stop cancels the timer if it has not fired; its pending count is released.
func (t *Timer) Stop() {
	t.mu.Lock()
	if t.over {
		t.mu.Unlock()
		return
	}
	t.over = true
	t.mu.Unlock()
	t.t.Stop()
	t.l.mu.Lock()
	t.l.pending--
	t.l.mu.Unlock()
}

// Drain removes the queued tasks and returns them in order. The returned
// slice is valid until the next Drain.
func (l *Loop) Drain() []func() {
	l.mu.Lock()
	q := l.queue
	// Clear the spare array while holding the lock: once it is the queue
	// again, other goroutines append to it (clearing it after unlocking
	// erased tasks enqueued meanwhile, which then ran as nil functions).
	clear(l.spare)
	l.queue = l.spare[:0]
	l.spare = q
	l.mu.Unlock()
	return q
}

// Pending reports reserved callbacks and armed timers not yet delivered, plus
// queued tasks.
func (l *Loop) Pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pending + len(l.queue)
}

// Close drops queued tasks and refuses new ones. Callbacks registered before
// Close become no-ops.
func (l *Loop) Close() {
	l.mu.Lock()
	l.closed = true
	l.queue = nil
	l.mu.Unlock()
}
