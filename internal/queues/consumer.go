package queues

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// ConsumerConfig is a push consumer's settings ([[queues.consumers]]).
type ConsumerConfig struct {
	Queue string
	// MaxBatchSize is the most messages a batch holds (1..100; 0: 10).
	MaxBatchSize int
	// MaxBatchTimeout is how long a batch waits to fill after its first
	// message became visible (0..60 s). Zero delivers at once.
	MaxBatchTimeout time.Duration
	// MaxRetries is how many times a message is retried before it goes to
	// the dead-letter queue or is dropped (0..100).
	MaxRetries int
	// DeadLetterQueue receives messages out of retries; "" drops them.
	DeadLetterQueue string
	// RetryDelay delays retries that name no delay of their own.
	RetryDelay time.Duration
	// MaxConcurrency caps the batches in flight at once (0: automatic,
	// which grows to [AutoConcurrency] while the backlog lasts).
	MaxConcurrency int
	// Visibility is how long a delivered batch stays hidden before it is
	// delivered again if unsettled (0: Cloudflare's 15-minute consumer
	// wall-time limit plus one minute).
	Visibility time.Duration
}

// AutoConcurrency is the most batches in flight for a consumer without
// max_concurrency. Cloudflare scales to 250 invocations across machines;
// one process gains nothing past a few, since batches share the worker's
// isolates.
const AutoConcurrency = 4

// ValidateConsumer checks a consumer's settings against Cloudflare's limits.
func ValidateConsumer(c ConsumerConfig) error {
	switch {
	case c.MaxBatchSize < 0 || c.MaxBatchSize > MaxConsumerBatchSize:
		return invalid("queue consumer %s: max_batch_size must be between 1 and %d, got %d", c.Queue, MaxConsumerBatchSize, c.MaxBatchSize)
	case c.MaxBatchTimeout < 0 || c.MaxBatchTimeout > MaxConsumerBatchTimeout*time.Second:
		return invalid("queue consumer %s: max_batch_timeout must be between 0 and %d seconds, got %v", c.Queue, MaxConsumerBatchTimeout, c.MaxBatchTimeout.Seconds())
	case c.MaxRetries < 0 || c.MaxRetries > MaxRetries:
		return invalid("queue consumer %s: max_retries must be between 0 and %d, got %d", c.Queue, MaxRetries, c.MaxRetries)
	case c.RetryDelay < 0 || c.RetryDelay > MaxDelaySeconds*time.Second:
		return invalid("queue consumer %s: retry_delay must be between 0 and %d seconds", c.Queue, MaxDelaySeconds)
	case c.MaxConcurrency < 0:
		return invalid("queue consumer %s: max_concurrency must be at least 1", c.Queue)
	case c.DeadLetterQueue == c.Queue && c.Queue != "":
		return invalid("queue consumer %s: a queue cannot be its own dead_letter_queue", c.Queue)
	}
	return nil
}

// Batch is what a push consumer's queue() handler receives.
type Batch struct {
	Queue    string
	Messages []Delivery
}

// Outcome is how a queue() invocation ended, as the handler reported it.
type Outcome struct {
	// OK is true when the handler returned (its promise fulfilled); Error
	// holds the exception otherwise.
	OK    bool
	Error string
	// AckAll and RetryAll are batch.ackAll() and batch.retryAll(): the
	// first one called wins. RetryAllDelay is retryAll's delaySeconds, if
	// given.
	AckAll        bool
	RetryAll      bool
	RetryAllDelay *float64
	// Acks and Retries are the messages (by id) acknowledged or retried
	// explicitly; Retries maps to retry's delaySeconds (nil: none given).
	Acks    map[string]bool
	Retries map[string]*float64
}

// DeliverFunc runs a push consumer's handler for one batch. It is called
// from the dispatcher's goroutines, up to the consumer's concurrency at
// once.
type DeliverFunc func(ctx context.Context, b Batch) Outcome

// Dispatcher feeds one queue's messages to its push consumer in batches:
// it waits until a batch is full or max_batch_timeout has passed since the
// first waiting message became visible, leases the batch, delivers it and
// settles each message as the outcome says (ack, retry with delay, or
// dead-letter after max_retries).
type Dispatcher struct {
	// Sent, if set before Start, is told when the dispatcher sends
	// messages to another queue (its dead-letter queue), so that the
	// dispatcher of that queue can be woken.
	Sent func(queue string)

	store   Store
	cfg     ConsumerConfig
	deliver DeliverFunc
	log     *slog.Logger

	wake   chan struct{}
	stop   chan struct{}
	wg     sync.WaitGroup
	slots  chan struct{}
	closed sync.Once

	// Stats, for tests and the CLI.
	mu                              sync.Mutex
	delivered, acked, retried, dead int
	dropped                         int
}

// PollInterval is how often an idle dispatcher looks for messages that
// another process sent (in-process sends wake it at once through Notify).
const PollInterval = 100 * time.Millisecond

// NewDispatcher returns a dispatcher for cfg.Queue; call Start to run it.
func NewDispatcher(store Store, cfg ConsumerConfig, deliver DeliverFunc, log *slog.Logger) (*Dispatcher, error) {
	if err := ValidateConsumer(cfg); err != nil {
		return nil, err
	}
	if cfg.MaxBatchSize == 0 {
		cfg.MaxBatchSize = 10
	}
	if cfg.Visibility == 0 {
		cfg.Visibility = 16 * time.Minute
	}
	conc := cfg.MaxConcurrency
	if conc == 0 {
		conc = AutoConcurrency
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{
		store: store, cfg: cfg, deliver: deliver, log: log,
		wake: make(chan struct{}, 1), stop: make(chan struct{}),
		slots: make(chan struct{}, conc),
	}, nil
}

// Config returns the consumer's settings, defaults filled in.
func (d *Dispatcher) Config() ConsumerConfig { return d.cfg }

// Start releases leases left by an earlier process and begins delivering.
func (d *Dispatcher) Start() {
	if n, err := d.store.ReleaseLeases(context.Background(), d.cfg.Queue); err != nil {
		d.log.Warn("queue: releasing old leases", "queue", d.cfg.Queue, "err", err)
	} else if n > 0 {
		d.log.Info("queue: redelivering messages left in flight by an earlier run", "queue", d.cfg.Queue, "messages", n)
	}
	d.wg.Add(1)
	go d.loop()
}

// Notify tells the dispatcher that messages were sent to its queue.
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Close stops delivering and waits for batches in flight to settle.
func (d *Dispatcher) Close() {
	d.closed.Do(func() { close(d.stop) })
	d.wg.Wait()
}

// DispatchStats counts what a dispatcher did since it started.
type DispatchStats struct {
	Delivered, Acked, Retried, DeadLettered, Dropped int
}

// Stats returns the dispatcher's counters.
func (d *Dispatcher) Stats() DispatchStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return DispatchStats{d.delivered, d.acked, d.retried, d.dead, d.dropped}
}

// sleep waits for d, a wake-up or stop; false on stop.
func (d *Dispatcher) sleep(dur time.Duration) bool {
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-d.stop:
		return false
	case <-d.wake:
	case <-t.C:
	}
	return true
}

func (d *Dispatcher) loop() {
	defer d.wg.Done()
	ctx := context.Background()
	var firstSeen time.Time // when the partial batch waiting now was first seen
	for {
		select {
		case <-d.stop:
			return
		default:
		}
		if d.cfg.MaxBatchTimeout > 0 {
			// Deliver a full batch at once, a partial one when
			// max_batch_timeout has passed since it was first seen.
			n, err := d.store.CountVisible(ctx, d.cfg.Queue, d.cfg.MaxBatchSize)
			if err != nil {
				d.log.Error("queue: reading queue", "queue", d.cfg.Queue, "err", err)
				if !d.sleep(time.Second) {
					return
				}
				continue
			}
			if n == 0 {
				firstSeen = time.Time{}
				if !d.idle(ctx) {
					return
				}
				continue
			}
			if n < d.cfg.MaxBatchSize {
				now := time.Now()
				if firstSeen.IsZero() {
					firstSeen = now
				}
				if rest := d.cfg.MaxBatchTimeout - now.Sub(firstSeen); rest > 0 {
					if !d.sleep(min(rest, PollInterval)) {
						return
					}
					continue
				}
			}
		}
		// Wait for a free slot.
		select {
		case d.slots <- struct{}{}:
		case <-d.stop:
			return
		}
		batch, err := d.store.Lease(ctx, d.cfg.Queue, d.cfg.MaxBatchSize, d.cfg.Visibility)
		if err != nil || len(batch) == 0 {
			<-d.slots
			firstSeen = time.Time{}
			if err != nil {
				d.log.Error("queue: leasing messages", "queue", d.cfg.Queue, "err", err)
				if !d.sleep(time.Second) {
					return
				}
			} else if !d.idle(ctx) {
				return
			}
			continue
		}
		firstSeen = time.Time{}
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer d.Notify() // retries and freed slots may make work
			defer func() { <-d.slots }()
			d.run(ctx, batch)
		}()
	}
}

// idle waits until the next message may be visible (a delayed one, or a
// lease that runs out), a wake-up, or PollInterval for messages sent by
// another process; false on stop.
func (d *Dispatcher) idle(ctx context.Context) bool {
	wait := PollInterval
	if next, ok, err := d.store.NextVisible(ctx, d.cfg.Queue); err == nil && ok {
		wait = min(wait, max(time.Until(next), time.Millisecond))
	}
	return d.sleep(wait)
}

// run delivers one batch and settles it.
func (d *Dispatcher) run(ctx context.Context, batch []Delivery) {
	start := time.Now()
	out := d.deliver(ctx, Batch{Queue: d.cfg.Queue, Messages: batch})
	acks, retries, dead := d.decide(batch, out)
	var forward []Message
	for _, m := range dead {
		if d.cfg.DeadLetterQueue != "" {
			forward = append(forward, Message{ID: m.ID, Body: m.Body, ContentType: m.ContentType, Timestamp: m.Timestamp})
		}
		acks = append(acks, m.LeaseID)
	}
	if len(forward) > 0 {
		// Send before acknowledging: a crash in between duplicates the
		// message in the dead-letter queue rather than losing it.
		if err := d.store.Send(ctx, d.cfg.DeadLetterQueue, forward); err != nil {
			d.log.Error("queue: moving messages to the dead-letter queue failed; they will be delivered again", "queue", d.cfg.Queue, "dlq", d.cfg.DeadLetterQueue, "err", err)
			return
		}
		if d.Sent != nil {
			d.Sent(d.cfg.DeadLetterQueue)
		}
	}
	if err := d.store.Settle(ctx, d.cfg.Queue, acks, retries); err != nil {
		if errors.Is(err, ErrLeaseNotFound) {
			d.log.Warn("queue: batch outlived its lease; some messages were delivered again", "queue", d.cfg.Queue, "err", err)
		} else {
			d.log.Error("queue: settling batch", "queue", d.cfg.Queue, "err", err)
		}
	}
	if len(dead) > 0 {
		if d.cfg.DeadLetterQueue != "" {
			d.log.Warn(fmt.Sprintf("queue %s: %d message(s) moved to dead-letter queue %s after %d retries", d.cfg.Queue, len(dead), d.cfg.DeadLetterQueue, d.cfg.MaxRetries))
		} else {
			d.log.Warn(fmt.Sprintf("queue %s: dropped %d message(s) after %d retries (no dead_letter_queue is configured)", d.cfg.Queue, len(dead), d.cfg.MaxRetries))
		}
	}
	level := slog.LevelDebug
	if !out.OK {
		level = slog.LevelWarn
	}
	d.log.Log(ctx, level, "queue batch", "queue", d.cfg.Queue, "messages", len(batch), "acked", len(acks)-len(dead), "retried", len(retries), "dead", len(dead), "ok", out.OK, "took", time.Since(start).Round(time.Microsecond), "err", out.Error)
	d.mu.Lock()
	d.delivered += len(batch)
	d.acked += len(acks) - len(dead)
	d.retried += len(retries)
	if d.cfg.DeadLetterQueue != "" {
		d.dead += len(dead)
	} else {
		d.dropped += len(dead)
	}
	d.mu.Unlock()
}

// decide applies Cloudflare's rules to one outcome: an explicit ack() or
// retry() of a message wins; then ackAll()/retryAll(); then the handler's
// result: returned → acknowledged, threw → retried. A retried message that
// has used its max_retries goes to dead.
func (d *Dispatcher) decide(batch []Delivery, out Outcome) (acks []string, retries []Retry, dead []Delivery) {
	for _, m := range batch {
		retry := false
		var delay *float64
		switch {
		case out.Acks[m.ID]:
		case out.Retries != nil && hasKey(out.Retries, m.ID):
			retry, delay = true, out.Retries[m.ID]
		case out.AckAll:
		case out.RetryAll:
			retry, delay = true, out.RetryAllDelay
		case !out.OK:
			retry = true
		}
		if !retry {
			acks = append(acks, m.LeaseID)
			continue
		}
		if m.Attempts > d.cfg.MaxRetries {
			dead = append(dead, m)
			continue
		}
		r := Retry{LeaseID: m.LeaseID, Delay: d.cfg.RetryDelay}
		if delay != nil {
			r.Delay = time.Duration(*delay * float64(time.Second))
		}
		retries = append(retries, r)
	}
	return acks, retries, dead
}

func hasKey(m map[string]*float64, k string) bool {
	_, ok := m[k]
	return ok
}
