package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/server"
	"github.com/zerostack/zerostack/internal/worker"
)

// varFlags collects repeated --var KEY:VALUE flags.
type varFlags map[string]string

func (v varFlags) String() string { return "" }

func (v varFlags) Set(s string) error {
	k, val, ok := strings.Cut(s, ":")
	if !ok || k == "" {
		return fmt.Errorf("--var wants KEY:VALUE, got %q", s)
	}
	v[k] = val
	return nil
}

func runDev(s Streams, args []string) int {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(s.Err)
	port := fs.Int("port", 0, "port to listen on (default: [dev] port, else 8787)")
	ip := fs.String("ip", "", "IP address to listen on (default: [dev] ip, else localhost)")
	env := fs.String("env", "", "environment to use: an [env.NAME] section of the configuration")
	fs.StringVar(env, "e", "", "shorthand for --env")
	var cfgPaths stringList
	fs.Var(&cfgPaths, "config", "path to wrangler.toml, wrangler.json or wrangler.jsonc; repeat it to run more Workers in the session: the first is served, the others are reached through service bindings, Durable Object script_name and queues")
	fs.Var(&cfgPaths, "c", "shorthand for --config")
	logLevel := fs.String("log-level", "info", "diagnostics: debug, info, warn, error or none")
	noWatch := fs.Bool("no-watch", false, "do not reload when source files change")
	testScheduled := fs.Bool("test-scheduled", false, "serve /__scheduled?cron=… to run the scheduled() handler by hand")
	isolates := fs.Int("isolates", 0, "isolates in the pool (default: one per two CPUs)")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile to this file until the server stops (for performance work)")
	persistTo := fs.String("persist-to", "", "directory for local KV, D1 and R2 data (default: .zerostack/state next to the configuration)")
	apiPort := fs.Int("api-port", 0, "also serve Cloudflare's REST API subset (Queues HTTP pull consumers) on this port (0: off; base URL http://IP:PORT/client/v4)")
	apiToken := fs.String("api-token", os.Getenv("ZEROSTACK_API_TOKEN"), "bearer token the REST API requires (default $ZEROSTACK_API_TOKEN; empty: none)")
	s3Port := fs.Int("s3-port", 0, "also serve the R2 buckets over the S3 API on this port (0: off); keys: zerostack r2 token create") // S3 API
	// Workers AI (ai.go)
	aiFlags := registerAIFlags(fs)
	vars := varFlags{}
	fs.Var(vars, "var", "KEY:VALUE variable for env, overriding vars (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: zerostack dev [flags] [path]")
		fmt.Fprintln(s.Err, "\nBundles the Worker in path (default: the current directory), serves it on http://localhost:8787 and reloads it when its files change.")
		fmt.Fprintln(s.Err, "\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(s.Err, "zerostack dev: at most one path")
		return 2
	}
	path := "."
	if fs.NArg() == 1 {
		path = fs.Arg(0)
	}
	var auxiliary []string
	if len(cfgPaths) > 0 {
		if fs.NArg() == 1 {
			fmt.Fprintln(s.Err, "zerostack dev: give the Worker as a path or with --config, not both")
			return 2
		}
		path, auxiliary = cfgPaths[0], cfgPaths[1:]
	}
	log, err := newLogger(s.Err, *logLevel)
	if err != nil {
		fmt.Fprintln(s.Err, "zerostack dev:", err)
		return 2
	}
	var access func(method, path string, status int, d time.Duration)
	if lv := strings.ToLower(*logLevel); lv == "info" || lv == "debug" || lv == "log" {
		access = func(method, path string, status int, d time.Duration) {
			fmt.Fprintf(s.Err, "[zerostack:info] %s %s %d %s (%s)\n", method, path, status, http.StatusText(status), d.Round(time.Millisecond))
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(s.Err, "zerostack dev:", err)
			return 1
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(s.Err, "zerostack dev:", err)
			return 1
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	if os.Getenv("GOGC") == "" {
		// The Go heap of a server is small (a few MiB: the isolates'
		// memory is V8's), so at the default GOGC=100 the collector runs
		// every few hundred requests. 400 measured +15–40% hello-world
		// requests/s (bench/README.md) for a few MiB more RSS. GOGC in the
		// environment still wins.
		debug.SetGCPercent(400)
	}
	start := time.Now()
	d, err := server.StartDev(server.DevOptions{
		Path:          path,
		Env:           *env,
		IP:            *ip,
		Port:          *port,
		Vars:          vars,
		Watch:         !*noWatch,
		TestScheduled: *testScheduled,
		Isolates:      *isolates,
		Logger:        log,
		Console: func(level, msg string) {
			fmt.Fprintln(s.Err, msg)
		},
		AccessLog: access,
		PersistTo: *persistTo,
		S3Port:    *s3Port, // S3 API
		APIPort:   *apiPort,
		APIToken:  *apiToken,
		Auxiliary: auxiliary,
		// Workers AI (ai.go)
		AI: *aiFlags,
	})
	if err != nil {
		var be *worker.BundleError
		var ce *config.Error
		switch {
		case errors.As(err, &be):
			fmt.Fprintln(s.Err, "✘ [ERROR]", be.Error())
		case errors.As(err, &ce):
			fmt.Fprintln(s.Err, "✘ [ERROR] configuration:", ce.Error())
		default:
			fmt.Fprintln(s.Err, "✘ [ERROR]", err)
		}
		return 1
	}
	for _, w := range d.Warnings {
		fmt.Fprintln(s.Err, "▲ [WARNING]", w.String())
	}
	cfg := d.Config()
	fmt.Fprintf(s.Out, "⛅️ zerostack %s\n", Version)
	printBindings(s.Out, "Your Worker", cfg, vars) // bindings_list.go
	for _, ac := range d.AuxiliaryConfigs() {
		printBindings(s.Out, "Auxiliary Worker "+ac.Name, ac, nil)
	}
	fmt.Fprintf(s.Out, "Ready on %s (%s started in %s)\n", d.URL(), cfg.Name, time.Since(start).Round(time.Millisecond))
	if d.API() != nil {
		fmt.Fprintf(s.Out, "REST API on %s (Queues pull consumers)\n", d.API().URL())
	}
	if d.S3() != nil { // S3 API
		fmt.Fprintf(s.Out, "S3 API on %s (region auto; create keys with 'zerostack r2 token create')\n", d.S3().URL())
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	fmt.Fprintln(s.Out, "Shutting down...")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.Shutdown(ctx)
	return 0
}

// reorderFlags moves positional arguments after the flags, so that
// `zerostack dev path --port 9000` works as wrangler's does.
func reorderFlags(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if f := fs.Lookup(name); f != nil {
				if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
					continue
				}
				if i+1 < len(args) {
					flags = append(flags, args[i+1])
					i++
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}
