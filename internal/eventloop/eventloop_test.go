package eventloop

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func runUntilIdle(t *testing.T, l *Loop) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for l.Pending() > 0 {
		select {
		case <-l.Wake():
		case <-deadline:
			t.Fatal("loop did not become idle")
		}
		for _, fn := range l.Drain() {
			fn()
		}
	}
}

func TestOrderAndPending(t *testing.T) {
	l := New()
	var got []int
	for i := 0; i < 3; i++ {
		l.Enqueue(func() { got = append(got, i) })
	}
	done := l.Register()
	if l.Pending() != 4 {
		t.Fatalf("pending = %d, want 4", l.Pending())
	}
	go done(func() { got = append(got, 3) })
	runUntilIdle(t, l)
	if len(got) != 4 || got[0] != 0 || got[3] != 3 {
		t.Fatalf("got %v", got)
	}
	done(func() { got = append(got, 99) }) // second call ignored
	if l.Pending() != 0 {
		t.Fatalf("second call changed pending: %d", l.Pending())
	}
}

func TestTimers(t *testing.T) {
	l := New()
	fired := 0
	l.AfterFunc(time.Millisecond, func() { fired++ })
	stopped := l.AfterFunc(time.Hour, func() { fired += 100 })
	stopped.Stop()
	stopped.Stop()
	runUntilIdle(t, l)
	if fired != 1 {
		t.Fatalf("fired = %d, want 1", fired)
	}
}

func TestClosed(t *testing.T) {
	l := New()
	done := l.Register()
	l.Close()
	if l.Enqueue(func() {}) {
		t.Fatal("enqueue after close succeeded")
	}
	done(func() { t.Fatal("ran after close") })
	if n := len(l.Drain()); n != 0 {
		t.Fatalf("drained %d tasks after close", n)
	}
}

// TestConcurrentEnqueueDuringDrain enqueues from many goroutines while the
// owner drains: every task must come out once and non-nil (Drain used to
// clear its spare array after unlocking, erasing tasks enqueued meanwhile).
func TestConcurrentEnqueueDuringDrain(t *testing.T) {
	l := New()
	const workers, each = 8, 20000
	var ran atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				l.Enqueue(func() { ran.Add(1) })
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for {
		for _, f := range l.Drain() {
			if f == nil {
				t.Fatal("a queued task came out nil")
			}
			f()
		}
		select {
		case <-done:
			for _, f := range l.Drain() {
				f()
			}
			if n := ran.Load(); n != workers*each {
				t.Fatalf("ran %d tasks, want %d", n, workers*each)
			}
			return
		default:
		}
	}
}
