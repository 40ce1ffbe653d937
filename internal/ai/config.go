package ai

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/zerostack/zerostack/internal/config/wrangler"
)

// ConfigFile is the name of zerostack's own configuration, looked up next
// to wrangler.toml.
const ConfigFile = "zerostack.toml"

// Provider types of [ProviderConfig.Type].
const (
	TypeOpenAI   = "openai"
	TypeLlama    = "llama"
	TypeEmbedded = "embedded"
)

// Config is the [ai] part of zerostack.toml plus the flags of `zerostack
// dev`: which providers exist and which serves each model id. Its zero
// value is valid: the embedded provider serves embeddings and text
// classification; text generation needs a provider to be configured.
//
//	[ai]
//	default = "ollama"          # provider for text-generation ids not listed below
//	embeddings = "embedded"     # provider for embedding ids not listed below
//	models_dir = "~/models"     # where `zerostack ai pull` saves and llama looks
//
//	[ai.providers.ollama]
//	type = "openai"             # openai | llama | embedded
//	url = "http://localhost:11434/v1"
//	model = "llama3.1:8b"       # model name sent for ids that name none
//	api_key_env = "OPENAI_API_KEY"
//	api = "chat"                # chat (default) | completions
//	timeout = "120s"
//	retries = 2
//	max_concurrency = 8
//
//	[ai.providers.gguf]
//	type = "llama"
//	model = "tinyllama-1.1b-chat.Q4_K_M.gguf"  # a file, or a name in models_dir
//
//	[ai.models."@cf/meta/llama-3.1-8b-instruct"]
//	provider = "gguf"
//	model = "llama-3.1-8b-instruct.Q4_K_M.gguf"
type Config struct {
	// Default names the provider for text-generation, summarization and
	// translation ids without a route; "" picks the only configured
	// generation provider, if there is exactly one.
	Default string
	// Embeddings names the provider for embedding and classification ids
	// without a route; "" means the embedded encoder.
	Embeddings string
	// ModelsDir is where model files are saved and found ("" = [DefaultModelsDir]).
	ModelsDir string
	// Providers by name.
	Providers map[string]ProviderConfig
	// Models are routes by Cloudflare model id (or any id the user invents).
	Models map[string]Route
	// File is the configuration file read ("" when none).
	File string
}

// ProviderConfig configures one provider.
type ProviderConfig struct {
	Type string
	// URL is an OpenAI-compatible API's base URL, up to and including /v1.
	URL string
	// APIKey, or the environment variable APIKeyEnv names, is sent as a
	// bearer token.
	APIKey    string
	APIKeyEnv string
	// Model is the provider's model for ids whose route names none: a model
	// name (openai) or a GGUF file (llama).
	Model string
	// API is "chat" (POST /chat/completions, the default) or "completions"
	// (POST /completions) for prompt inputs.
	API            string
	Timeout        time.Duration
	Retries        int
	MaxConcurrency int
	// Threads and ContextSize tune llama.cpp (0 = its defaults).
	Threads     int
	ContextSize int
}

// Route says which provider serves a model id, and as which of its models.
type Route struct {
	Provider string
	Model    string
}

// Flags are the `zerostack dev` options that override zerostack.toml.
type Flags struct {
	// Provider becomes [Config.Default] (--ai-provider).
	Provider string
	// OpenAIURL adds (or replaces) the provider "openai" (--ai-openai-url);
	// OpenAIModel sets its model (--ai-openai-model).
	OpenAIURL   string
	OpenAIModel string
	// GGUF adds (or replaces) the provider "llama" serving this model file
	// (--ai-gguf).
	GGUF string
}

// DefaultModelsDir is where model files live when nothing says otherwise:
// $ZEROSTACK_MODELS, else the user's cache directory's zerostack/models.
func DefaultModelsDir() string {
	if d := os.Getenv("ZEROSTACK_MODELS"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "zerostack", "models")
	}
	return filepath.Join(os.TempDir(), "zerostack-models")
}

// Apply layers flags over c (flags win), in place.
func (c *Config) Apply(f Flags) {
	if c.Providers == nil {
		c.Providers = map[string]ProviderConfig{}
	}
	if f.OpenAIURL != "" {
		p := c.Providers["openai"]
		p.Type, p.URL = TypeOpenAI, f.OpenAIURL
		if f.OpenAIModel != "" {
			p.Model = f.OpenAIModel
		}
		c.Providers["openai"] = p
	}
	if f.GGUF != "" {
		p := c.Providers["llama"]
		p.Type, p.Model = TypeLlama, f.GGUF
		// A flag names a file from the working directory; only a bare name
		// that is no file there is looked up in the models directory.
		if abs, err := filepath.Abs(f.GGUF); err == nil {
			if st, err := os.Stat(abs); err == nil && !st.IsDir() {
				p.Model = abs
			}
		}
		c.Providers["llama"] = p
	}
	if f.Provider != "" {
		c.Default = f.Provider
	}
}

// ConfigError is a problem in zerostack.toml, with its position.
type ConfigError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *ConfigError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// LoadConfig reads dir/zerostack.toml. A missing file yields the zero
// Config. Errors are [*ConfigError]s (joined when there are several) with
// the file and line of each problem.
func LoadConfig(dir string) (*Config, error) {
	file := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ai config: %w", err)
	}
	return ParseConfig(file, data)
}

// ParseConfig parses the text of a zerostack.toml named file. Keys outside
// [ai] belong to other parts of zerostack and are ignored here.
func ParseConfig(file string, data []byte) (*Config, error) {
	root, err := wrangler.ParseTOML(data)
	if err != nil {
		var se *wrangler.SyntaxError
		if errors.As(err, &se) {
			return nil, &ConfigError{File: file, Line: se.Line, Col: se.Col, Msg: se.Msg}
		}
		return nil, &ConfigError{File: file, Msg: err.Error()}
	}
	p := &cfgParser{file: file}
	c := &Config{File: file}
	if m := root.Get("ai"); m != nil {
		p.ai(m.Value, c)
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	if c.ModelsDir != "" {
		c.ModelsDir = expandPath(c.ModelsDir, filepath.Dir(file))
	}
	return c, nil
}

// expandPath resolves ~ and paths relative to base.
func expandPath(p, base string) string {
	if strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(h, p[2:])
		}
	}
	if !filepath.IsAbs(p) && base != "" {
		p = filepath.Join(base, p)
	}
	return p
}

type cfgParser struct {
	file string
	errs []error
}

func (p *cfgParser) errorf(pos wrangler.Pos, format string, args ...any) {
	p.errs = append(p.errs, &ConfigError{File: p.file, Line: pos.Line, Col: pos.Col, Msg: fmt.Sprintf(format, args...)})
}

func (p *cfgParser) table(n *wrangler.Node, path string) bool {
	if n.Kind != wrangler.Object {
		p.errorf(n.Pos, "%s: expected a table, got %s", path, n.Kind)
		return false
	}
	return true
}

func (p *cfgParser) str(m wrangler.Member, path string) string {
	if m.Value.Kind != wrangler.String {
		p.errorf(m.Pos, "%s: expected a string, got %s", path, m.Value.Kind)
		return ""
	}
	return m.Value.Str
}

func (p *cfgParser) integer(m wrangler.Member, path string) int {
	if m.Value.Kind != wrangler.Int || m.Value.Int < 0 || m.Value.Int > 1<<31 {
		p.errorf(m.Pos, "%s: expected a non-negative integer, got %s", path, m.Value.Kind)
		return 0
	}
	return int(m.Value.Int)
}

func (p *cfgParser) unknown(m wrangler.Member, path string, known []string) {
	p.errorf(m.Pos, "%s: unknown key %q (known: %s)", path, m.Key, strings.Join(known, ", "))
}

func (p *cfgParser) ai(n *wrangler.Node, c *Config) {
	if !p.table(n, "ai") {
		return
	}
	known := []string{"default", "embeddings", "models_dir", "providers", "models"}
	for _, m := range n.Members {
		path := "ai." + m.Key
		switch m.Key {
		case "default":
			c.Default = p.str(m, path)
		case "embeddings":
			c.Embeddings = p.str(m, path)
		case "models_dir":
			c.ModelsDir = p.str(m, path)
		case "providers":
			if !p.table(m.Value, path) {
				continue
			}
			c.Providers = map[string]ProviderConfig{}
			for _, pm := range m.Value.Members {
				if pc, ok := p.provider(pm, path+"."+pm.Key); ok {
					c.Providers[pm.Key] = pc
				}
			}
		case "models":
			if !p.table(m.Value, path) {
				continue
			}
			c.Models = map[string]Route{}
			for _, rm := range m.Value.Members {
				rpath := fmt.Sprintf("%s.%q", path, rm.Key)
				if !p.table(rm.Value, rpath) {
					continue
				}
				var r Route
				for _, f := range rm.Value.Members {
					switch f.Key {
					case "provider":
						r.Provider = p.str(f, rpath+".provider")
					case "model":
						r.Model = p.str(f, rpath+".model")
					default:
						p.unknown(f, rpath, []string{"provider", "model"})
					}
				}
				if r.Provider == "" {
					p.errorf(rm.Pos, "%s: provider is required (the name of an [ai.providers.NAME] table, or \"embedded\")", rpath)
					continue
				}
				c.Models[rm.Key] = r
			}
		default:
			p.unknown(m, "ai", known)
		}
	}
	// Routes must name a provider that exists.
	names := make([]string, 0, len(c.Models))
	for id := range c.Models {
		names = append(names, id)
	}
	sort.Strings(names)
	for _, id := range names {
		r := c.Models[id]
		if _, ok := c.Providers[r.Provider]; !ok && r.Provider != TypeEmbedded {
			pos := n.Pos
			if mm := n.Get("models"); mm != nil {
				if rm := mm.Value.Get(id); rm != nil {
					pos = rm.Pos
				}
			}
			p.errorf(pos, "ai.models.%q: provider %q is not defined: add [ai.providers.%s] with a type (openai, llama or embedded)", id, r.Provider, r.Provider)
		}
	}
}

func (p *cfgParser) provider(m wrangler.Member, path string) (ProviderConfig, bool) {
	var pc ProviderConfig
	if !p.table(m.Value, path) {
		return pc, false
	}
	nerr := len(p.errs)
	known := []string{"type", "url", "api_key", "api_key_env", "model", "api", "timeout", "retries", "max_concurrency", "threads", "context_size"}
	for _, f := range m.Value.Members {
		fp := path + "." + f.Key
		switch f.Key {
		case "type":
			pc.Type = p.str(f, fp)
		case "url":
			pc.URL = p.str(f, fp)
		case "api_key":
			pc.APIKey = p.str(f, fp)
		case "api_key_env":
			pc.APIKeyEnv = p.str(f, fp)
		case "model":
			pc.Model = p.str(f, fp)
		case "api":
			pc.API = p.str(f, fp)
			if pc.API != "" && pc.API != "chat" && pc.API != "completions" {
				p.errorf(f.Pos, "%s: %q is not an API: use \"chat\" or \"completions\"", fp, pc.API)
			}
		case "timeout":
			s := p.str(f, fp)
			if s == "" {
				continue
			}
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				p.errorf(f.Pos, "%s: %q is not a duration (write e.g. \"90s\" or \"2m\")", fp, s)
			}
			pc.Timeout = d
		case "retries":
			pc.Retries = p.integer(f, fp)
		case "max_concurrency":
			pc.MaxConcurrency = p.integer(f, fp)
		case "threads":
			pc.Threads = p.integer(f, fp)
		case "context_size":
			pc.ContextSize = p.integer(f, fp)
		default:
			p.unknown(f, path, known)
		}
	}
	switch pc.Type {
	case TypeOpenAI:
		if pc.URL == "" {
			p.errorf(m.Pos, "%s: an openai provider needs url (e.g. \"http://localhost:11434/v1\" for Ollama)", path)
		}
	case TypeLlama:
		if pc.Model == "" {
			p.errorf(m.Pos, "%s: a llama provider needs model (a .gguf file, or its name in models_dir)", path)
		}
	case TypeEmbedded:
	case "":
		p.errorf(m.Pos, "%s: type is required: openai, llama or embedded", path)
	default:
		p.errorf(m.Pos, "%s: unknown type %q: use openai, llama or embedded", path, pc.Type)
	}
	return pc, len(p.errs) == nerr
}
