package llama_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/ai"
	"github.com/zerostack/zerostack/internal/ai/gguf"
	"github.com/zerostack/zerostack/internal/ai/llama"
)

// tinyModel writes a tiny llama GGUF with random weights.
func tinyModel(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := gguf.TinyLlama(gguf.TinyLlamaOptions{Seed: 7}).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func open(t *testing.T, path string) *llama.Provider {
	t.Helper()
	// One thread: llama.cpp's worker threads spin, which on a loaded
	// two-core machine makes each token take hundreds of milliseconds.
	p, err := llama.Open(ai.ProviderConfig{Threads: 1, ContextSize: 256}, path)
	if err != nil {
		t.Fatalf("open (are the llama.cpp libraries installed? make deps): %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p.(*llama.Provider)
}

func f(x float64) *float64 { return &x }
func i(x int64) *int64     { return &x }

func TestTinyModel(t *testing.T) {
	p := open(t, tinyModel(t))
	// Tokenization: the vocabulary's whole words come out as single tokens.
	toks := p.Tokenize("hello world")
	if len(toks) != 3 || toks[0] != 1 {
		t.Errorf("tokens of %q = %v, want <s> and two word pieces", "hello world", toks)
	}
	if toks := p.Tokenize("héllo"); len(toks) < 4 {
		t.Errorf("tokens of a non-vocabulary character %v: want byte fallback", toks)
	}
	ctx := context.Background()
	// Greedy generation is deterministic and stops at max_tokens.
	req := &ai.GenerateRequest{Prompt: "write a haiku about the cloud", MaxTokens: 12, Temperature: f(0)}
	g1, err := p.Generate(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	g2, _ := p.Generate(ctx, req, nil)
	if g1.Response == "" || g1.Response != g2.Response {
		t.Errorf("greedy outputs %q and %q", g1.Response, g2.Response)
	}
	if g1.Usage.CompletionTokens < 1 || g1.Usage.CompletionTokens > 12 || g1.Usage.PromptTokens < 5 {
		t.Errorf("usage %+v", g1.Usage)
	}
	// Sampling with a seed is reproducible; another seed differs.
	sreq := func(seed int64) *ai.GenerateRequest {
		return &ai.GenerateRequest{Messages: []ai.Message{{Role: "system", Content: "be brief"}, {Role: "user", Content: "hello"}},
			MaxTokens: 24, Temperature: f(1.5), TopP: f(0.95), Seed: i(seed)}
	}
	a, _ := p.Generate(ctx, sreq(1), nil)
	b, _ := p.Generate(ctx, sreq(1), nil)
	c, _ := p.Generate(ctx, sreq(2), nil)
	if a.Response != b.Response {
		t.Errorf("same seed, different text: %q vs %q", a.Response, b.Response)
	}
	if a.Response == c.Response {
		t.Errorf("seeds 1 and 2 gave the same text %q", a.Response)
	}
	// Streaming: the pieces arrive one by one and make up the response.
	var pieces []string
	s, err := p.Generate(ctx, req, func(text string) error {
		pieces = append(pieces, text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pieces) < 2 || strings.Join(pieces, "") != s.Response || s.Response != g1.Response {
		t.Errorf("streamed %q, response %q, greedy %q", pieces, s.Response, g1.Response)
	}
	// A failing reader stops generation.
	stop := errors.New("client went away")
	if _, err := p.Generate(ctx, req, func(string) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("err = %v", err)
	}
	// A prompt longer than the context is refused with Workers AI's error.
	_, err = p.Generate(ctx, &ai.GenerateRequest{Prompt: strings.Repeat("sky ", 400), MaxTokens: 4}, nil)
	var ae *ai.Error
	if !errors.As(err, &ae) || ae.Code != ai.CodeTooLarge {
		t.Errorf("long prompt: %v", err)
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := llama.Open(ai.ProviderConfig{}, filepath.Join(t.TempDir(), "none.gguf"))
	var ae *ai.Error
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "zerostack ai pull") {
		t.Errorf("err = %v", err)
	}
}

// TestServiceStreamsFromGGUF runs the tiny model behind ai.Service as
// zerostack dev --ai-gguf does, streaming.
func TestServiceStreamsFromGGUF(t *testing.T) {
	cfg := &ai.Config{}
	cfg.Apply(ai.Flags{GGUF: tinyModel(t)})
	pc := cfg.Providers["llama"]
	pc.Threads = 1 // spinning worker threads crawl on a loaded two-core machine
	cfg.Providers["llama"] = pc
	s, err := ai.New(cfg, ai.Options{Llama: llama.Open})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.Run(context.Background(), "@cf/meta/llama-3.1-8b-instruct", []byte(`{"prompt":"hello world","max_tokens":8,"temperature":0,"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Stream.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Stream.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	out := sb.String()
	if !strings.HasPrefix(out, `data: {"response":"`) || !strings.HasSuffix(out, "data: [DONE]\n\n") || strings.Count(out, "data: ") < 3 {
		t.Errorf("stream %q", out)
	}
}

func TestChatTemplate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.gguf")
	tmpl := "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
	if err := gguf.TinyLlama(gguf.TinyLlamaOptions{Seed: 1, ChatTemplate: tmpl}).WriteFile(path); err != nil {
		t.Fatal(err)
	}
	p := open(t, path)
	req := &ai.GenerateRequest{Messages: []ai.Message{{Role: "system", Content: "be brief"}, {Role: "user", Content: "hello"}}, MaxTokens: 4}
	want := "<|im_start|>system\nbe brief<|im_end|>\n<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n"
	if got := p.Prompt(req); got != want {
		t.Errorf("prompt %q, want %q", got, want)
	}
	if got := p.Prompt(&ai.GenerateRequest{Prompt: "hi", Raw: true}); got != "hi" {
		t.Errorf("raw prompt %q", got)
	}
	if _, err := p.Generate(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	// Without a template: a transcript.
	q := open(t, tinyModel(t))
	if got := q.Prompt(req); got != "System: be brief\nUser: hello\nAssistant:" {
		t.Errorf("transcript %q", got)
	}
}

// TestHandler serves the tiny model over the OpenAI API (as
// cmd/zerostack-llama does) and drives it with zerostack's openai provider.
func TestHandler(t *testing.T) {
	p := open(t, tinyModel(t))
	hs := httptest.NewServer(llama.Handler(p))
	defer hs.Close()
	oa, err := ai.NewOpenAI(ai.ProviderConfig{URL: hs.URL + "/v1", MaxConcurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer oa.Close()
	ctx := context.Background()
	req := &ai.GenerateRequest{Messages: []ai.Message{{Role: "user", Content: "hello world"}}, MaxTokens: 10, Temperature: f(0)}
	direct, _ := p.Generate(ctx, req, nil)
	g, err := oa.Generate(ctx, req, nil)
	if err != nil || g.Response != direct.Response || g.Usage.CompletionTokens != direct.Usage.CompletionTokens {
		t.Fatalf("over HTTP %+v %v, direct %+v", g, err, direct)
	}
	var pieces []string
	g, err = oa.Generate(ctx, req, func(s string) error { pieces = append(pieces, s); return nil })
	if err != nil || strings.Join(pieces, "") != direct.Response || len(pieces) < 2 || g.Usage.PromptTokens != direct.Usage.PromptTokens {
		t.Fatalf("streamed %q %+v %v, want %q", pieces, g, err, direct.Response)
	}
	// Raw prompts go to /v1/completions.
	if _, err := oa.Generate(ctx, &ai.GenerateRequest{Prompt: "the sky", Raw: true, MaxTokens: 3}, nil); err != nil {
		t.Fatal(err)
	}
}
