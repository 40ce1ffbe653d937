package server

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/worker"
)

// Several Workers in one dev session, as `wrangler dev -c app/wrangler.toml
// -c api/wrangler.toml` runs them: the first configuration is the primary
// Worker, served on the dev port; the others are auxiliary Workers, not
// served over HTTP but reachable from the primary (and from each other)
// through [[services]] bindings, Durable Object bindings with script_name and
// queues whose producer and consumer are different Workers. All of them
// share the primary's local state (--persist-to), reload when their own
// files change, and run their cron triggers.

// workerName is the name service bindings and script_name use for d's
// Worker: the configuration's name, else its directory's.
func (d *Dev) workerName() string {
	if d.cfg.Name != "" {
		return d.cfg.Name
	}
	return filepath.Base(d.cfg.Dir)
}

// loadAuxiliary loads the configurations of DevOptions.Auxiliary into
// unstarted [Dev]s sharing d's state, and makes service bindings reach all
// of d's Workers. It builds nothing.
func (d *Dev) loadAuxiliary() error {
	names := map[string]string{d.workerName(): d.cfg.File}
	for _, path := range d.opts.Auxiliary {
		p := &Dev{root: d, stop: make(chan struct{}), state: d.state}
		p.opts = DevOptions{Path: path, Env: d.opts.Env, Watch: d.opts.Watch, Isolates: d.opts.Isolates, Logger: d.opts.Logger}
		p.log = d.log
		cfg, warns, err := p.loadConfig(path)
		if err != nil {
			return err
		}
		if cfg.PagesBuildOutputDir != "" || cfg.Assets != nil {
			// Assets are served in front of a Worker's HTTP listener, which
			// an auxiliary Worker does not have: a service binding would
			// reach its script only. Refuse rather than skip them silently.
			return &config.Error{File: cfg.File, Msg: "an auxiliary Worker (a second --config) cannot serve static assets in zerostack dev; make it the first --config"}
		}
		p.cfg = cfg
		d.Warnings = append(d.Warnings, warns...)
		name := p.workerName()
		if other, ok := names[name]; ok {
			return &config.Error{File: cfg.File, Msg: fmt.Sprintf("name: %q is also the name of %s; each Worker in a dev session needs its own name", name, other)}
		}
		names[name] = cfg.File
		p.log = d.log.With("worker", name)
		p.opts.Logger = p.log
		if console := d.opts.Console; console != nil {
			p.opts.Console = func(level, msg string) { console(level, "["+name+"] "+msg) }
		}
		p.opts.AccessLog = nil
		d.aux = append(d.aux, p)
	}
	workers := map[string]func() *worker.Worker{}
	for _, p := range append([]*Dev{d}, d.aux...) {
		workers[p.workerName()] = p.Worker
	}
	d.state.ServeServices(workers)
	for _, p := range append([]*Dev{d}, d.aux...) {
		for _, sb := range p.cfg.Services {
			if workers[sb.Service] == nil {
				d.log.Warn("service binding names a Worker that is not running in this dev session; calls to it will fail (add its configuration with another --config)",
					"worker", p.workerName(), "binding", sb.Binding, "service", sb.Service)
			}
		}
	}
	return nil
}

// startAuxiliary builds and starts the auxiliary Workers: their isolates,
// file watching and cron triggers.
func (d *Dev) startAuxiliary() error {
	for _, p := range d.aux {
		w, inputs, err := p.build()
		if err != nil {
			return fmt.Errorf("%s: %w", p.cfg.File, err)
		}
		p.current.Store(w)
		p.inputs = inputs
		if p.opts.Watch {
			p.wg.Add(1)
			go p.watch()
		}
		if err := p.startCrons(); err != nil {
			return fmt.Errorf("%s: %w", p.cfg.File, err)
		}
	}
	return nil
}

// stopAuxiliary stops the auxiliary Workers' watching and crons and closes
// their isolates.
func (d *Dev) stopAuxiliary() {
	for _, p := range d.aux {
		p.halt()
	}
}

// halt stops a Worker that has no listener of its own (an auxiliary
// Worker, a project of zerostack serve): its watching and crons, then its
// isolates. It may be called more than once.
func (d *Dev) halt() {
	select {
	case <-d.stop:
	default:
		close(d.stop)
	}
	d.wg.Wait()
	if w := d.current.Swap(nil); w != nil {
		w.Close()
	}
}

// startConsumers (re)starts the queue consumers of the whole dev session:
// the primary's and the auxiliary Workers' (called on d's root).
func (d *Dev) startConsumers() error {
	ws := []ConsumerWorker{{Config: d.cfg, Current: d.Worker}}
	for _, p := range d.aux {
		ws = append(ws, ConsumerWorker{Config: p.cfg, Current: p.Worker})
	}
	return d.state.StartWorkerConsumers(context.Background(), ws)
}

// AuxiliaryConfigs returns the configurations of the auxiliary Workers, in
// the order they were given.
func (d *Dev) AuxiliaryConfigs() []*config.Worker {
	out := make([]*config.Worker, len(d.aux))
	for i, p := range d.aux {
		out[i] = p.cfg
	}
	return out
}
