package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/httpx"
	"github.com/zerostack/zerostack/internal/queues"
	"github.com/zerostack/zerostack/internal/worker"
)

// ServeOptions configures a production server, as `zerostack serve` runs
// it (see [StartServe]). Addresses are host:port; port 0 picks a free one.
type ServeOptions struct {
	// Projects are the Workers and Pages projects to serve: directories or
	// wrangler.toml/json/jsonc files. At least one.
	Projects []string
	// Env selects an [env.NAME] section of every project ("" for the top
	// level).
	Env string
	// HTTP is the Workers listener ("" = [DefaultServeHTTP], [AddrOff] =
	// none: HTTPS only). Every address may be [AddrOff].
	HTTP string
	// HTTPS, Cert and Key add a TLS listener with the PEM certificate
	// chain and key in those files; HTTPS "" with a certificate means
	// [DefaultServeHTTPS].
	HTTPS, Cert, Key string
	// S3, when set, serves the R2 buckets over the S3 API there.
	S3 string
	// S3Domains are the S3 endpoint's host names for virtual-host-style
	// addressing (<bucket>.<s3 domain>); path-style always works.
	S3Domains []string
	// API, when set, serves Cloudflare's REST API subset (Queues pull
	// consumers) there, requiring APIToken as a bearer token if set.
	API      string
	APIToken string
	// StateDir is the local data directory (KV, D1, R2, …); "" means
	// .zerostack/state next to the first project's configuration.
	StateDir string
	// Domains are the base hosts under which <worker>.<domain> reaches a
	// worker by name; <worker>.localhost always works.
	Domains []string
	// Default names the worker that gets the requests no route or host
	// matches; "" means the only project when there is one, else none (404).
	Default string
	// Vars are extra variables (--var) given to every worker.
	Vars map[string]string
	// Isolates is each worker's pool size (0: the worker package's default).
	Isolates int
	// NoAccessLog leaves out the "request" log line of each request.
	NoAccessLog bool
	// Logger receives diagnostics, access lines and the workers' console
	// output; nil discards them.
	Logger *slog.Logger
}

// Server is a running production server: several workers behind one router,
// sharing one state directory, with their cron triggers, queue consumers,
// Durable Objects and static assets. Unlike [Dev] it never reloads, serves
// no development endpoints (/__scheduled), and answers uncaught exceptions
// with Cloudflare's "Error 1101" page instead of a stack trace.
type Server struct {
	opts     ServeOptions
	log      *slog.Logger
	state    *State
	projects []*Dev
	byName   map[string]*Dev
	router   *router

	srvs []*http.Server
	lns  map[string]net.Listener // "http", "https"
	wg   sync.WaitGroup
	s3   *S3Server
	api  *APIServer
	// Warnings are the configuration warnings found at start.
	Warnings []config.Warning
}

// StartServe loads every project, opens the state, starts the workers, cron
// triggers and queue consumers, and listens. It returns once every listener
// accepts connections; on error everything started is stopped again.
func StartServe(opts ServeOptions) (*Server, error) {
	if len(opts.Projects) == 0 {
		return nil, errors.New("serve: no project to serve: name a project directory or wrangler.toml, or list projects under [serve] in zerostack.toml")
	}
	s := &Server{opts: opts, log: opts.Logger, byName: map[string]*Dev{}, lns: map[string]net.Listener{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.start(); err != nil {
		s.abort()
		return nil, err
	}
	return s, nil
}

// start does StartServe's work; on error the caller undoes it with abort.
func (s *Server) start() error {
	opts := s.opts
	// Configurations first: a bad one is reported before anything starts.
	for _, path := range opts.Projects {
		p, err := s.loadProject(path)
		if err != nil {
			return err
		}
		s.projects = append(s.projects, p)
		s.byName[p.cfg.Name] = p
	}
	if err := s.makeRouter(); err != nil {
		return err
	}
	dir := opts.StateDir
	if dir == "" {
		dir = StateDir(s.projects[0].cfg.Dir, "")
	}
	st, err := OpenState(dir, s.log)
	if err != nil {
		return err
	}
	s.state = st
	// Service bindings reach the Workers of this process by name.
	workers := map[string]func() *worker.Worker{}
	for _, p := range s.projects {
		workers[p.cfg.Name] = p.Worker
	}
	s.state.ServeServices(workers)
	for _, p := range s.projects {
		for _, sb := range p.cfg.Services {
			if workers[sb.Service] == nil {
				s.log.Warn("service binding names a Worker that is not served here; calls to it will fail", "worker", p.cfg.Name, "binding", sb.Binding, "service", sb.Service)
			}
		}
	}
	for _, p := range s.projects {
		p.state = s.state
		w, _, err := p.build()
		if err != nil {
			return fmt.Errorf("%s: %w", p.cfg.Name, err)
		}
		p.current.Store(w)
	}
	for _, p := range s.projects {
		if err := p.startCrons(); err != nil {
			return fmt.Errorf("%s: %w", p.cfg.File, err)
		}
	}
	if err := s.startConsumers(); err != nil {
		return err
	}
	if err := s.listen(); err != nil {
		return err
	}
	return nil
}

// loadProject loads one project's configuration into an unstarted [Dev]:
// the server reuses dev's build, assets and cron code, without its
// listener, file watching or /__scheduled.
func (s *Server) loadProject(path string) (*Dev, error) {
	p := &Dev{stop: make(chan struct{}), serving: true}
	p.opts = DevOptions{Path: path, Env: s.opts.Env, Vars: s.opts.Vars, Isolates: s.opts.Isolates}
	p.log = s.log
	cfg, warns, err := p.loadConfig(path)
	if err != nil {
		return nil, err
	}
	p.cfg = cfg
	s.Warnings = append(s.Warnings, warns...)
	if cfg.Name == "" {
		cfg.Name = filepath.Base(cfg.Dir)
	}
	if other, ok := s.byName[cfg.Name]; ok {
		return nil, &config.Error{File: cfg.File, Msg: fmt.Sprintf("name: %q is also the name of %s; each served Worker needs its own name", cfg.Name, other.cfg.File)}
	}
	if cfg.Limits.CPUMillis > MaxCPUMillis {
		return nil, &config.Error{File: cfg.File, Msg: fmt.Sprintf("limits.cpu_ms: %d is over Cloudflare's maximum of %d (5 minutes)", cfg.Limits.CPUMillis, MaxCPUMillis)}
	}
	log := s.log.With("worker", cfg.Name)
	p.log = log
	p.opts.Logger = log
	p.opts.Console = func(level, msg string) {
		log.Log(context.Background(), consoleLevel(level), msg, "source", "console")
	}
	if s.opts.NoAccessLog {
		return p, nil
	}
	p.opts.AccessLog = func(method, path string, status int, d time.Duration) {
		if method == "SCHEDULED" {
			return // fireCron logs "scheduled event" with its outcome
		}
		log.Info("request", "method", method, "path", path, "status", status, "took", d.Round(time.Microsecond))
	}
	return p, nil
}

// consoleLevel maps a console method to a log level.
func consoleLevel(level string) slog.Level {
	switch level {
	case "error":
		return slog.LevelError
	case "warn":
		return slog.LevelWarn
	case "debug", "trace":
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// makeRouter collects the projects' routes.
func (s *Server) makeRouter() error {
	var routes []routePattern
	var names []string
	noDev := map[string]bool{}
	for _, p := range s.projects {
		names = append(names, p.cfg.Name)
		if p.cfg.WorkersDev != nil && !*p.cfg.WorkersDev {
			noDev[p.cfg.Name] = true
		}
		for _, r := range p.cfg.Routes {
			rp, err := parseRoute(r.Pattern, p.cfg.Name, r.CustomDomain)
			if err != nil {
				return &config.Error{File: p.cfg.File, Msg: "routes: " + err.Error()}
			}
			routes = append(routes, rp)
		}
	}
	def := s.opts.Default
	if def == "" && len(s.projects) == 1 {
		def = s.projects[0].cfg.Name
	}
	if def != "" && s.byName[def] == nil {
		return fmt.Errorf("serve: default worker %q is not served (served: %s)", def, strings.Join(names, ", "))
	}
	rt, err := newRouter(routes, names, noDev, s.opts.Domains, def)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	s.router = rt
	return nil
}

// startConsumers starts a dispatcher for every push consumer of every
// project (and those recorded with `zerostack queues consumer add` for a
// served worker), delivering to that project's worker. A queue has one
// consumer on Cloudflare; two projects consuming one queue is an error.
func (s *Server) startConsumers() error {
	type consumer struct {
		cc queues.ConsumerConfig
		p  *Dev
	}
	want := map[string]consumer{}
	for _, p := range s.projects {
		for _, c := range p.cfg.Queues.Consumers {
			if c.Type == "http_pull" {
				continue
			}
			cc := ConsumerConfig(c)
			if err := queues.ValidateConsumer(cc); err != nil {
				return fmt.Errorf("%s: %w", p.cfg.File, err)
			}
			if o, ok := want[c.Queue]; ok {
				return fmt.Errorf("serve: queue %s has two consumers, %s and %s; a queue has one consumer: remove one", c.Queue, o.p.cfg.Name, p.cfg.Name)
			}
			want[c.Queue] = consumer{cc, p}
		}
	}
	if _, err := os.Stat(filepath.Join(s.state.dir, "queues", "queues.sqlite")); err == nil {
		if store, err := s.state.Queues(); err == nil {
			recorded, err := store.Consumers(context.Background())
			if err != nil {
				s.log.Warn("queue consumers recorded in local state are unreadable", "err", err)
			}
			for _, c := range recorded {
				if p := s.byName[c.Script]; p != nil {
					if _, ok := want[c.Queue]; !ok {
						want[c.Queue] = consumer{c.Settings, p}
					}
				}
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	store, err := s.state.Queues()
	if err != nil {
		return err
	}
	bind := s.state.queueBinding()
	qs := &s.state.qs
	qs.mu.Lock()
	defer qs.mu.Unlock()
	if qs.dispatchers == nil {
		qs.dispatchers = map[string]*queues.Dispatcher{}
	}
	for q, c := range want {
		p := c.p
		deliver := func(_ context.Context, b queues.Batch) queues.Outcome {
			w := p.Worker()
			if w == nil {
				return queues.Outcome{Error: "the worker is not running"}
			}
			return bind.Deliver(w, b)
		}
		d, err := queues.NewDispatcher(store, c.cc, deliver, s.log.With("worker", p.cfg.Name))
		if err != nil {
			return err
		}
		d.Sent = s.state.notifyQueue
		d.Start()
		qs.dispatchers[q] = d
	}
	return nil
}

// listen opens the listeners: HTTP, HTTPS, S3 and the REST API.
func (s *Server) listen() error {
	h := http.HandlerFunc(s.serveHTTP)
	addr := s.opts.HTTP
	if addr == "" {
		addr = DefaultServeHTTP
	}
	httpsOn := s.opts.HTTPS != AddrOff && (s.opts.Cert != "" || s.opts.Key != "" || s.opts.HTTPS != "")
	if addr == AddrOff && !httpsOn {
		return errors.New("serve: http is off and https is not configured: nothing would serve the Workers; set a certificate (--cert, --key) or an http address")
	}
	if addr != AddrOff {
		if err := s.listenHTTP("http", addr, h, nil); err != nil {
			return err
		}
	}
	if httpsOn {
		if s.opts.Cert == "" || s.opts.Key == "" {
			return errors.New("serve: https needs a certificate and its key: set --cert and --key (or cert and key under [serve])")
		}
		cert, err := tls.LoadX509KeyPair(s.opts.Cert, s.opts.Key)
		if err != nil {
			return fmt.Errorf("serve: https certificate %s and key %s: %w (both must be PEM files)", s.opts.Cert, s.opts.Key, err)
		}
		addr := s.opts.HTTPS
		if addr == "" {
			addr = DefaultServeHTTPS
		}
		if err := s.listenHTTP("https", addr, h, &tls.Config{Certificates: []tls.Certificate{cert}}); err != nil {
			return err
		}
	}
	if s.opts.S3 != "" && s.opts.S3 != AddrOff {
		host, port, err := splitAddr(s.opts.S3)
		if err != nil {
			return fmt.Errorf("serve: s3: %w", err)
		}
		var buckets []string
		for _, p := range s.projects {
			for _, b := range p.cfg.R2Buckets {
				buckets = append(buckets, R2BucketName(b))
			}
		}
		if s.s3, err = StartS3(s.state, S3Options{IP: host, Port: port, Buckets: buckets, Domains: s.opts.S3Domains, Logger: s.log}); err != nil {
			return err
		}
	}
	if s.opts.API != "" && s.opts.API != AddrOff {
		if err := s.startAPI(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) listenHTTP(name, addr string, h http.Handler, tc *tls.Config) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		hint := "is another server running? choose another address with --" + name
		if errors.Is(err, os.ErrPermission) {
			hint = "ports below 1024 need root or CAP_NET_BIND_SERVICE (setcap 'cap_net_bind_service=+ep' on the binary), or choose another address with --" + name
		}
		return fmt.Errorf("serve: %s: listen on %s: %w (%s)", name, addr, err, hint)
	}
	// Idle keep-alive connections are closed after two minutes, so that
	// clients that vanish do not hold file descriptors forever.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: MaxHeaderBytes, TLSConfig: tc,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	s.lns[name] = ln
	s.srvs = append(s.srvs, srv)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var err error
		if tc != nil {
			err = srv.ServeTLS(ln, "", "")
		} else {
			// Complete responses leave in one write, as in dev (internal/httpx).
			err = httpx.Serve(srv, ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("serve", "listener", name, "err", err)
		}
	}()
	return nil
}

// startAPI serves the REST API subset; pull consumers of every project
// are known to it.
func (s *Server) startAPI() error {
	ln, err := net.Listen("tcp", s.opts.API)
	if err != nil {
		return fmt.Errorf("serve: api: listen on %s: %w (choose another address with --api)", s.opts.API, err)
	}
	store, err := s.state.Queues()
	if err != nil {
		ln.Close()
		return err
	}
	h := &queues.PullHandler{
		Store: store,
		Token: s.opts.APIToken,
		Sent:  s.state.notifyQueue,
		Log:   s.log,
		Consumer: func(queue string) (queues.ConsumerConfig, bool) {
			for _, p := range s.projects {
				for _, c := range p.cfg.Queues.Consumers {
					if c.Queue == queue {
						return ConsumerConfig(c), true
					}
				}
			}
			return queues.ConsumerConfig{}, false
		},
	}
	s.api = &APIServer{srv: &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}, ln: ln}
	go func() {
		if err := s.api.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("api: serve", "err", err)
		}
	}()
	return nil
}

// splitAddr splits host:port into a host and a port number.
func splitAddr(addr string) (string, int, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("%q is not a listen address (write host:port or :port)", addr)
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("%q: port must be a number from 0 to 65535", addr)
	}
	return host, port, nil
}

// serveHTTP routes a request to its worker.
func (s *Server) serveHTTP(rw http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	name := s.router.pick(scheme, r.Host, r.URL.RequestURI())
	p := s.byName[name]
	if p == nil {
		// What a workers.dev host without a Worker answers, in words that
		// say how to route one here.
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(rw, "No Worker is routed for %s%s. Add a route for it to a Worker's wrangler.toml, use <worker>.%s, or set [serve] default.\n",
			r.Host, r.URL.Path, s.router.domains[len(s.router.domains)-1])
		return
	}
	p.serve(rw, r)
}

// URL is the base URL of the HTTP listener (name "http") or the HTTPS one
// ("https"); "" when there is none.
func (s *Server) URL(name string) string {
	ln := s.lns[name]
	if ln == nil {
		return ""
	}
	a := ln.Addr().(*net.TCPAddr)
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "localhost"
	}
	return name + "://" + net.JoinHostPort(host, strconv.Itoa(a.Port))
}

// S3 returns the S3 API server, or nil when ServeOptions.S3 was empty.
func (s *Server) S3() *S3Server { return s.s3 }

// API returns the REST API server, or nil when ServeOptions.API was empty.
func (s *Server) API() *APIServer { return s.api }

// State returns the shared local state (open until Shutdown returns).
func (s *Server) State() *State { return s.state }

// Workers returns the configurations of the served projects, in the order
// given.
func (s *Server) Workers() []*config.Worker {
	out := make([]*config.Worker, len(s.projects))
	for i, p := range s.projects {
		out[i] = p.cfg
	}
	return out
}

// Routes returns each served worker's route patterns, for the startup line.
func (s *Server) Routes() map[string][]string {
	out := map[string][]string{}
	for _, r := range s.router.routes {
		out[r.target] = append(out[r.target], r.pattern)
	}
	for k := range out {
		sort.Strings(out[k])
	}
	return out
}

// Shutdown stops gracefully: the listeners stop accepting, requests in
// flight finish (until ctx ends; then their connections are closed), cron
// triggers and queue consumers stop (batches in flight finish), work passed
// to ctx.waitUntil finishes (until ctx ends), then the workers stop and the
// stores close. It returns an error when ctx ended before the work did.
func (s *Server) Shutdown(ctx context.Context) error {
	for _, p := range s.projects {
		close(p.stop) // cron triggers
	}
	errs := make([]error, len(s.srvs))
	var wg sync.WaitGroup
	for i, srv := range s.srvs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Shutdown(ctx); err != nil {
				errs[i] = fmt.Errorf("serve: drain: %w (requests still running were cut off)", err)
				srv.Close()
			}
		}()
	}
	wg.Wait()
	s.wg.Wait()
	err := errors.Join(errs...)
	s.state.StopConsumers()
	if s.api != nil {
		err = errors.Join(err, s.api.Shutdown(ctx))
	}
	if s.s3 != nil {
		err = errors.Join(err, s.s3.Shutdown(ctx))
	}
	err = errors.Join(err, s.waitIdle(ctx))
	for _, p := range s.projects {
		p.wg.Wait()
		if w := p.current.Swap(nil); w != nil {
			w.Close()
		}
	}
	return errors.Join(err, s.state.Close())
}

// waitIdle waits until no worker has a request, event or ctx.waitUntil
// work unfinished, or until ctx ends.
func (s *Server) waitIdle(ctx context.Context) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		busy := 0
		for _, p := range s.projects {
			if w := p.Worker(); w != nil {
				busy += w.InFlight()
			}
		}
		if busy == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("serve: drain: %d requests or waitUntil tasks were still running and were cut off", busy)
		case <-t.C:
		}
	}
}

// abort undoes a failed start.
func (s *Server) abort() {
	for _, srv := range s.srvs {
		srv.Close()
	}
	s.wg.Wait()
	if s.api != nil {
		s.api.srv.Close()
	}
	if s.s3 != nil {
		s.s3.Shutdown(context.Background())
	}
	if s.state != nil {
		s.state.StopConsumers()
	}
	for _, p := range s.projects {
		p.halt() // dev_multi.go
	}
	if s.state != nil {
		s.state.Close()
	}
}
