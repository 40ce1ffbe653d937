package server

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/ai"
	"github.com/zerostack/zerostack/internal/ai/use"
	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/worker"
)

// aiState is the Workers AI part of a [State]: the service serving env.AI,
// rebuilt when zerostack.toml or the flags change, and the usage counts
// (state dir ai/usage.json) that every rebuilt service shares. Its zero
// value is ready.
type aiState struct {
	mu    sync.Mutex
	flags ai.Flags
	cur   atomic.Pointer[ai.Service]
	src   []byte // zerostack.toml's bytes when cur was built
	dir   string // the configuration directory cur was built for
	usage *ai.Usage
}

// loadEncoder loads the embedded sentence encoder: Universal Sentence
// Encoder Lite (package ai/use) from where `make deps` installs it, or
// $ZEROSTACK_USE_MODEL_DIR. Tests may replace it.
var loadEncoder = func() (ai.SentenceEncoder, error) {
	m, err := use.Load(use.DefaultDir())
	if err != nil {
		return nil, err
	}
	return m, nil
}

// loadLlama runs a GGUF model with llama.cpp in a zerostack-llama child
// process (cmd/zerostack-llama): llama.cpp, loaded through purego and
// libffi, crashed a process that also ran V8, and a child keeps libffi a
// dependency of that program only.
var loadLlama = ai.StartLlama

// SetAIFlags sets the `zerostack dev` flags layered over zerostack.toml
// (--ai-provider, --ai-openai-url, --ai-openai-model, --ai-gguf); call it
// before the first worker is built.
func (s *State) SetAIFlags(f ai.Flags) {
	s.ai.mu.Lock()
	s.ai.flags = f
	s.ai.mu.Unlock()
}

// AI returns the Workers AI service the current worker uses, or nil when
// its configuration has no [ai] binding.
func (s *State) AI() *ai.Service { return s.ai.cur.Load() }

// AIConfig reads the AI configuration of a project whose wrangler
// configuration is in dir: dir/zerostack.toml with flags over it.
func AIConfig(dir string, f ai.Flags) (*ai.Config, error) {
	c, err := ai.LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	c.Apply(f)
	return c, nil
}

// NewAIService builds the Workers AI service for a configuration, with the
// providers this build has (the embedded encoder, llama.cpp) and usage
// counted in stateDir/ai/usage.json.
func NewAIService(c *ai.Config, stateDir string, usage *ai.Usage) (*ai.Service, error) {
	return ai.New(c, ai.Options{
		UsagePath: filepath.Join(stateDir, "ai", ai.UsageFile),
		Usage:     usage,
		Encoder:   loadEncoder,
		Llama:     loadLlama,
	})
}

// aiBindings returns env.AI for cfg's [ai] entry, (re)building the service
// when zerostack.toml changed since the last build.
func (s *State) aiBindings(cfg *config.Worker) ([]worker.Binding, error) {
	if cfg.AI == nil || cfg.AI.Binding == "" {
		return nil, nil
	}
	a := &s.ai
	a.mu.Lock()
	defer a.mu.Unlock()
	src, err := os.ReadFile(filepath.Join(cfg.Dir, ai.ConfigFile))
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("ai: %w", err)
	}
	if old := a.cur.Load(); old != nil && a.dir == cfg.Dir && bytes.Equal(a.src, src) {
		return []worker.Binding{binding.AI(cfg.AI.Binding)}, nil
	}
	c, err := AIConfig(cfg.Dir, a.flags)
	if err != nil {
		return nil, err
	}
	if a.usage == nil {
		if a.usage, err = ai.OpenUsage(filepath.Join(s.dir, "ai", ai.UsageFile)); err != nil {
			return nil, err
		}
	}
	svc, err := NewAIService(c, s.dir, a.usage)
	if err != nil {
		return nil, err
	}
	if old := a.cur.Swap(svc); old != nil {
		// Requests in flight on the old service finish first.
		time.AfterFunc(30*time.Second, func() { old.Close() })
	}
	a.src, a.dir = src, cfg.Dir
	return []worker.Binding{binding.AI(cfg.AI.Binding)}, nil
}

// aiConfigFile is zerostack.toml next to cfg's wrangler configuration:
// dev watches it (when it exists at a build), so that editing it reloads
// the worker and, through aiBindings, rebuilds the AI service.
func aiConfigFile(cfg *config.Worker) string {
	return filepath.Join(cfg.Dir, ai.ConfigFile)
}

// aiExtension serves env.AI from the current service.
func (s *State) aiExtension() worker.Extension {
	return binding.AIExtension(s.AI)
}

// closeAI closes the service and writes the usage counts.
func (s *State) closeAI() error {
	a := &s.ai
	a.mu.Lock()
	defer a.mu.Unlock()
	var err error
	if svc := a.cur.Swap(nil); svc != nil {
		err = svc.Close()
	}
	if a.usage != nil {
		if uerr := a.usage.Close(); err == nil {
			err = uerr
		}
	}
	return err
}

// AIFlags are the `zerostack dev` flags for Workers AI ([DevOptions].AI).
type AIFlags = ai.Flags
