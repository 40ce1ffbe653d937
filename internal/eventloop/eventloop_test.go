package eventloop

import (
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
