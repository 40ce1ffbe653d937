package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/queues"
	"github.com/zerostack/zerostack/internal/queues/queueslocal"
	"github.com/zerostack/zerostack/internal/worker"
)

// queuesState is the Queues part of a [State]: the store in
// <state>/queues/queues.sqlite (opened on first use), the producer binding,
// and the push-consumer dispatchers running in this process, by queue.
type queuesState struct {
	once  sync.Once
	store *queueslocal.Store
	err   error

	bindOnce sync.Once
	bind     *binding.Queues

	mu          sync.Mutex
	dispatchers map[string]*queues.Dispatcher
}

// Queues returns the local queue store, opening it on first use.
func (s *State) Queues() (*queueslocal.Store, error) {
	s.qs.once.Do(func() {
		dir := filepath.Join(s.dir, "queues")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			s.qs.err = fmt.Errorf("state: %w", err)
			return
		}
		s.qs.store, s.qs.err = queueslocal.Open(filepath.Join(dir, "queues.sqlite"), queueslocal.Options{Logger: s.log})
	})
	return s.qs.store, s.qs.err
}

func (q *queuesState) close() error {
	q.stopDispatchers()
	if q.store == nil {
		return nil
	}
	return q.store.Close()
}

// queueBinding returns the Queues binding host shared by every worker
// version served from this state.
func (s *State) queueBinding() *binding.Queues {
	s.qs.bindOnce.Do(func() {
		s.qs.bind = binding.NewQueues(func() (queues.Store, error) { return s.Queues() }, s.notifyQueue, s.log)
	})
	return s.qs.bind
}

// queuesExtension serves [[queues.producers]] bindings and queue() events.
func (s *State) queuesExtension() worker.Extension { return s.queueBinding().Extension() }

// queueBindings returns env entries for cfg's queue producers.
func (s *State) queueBindings(cfg *config.Worker) []worker.Binding {
	var out []worker.Binding
	for _, p := range cfg.Queues.Producers {
		out = append(out, binding.Queue(p.Binding, p.Queue, p.DeliveryDelay))
	}
	return out
}

// notifyQueue wakes the dispatcher of queue, if this process runs one.
func (s *State) notifyQueue(queue string) {
	s.qs.mu.Lock()
	d := s.qs.dispatchers[queue]
	s.qs.mu.Unlock()
	if d != nil {
		d.Notify()
	}
}

// ConsumerConfig turns a [[queues.consumers]] entry into the dispatcher's
// settings.
func ConsumerConfig(c config.QueueConsumer) queues.ConsumerConfig {
	cc := queues.ConsumerConfig{
		Queue:           c.Queue,
		MaxBatchSize:    c.MaxBatchSize,
		MaxBatchTimeout: time.Duration(c.MaxBatchTimeout) * time.Second,
		MaxRetries:      c.MaxRetries,
		DeadLetterQueue: c.DeadLetterQueue,
		RetryDelay:      time.Duration(c.RetryDelay) * time.Second,
	}
	if c.MaxConcurrency != nil {
		cc.MaxConcurrency = *c.MaxConcurrency
	}
	return cc
}

// ConsumerWorker is one Worker of a [State.StartWorkerConsumers] call: its
// configuration and the function returning its current version.
type ConsumerWorker struct {
	Config  *config.Worker
	Current func() *worker.Worker
}

// StartWorkerConsumers starts a dispatcher for each push consumer of the
// Workers ws served together (one, or several with zerostack dev -c … -c …),
// each delivering to the Worker its Current returns at delivery time (so
// that a reloaded Worker consumes the next batch), and stops the
// dispatchers of queues none of them consumes any more. A queue consumed by
// two of them is an error; HTTP pull consumers get no dispatcher.
func (s *State) StartWorkerConsumers(ctx context.Context, ws []ConsumerWorker) error {
	type consumer struct {
		cc      queues.ConsumerConfig
		current func() *worker.Worker
		cfg     *config.Worker
	}
	want := map[string]consumer{}
	for _, w := range ws {
		cfg := w.Config
		for _, c := range cfg.Queues.Consumers {
			if c.Type == "http_pull" {
				continue
			}
			cc := ConsumerConfig(c)
			if err := queues.ValidateConsumer(cc); err != nil {
				return fmt.Errorf("%s: %w", cfg.File, err)
			}
			if o, ok := want[c.Queue]; ok && o.cfg != cfg {
				return fmt.Errorf("dev: queue %s has two consumers, in %s and in %s; a queue has one consumer: remove one", c.Queue, o.cfg.File, cfg.File)
			}
			want[c.Queue] = consumer{cc, w.Current, cfg}
		}
	}
	// Consumers recorded with `zerostack queues consumer add` for one of
	// these workers, where no configuration names one for that queue.
	if _, err := os.Stat(filepath.Join(s.dir, "queues", "queues.sqlite")); err == nil {
		if store, err := s.Queues(); err == nil {
			recorded, err := store.Consumers(ctx)
			if err != nil {
				s.log.Warn("queue consumers recorded in local state are unreadable", "err", err)
			}
			for _, c := range recorded {
				for _, w := range ws {
					if _, ok := want[c.Queue]; !ok && w.Config.Name != "" && c.Script == w.Config.Name {
						want[c.Queue] = consumer{c.Settings, w.Current, w.Config}
					}
				}
			}
		}
	}
	s.qs.mu.Lock()
	defer s.qs.mu.Unlock()
	if len(want) == 0 && len(s.qs.dispatchers) == 0 {
		return nil
	}
	store, err := s.Queues()
	if err != nil {
		return err
	}
	bind := s.queueBinding()
	if s.qs.dispatchers == nil {
		s.qs.dispatchers = map[string]*queues.Dispatcher{}
	}
	for q, d := range s.qs.dispatchers {
		if c, ok := want[q]; !ok || !sameConsumer(c.cc, d.Config()) {
			d.Close()
			delete(s.qs.dispatchers, q)
		}
	}
	for q, c := range want {
		if _, ok := s.qs.dispatchers[q]; ok {
			continue
		}
		current := c.current
		deliver := func(_ context.Context, b queues.Batch) queues.Outcome {
			w := current()
			if w == nil {
				return queues.Outcome{Error: "the worker is not running"}
			}
			return bind.Deliver(w, b)
		}
		d, err := queues.NewDispatcher(store, c.cc, deliver, s.log)
		if err != nil {
			return err
		}
		d.Sent = s.notifyQueue
		d.Start()
		s.qs.dispatchers[q] = d
		s.log.Debug("queue consumer started", "queue", q, "worker", c.cfg.Name, "max_batch_size", d.Config().MaxBatchSize, "max_batch_timeout", c.cc.MaxBatchTimeout)
	}
	return nil
}

// sameConsumer reports whether a running dispatcher (whose zero settings
// were filled with defaults) serves settings cc.
func sameConsumer(cc, running queues.ConsumerConfig) bool {
	if cc.MaxBatchSize == 0 {
		cc.MaxBatchSize = running.MaxBatchSize
	}
	cc.Visibility = running.Visibility
	return cc == running
}

// Dispatcher returns the running dispatcher of queue (nil if none).
func (s *State) Dispatcher(queue string) *queues.Dispatcher {
	s.qs.mu.Lock()
	defer s.qs.mu.Unlock()
	return s.qs.dispatchers[queue]
}

// StopConsumers stops every dispatcher and waits for batches in flight, so
// that no batch is cut short by the worker stopping under it.
func (s *State) StopConsumers() { s.qs.stopDispatchers() }

// stopDispatchers stops every dispatcher and forgets them.
func (q *queuesState) stopDispatchers() {
	q.mu.Lock()
	ds := q.dispatchers
	q.dispatchers = nil
	q.mu.Unlock()
	for _, d := range ds {
		d.Close()
	}
}
