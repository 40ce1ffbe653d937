package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/server"
)

// dataFlags are the flags every kv, d1 and r2 command takes: where the
// project is and where its local state lives (the same as zerostack dev's).
type dataFlags struct {
	config    string
	env       string
	persistTo string
	json      bool
}

func (f *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "path to wrangler.toml, wrangler.json or wrangler.jsonc (default: found from the current directory)")
	fs.StringVar(&f.config, "c", "", "shorthand for --config")
	fs.StringVar(&f.env, "env", "", "environment to use: an [env.NAME] section of the configuration")
	fs.StringVar(&f.env, "e", "", "shorthand for --env")
	fs.StringVar(&f.persistTo, "persist-to", "", "local state directory (default: .zerostack/state next to the configuration)")
	fs.BoolVar(&f.json, "json", false, "print JSON for scripts")
	fs.Bool("local", true, "use local state (the only kind zerostack has; accepted for wrangler compatibility)")
	fs.Bool("preview", false, "accepted for wrangler compatibility: --binding always resolves as zerostack dev does (preview_id, else id)")
}

// project is a command's view of the project: its configuration (nil when
// none was found) and its open local state.
type project struct {
	cfg   *config.Worker
	state *server.State
}

// open loads the configuration (optional: without one, the state is in
// ./.zerostack/state unless --persist-to says otherwise) and opens the state.
func (f *dataFlags) open() (*project, error) {
	path := f.config
	if path == "" {
		path = "."
	}
	cfg, _, err := config.Load(path, f.env)
	if err != nil && !(f.config == "" && errors.Is(err, config.ErrNotFound)) {
		return nil, err
	}
	dir := "."
	if cfg != nil {
		dir = cfg.Dir
	} else if wd, err := os.Getwd(); err == nil {
		dir = wd
	}
	st, err := server.OpenState(server.StateDir(dir, f.persistTo), nil)
	if err != nil {
		return nil, err
	}
	return &project{cfg: cfg, state: st}, nil
}

func (p *project) close() { p.state.Close() }

// newFlagSet returns a flag set whose usage names the command.
func newFlagSet(s Streams, name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(s.Err)
	fs.Usage = func() {
		fmt.Fprintf(s.Err, "Usage: zerostack %s %s\n\n%s\n\nFlags:\n", name, args, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args (flags may follow positional arguments) and checks the
// number of positional arguments. It returns an exit code when the command
// should stop: 0 after --help, 2 on a usage error.
func parse(s Streams, fs *flag.FlagSet, args []string, minArgs, maxArgs int) (int, bool) {
	if err := fs.Parse(reorderFlags(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() < minArgs || (maxArgs >= 0 && fs.NArg() > maxArgs) {
		fmt.Fprintf(s.Err, "zerostack %s: wrong number of arguments\n", fs.Name())
		fs.Usage()
		return 2, false
	}
	return 0, true
}

// fail prints err for humans and returns exit code 1.
func fail(s Streams, cmd string, err error) int {
	fmt.Fprintf(s.Err, "✘ [ERROR] zerostack %s: %v\n", cmd, err)
	return 1
}

func printJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// subcommands dispatches args[0] to one of cmds; group is the command
// path for messages ("kv namespace").
func subcommands(s Streams, group string, args []string, cmds map[string]func(Streams, []string) int, summaries map[string]string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(s.Out, "Usage: zerostack %s <command> [flags]\n\nCommands:\n", group)
		names := make([]string, 0, len(cmds))
		for n := range cmds {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(s.Out, "  %-12s %s\n", n, summaries[n])
		}
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if c, ok := cmds[args[0]]; ok {
		return c(s, args[1:])
	}
	fmt.Fprintf(s.Err, "zerostack %s: unknown command %q (try 'zerostack %s --help')\n", group, args[0], group)
	return 2
}

// progress reports the progress of a long transfer on w: at most once a
// second, and only for transfers of at least progressMin bytes.
type progress struct {
	r      io.Reader
	w      io.Writer
	verb   string
	total  int64
	done   int64
	last   time.Time
	active bool
}

const progressMin = 8 << 20

func newProgress(r io.Reader, w io.Writer, verb string, total int64) *progress {
	return &progress{r: r, w: w, verb: verb, total: total, active: total >= progressMin, last: time.Now()}
}

func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.active && (time.Since(p.last) >= time.Second || err == io.EOF) {
		p.last = time.Now()
		fmt.Fprintf(p.w, "%s %s / %s (%d%%)\n", p.verb, mib(p.done), mib(p.total), p.done*100/max(p.total, 1))
	}
	return n, err
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
