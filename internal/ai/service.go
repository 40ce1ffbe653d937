package ai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options are the parts of a [Service] that do not come from [Config].
type Options struct {
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// UsagePath is the usage file ("" keeps usage in memory).
	UsagePath string
	// Usage, if set, is used instead of opening UsagePath (services that
	// replace each other on reload share one).
	Usage *Usage
	// Encoder loads the embedded sentence encoder (nil: the embedded
	// provider fails with a hint).
	Encoder func() (SentenceEncoder, error)
	// Llama opens a llama.cpp provider for a GGUF file (nil: providers of
	// type "llama" fail with a hint). It is called on first use.
	Llama func(pc ProviderConfig, modelPath string) (Provider, error)
}

// Service runs Workers AI models through the configured providers and
// counts their use. It is safe for concurrent use; Close it when done.
type Service struct {
	cfg       Config
	log       *slog.Logger
	usage     *Usage
	providers map[string]Provider
	cents     sync.Map // provider/model → [][]float32
}

// New builds the service for cfg (a nil cfg is the zero Config). Providers
// are created at once, but a llama provider loads its model on first use.
func New(cfg *Config, opts Options) (*Service, error) {
	s := &Service{log: opts.Logger, providers: map[string]Provider{}}
	if cfg != nil {
		s.cfg = *cfg
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.cfg.ModelsDir == "" {
		s.cfg.ModelsDir = DefaultModelsDir()
	}
	s.usage = opts.Usage
	if s.usage == nil {
		var err error
		if s.usage, err = OpenUsage(opts.UsagePath); err != nil {
			return nil, err
		}
	}
	s.providers[TypeEmbedded] = NewEmbedded(opts.Encoder)
	names := make([]string, 0, len(s.cfg.Providers))
	for n := range s.cfg.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		pc := s.cfg.Providers[name]
		switch pc.Type {
		case TypeOpenAI:
			p, err := NewOpenAI(pc)
			if err != nil {
				s.Close()
				return nil, fmt.Errorf("ai provider %s: %w", name, err)
			}
			s.providers[name] = p
		case TypeEmbedded:
			s.providers[name] = s.providers[TypeEmbedded]
		case TypeLlama:
			path := ModelPath(pc.Model, s.cfg.ModelsDir)
			s.providers[name] = &lazy{open: func() (Provider, error) {
				if opts.Llama == nil {
					return nil, &Error{Code: CodeNoSuchModel, Message: "llama.cpp is not part of this build",
						Hint: "serve GGUF models through an OpenAI-compatible server (llama.cpp's llama-server) instead"}
				}
				return opts.Llama(pc, path)
			}}
		default:
			s.Close()
			return nil, fmt.Errorf("ai provider %s: unknown type %q: use openai, llama or embedded", name, pc.Type)
		}
	}
	return s, nil
}

// ModelPath resolves a llama provider's model: an existing path as is,
// else a file of that name in dir (with .gguf added if missing).
func ModelPath(model, dir string) string {
	if filepath.IsAbs(model) || strings.ContainsRune(model, filepath.Separator) {
		return model
	}
	p := filepath.Join(dir, model)
	if !strings.HasSuffix(p, ".gguf") {
		p += ".gguf"
	}
	return p
}

// lazy opens its provider on first use, retrying after a failure.
type lazy struct {
	mu   sync.Mutex
	p    Provider
	open func() (Provider, error)
}

func (l *lazy) get() (Provider, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.p != nil {
		return l.p, nil
	}
	p, err := l.open()
	if err != nil {
		return nil, err
	}
	l.p = p
	return p, nil
}

func (l *lazy) Generate(ctx context.Context, r *GenerateRequest, emit func(string) error) (*GenerateResult, error) {
	p, err := l.get()
	if err != nil {
		return nil, err
	}
	return p.Generate(ctx, r, emit)
}

func (l *lazy) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	p, err := l.get()
	if err != nil {
		return nil, err
	}
	return p.Embed(ctx, model, texts)
}

func (l *lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.p != nil {
		return l.p.Close()
	}
	return nil
}

// Usage returns the service's usage accounting.
func (s *Service) Usage() *Usage { return s.usage }

// Config returns the configuration the service runs with.
func (s *Service) Config() Config { return s.cfg }

// Close closes the providers and writes the usage file.
func (s *Service) Close() error {
	var errs []error
	seen := map[Provider]bool{}
	for _, p := range s.providers {
		if !seen[p] {
			seen[p] = true
			errs = append(errs, p.Close())
		}
	}
	if s.usage != nil {
		errs = append(errs, s.usage.Close())
	}
	return errors.Join(errs...)
}

// target is where a model id goes.
type target struct {
	model    Model
	provider string
	p        Provider
	name     string // the provider's model name ("" = its default)
}

func isGenerator(t string) bool { return t == TypeOpenAI || t == TypeLlama }

// resolve finds the provider serving id.
func (s *Service) resolve(id string) (*target, error) {
	m, known := Lookup(id)
	r, routed := s.cfg.Models[id]
	if !known && !routed {
		return nil, noSuchModel(id)
	}
	if !known {
		// An id the user invented: a text-generation model.
		m = Model{ID: id, Task: TextGeneration, Description: "Configured in " + ConfigFile + "."}
	}
	t := &target{model: m}
	if routed {
		t.provider, t.name = r.Provider, r.Model
	} else {
		switch m.Task {
		case TextEmbeddings, TextClassification:
			t.provider = s.cfg.Embeddings
			if t.provider == "" {
				t.provider = TypeEmbedded
			}
		case TextGeneration, Summarization, Translation:
			t.provider = s.cfg.Default
			if t.provider == "" {
				var gens []string
				for name, pc := range s.cfg.Providers {
					if isGenerator(pc.Type) {
						gens = append(gens, name)
					}
				}
				sort.Strings(gens)
				switch len(gens) {
				case 1:
					t.provider = gens[0]
				case 0:
					return nil, &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("No such model %s or task", id),
						Hint: "no provider serves text generation here: run `zerostack dev --ai-openai-url http://localhost:11434/v1` (Ollama, vLLM, llama-server, OpenAI…) or `--ai-gguf FILE.gguf` (fetch one with `zerostack ai pull URL`), or configure [ai.providers] in " + ConfigFile}
				default:
					return nil, &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("No such model %s or task", id),
						Hint: fmt.Sprintf("several providers can generate text (%s): choose one with [ai] default = \"…\" in %s, --ai-provider, or a route [ai.models.%q]", strings.Join(gens, ", "), ConfigFile, id)}
				}
			}
		case TextToImage, SpeechRecognition:
			return nil, &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("No such model %s or task", id),
				Hint: fmt.Sprintf("zerostack has no local %s model: route %s to an OpenAI-compatible provider that serves one (%s) with [ai.models.%q] provider = \"…\" in %s", m.Task, id, openAIEndpoint(m.Task), id, ConfigFile)}
		default:
			return nil, &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("No such model %s or task", id),
				Hint: fmt.Sprintf("zerostack cannot run %s models yet", m.Task)}
		}
	}
	p, ok := s.providers[t.provider]
	if !ok {
		return nil, &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("No such model %s or task", id),
			Hint: fmt.Sprintf("provider %q is not configured: add [ai.providers.%s] to %s or pass --ai-openai-url / --ai-gguf", t.provider, t.provider, ConfigFile)}
	}
	t.p = p
	return t, nil
}

// Result is what [Service.Run] returns: JSON (the object or array a
// worker receives) or, for stream: true, a stream of server-sent events
// ("data: {\"response\":\"…\"}\n\n" … "data: [DONE]\n\n") that the caller
// must close.
type Result struct {
	JSON   []byte
	Stream io.ReadCloser
	// generating marks a stream whose generation is still running (usage
	// is recorded when it ends).
	generating bool
}

// Run runs model id on input (the JSON of env.AI.run's inputs) and returns
// the output in Workers AI's shape for the model's task. Errors are
// [*Error]s with Workers AI's codes.
func (s *Service) Run(ctx context.Context, id string, input []byte) (*Result, error) {
	t, err := s.resolve(id)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, in, out, err := s.run(ctx, t, input, start)
	if res != nil && res.generating {
		return res, nil // usage is recorded when the stream ends
	}
	s.usage.Record(id, in, out, time.Since(start), err != nil)
	if err != nil {
		return nil, s.providerError(t, err)
	}
	return res, nil
}

// providerError turns a provider failure into a Workers AI error.
func (s *Service) providerError(t *target, err error) error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	code := CodeInternal
	var se *StatusError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		code = CodeTimeout
	case errors.Is(err, context.Canceled):
		code = CodeAborted
	case errors.As(err, &se) && se.Status == 429:
		code = CodeCapacity
	}
	s.log.Warn("ai provider failed", "model", t.model.ID, "provider", t.provider, "err", err)
	return &Error{Code: code, Message: fmt.Sprintf("provider %q failed for %s: %v", t.provider, t.model.ID, err),
		Hint: "check that the provider's server is running and serves the model (`zerostack ai models` shows the routes)", Err: err}
}

func (s *Service) run(ctx context.Context, t *target, input []byte, start time.Time) (*Result, int, int, error) {
	switch t.model.Task {
	case TextGeneration:
		req, err := ParseGenerate(input)
		if err != nil {
			return nil, 0, 0, err
		}
		req.Model, req.ModelID = t.name, t.model.ID
		if req.Stream {
			return &Result{Stream: s.stream(t, req, start), generating: true}, 0, 0, nil
		}
		g, err := t.p.Generate(ctx, req, nil)
		if err != nil {
			return nil, 0, 0, err
		}
		u := g.Usage
		return &Result{JSON: marshal(generateOutput{Response: g.Response, ToolCalls: g.ToolCalls, Usage: &u})},
			u.PromptTokens, u.CompletionTokens, nil
	case TextEmbeddings:
		texts, err := ParseEmbed(input)
		if err != nil {
			return nil, 0, 0, err
		}
		vecs, err := t.p.Embed(ctx, t.name, texts)
		if err != nil {
			return nil, 0, 0, err
		}
		dim := 0
		if len(vecs) > 0 {
			dim = len(vecs[0])
		}
		in := 0
		for _, x := range texts {
			in += estimateTokens(x)
		}
		out := struct {
			Shape   [2]int      `json:"shape"`
			Data    [][]float32 `json:"data"`
			Pooling string      `json:"pooling"`
		}{[2]int{len(vecs), dim}, vecs, "mean"}
		return &Result{JSON: marshal(out)}, in, 0, nil
	case TextClassification:
		text, err := ParseClassify(input)
		if err != nil {
			return nil, 0, 0, err
		}
		scores, err := s.classify(ctx, t, text)
		if err != nil {
			return nil, 0, 0, err
		}
		return &Result{JSON: marshal(scores)}, estimateTokens(text), 0, nil
	case Summarization:
		r, err := ParseSummarize(input)
		if err != nil {
			return nil, 0, 0, err
		}
		words := max(r.MaxLength/2, 8)
		g, err := t.p.Generate(ctx, &GenerateRequest{Model: t.name, ModelID: t.model.ID, MaxTokens: r.MaxLength, Messages: []Message{
			{Role: "system", Content: fmt.Sprintf("Summarize the user's text in at most %d words. Answer with the summary only.", words)},
			{Role: "user", Content: r.InputText},
		}}, nil)
		if err != nil {
			return nil, 0, 0, err
		}
		return &Result{JSON: marshal(map[string]string{"summary": strings.TrimSpace(g.Response)})}, g.Usage.PromptTokens, g.Usage.CompletionTokens, nil
	case Translation:
		r, err := ParseTranslate(input)
		if err != nil {
			return nil, 0, 0, err
		}
		g, err := t.p.Generate(ctx, &GenerateRequest{Model: t.name, ModelID: t.model.ID, MaxTokens: 1024, Messages: []Message{
			{Role: "system", Content: fmt.Sprintf("Translate the user's text from the language with code %q to the language with code %q. Answer with the translation only.", r.SourceLang, r.TargetLang)},
			{Role: "user", Content: r.Text},
		}}, nil)
		if err != nil {
			return nil, 0, 0, err
		}
		return &Result{JSON: marshal(map[string]string{"translated_text": strings.TrimSpace(g.Response)})}, g.Usage.PromptTokens, g.Usage.CompletionTokens, nil
	case TextToImage:
		r, err := ParseImage(input)
		if err != nil {
			return nil, 0, 0, err
		}
		ig, ok := t.p.(ImageGenerator)
		if !ok {
			return nil, 0, 0, &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("No such model %s or task", t.model.ID),
				Hint: fmt.Sprintf("provider %q makes no images: route the id to an openai provider", t.provider)}
		}
		r.Model = t.name
		img, err := ig.GenerateImage(ctx, r)
		if err != nil {
			return nil, 0, 0, err
		}
		// Workers AI answers image models with the PNG bytes as a stream.
		return &Result{Stream: io.NopCloser(bytes.NewReader(img))}, estimateTokens(r.Prompt), 0, nil
	case SpeechRecognition:
		audio, err := ParseAudio(input)
		if err != nil {
			return nil, 0, 0, err
		}
		tr, ok := t.p.(Transcriber)
		if !ok {
			return nil, 0, 0, &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("No such model %s or task", t.model.ID),
				Hint: fmt.Sprintf("provider %q transcribes no speech: route the id to an openai provider", t.provider)}
		}
		text, err := tr.Transcribe(ctx, t.name, audio)
		if err != nil {
			return nil, 0, 0, err
		}
		return &Result{JSON: marshal(map[string]any{"text": text, "word_count": len(strings.Fields(text))})}, 0, estimateTokens(text), nil
	}
	return nil, 0, 0, &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("No such model %s or task", t.model.ID),
		Hint: fmt.Sprintf("zerostack cannot run %s models yet", t.model.Task)}
}

// openAIEndpoint names the OpenAI API a task needs.
func openAIEndpoint(t Task) string {
	if t == TextToImage {
		return "POST /v1/images/generations, as LocalAI and OpenAI do"
	}
	return "POST /v1/audio/transcriptions, as LocalAI, whisper.cpp's server and OpenAI do"
}

// classify runs a real classifier when the provider has one, else nearest
// centroid over the model's label descriptions with the provider's
// embeddings. Scores come in the catalogue's label order (for sst-2:
// NEGATIVE, POSITIVE), as Workers AI returns them.
func (s *Service) classify(ctx context.Context, t *target, text string) ([]LabelScore, error) {
	if c, ok := t.p.(Classifier); ok {
		return c.Classify(ctx, t.name, text)
	}
	labels := t.model.Labels
	if len(labels) == 0 {
		return nil, &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("No such model %s or task", t.model.ID),
			Hint: "this classifier has no label descriptions; route it to a provider with a classifier"}
	}
	key := t.provider + "\x00" + t.name + "\x00" + t.model.ID
	var cents [][]float32
	if c, ok := s.cents.Load(key); ok {
		cents = c.([][]float32)
	} else {
		var err error
		if cents, err = centroids(ctx, t.p, t.name, labels); err != nil {
			return nil, err
		}
		s.cents.Store(key, cents)
	}
	vecs, err := t.p.Embed(ctx, t.name, []string{text})
	if err != nil {
		return nil, err
	}
	return nearestCentroid(vecs[0], cents, labels), nil
}

// sseWriter writes Workers AI's stream events.
type sseWriter struct {
	q   *eventQueue
	buf []byte
}

func (w *sseWriter) event(v any) error {
	w.buf = append(w.buf[:0], "data: "...)
	w.buf = append(w.buf, marshal(v)...)
	w.buf = append(w.buf, "\n\n"...)
	return w.q.write(w.buf)
}

// stream runs a generation on a goroutine and returns its events as they
// come (see eventQueue). Closing the reader stops the generation.
func (s *Service) stream(t *target, req *GenerateRequest, start time.Time) io.ReadCloser {
	ctx, cancel := context.WithCancel(context.Background())
	q := newEventQueue(cancel)
	go func() {
		defer cancel()
		w := &sseWriter{q: q}
		type delta struct {
			Response string `json:"response"`
		}
		g, err := t.p.Generate(ctx, req, func(text string) error { return w.event(delta{text}) })
		if err == nil {
			u := g.Usage
			if err = w.event(struct {
				Response  string      `json:"response"`
				ToolCalls []ToolCall  `json:"tool_calls,omitempty"`
				Usage     *TokenUsage `json:"usage"`
			}{"", g.ToolCalls, &u}); err == nil {
				err = q.write([]byte("data: [DONE]\n\n"))
			}
		}
		in, out := 0, 0
		if g != nil {
			in, out = g.Usage.PromptTokens, g.Usage.CompletionTokens
		}
		s.usage.Record(t.model.ID, in, out, time.Since(start), err != nil)
		if err != nil {
			q.finish(s.providerError(t, err))
			return
		}
		q.finish(nil)
	}()
	return q
}

// Served is one model id the service can run, for env.AI.models() and
// `zerostack ai models`.
type Served struct {
	Model
	// Provider is the provider's name; Target its model ("" = its default).
	Provider, Target string
	// Err says why the id cannot run, when it cannot.
	Err error
}

// Models returns every catalogue id and every routed id with the
// provider that would serve it, or why none does, sorted by id.
func (s *Service) Models() []Served {
	ids := map[string]bool{}
	for _, m := range catalog {
		ids[m.ID] = true
	}
	for id := range s.cfg.Models {
		ids[id] = true
	}
	var out []Served
	for id := range ids {
		t, err := s.resolve(id)
		if err != nil {
			m, _ := Lookup(id)
			out = append(out, Served{Model: m, Err: err})
			continue
		}
		out = append(out, Served{Model: t.model, Provider: t.provider, Target: t.name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// SearchObject is one entry of env.AI.models(), in Cloudflare's
// AiModelsSearchObject shape.
type SearchObject struct {
	ID          string `json:"id"`
	Source      int    `json:"source"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Task        struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"task"`
	Tags       []string   `json:"tags"`
	Properties []Property `json:"properties"`
}

// Property is a model property of a [SearchObject].
type Property struct {
	PropertyID string `json:"property_id"`
	Value      string `json:"value"`
}

// Search lists the served models (those that resolve to a provider) as
// env.AI.models(params) does, filtered by task name or id, author and a
// search string in the id or description.
func (s *Service) Search(task, by, search string) []SearchObject {
	var out []SearchObject
	for _, m := range s.Models() {
		if m.Err != nil {
			continue
		}
		if task != "" && !strings.EqualFold(task, string(m.Task)) && task != taskID(m.Task) {
			continue
		}
		if by != "" && !strings.EqualFold(by, author(m.ID)) {
			continue
		}
		if search != "" && !strings.Contains(strings.ToLower(m.ID+" "+m.Description), strings.ToLower(search)) {
			continue
		}
		o := SearchObject{ID: m.ID, Source: 1, Name: m.ID, Description: m.Description, Tags: []string{}}
		o.Task.ID, o.Task.Name = taskID(m.Task), string(m.Task)
		o.Properties = append(o.Properties, Property{"zerostack_provider", m.Provider})
		if m.Target != "" {
			o.Properties = append(o.Properties, Property{"zerostack_model", m.Target})
		}
		if m.ContextWindow > 0 {
			o.Properties = append(o.Properties, Property{"context_window", fmt.Sprint(m.ContextWindow)})
		}
		if m.Tools {
			o.Properties = append(o.Properties, Property{"function_calling", "true"})
		}
		if m.Deprecated {
			o.Properties = append(o.Properties, Property{"planned_deprecation_date", "deprecated"})
		}
		out = append(out, o)
	}
	return out
}
