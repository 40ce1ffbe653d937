package queues_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/queues"
	"github.com/zerostack/zerostack/internal/queues/queueslocal"
)

func openStore(t testing.TB) *queueslocal.Store {
	s, err := queueslocal.Open(filepath.Join(t.TempDir(), "q.sqlite"), queueslocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func send(t *testing.T, s queues.Store, q string, n int) {
	var ms []queues.Message
	for i := 0; i < n; i++ {
		ms = append(ms, queues.Message{Body: []byte(fmt.Sprint(i)), ContentType: "text"})
	}
	if err := s.Send(context.Background(), q, ms); err != nil {
		t.Fatal(err)
	}
}

// recorder is a DeliverFunc that records batches and answers with out.
type recorder struct {
	mu      sync.Mutex
	batches [][]queues.Delivery
	out     func(b queues.Batch) queues.Outcome
	got     chan queues.Batch
}

func (r *recorder) deliver(_ context.Context, b queues.Batch) queues.Outcome {
	r.mu.Lock()
	r.batches = append(r.batches, b.Messages)
	r.mu.Unlock()
	o := queues.Outcome{OK: true}
	if r.out != nil {
		o = r.out(b)
	}
	if r.got != nil {
		r.got <- b
	}
	return o
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func start(t *testing.T, s queues.Store, cfg queues.ConsumerConfig, r *recorder) *queues.Dispatcher {
	d, err := queues.NewDispatcher(s, cfg, r.deliver, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Start()
	t.Cleanup(d.Close)
	return d
}

func TestBatchesFillOrTimeOut(t *testing.T) {
	s := openStore(t)
	send(t, s, "q", 25)
	r := &recorder{got: make(chan queues.Batch, 10)}
	d := start(t, s, queues.ConsumerConfig{Queue: "q", MaxBatchSize: 10, MaxBatchTimeout: 300 * time.Millisecond, MaxConcurrency: 1}, r)
	t0 := time.Now()
	b1, b2 := <-r.got, <-r.got
	if len(b1.Messages) != 10 || len(b2.Messages) != 10 || b1.Queue != "q" {
		t.Fatalf("full batches: %d %d", len(b1.Messages), len(b2.Messages))
	}
	b3 := <-r.got
	if len(b3.Messages) != 5 {
		t.Fatalf("last batch %d", len(b3.Messages))
	}
	// The partial batch waited for the timeout (a lower bound only).
	if time.Since(t0) < 250*time.Millisecond {
		t.Fatalf("partial batch delivered after %v, before max_batch_timeout", time.Since(t0))
	}
	waitFor(t, "acks", func() bool { return d.Stats().Acked == 25 })
	if info, _ := s.Info(context.Background(), "q"); info.Backlog != 0 {
		t.Fatalf("backlog %+v", info)
	}
}

func TestRetriesThenDeadLetter(t *testing.T) {
	s := openStore(t)
	send(t, s, "jobs", 3)
	r := &recorder{out: func(b queues.Batch) queues.Outcome {
		// Message "0" is acknowledged explicitly before the handler throws.
		o := queues.Outcome{OK: false, Error: "Error: boom", Acks: map[string]bool{}}
		for _, m := range b.Messages {
			if string(m.Body) == "0" {
				o.Acks[m.ID] = true
			}
		}
		return o
	}}
	d := start(t, s, queues.ConsumerConfig{Queue: "jobs", MaxBatchSize: 10, MaxRetries: 2, DeadLetterQueue: "jobs-dlq"}, r)
	waitFor(t, "dead letters", func() bool { return d.Stats().DeadLettered == 2 })
	st := d.Stats()
	if st.Acked != 1 || st.Retried != 4 || st.Delivered != 7 {
		t.Fatalf("stats %+v", st)
	}
	dl, _ := s.Peek(context.Background(), "jobs-dlq", 10)
	if len(dl) != 2 {
		t.Fatalf("dlq %d", len(dl))
	}
	// Each failing message was delivered max_retries+1 = 3 times with
	// rising attempt counts.
	counts := map[string][]int{}
	for _, b := range r.batches {
		for _, m := range b {
			counts[string(m.Body)] = append(counts[string(m.Body)], m.Attempts)
		}
	}
	if fmt.Sprint(counts["1"]) != "[1 2 3]" || fmt.Sprint(counts["0"]) != "[1]" {
		t.Fatalf("attempts %v", counts)
	}
	if dl[0].Attempts != 0 {
		t.Fatalf("dlq message kept attempts %d", dl[0].Attempts)
	}
}

func TestDropWithoutDeadLetterQueue(t *testing.T) {
	s := openStore(t)
	send(t, s, "q", 2)
	r := &recorder{out: func(queues.Batch) queues.Outcome { return queues.Outcome{OK: true, RetryAll: true} }}
	d := start(t, s, queues.ConsumerConfig{Queue: "q", MaxRetries: 0}, r)
	waitFor(t, "drops", func() bool { return d.Stats().Dropped == 2 })
	if info, _ := s.Info(context.Background(), "q"); info.Backlog != 0 {
		t.Fatalf("%+v", info)
	}
}

func TestPrecedenceAndRetryDelay(t *testing.T) {
	s := openStore(t)
	send(t, s, "q", 3)
	var once sync.Once
	r := &recorder{got: make(chan queues.Batch, 10)}
	delay := 0.4
	r.out = func(b queues.Batch) queues.Outcome {
		o := queues.Outcome{OK: true}
		once.Do(func() {
			// "0" retried explicitly with a delay; ackAll covers the rest.
			o = queues.Outcome{OK: true, AckAll: true, Retries: map[string]*float64{}}
			for _, m := range b.Messages {
				if string(m.Body) == "0" {
					o.Retries[m.ID] = &delay
				}
			}
		})
		return o
	}
	start(t, s, queues.ConsumerConfig{Queue: "q", MaxRetries: 3}, r)
	first := <-r.got
	t0 := time.Now()

	second := <-r.got
	if len(first.Messages) != 3 || len(second.Messages) != 1 || string(second.Messages[0].Body) != "0" || second.Messages[0].Attempts != 2 {
		t.Fatalf("batches %v / %v", first.Messages, second.Messages)
	}
	if time.Since(t0) < 300*time.Millisecond {
		t.Fatal("retry delay not honoured")
	}
}

func TestConsumerSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "q.sqlite")
	s, _ := queueslocal.Open(path, queueslocal.Options{})
	send(t, s, "q", 5)
	// A consumer leases the messages and "crashes" (never settles).
	if ds, _ := s.Lease(context.Background(), "q", 5, time.Hour); len(ds) != 5 {
		t.Fatal("lease")
	}
	s.Close()
	s2, _ := queueslocal.Open(path, queueslocal.Options{})
	defer s2.Close()
	r := &recorder{}
	d := start(t, s2, queues.ConsumerConfig{Queue: "q"}, r)
	waitFor(t, "redelivery", func() bool { return d.Stats().Acked == 5 })
	// Leases live in the consuming process: a delivery cut short by the
	// process stopping is not counted as a failed attempt.
	if r.batches[0][0].Attempts != 1 || d.Stats().Delivered != 5 {
		t.Fatalf("attempts %d, stats %+v", r.batches[0][0].Attempts, d.Stats())
	}
}

func TestValidation(t *testing.T) {
	big := make([]byte, queues.MaxMessageBytes+1)
	cases := []struct {
		err  error
		want string
	}{
		{queues.ValidateSend(queues.Message{Body: big, ContentType: "bytes"}), "message length of 128001 bytes exceeds limit of 128000"},
		{queues.ValidateSend(queues.Message{ContentType: "xml"}), "message content type xml is invalid; if specified, must be one of 'text', 'json', 'bytes', or 'v8'"},
		{queues.ValidateBatch(make([]queues.Message, 101)), "batch message count of 101 exceeds limit of 100"},
		{queues.ValidateDelay(43201), "Invalid delaySeconds 43201"},
		{queues.ValidateConsumer(queues.ConsumerConfig{Queue: "q", MaxBatchSize: 101}), "max_batch_size must be between 1 and 100"},
		{queues.ValidateConsumer(queues.ConsumerConfig{Queue: "q", MaxBatchTimeout: 61 * time.Second}), "max_batch_timeout must be between 0 and 60"},
		{queues.ValidateQueueName("-x"), "Invalid queue name"},
	}
	for _, c := range cases {
		if c.err == nil || !contains(c.err.Error(), c.want) {
			t.Errorf("got %v, want %q", c.err, c.want)
		}
	}
	var batch []queues.Message
	for i := 0; i < 3; i++ {
		batch = append(batch, queues.Message{Body: make([]byte, 100_000), ContentType: "bytes"})
	}
	if err := queues.ValidateBatch(batch); err == nil || !contains(err.Error(), "batch size of 300000 bytes exceeds limit of 256000") {
		t.Errorf("batch size: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestDelaysSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.sqlite")
	s, _ := queueslocal.Open(path, queueslocal.Options{})
	s.Send(context.Background(), "q", []queues.Message{{Body: []byte("later"), ContentType: "text", Delay: 700 * time.Millisecond}})
	sent := time.Now()
	s.Close()
	s2, _ := queueslocal.Open(path, queueslocal.Options{})
	defer s2.Close()
	r := &recorder{got: make(chan queues.Batch, 1)}
	start(t, s2, queues.ConsumerConfig{Queue: "q"}, r)
	b := <-r.got
	if string(b.Messages[0].Body) != "later" || time.Since(sent) < 600*time.Millisecond {
		t.Fatalf("delivered %q after %v", b.Messages[0].Body, time.Since(sent))
	}
}
