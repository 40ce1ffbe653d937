package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/zerostack/zerostack/internal/server"
)

// listFlag collects a repeatable flag's values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// runPages is `zerostack pages …`: Cloudflare Pages projects.
func runPages(s Streams, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(s.Out, "Usage: zerostack pages dev [directory] [flags]")
		fmt.Fprintln(s.Out, "\nCommands:\n  dev   Serve a Pages project (static files, functions/, _worker.js) locally")
		return 0
	}
	if args[0] != "dev" {
		fmt.Fprintf(s.Err, "zerostack pages: unknown command %q (want: dev)\n", args[0])
		return 2
	}
	return runPagesDev(s, args[1:])
}

func runPagesDev(s Streams, args []string) int {
	fs := newFlagSet(s, "pages dev", "[directory] [flags]", "Serves the directory (default: pages_build_output_dir of wrangler.toml) as Cloudflare Pages does, with the Functions in ./functions or the directory's _worker.js.")
	port := fs.Int("port", 8788, "port to listen on (wrangler pages dev's default is 8788)")
	ip := fs.String("ip", "localhost", "IP address to listen on")
	compat := fs.String("compatibility-date", "", "compatibility date of the Functions worker")
	persistTo := fs.String("persist-to", "", "directory for local KV, D1 and R2 data (default: .zerostack/state in the project)")
	logLevel := fs.String("log-level", "info", "diagnostics: debug, info, warn, error or none")
	noWatch := fs.Bool("no-watch", false, "do not reload when files change")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile to this file until the server stops (for performance work)")
	var kv, d1, r2, bindings listFlag
	fs.Var(&kv, "kv", "KV namespace to bind: NAME or NAME=ID (repeatable)")
	fs.Var(&d1, "d1", "D1 database to bind: NAME or NAME=DATABASE (repeatable)")
	fs.Var(&r2, "r2", "R2 bucket to bind: NAME or NAME=BUCKET (repeatable)")
	fs.Var(&bindings, "binding", "variable to bind: KEY=VALUE (repeatable)")
	if code, ok := parse(s, fs, args, 0, -1); !ok {
		return code
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(s.Err, "zerostack pages dev: at most one directory")
		return 2
	}
	vars := map[string]string{}
	for _, b := range bindings {
		k, v, ok := strings.Cut(b, "=")
		if !ok || k == "" {
			fmt.Fprintf(s.Err, "zerostack pages dev: --binding wants KEY=VALUE, got %q\n", b)
			return 2
		}
		vars[k] = v
	}
	log, err := newLogger(s.Err, *logLevel)
	if err != nil {
		fmt.Fprintln(s.Err, "zerostack pages dev:", err)
		return 2
	}
	var access func(method, path string, status int, d time.Duration)
	if lv := strings.ToLower(*logLevel); lv == "info" || lv == "debug" {
		access = func(method, path string, status int, d time.Duration) {
			fmt.Fprintf(s.Err, "[zerostack:info] %s %s %d %s (%s)\n", method, path, status, http.StatusText(status), d.Round(time.Millisecond))
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(s.Err, "zerostack pages dev:", err)
			return 1
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // as zerostack dev (see dev.go)
	}
	start := time.Now()
	d, err := server.StartDev(server.DevOptions{
		IP:        *ip,
		Port:      *port,
		Watch:     !*noWatch,
		Logger:    log,
		AccessLog: access,
		PersistTo: *persistTo,
		Console:   func(level, msg string) { fmt.Fprintln(s.Err, msg) },
		Pages: &server.PagesOptions{
			Dir:               fs.Arg(0),
			KV:                kv,
			D1:                d1,
			R2:                r2,
			Bindings:          vars,
			CompatibilityDate: *compat,
		},
	})
	if err != nil {
		fmt.Fprintln(s.Err, "✘ [ERROR]", err)
		return 1
	}
	for _, w := range d.Warnings {
		fmt.Fprintln(s.Err, "▲ [WARNING]", w.String())
	}
	fmt.Fprintf(s.Out, "⛅️ zerostack %s\n", Version)
	fmt.Fprintf(s.Out, "Serving %s\n", d.Config().PagesBuildOutputDir)
	printBindings(s.Out, "Your Functions worker", d.Config(), nil) // bindings_list.go
	fmt.Fprintf(s.Out, "Ready on %s (started in %s)\n", d.URL(), time.Since(start).Round(time.Millisecond))
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	fmt.Fprintln(s.Out, "Shutting down...")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.Shutdown(ctx)
	return 0
}
