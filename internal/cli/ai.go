package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zerostack/zerostack/internal/ai"
	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/server"
)

// runAI is `zerostack ai`: Workers AI's models, usage and model files.
func runAI(s Streams, args []string) int {
	return subcommands(s, "ai", args, map[string]func(Streams, []string) int{
		"models": aiModels,
		"usage":  aiUsage,
		"pull":   aiPull,
	}, map[string]string{
		"models": "List the Workers AI model ids and the provider serving each (zerostack.toml, --ai-* flags)",
		"usage":  "Show requests, tokens and time used per model (from local state)",
		"pull":   "Download a model file (e.g. a GGUF from Hugging Face) with resume and checksum: zerostack ai pull URL",
	})
}

// registerAIFlags adds zerostack dev's Workers AI flags to fs.
func registerAIFlags(fs *flag.FlagSet) *server.AIFlags {
	f := &server.AIFlags{}
	fs.StringVar(&f.Provider, "ai-provider", "", "Workers AI: provider for text-generation models without a route (a name from zerostack.toml, \"openai\" or \"llama\")")
	fs.StringVar(&f.OpenAIURL, "ai-openai-url", "", "Workers AI: serve text generation from this OpenAI-compatible API, e.g. http://localhost:11434/v1 (Ollama)")
	fs.StringVar(&f.OpenAIModel, "ai-openai-model", "", "Workers AI: model name sent to --ai-openai-url (default: the Workers AI id)")
	fs.StringVar(&f.GGUF, "ai-gguf", "", "Workers AI: serve text generation from this GGUF model with llama.cpp")
	return f
}

// aiProject finds the project directory (of wrangler.toml, else the
// current directory) and its state directory.
func aiProject(f *dataFlags) (dir, stateDir string, err error) {
	path := f.config
	if path == "" {
		path = "."
	}
	cfg, _, err := config.Load(path, f.env)
	if err != nil && !(f.config == "" && errors.Is(err, config.ErrNotFound)) {
		return "", "", err
	}
	if cfg != nil {
		dir = cfg.Dir
	} else if dir, err = os.Getwd(); err != nil {
		return "", "", err
	}
	return dir, server.StateDir(dir, f.persistTo), nil
}

func aiModels(s Streams, args []string) int {
	fs := newFlagSet(s, "ai models", "[flags]", "Lists the Workers AI model ids zerostack knows and those routed in zerostack.toml, with the provider and model that serve each, or why none does.")
	var df dataFlags
	df.register(fs)
	flags := registerAIFlags(fs)
	if code, ok := parse(s, fs, args, 0, 0); !ok {
		return code
	}
	dir, stateDir, err := aiProject(&df)
	if err != nil {
		return fail(s, "ai models", err)
	}
	c, err := server.AIConfig(dir, *flags)
	if err != nil {
		return fail(s, "ai models", err)
	}
	svc, err := server.NewAIService(c, stateDir, nil)
	if err != nil {
		return fail(s, "ai models", err)
	}
	defer svc.Close()
	models := svc.Models()
	if df.json {
		type row struct {
			ID       string `json:"id"`
			Task     string `json:"task"`
			Provider string `json:"provider,omitempty"`
			Model    string `json:"model,omitempty"`
			Error    string `json:"error,omitempty"`
		}
		var out []row
		for _, m := range models {
			r := row{ID: m.ID, Task: string(m.Task), Provider: m.Provider, Model: m.Target}
			if m.Err != nil {
				r.Error = m.Err.Error()
			}
			out = append(out, r)
		}
		printJSON(s.Out, out)
		return 0
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tTASK\tSERVED BY")
	var hints []string
	for _, m := range models {
		by := m.Provider
		if m.Target != "" {
			by += " (" + m.Target + ")"
		}
		if m.Provider == ai.TypeEmbedded && (m.Task == ai.TextEmbeddings) {
			by += ", 512 dimensions"
		}
		if m.Err != nil {
			by = "—"
			var ae *ai.Error
			if errors.As(m.Err, &ae) && ae.Hint != "" && !aiContains(hints, ae.Hint) {
				hints = append(hints, ae.Hint)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.ID, m.Task, by)
	}
	tw.Flush()
	if len(hints) > 0 {
		fmt.Fprintln(s.Out, "\nModels marked — are not served:")
		for _, h := range hints {
			fmt.Fprintln(s.Out, "  -", h)
		}
	}
	return 0
}

func aiContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func aiUsage(s Streams, args []string) int {
	fs := newFlagSet(s, "ai usage", "[flags]", "Shows what each Workers AI model has used in this project's local state: requests (and failures), input and output tokens, and time.")
	var df dataFlags
	df.register(fs)
	if code, ok := parse(s, fs, args, 0, 0); !ok {
		return code
	}
	_, stateDir, err := aiProject(&df)
	if err != nil {
		return fail(s, "ai usage", err)
	}
	u, err := ai.OpenUsage(stateDir + string(os.PathSeparator) + "ai" + string(os.PathSeparator) + ai.UsageFile)
	if err != nil {
		return fail(s, "ai usage", err)
	}
	snap := u.Snapshot()
	if df.json {
		if snap == nil {
			snap = []ai.ModelUsage{}
		}
		printJSON(s.Out, snap)
		return 0
	}
	if len(snap) == 0 {
		fmt.Fprintln(s.Out, "No Workers AI requests recorded yet in", stateDir)
		return 0
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "MODEL\tREQUESTS\tERRORS\tINPUT TOKENS\tOUTPUT TOKENS\tTIME\tLAST USED\t")
	for _, m := range snap {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t\n", m.Model, m.Requests, m.Errors, m.InputTokens, m.OutputTokens,
			(time.Duration(m.Millis) * time.Millisecond).Round(time.Millisecond), m.Last.Local().Format(time.DateTime))
	}
	tw.Flush()
	return 0
}

func aiPull(s Streams, args []string) int {
	fs := newFlagSet(s, "ai pull", "URL [flags]", "Downloads a model file into the models directory (models_dir in zerostack.toml, else $ZEROSTACK_MODELS, else the user cache's zerostack/models). An interrupted download resumes where it stopped when run again.")
	sum := fs.String("sha256", "", "expected SHA-256 of the file (hex); a mismatch deletes the download")
	name := fs.String("name", "", "file name to save as (default: the URL's last path element)")
	dir := fs.String("dir", "", "directory to save into (default: the models directory)")
	var df dataFlags
	df.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	if *dir == "" {
		pdir, _, err := aiProject(&df)
		if err != nil {
			return fail(s, "ai pull", err)
		}
		c, err := ai.LoadConfig(pdir)
		if err != nil {
			return fail(s, "ai pull", err)
		}
		*dir = c.ModelsDir
		if *dir == "" {
			*dir = ai.DefaultModelsDir()
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var last time.Time
	progress := func(done, total int64) {
		if time.Since(last) < 500*time.Millisecond && done != total {
			return
		}
		last = time.Now()
		if total > 0 {
			fmt.Fprintf(s.Err, "\r%s / %s (%d%%)", humanBytes(done), humanBytes(total), done*100/total)
		} else {
			fmt.Fprintf(s.Err, "\r%s", humanBytes(done))
		}
	}
	path, err := ai.Pull(ctx, fs.Arg(0), ai.PullOptions{Dir: *dir, Name: *name, SHA256: *sum, Progress: progress})
	if last != (time.Time{}) {
		fmt.Fprintln(s.Err)
	}
	if err != nil {
		return fail(s, "ai pull", err)
	}
	fmt.Fprintln(s.Out, path)
	if strings.HasSuffix(path, ".gguf") {
		fmt.Fprintf(s.Err, "Serve it with: zerostack dev --ai-gguf %s\n", path)
	}
	return 0
}
