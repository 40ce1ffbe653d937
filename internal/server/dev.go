// Package server wires zerostack's parts into running servers. It is the
// one place where configuration, bundling, the worker runtime and (later)
// services meet; the CLI only parses flags and calls it.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/httpx"
	"github.com/zerostack/zerostack/internal/worker"
)

// DevOptions configures a development server, as `zerostack dev` runs it.
type DevOptions struct {
	// Path is the project directory or its wrangler configuration file.
	Path string
	// TestScheduled serves /__scheduled?cron=… to fire the scheduled
	// handler by hand, as wrangler dev --test-scheduled does.
	TestScheduled bool
	// Env selects an [env.NAME] section ("" for the top level).
	Env string
	// IP and Port override the configuration's [dev] settings; Port -1
	// picks a free port.
	IP   string
	Port int
	// Vars are extra variables from --var KEY:VALUE; they override vars.
	Vars map[string]string
	// Watch reloads the worker when one of its source files changes.
	Watch bool
	// Isolates is the pool size (0: the worker package's default).
	Isolates int
	// Console receives the worker's console output; nil writes it to
	// standard error.
	Console func(level, msg string)
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// AccessLog, if set, receives one line per request.
	AccessLog func(method, path string, status int, d time.Duration)
	// PersistTo is the local state directory (KV, D1, R2 data); "" means
	// .zerostack/state next to the configuration. See [StateDir].
	PersistTo string
	// --- S3 API (s3.go) ---
	// S3Port, when not 0, serves the R2 buckets over the S3 API on this
	// port of IP (-1: a free port). See [StartS3].
	S3Port int
	// --- end S3 API ---
	// --- Workers AI (ai.go) ---
	// AI are the --ai-* flags, layered over zerostack.toml's [ai].
	AI AIFlags
	// --- end Workers AI ---
	// --- static assets (assets.go) ---
	// Pages, when set, serves a Pages project (zerostack pages dev); a
	// configuration with pages_build_output_dir or [assets] is served with
	// its static assets without it. See pages.go and assets.go.
	Pages *PagesOptions
	// --- end static assets ---
	// APIPort, when not 0, serves Cloudflare's REST API subset (Queues
	// pull consumers) on this port of IP (-1: a free port); APIToken, if
	// set, is the bearer token it requires. See api.go.
	APIPort  int
	APIToken string
	// Auxiliary are the configurations (paths, as Path) of further Workers
	// to run beside the primary one, reachable from it through service
	// bindings, Durable Object script_name and queues but not served over
	// HTTP, as wrangler dev's second and later --config. See dev_multi.go.
	Auxiliary []string
}

// Dev is a running development server.
type Dev struct {
	opts    DevOptions
	log     *slog.Logger
	cfg     *config.Worker
	current atomic.Pointer[worker.Worker]
	srv     *http.Server
	ln      net.Listener
	stop    chan struct{}
	wg      sync.WaitGroup
	inputs  map[string]time.Time
	state   *State       // local KV/D1/R2 data (state.go)
	s3      *S3Server    // S3 API (s3.go); nil unless DevOptions.S3Port
	assets  *assetsState // static assets (assets.go); nil without
	api     *APIServer   // REST API (api.go); nil unless DevOptions.APIPort
	serving bool         // zerostack serve (serve.go): production error pages
	aux     []*Dev       // auxiliary Workers (dev_multi.go)
	root    *Dev         // for an auxiliary Worker, the primary one (dev_multi.go)
	// Warnings are the configuration warnings found at start.
	Warnings []config.Warning
}

// StartDev loads the configuration, bundles the worker, starts its isolates
// and begins serving. It returns once the server accepts connections.
func StartDev(opts DevOptions) (*Dev, error) {
	d := &Dev{opts: opts, log: opts.Logger, stop: make(chan struct{})}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	path := opts.Path
	if path == "" {
		path = "."
	}
	cfg, warns, err := d.loadConfig(path) // --- static assets (assets.go): Pages and [assets] ---
	if err != nil {
		return nil, err
	}
	d.cfg, d.Warnings = cfg, warns
	// --- local state (state.go) ---
	if d.state, err = OpenState(StateDir(cfg.Dir, opts.PersistTo), d.log); err != nil {
		return nil, err
	}
	d.state.SetAIFlags(opts.AI) // Workers AI (ai.go)
	// --- end local state ---
	// --- auxiliary Workers (dev_multi.go) ---
	if err := d.loadAuxiliary(); err != nil {
		d.state.Close()
		return nil, err
	}
	if err := d.startAuxiliary(); err != nil {
		d.stopAuxiliary()
		d.state.Close()
		return nil, err
	}
	// --- end auxiliary Workers ---
	w, inputs, err := d.build()
	if err != nil {
		d.stopAuxiliary()
		d.state.Close()
		return nil, err
	}
	d.current.Store(w)
	d.inputs = inputs

	ip := opts.IP
	if ip == "" {
		ip = cfg.Dev.IP
	}
	if ip == "" {
		ip = "localhost"
	}
	port := opts.Port
	if port == 0 {
		port = cfg.Dev.Port
	}
	if port == 0 {
		port = config.DefaultDevPort
	}
	if port < 0 {
		port = 0
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		if w != nil { // --- static assets (assets.go): a static site has no worker ---
			w.Close()
		}
		d.stopAuxiliary()
		d.state.Close()
		return nil, fmt.Errorf("dev: listen on %s:%d: %w (is another server running? choose another with --port)", ip, port, err)
	}
	d.ln = ln
	d.srv = &http.Server{
		Handler:           http.HandlerFunc(d.serve),
		ReadHeaderTimeout: 30 * time.Second,
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		// httpx: responses complete in memory (assets, worker bodies made
		// of bytes or a string) leave in one write (internal/httpx).
		if err := httpx.Serve(d.srv, ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("serve", "err", err)
		}
	}()
	if opts.Watch {
		d.wg.Add(1)
		go d.watch()
	}
	// --- Queues (queues.go) ---
	if err := d.startConsumers(); err != nil { // with the auxiliary Workers' (dev_multi.go)
		d.Shutdown(context.Background())
		return nil, err
	}
	// --- Cron Triggers (scheduled.go) ---
	if err := d.startCrons(); err != nil {
		d.Shutdown(context.Background())
		return nil, err
	}
	// --- S3 API (s3.go) ---
	if opts.S3Port != 0 {
		if d.s3, err = startDevS3(d, ip); err != nil {
			d.Shutdown(context.Background())
			return nil, err
		}
	}
	// --- end S3 API ---
	if opts.APIPort != 0 { // REST API (api.go)
		if d.api, err = startDevAPI(d, ip); err != nil {
			d.Shutdown(context.Background())
			return nil, err
		}
	}
	return d, nil
}

// Addr is the address the server listens on.
func (d *Dev) Addr() net.Addr { return d.ln.Addr() }

// URL is the server's base URL, e.g. http://localhost:8787.
func (d *Dev) URL() string {
	host := d.opts.IP
	if host == "" {
		host = d.cfg.Dev.IP
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(d.ln.Addr().(*net.TCPAddr).Port))
}

// Config returns the loaded configuration.
func (d *Dev) Config() *config.Worker { return d.cfg }

// State returns the local state (KV, D1, R2 stores) the server uses; it is
// open until Shutdown returns.
func (d *Dev) State() *State { return d.state }

// Worker returns the worker currently serving.
func (d *Dev) Worker() *worker.Worker { return d.current.Load() }

// Shutdown stops accepting requests, waits for those in flight (until ctx
// ends) and stops the worker.
func (d *Dev) Shutdown(ctx context.Context) error {
	close(d.stop)
	err := d.srv.Shutdown(ctx)
	d.wg.Wait()
	d.state.StopConsumers() // Queues (queues.go)
	if w := d.current.Swap(nil); w != nil {
		w.Close()
	}
	d.stopAuxiliary() // dev_multi.go
	if d.s3 != nil {  // S3 API (s3.go)
		err = errors.Join(err, d.s3.Shutdown(ctx))
	}
	if d.api != nil { // REST API (api.go)
		err = errors.Join(err, d.api.Shutdown(ctx))
	}
	if cerr := d.state.Close(); err == nil {
		err = cerr
	}
	return err
}

func (d *Dev) serve(rw http.ResponseWriter, r *http.Request) {
	// --- static assets (assets.go) ---
	if d.assets != nil {
		d.serveAssets(rw, r)
		return
	}
	// --- end static assets ---
	w := d.current.Load()
	if w == nil {
		http.Error(rw, "zerostack is shutting down", http.StatusServiceUnavailable)
		return
	}
	if d.opts.TestScheduled && r.URL.Path == "/__scheduled" {
		d.serveTestScheduled(rw, r)
		return
	}
	if d.opts.AccessLog == nil {
		w.ServeHTTP(rw, r)
		return
	}
	start := time.Now()
	sw := &statusWriter{ResponseWriter: rw, status: 200}
	w.ServeHTTP(sw, r)
	d.opts.AccessLog(r.Method, r.URL.RequestURI(), sw.status, time.Since(start))
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// build bundles the worker and starts it.
func (d *Dev) build() (*worker.Worker, map[string]time.Time, error) {
	// --- static assets (assets.go) ---
	if d.assets != nil {
		return d.buildAssets()
	}
	// --- end static assets ---
	cfg := d.cfg
	b, err := worker.MakeBundle(worker.BundleOptions{
		Entry:    cfg.Main,
		Dir:      cfg.Dir,
		Define:   cfg.Define,
		Alias:    cfg.Alias,
		Minify:   cfg.Minify,
		Tsconfig: cfg.TSConfig,
		// nodejs_compat: node:* modules, Buffer and process (worker/node.go);
		// on by default from compatibility date 2026-08-04 unless
		// no_nodejs_compat is set, as in workerd.
		NodeCompat: cfg.NodeJSCompat(),
	})
	if err != nil {
		return nil, nil, err
	}
	inputs := map[string]time.Time{}
	for _, p := range append(b.Inputs, cfg.File, aiConfigFile(cfg) /* Workers AI (ai.go) */) {
		if st, err := os.Stat(p); err == nil {
			inputs[p] = st.ModTime()
		}
	}
	vars := map[string]any{}
	for k, v := range cfg.Vars {
		vars[k] = v
	}
	for k, v := range d.opts.Vars {
		vars[k] = v
	}
	console := d.opts.Console
	if console == nil {
		console = func(level, msg string) { fmt.Fprintln(os.Stderr, msg) }
	}
	cpu := time.Duration(cfg.Limits.CPUMillis) * time.Millisecond
	// --- storage bindings (state.go) ---
	bindings, err := d.state.Bindings(context.Background(), cfg)
	if err != nil {
		return nil, nil, err
	}
	// --- end storage bindings ---
	w, err := worker.New(worker.Config{
		Name:       cfg.Name,
		Bundle:     b,
		Vars:       vars,
		Secrets:    cfg.Secrets,
		Pending:    pendingBindings(cfg),
		Extensions: d.state.Extensions(),
		Bindings:   bindings,
		CPULimit:   cpu,
		MemoryMB:   cfg.Limits.MemoryMB,
		Isolates:   d.opts.Isolates,
		Dev:        !d.serving, // serve.go: Cloudflare's error pages in production
		Console:    console,
		Logger:     d.log,
	})
	if err != nil {
		return nil, nil, err
	}
	return w, inputs, nil
}

// watch polls the worker's inputs and rebuilds on change. Polling keeps
// zerostack free of platform file-notification code; 250 ms is well below
// what a person notices between saving and reloading.
func (d *Dev) watch() {
	defer d.wg.Done()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
		}
		changed := false
		for p, mt := range d.inputs {
			st, err := os.Stat(p)
			if err != nil || !st.ModTime().Equal(mt) {
				changed = true
				break
			}
		}
		if d.assets != nil && d.assetsChanged() { // --- static assets (assets.go) ---
			changed = true
		}
		if !changed {
			continue
		}
		d.reload()
	}
}

func (d *Dev) reload() {
	start := time.Now()
	if cfg, warns, err := d.loadConfig(d.cfg.File); err != nil { // --- static assets (assets.go) ---
		d.log.Error("reload: configuration", "err", err)
		d.touchInputs()
		return
	} else {
		d.cfg = cfg
		for _, w := range warns {
			d.log.Warn(w.String())
		}
	}
	w, inputs, err := d.build()
	if err != nil {
		d.log.Error("reload failed; still serving the previous version", "err", err)
		d.touchInputs()
		return
	}
	d.inputs = inputs
	old := d.current.Swap(w)
	root := d // the dev session's consumers, auxiliary Workers' included (dev_multi.go)
	if d.root != nil {
		root = d.root
	}
	if err := root.startConsumers(); err != nil { // Queues (queues.go)
		d.log.Error("reload: queue consumers", "err", err)
	}
	d.log.Info("reloaded", "worker", d.cfg.Name, "took", time.Since(start).Round(time.Millisecond))
	if old != nil {
		// Let requests in flight on the old version finish.
		time.AfterFunc(30*time.Second, old.Close)
	}
}

// touchInputs records the current modification times so that a failed
// build is retried only after the next change.
func (d *Dev) touchInputs() {
	for p := range d.inputs {
		if st, err := os.Stat(p); err == nil {
			d.inputs[p] = st.ModTime()
		}
	}
}

// pendingBindings lists the configured bindings that this version of
// zerostack does not serve yet, so that using one fails with a clear error.
func pendingBindings(cfg *config.Worker) map[string]string {
	// KV, D1, R2, Workers AI and Durable Objects are served from the local
	// state (state.go, ai.go, durable.go).
	p := map[string]string{}
	for _, b := range cfg.AnalyticsEngine {
		p[b.Binding] = "Analytics Engine"
	}
	if cfg.Browser != nil && cfg.Browser.Binding != "" {
		p[cfg.Browser.Binding] = "Browser Rendering"
	}
	for _, b := range cfg.SendEmail {
		p[b.Name] = "Email"
	}
	for _, b := range cfg.Services {
		p[b.Binding] = "Service"
	}
	for _, b := range cfg.Hyperdrive {
		p[b.Binding] = "Hyperdrive"
	}
	return p
}
