// Package queuestest is the conformance suite every [queues.Store]
// backend passes: [Run] checks sends, leases, acknowledgements, retries,
// delays, lease expiry and the queue records against one clock the test
// controls.
package queuestest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/queues"
)

// Clock is a settable clock for a store under test.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at a fixed instant.
func NewClock() *Clock { return &Clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Run runs the suite; newStore returns an empty store that reads time from
// the given clock.
func Run(t *testing.T, newStore func(t *testing.T, clock *Clock) queues.Store) {
	ctx := context.Background()
	msg := func(body string) queues.Message {
		return queues.Message{Body: []byte(body), ContentType: queues.ContentText}
	}
	bodies := func(ds []queues.Delivery) string {
		s := ""
		for _, d := range ds {
			s += string(d.Body) + ","
		}
		return s
	}
	t.Run("SendLeaseAck", func(t *testing.T) {
		c := NewClock()
		s := newStore(t, c)
		s.CreateQueue(ctx, "q")
		if err := s.Send(ctx, "q", []queues.Message{msg("a"), msg("b"), msg("c")}); err != nil {
			t.Fatal(err)
		}
		ds, err := s.Lease(ctx, "q", 2, time.Minute)
		if err != nil || bodies(ds) != "a,b," {
			t.Fatalf("lease: %q %v", bodies(ds), err)
		}
		for _, d := range ds {
			if d.Attempts != 1 || len(d.ID) != 32 || d.LeaseID == "" || !d.Timestamp.Equal(c.Now().Truncate(time.Millisecond)) || d.ContentType != "text" {
				t.Fatalf("delivery %+v", d)
			}
		}
		if ds[0].ID == ds[1].ID {
			t.Fatal("ids repeat")
		}
		rest, _ := s.Lease(ctx, "q", 10, time.Minute)
		if bodies(rest) != "c," {
			t.Fatalf("second lease %q", bodies(rest))
		}
		if err := s.Settle(ctx, "q", []string{ds[0].LeaseID, ds[1].LeaseID, rest[0].LeaseID}, nil); err != nil {
			t.Fatal(err)
		}
		info, err := s.Info(ctx, "q")
		if err != nil || info.Backlog != 0 {
			t.Fatalf("info %+v %v", info, err)
		}
		if err := s.Settle(ctx, "q", []string{ds[0].LeaseID}, nil); !errors.Is(err, queues.ErrLeaseNotFound) {
			t.Fatalf("double ack: %v", err)
		}
	})
	t.Run("QueuesAreSeparate", func(t *testing.T) {
		s := newStore(t, NewClock())
		s.Send(ctx, "a", []queues.Message{msg("1")})
		s.Send(ctx, "b", []queues.Message{msg("2")})
		ds, _ := s.Lease(ctx, "a", 10, time.Minute)
		if bodies(ds) != "1," {
			t.Fatalf("got %q", bodies(ds))
		}
		if err := s.Settle(ctx, "b", []string{ds[0].LeaseID}, nil); !errors.Is(err, queues.ErrLeaseNotFound) {
			t.Fatalf("ack through another queue: %v", err)
		}
	})
	t.Run("RetryAndDelay", func(t *testing.T) {
		c := NewClock()
		s := newStore(t, c)
		m := msg("later")
		m.Delay = 10 * time.Second
		s.Send(ctx, "q", []queues.Message{m, msg("now")})
		if n, err := s.CountVisible(ctx, "q", 10); n != 1 || err != nil {
			t.Fatalf("visible %d %v", n, err)
		}
		ds, _ := s.Lease(ctx, "q", 10, time.Minute)
		if n, _ := s.CountVisible(ctx, "q", 10); n != 0 {
			t.Fatalf("leased message counted visible")
		}
		if bodies(ds) != "now," {
			t.Fatalf("delayed message delivered early: %q", bodies(ds))
		}
		next, ok, _ := s.NextVisible(ctx, "q")
		if !ok || !next.Equal(c.Now().Add(10*time.Second).Truncate(time.Millisecond)) {
			t.Fatalf("next visible %v %v", next, ok)
		}
		if err := s.Settle(ctx, "q", nil, []queues.Retry{{LeaseID: ds[0].LeaseID, Delay: 5 * time.Second}}); err != nil {
			t.Fatal(err)
		}
		info, _ := s.Info(ctx, "q")
		if info.Backlog != 2 || info.Delayed != 2 || info.Leased != 0 {
			t.Fatalf("info %+v", info)
		}
		c.Advance(5 * time.Second)
		ds, _ = s.Lease(ctx, "q", 10, time.Minute)
		if bodies(ds) != "now," || ds[0].Attempts != 2 {
			t.Fatalf("retry: %q %+v", bodies(ds), ds)
		}
		c.Advance(5 * time.Second)
		ds2, _ := s.Lease(ctx, "q", 10, time.Minute)
		if bodies(ds2) != "later," || ds2[0].Attempts != 1 {
			t.Fatalf("delayed: %q", bodies(ds2))
		}
	})
	t.Run("LeaseExpiry", func(t *testing.T) {
		c := NewClock()
		s := newStore(t, c)
		s.Send(ctx, "q", []queues.Message{msg("x")})
		first, _ := s.Lease(ctx, "q", 1, 30*time.Second)
		if again, _ := s.Lease(ctx, "q", 1, 30*time.Second); len(again) != 0 {
			t.Fatal("leased message delivered twice")
		}
		info, _ := s.Info(ctx, "q")
		if info.Leased != 1 {
			t.Fatalf("info %+v", info)
		}
		c.Advance(31 * time.Second)
		second, _ := s.Lease(ctx, "q", 1, 30*time.Second)
		if len(second) != 1 || second[0].Attempts != 2 || second[0].ID != first[0].ID || second[0].LeaseID == first[0].LeaseID {
			t.Fatalf("after expiry: %+v", second)
		}
		if err := s.Settle(ctx, "q", []string{first[0].LeaseID}, nil); !errors.Is(err, queues.ErrLeaseNotFound) {
			t.Fatalf("stale lease acked: %v", err)
		}
		if err := s.Settle(ctx, "q", []string{second[0].LeaseID}, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ReleaseLeases", func(t *testing.T) {
		c := NewClock()
		s := newStore(t, c)
		s.Send(ctx, "q", []queues.Message{msg("x"), msg("y")})
		s.Lease(ctx, "q", 2, time.Hour)
		n, err := s.ReleaseLeases(ctx, "q")
		if err != nil || n != 2 {
			t.Fatalf("released %d %v", n, err)
		}
		ds, _ := s.Lease(ctx, "q", 5, time.Hour)
		if bodies(ds) != "x,y," {
			t.Fatalf("after release %q", bodies(ds))
		}
	})
	t.Run("KeepsIDTimestampAttempts", func(t *testing.T) {
		c := NewClock()
		s := newStore(t, c)
		ts := c.Now().Add(-time.Hour)
		s.Send(ctx, "dlq", []queues.Message{{ID: "0123456789abcdef0123456789abcdef", Body: []byte{0, 1, 2}, ContentType: "bytes", Timestamp: ts}})
		ds, _ := s.Lease(ctx, "dlq", 1, time.Minute)
		if len(ds) != 1 || ds[0].ID != "0123456789abcdef0123456789abcdef" || !ds[0].Timestamp.Equal(ts) || string(ds[0].Body) != "\x00\x01\x02" || ds[0].ContentType != "bytes" {
			t.Fatalf("%+v", ds)
		}
	})
	t.Run("QueueRecords", func(t *testing.T) {
		s := newStore(t, NewClock())
		if _, err := s.CreateQueue(ctx, "Bad_Name"); err == nil {
			t.Fatal("bad name accepted")
		}
		info, err := s.CreateQueue(ctx, "jobs")
		if err != nil || info.Name != "jobs" || info.ID == "" {
			t.Fatalf("%+v %v", info, err)
		}
		if _, err := s.CreateQueue(ctx, "jobs"); !errors.Is(err, queues.ErrQueueExists) {
			t.Fatalf("duplicate: %v", err)
		}
		s.CreateQueue(ctx, "alpha")
		qs, _ := s.Queues(ctx)
		if len(qs) != 2 || qs[0].Name != "alpha" || qs[1].Name != "jobs" {
			t.Fatalf("%+v", qs)
		}
		s.Send(ctx, "jobs", []queues.Message{msg("1")})
		if info, _ := s.Info(ctx, "jobs"); info.Backlog != 1 {
			t.Fatalf("%+v", info)
		}
		if err := s.DeleteQueue(ctx, "jobs"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Info(ctx, "jobs"); !errors.Is(err, queues.ErrQueueNotFound) {
			t.Fatalf("deleted queue: %v", err)
		}
		if err := s.DeleteQueue(ctx, "jobs"); !errors.Is(err, queues.ErrQueueNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
	t.Run("PeekPurge", func(t *testing.T) {
		s := newStore(t, NewClock())
		for i := 0; i < 5; i++ {
			s.Send(ctx, "q", []queues.Message{msg(fmt.Sprint(i))})
		}
		ps, _ := s.Peek(ctx, "q", 3)
		if bodies(ps) != "0,1,2," {
			t.Fatalf("peek %q", bodies(ps))
		}
		if ds, _ := s.Lease(ctx, "q", 10, time.Minute); len(ds) != 5 {
			t.Fatal("peek leased messages")
		}
		n, err := s.Purge(ctx, "q")
		if err != nil || n != 5 {
			t.Fatalf("purge %d %v", n, err)
		}
	})
	t.Run("ConcurrentLeasesNeverShare", func(t *testing.T) {
		s := newStore(t, NewClock())
		var batch []queues.Message
		for i := 0; i < 100; i++ {
			batch = append(batch, msg(fmt.Sprint(i)))
		}
		for i := 0; i < 5; i++ {
			s.Send(ctx, "q", batch)
		}
		var mu sync.Mutex
		seen := map[string]bool{}
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					ds, err := s.Lease(ctx, "q", 7, time.Hour)
					if err != nil || len(ds) == 0 {
						return
					}
					mu.Lock()
					for _, d := range ds {
						if seen[d.ID] {
							t.Errorf("message %s leased twice", d.ID)
						}
						seen[d.ID] = true
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 500 {
			t.Fatalf("leased %d of 500", len(seen))
		}
	})
}
