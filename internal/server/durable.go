package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/durable"
	"github.com/zerostack/zerostack/internal/durable/durablelocal"
	"github.com/zerostack/zerostack/internal/worker"
)

// durableIdleTimeout is how long an object may go without events before it
// is evicted (0: the binding package's default, 70 s). Tests shorten it.
var durableIdleTimeout time.Duration

// doState is the Durable Objects part of a [State]: the store under
// <state>/do and the host that runs objects, both opened on first use (the
// CLI's other commands never pay for them).
type doState struct {
	mu    sync.Mutex
	store *durablelocal.Store
	host  *binding.DurableHost
	err   error
}

// DurableStore returns the Durable Objects store (<state>/do), opening it on
// first use.
func (s *State) DurableStore() (*durablelocal.Store, error) {
	d := &s.durable
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.store == nil && d.err == nil {
		d.store, d.err = durablelocal.Open(filepath.Join(s.dir, "do"), durablelocal.Options{Logger: s.log})
	}
	return d.store, d.err
}

// durableHost returns the host that runs this state's objects, starting it
// (and its alarms) on first use.
func (s *State) durableHost() (*binding.DurableHost, error) {
	st, err := s.DurableStore()
	if err != nil {
		return nil, err
	}
	d := &s.durable
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.host == nil {
		idle := durableIdleTimeout
		if v := os.Getenv("ZEROSTACK_DO_IDLE_TIMEOUT"); v != "" && idle == 0 {
			// How long an object may stay idle before it is evicted (or
			// hibernated), e.g. "10s"; for benchmarks and experiments.
			if d, err := time.ParseDuration(v); err == nil && d > 0 {
				idle = d
			} else {
				s.log.Warn("ZEROSTACK_DO_IDLE_TIMEOUT is not a positive duration; using the default", "value", v)
			}
		}
		d.host = binding.NewDurableHost(st, binding.DurableOptions{IdleTimeout: idle, Logger: s.log})
	}
	return d.host, nil
}

// openDurableHost returns the Durable Objects host, or nil when no Worker
// has used Durable Objects yet (the diagnostics below then report zero).
func (s *State) openDurableHost() *binding.DurableHost {
	s.durable.mu.Lock()
	defer s.durable.mu.Unlock()
	return s.durable.host
}

// DurableLive reports how many objects have a live instance (0 before any
// Worker used Durable Objects), for tests and diagnostics.
func (s *State) DurableLive() int {
	h := s.openDurableHost()
	if h == nil {
		return 0
	}
	return h.Live()
}

// DurableCrossCalls reports how many Durable Object events crossed between
// isolates through Go, for tests and diagnostics.
func (s *State) DurableCrossCalls() int64 {
	h := s.openDurableHost()
	if h == nil {
		return 0
	}
	return h.CrossCalls()
}

// DurableParked reports how many WebSocket connections hibernated objects
// hold in Go, for tests and diagnostics.
func (s *State) DurableParked() int {
	h := s.openDurableHost()
	if h == nil {
		return 0
	}
	return h.Parked()
}

// durableExtension is the worker extension serving Durable Object bindings
// and classes; the zero Extension when the store cannot be opened (the
// bindings then fail in durableBindings, with the reason).
func (s *State) durableExtension() worker.Extension {
	h, err := s.durableHost()
	if err != nil {
		return worker.Extension{Name: "durable_objects"}
	}
	return h.Extension()
}

// durableBindings applies cfg's [[migrations]] and returns its
// [[durable_objects.bindings]] as worker bindings. A binding whose
// script_name names another Worker is served when that Worker runs in this
// process; calls fail with a clear error otherwise.
func (s *State) durableBindings(ctx context.Context, cfg *config.Worker) ([]worker.Binding, error) {
	if len(cfg.DurableObjects.Bindings) == 0 && len(cfg.Migrations) == 0 {
		return nil, nil
	}
	st, err := s.DurableStore()
	if err != nil {
		return nil, fmt.Errorf("durable objects: %w", err)
	}
	migs := make([]durable.Migration, 0, len(cfg.Migrations))
	for _, m := range cfg.Migrations {
		dm := durable.Migration{Tag: m.Tag, NewClasses: m.NewClasses, NewSQLiteClasses: m.NewSQLiteClasses, DeletedClasses: m.DeletedClasses}
		for _, r := range m.RenamedClasses {
			dm.RenamedClasses = append(dm.RenamedClasses, [2]string{r.From, r.To})
		}
		if len(m.TransferredClasses) > 0 {
			return nil, errors.New("durable objects: transferred_classes migrations are not supported by zerostack; move the objects by hand")
		}
		migs = append(migs, dm)
	}
	applied, err := durable.ApplyMigrations(ctx, st, cfg.Name, migs)
	if err != nil {
		return nil, err
	}
	if h, err := s.durableHost(); err == nil {
		h.SetKeyValueClasses(cfg.Name, durable.KeyValueClasses(migs))
	}
	for _, t := range applied {
		s.log.Info("durable objects migration applied", "worker", cfg.Name, "tag", t)
	}
	var out []worker.Binding
	for _, b := range cfg.DurableObjects.Bindings {
		script := b.ScriptName
		if script == "" {
			script = cfg.Name
		}
		out = append(out, binding.DurableObject(b.Name, script, b.ClassName))
	}
	return out, nil
}

// close stops the host (after the Workers) and closes the store.
func (d *doState) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	if d.host != nil {
		errs = append(errs, d.host.Close())
	}
	if d.store != nil {
		errs = append(errs, d.store.Close())
	}
	return errors.Join(errs...)
}

// DurableCapabilities reports the functions and RpcTargets exported over
// Durable Object RPC (live) and the entries the isolates' export tables
// hold (held), for tests and diagnostics: see binding.DurableHost's
// Capabilities.
func (s *State) DurableCapabilities() (live, held int) {
	h := s.openDurableHost()
	if h == nil {
		return 0, 0
	}
	return h.Capabilities()
}
