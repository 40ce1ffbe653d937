package server

import (
	"sync"

	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/worker"
)

// serviceState is the service-binding part of a [State]: the Workers this
// process serves, by name, for [[services]] bindings to reach. It is nil
// until [State.ServeServices] is called (zerostack serve does, and so does
// every dev session, pages dev included, for its primary and auxiliary
// Workers: dev_multi.go).
type serviceState struct {
	mu      sync.RWMutex
	workers map[string]func() *worker.Worker
}

// ServeServices makes cfg's [[services]] bindings reach the Workers in
// workers (name → the function returning its current version). Call it
// before the first Worker is built.
func (s *State) ServeServices(workers map[string]func() *worker.Worker) {
	s.svc.mu.Lock()
	s.svc.workers = workers
	s.svc.mu.Unlock()
}

// serviceWorker returns the running Worker named name, or nil.
func (s *State) serviceWorker(name string) *worker.Worker {
	s.svc.mu.RLock()
	f := s.svc.workers[name]
	s.svc.mu.RUnlock()
	if f == nil {
		return nil
	}
	return f()
}

// serviceExtension serves service bindings: fetch(), and RPC through the
// Durable Objects host (nil when its store cannot be opened: fetch only).
func (s *State) serviceExtension() worker.Extension {
	h, _ := s.durableHost()
	return binding.ServiceExtension(s.serviceWorker, h)
}

// serviceBindings returns env entries for cfg's [[services]] once
// ServeServices was called, else none (the bindings then stay pending, with
// dev's "not supported" error). The entrypoint and props of an entry are
// passed on; its environment is not used: a served Worker is one name, one
// version.
func (s *State) serviceBindings(cfg *config.Worker) []worker.Binding {
	s.svc.mu.RLock()
	on := s.svc.workers != nil
	s.svc.mu.RUnlock()
	if !on {
		return nil
	}
	var out []worker.Binding
	for _, b := range cfg.Services {
		out = append(out, binding.Service(b.Binding, b.Service, b.Entrypoint, b.Props))
	}
	return out
}
