// Package cli implements the zerostack command line, modelled on wrangler:
// each command is a function that takes its arguments and the process's
// standard streams and returns an exit code, so that tests can run it.
package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Version is the zerostack version, set at build time with
// -ldflags "-X github.com/zerostack/zerostack/internal/cli.Version=…".
var Version = "dev"

// Streams are the standard streams a command uses.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

type command struct {
	name, summary string
	run           func(s Streams, args []string) int
}

var commands []command

func init() {
	commands = []command{
		{"dev", "Start a local server for developing your Worker", runDev},
		{"serve", "Serve Workers and Pages projects in production (routes, HTTPS, S3, graceful stop)", runServe}, // serve.go
		{"kv", "Manage Workers KV namespaces and keys in local state", runKV},
		{"d1", "Manage D1 databases in local state (execute, migrations, export)", runD1},
		{"r2", "Manage R2 buckets and objects in local state", runR2},
		{"ai", "Workers AI: list models and their providers, show usage, pull model files", runAI},
		{"vectorize", "Manage Vectorize indexes and vectors in local state", runVectorize},
		{"queues", "Manage queues in local state: create, list, info, consumers, peek, purge", runQueues},
		{"pages", "Serve a Cloudflare Pages project locally (pages dev)", runPages},
		{"do", "Inspect Durable Objects in local state: namespaces, objects, storage", runDO},
		{"version", "Print the zerostack version", func(s Streams, _ []string) int {
			fmt.Fprintln(s.Out, "zerostack", Version)
			return 0
		}},
	}
}

// Main runs the command line args (without the program name) and returns
// the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := Streams{In: stdin, Out: stdout, Err: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(s.Out)
		return 0
	}
	if args[0] == "--version" || args[0] == "-v" {
		args[0] = "version"
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(s, args[1:])
		}
	}
	fmt.Fprintf(s.Err, "zerostack: unknown command %q\n\n", args[0])
	usage(s.Err)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "zerostack — Cloudflare Workers, self-hosted, as one binary.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: zerostack <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'zerostack <command> --help' for a command's flags.")
}

// newLogger returns the diagnostics logger for a level name.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "", "info", "log":
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
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
