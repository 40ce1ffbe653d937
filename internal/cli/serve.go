package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/server"
	"github.com/zerostack/zerostack/internal/worker"
)

// stringList collects a repeated (or comma-separated) flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*l = append(*l, x)
		}
	}
	return nil
}

// runServe implements `zerostack serve`: the production server. Settings
// are layered defaults < zerostack.toml's [serve] < flags.
func runServe(s Streams, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(s.Err)
	httpAddr := fs.String("http", "", "Workers listener, host:port, or off to serve HTTPS only (default: [serve] http, else "+server.DefaultServeHTTP+")")
	httpsAddr := fs.String("https", "", "TLS listener, host:port (default with a certificate: [serve] https, else "+server.DefaultServeHTTPS+")")
	cert := fs.String("cert", "", "PEM certificate chain for HTTPS (default: [serve] cert)")
	key := fs.String("key", "", "PEM private key for HTTPS (default: [serve] key)")
	s3Addr := fs.String("s3", "", "serve the R2 buckets over the S3 API on host:port (default: [serve] s3; off when unset); keys: zerostack r2 token create --persist-to STATE")
	apiAddr := fs.String("api", "", "serve Cloudflare's REST API subset (Queues pull consumers) on host:port (default: [serve] api; off when unset)")
	apiToken := fs.String("api-token", "", "bearer token the REST API requires (default: $ZEROSTACK_API_TOKEN, or the variable [serve] api_token_env names)")
	persistTo := fs.String("persist-to", "", "state directory for KV, D1, R2, Queues, Durable Objects… (default: [serve] state_dir, else .zerostack/state next to zerostack.toml or the first project)")
	env := fs.String("env", "", "environment of every project: an [env.NAME] section (default: [serve] env)")
	fs.StringVar(env, "e", "", "shorthand for --env")
	logFormat := fs.String("log-format", "", "log format: json or text (default: [serve] log_format, else text)")
	logLevel := fs.String("log-level", "", "diagnostics: debug, info, warn, error or none (default: [serve] log_level, else info)")
	var domains stringList
	fs.Var(&domains, "domain", "base host: <worker>.<domain> reaches a worker by name (repeatable; default: [serve] domains)")
	var s3Domains stringList
	fs.Var(&s3Domains, "s3-domain", "host name of the S3 endpoint for virtual-host-style requests, <bucket>.<s3-domain> (repeatable; default: [serve] s3_domains; path-style always works)")
	def := fs.String("default", "", "worker for requests no route or host matches (default: [serve] default; the only project when there is one)")
	isolates := fs.Int("isolates", 0, "isolates per worker (default: [serve] isolates, else one per two CPUs)")
	shutdown := fs.Duration("shutdown-timeout", 0, "how long SIGTERM waits for requests in flight (default: [serve] shutdown_timeout, else 30s)")
	accessLog := fs.Bool("access-log", true, "log a line per request (default: [serve] access_log, else true)")
	vars := varFlags{}
	fs.Var(vars, "var", "KEY:VALUE variable for every worker's env, overriding vars (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: zerostack serve [flags] [project-dir | wrangler.toml | zerostack.toml ...]")
		fmt.Fprintln(s.Err, `
Serves one or more Workers or Pages projects in production: routes from each
wrangler.toml (routes, route, <worker>.<domain>), cron triggers, queue
consumers, Durable Objects, service bindings between the served Workers and
static assets, all on one state directory; optional HTTPS, S3 API and REST
API listeners. Unlike dev it does not watch files, serves no /__scheduled and
answers exceptions with Cloudflare's "Error 1101" instead of a stack trace.

Settings come from the [serve] section of zerostack.toml (named as an
argument, else ./zerostack.toml, else the one next to a single project's
configuration); flags override it. Without project arguments, [serve]
projects lists them, else the current directory is the project.

SIGTERM or SIGINT stops it gracefully: no new connections, requests in
flight finish (up to --shutdown-timeout), consumers stop, stores close.

Flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	failf := func(err error) int {
		var ce *config.Error
		if errors.As(err, &ce) {
			fmt.Fprintln(s.Err, "✘ [ERROR] configuration:", err)
		} else {
			fmt.Fprintln(s.Err, "✘ [ERROR]", err) // errors from package server start with "serve:"
		}
		return 1
	}

	// zerostack.toml and the projects.
	var cfgFile string
	var projects []string
	for _, a := range fs.Args() {
		if filepath.Base(a) == "zerostack.toml" {
			if cfgFile != "" {
				fmt.Fprintln(s.Err, "zerostack serve: at most one zerostack.toml")
				return 2
			}
			cfgFile = a
			continue
		}
		projects = append(projects, a)
	}
	if cfgFile == "" {
		if _, err := os.Stat("zerostack.toml"); err == nil {
			cfgFile = "zerostack.toml"
		} else if len(projects) == 1 {
			if c, _, err := config.Load(projects[0], ""); err == nil {
				if _, err := os.Stat(filepath.Join(c.Dir, "zerostack.toml")); err == nil {
					cfgFile = filepath.Join(c.Dir, "zerostack.toml")
				}
			}
		}
	}
	sc := &server.ServeConfig{}
	if cfgFile != "" {
		var err error
		if sc, err = server.LoadServeConfig(cfgFile); err != nil {
			return failf(err)
		}
	}
	if len(projects) == 0 {
		projects = sc.Projects
	}
	if len(projects) == 0 {
		projects = []string{"."}
	}

	// Flags over the file.
	pick := func(flagName, flagVal, fileVal string) string {
		if set[flagName] {
			return flagVal
		}
		return fileVal
	}
	opts := server.ServeOptions{
		Projects:  projects,
		Env:       pick("env", *env, sc.Env),
		HTTP:      pick("http", *httpAddr, sc.HTTP),
		HTTPS:     pick("https", *httpsAddr, sc.HTTPS),
		Cert:      pick("cert", *cert, sc.Cert),
		Key:       pick("key", *key, sc.Key),
		S3:        pick("s3", *s3Addr, sc.S3),
		API:       pick("api", *apiAddr, sc.API),
		StateDir:  pick("persist-to", *persistTo, sc.StateDir),
		Domains:   sc.Domains,
		S3Domains: sc.S3Domains,
		Default:   pick("default", *def, sc.Default),
		Isolates:  sc.Isolates,
		Vars:      vars,
	}
	if set["e"] {
		opts.Env = *env
	}
	for _, a := range []*string{&opts.HTTP, &opts.HTTPS, &opts.S3, &opts.API} {
		n, err := server.NormalizeAddr(*a)
		if err != nil {
			fmt.Fprintln(s.Err, "zerostack serve:", err)
			return 2
		}
		*a = n
	}
	if set["domain"] {
		opts.Domains = domains
	}
	if set["s3-domain"] {
		opts.S3Domains = s3Domains
	}
	if set["isolates"] {
		opts.Isolates = *isolates
	}
	switch {
	case set["access-log"]:
		opts.NoAccessLog = !*accessLog
	case sc.AccessLog != nil:
		opts.NoAccessLog = !*sc.AccessLog
	}
	if opts.StateDir == "" && cfgFile != "" {
		abs, _ := filepath.Abs(cfgFile)
		opts.StateDir = filepath.Join(filepath.Dir(abs), filepath.FromSlash(server.StateDirName))
	}
	if opts.StateDir != "" {
		if abs, err := filepath.Abs(opts.StateDir); err == nil {
			opts.StateDir = abs
		}
	}
	switch {
	case set["api-token"]:
		opts.APIToken = *apiToken
	case sc.APITokenEnv != "":
		opts.APIToken = os.Getenv(sc.APITokenEnv)
		if opts.APIToken == "" && opts.API != "" {
			return failf(fmt.Errorf("%s: [serve] api_token_env names %s, which is empty or unset: set it, or remove api_token_env to serve the API without a token", sc.File, sc.APITokenEnv))
		}
	default:
		opts.APIToken = os.Getenv("ZEROSTACK_API_TOKEN")
	}
	timeout := server.DefaultShutdownTimeout
	if sc.Shutdown > 0 {
		timeout = sc.Shutdown
	}
	if set["shutdown-timeout"] {
		if *shutdown <= 0 {
			fmt.Fprintln(s.Err, "zerostack serve: --shutdown-timeout must be positive, e.g. 30s")
			return 2
		}
		timeout = *shutdown
	}
	log, err := newServeLogger(s.Err, pick("log-format", *logFormat, sc.LogFormat), pick("log-level", *logLevel, sc.LogLevel))
	if err != nil {
		fmt.Fprintln(s.Err, "zerostack serve:", err)
		return 2
	}
	opts.Logger = log
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // as dev (see dev.go)
	}

	start := time.Now()
	srv, err := server.StartServe(opts)
	if err != nil {
		var be *worker.BundleError
		if errors.As(err, &be) {
			fmt.Fprintln(s.Err, "✘ [ERROR]", be.Error())
			return 1
		}
		return failf(err)
	}
	for _, w := range srv.Warnings {
		log.Warn(w.String())
	}
	routes := srv.Routes()
	var names []string
	for _, cfg := range srv.Workers() {
		names = append(names, cfg.Name)
		log.Info("worker", "name", cfg.Name, "config", cfg.File, "routes", routes[cfg.Name],
			"bindings", bindingSummary(cfg, vars), "crons", cfg.Triggers.Crons,
			"cpu_ms", cpuMillis(cfg), "memory_mb", cfg.Limits.MemoryMB)
	}
	attrs := []any{"version", Version, "http", srv.URL("http")}
	if u := srv.URL("https"); u != "" {
		attrs = append(attrs, "https", u)
	}
	if srv.S3() != nil {
		attrs = append(attrs, "s3", srv.S3().URL())
	}
	if srv.API() != nil {
		attrs = append(attrs, "api", srv.API().URL())
	}
	attrs = append(attrs, "state", srv.State().Dir(), "workers", names, "took", time.Since(start).Round(time.Millisecond))
	log.Info("zerostack serve ready", attrs...)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	got := <-sig
	log.Info("shutting down", "signal", got.String(), "timeout", timeout)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// A second signal stops waiting: requests still running are cut off.
	go func() {
		if _, ok := <-sig; ok {
			log.Warn("second signal: not waiting for requests in flight")
			cancel()
		}
	}()
	if err := srv.Shutdown(ctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// cpuMillis is the CPU limit a worker runs under, for the startup line.
func cpuMillis(cfg *config.Worker) int {
	if cfg.Limits.CPUMillis > 0 {
		return cfg.Limits.CPUMillis
	}
	return int(worker.DefaultCPULimit / time.Millisecond)
}

// newServeLogger returns the server's logger: JSON (one object a line, for
// log collectors) or text.
func newServeLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "", "info":
		l = slog.LevelInfo
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	case "none":
		return slog.New(slog.DiscardHandler), nil
	default:
		return nil, fmt.Errorf("unknown log level %q (use debug, info, warn, error or none)", level)
	}
	o := &slog.HandlerOptions{Level: l}
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	}
	return nil, fmt.Errorf("unknown log format %q (use json or text)", format)
}

// bindingSummary lists a worker's env entries as "NAME (kind)".
func bindingSummary(cfg *config.Worker, extra map[string]string) []string {
	var out []string
	add := func(name, kind string) { out = append(out, name+" ("+kind+")") }
	for _, b := range cfg.KVNamespaces {
		add(b.Binding, "KV "+server.KVNamespaceID(b))
	}
	for _, b := range cfg.D1Databases {
		add(b.Binding, "D1 "+server.D1DatabaseName(b))
	}
	for _, b := range cfg.R2Buckets {
		add(b.Binding, "R2 "+server.R2BucketName(b))
	}
	for _, b := range cfg.DurableObjects.Bindings {
		add(b.Name, "Durable Object "+b.ClassName)
	}
	for _, b := range cfg.Queues.Producers {
		add(b.Binding, "Queue "+b.Queue)
	}
	for _, b := range cfg.Vectorize {
		add(b.Binding, "Vectorize "+b.IndexName)
	}
	if cfg.AI != nil && cfg.AI.Binding != "" {
		add(cfg.AI.Binding, "Workers AI")
	}
	if cfg.Assets != nil && cfg.Assets.Binding != "" {
		add(cfg.Assets.Binding, "assets")
	}
	for _, b := range cfg.Services {
		add(b.Binding, "service "+b.Service)
	}
	var vs []string
	for k := range cfg.Vars {
		vs = append(vs, k+" (var)")
	}
	for k := range extra {
		vs = append(vs, k+" (--var)")
	}
	for k := range cfg.Secrets {
		vs = append(vs, k+" (secret)")
	}
	sort.Strings(vs)
	return append(out, vs...)
}
