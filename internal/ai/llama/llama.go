// Package llama is the Workers AI provider that runs GGUF models in-process
// with llama.cpp. It loads llama.cpp's CPU shared libraries (libllama,
// libggml: the npm package @node-llama-cpp/linux-x64@3.22.1 that `make
// deps` installs under tools/llama) through github.com/hybridgroup/yzma
// v1.28.0, which calls them with purego and libffi (Debian's libffi8) — no
// cgo. yzma 1.29 and later bind a newer llama.cpp than that package ships.
//
// A [Provider] owns one model and one llama.cpp context, and runs one
// generation at a time (requests queue on a mutex): prompt or chat
// messages (through the model's chat template when it has one), sampling
// with temperature, top_p, top_k, repetition penalties and seed, stopping
// at end-of-generation or max_tokens, and text handed to the caller as each
// token is decoded (whole UTF-8 characters only).
package llama

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	yl "github.com/hybridgroup/yzma/pkg/llama"

	"github.com/zerostack/zerostack/internal/ai"
)

// EnvLibDir names the environment variable that overrides [LibDir].
const EnvLibDir = "ZEROSTACK_LLAMA_LIB"

// packageDir is where `make deps` installs the libraries, relative to the
// repository.
const packageDir = "tools/llama/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"

// LibDir returns the directory of llama.cpp's shared libraries:
// $ZEROSTACK_LLAMA_LIB when set, else the first tools/llama package
// directory found from the working directory up, then next to the
// executable and its parent directory (bin/zerostack in a checkout).
func LibDir() string {
	if d := os.Getenv(EnvLibDir); d != "" {
		return d
	}
	var roots []string
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			roots = append(roots, d)
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		roots = append(roots, filepath.Dir(exe), filepath.Dir(filepath.Dir(exe)))
	}
	for _, r := range roots {
		d := filepath.Join(r, filepath.FromSlash(packageDir))
		if hasLib(d) {
			return d
		}
	}
	if len(roots) > 0 {
		return filepath.Join(roots[0], filepath.FromSlash(packageDir))
	}
	return filepath.FromSlash(packageDir)
}

func hasLib(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "libllama*.so"))
	return len(m) > 0
}

var (
	loadOnce sync.Once
	loadErr  error
)

// linkDir returns a directory in which libllama.so, libggml.so and
// libggml-base.so exist under the names yzma loads. The npm package names
// its libraries libllama.v0.5.0.so and libggml.v0.5.0.so; links with the
// plain names are made next to them, or, when that directory is read-only,
// in a temporary directory holding a link to every library (their RUNPATH
// is $ORIGIN, so they must sit together).
func linkDir(dir string) (string, error) {
	libs, _ := filepath.Glob(filepath.Join(dir, "*.so"))
	if len(libs) == 0 {
		return "", fmt.Errorf("no llama.cpp libraries in %s", dir)
	}
	plain := func(name string) string {
		for _, base := range []string{"libllama", "libggml"} {
			if strings.HasPrefix(name, base+".v") && strings.HasSuffix(name, ".so") {
				return base + ".so"
			}
		}
		return ""
	}
	need := false
	for _, l := range libs {
		if p := plain(filepath.Base(l)); p != "" {
			if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
				need = true
			}
		}
	}
	if !need {
		return dir, nil
	}
	try := func(into string, all bool) error {
		for _, l := range libs {
			name := filepath.Base(l)
			if all {
				if err := os.Symlink(l, filepath.Join(into, name)); err != nil && !os.IsExist(err) {
					return err
				}
			}
			if p := plain(name); p != "" {
				if err := os.Symlink(name, filepath.Join(into, p)); err != nil && !os.IsExist(err) {
					if err := os.Symlink(l, filepath.Join(into, p)); err != nil && !os.IsExist(err) {
						return err
					}
				}
			}
		}
		return nil
	}
	if try(dir, false) == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp("", "zerostack-llama-")
	if err != nil {
		return "", err
	}
	if err := try(tmp, true); err != nil {
		return "", err
	}
	return tmp, nil
}

// load loads the libraries once per process.
func load() error {
	loadOnce.Do(func() {
		dir := LibDir()
		if !hasLib(dir) {
			loadErr = fmt.Errorf("llama.cpp libraries not found in %s: run `make deps` (it installs @node-llama-cpp/linux-x64 under tools/llama) or set %s", dir, EnvLibDir)
			return
		}
		d, err := linkDir(dir)
		if err != nil {
			loadErr = fmt.Errorf("llama.cpp libraries in %s: %w", dir, err)
			return
		}
		if err := yl.Load(d); err != nil {
			loadErr = fmt.Errorf("loading llama.cpp from %s: %w (is Debian's libffi8 installed?)", d, err)
			return
		}
		yl.LogSet(yl.LogSilent())
		yl.Init()
	})
	return loadErr
}

// Provider runs one GGUF model. It is safe for concurrent use; generations
// run one at a time.
type Provider struct {
	mu       sync.Mutex
	model    yl.Model
	vocab    yl.Vocab
	lctx     yl.Context
	nctx     int
	template string
	closed   bool
}

// Open loads the GGUF model at path with the settings of pc (Threads,
// ContextSize). cmd/zerostack-llama serves it with [Handler]; zerostack
// itself starts that program through ai.StartLlama.
func Open(pc ai.ProviderConfig, path string) (ai.Provider, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, &ai.Error{Code: ai.CodeNoSuchModel, Message: fmt.Sprintf("GGUF model %s is not installed", path),
			Hint: "download one with `zerostack ai pull URL` (e.g. a .gguf file from Hugging Face) and name it in zerostack.toml or --ai-gguf", Err: err}
	}
	if err := load(); err != nil {
		return nil, &ai.Error{Code: ai.CodeNoSuchModel, Message: "llama.cpp is not available", Hint: err.Error(), Err: err}
	}
	mp := yl.ModelDefaultParams()
	mp.SetCPUOnly()
	model, err := yl.ModelLoadFromFile(path, mp)
	if err != nil || model == 0 {
		return nil, fmt.Errorf("llama: loading %s: %v (is it a GGUF model llama.cpp supports?)", path, err)
	}
	cp := yl.ContextDefaultParams()
	if pc.ContextSize > 0 {
		cp.NCtx = uint32(pc.ContextSize)
	} else if n := yl.ModelNCtxTrain(model); n > 0 && n < 4096 {
		cp.NCtx = uint32(n)
	} else {
		cp.NCtx = 4096
	}
	cp.NBatch = cp.NCtx
	// Default: half the CPUs, leaving the rest to the isolates and the
	// HTTP server. llama.cpp's worker threads spin while they wait, so
	// more threads than free cores slow every token down (measured on a
	// loaded two-core machine: 200 ms a token with two threads, 0.05 ms
	// with one, for a tiny model).
	threads := pc.Threads
	if threads <= 0 {
		threads = max(1, runtime.NumCPU()/2)
	}
	cp.NThreads, cp.NThreadsBatch = int32(threads), int32(threads)
	lctx, err := yl.InitFromModel(model, cp)
	if err != nil || lctx == 0 {
		yl.ModelFree(model)
		return nil, fmt.Errorf("llama: context for %s: %v", path, err)
	}
	return &Provider{
		model:    model,
		vocab:    yl.ModelGetVocab(model),
		lctx:     lctx,
		nctx:     int(yl.NCtx(lctx)),
		template: yl.ModelChatTemplate(model, ""),
	}, nil
}

// Tokenize returns the token ids of text as the model's tokenizer splits
// it (with the beginning-of-sequence token when the model adds one).
func (p *Provider) Tokenize(text string) []int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	toks := yl.Tokenize(p.vocab, text, true, true)
	out := make([]int32, len(toks))
	for i, t := range toks {
		out[i] = int32(t)
	}
	return out
}

// Prompt returns the text the model reads for req: a raw prompt as is,
// chat messages (or a prompt, as one user message) through the model's
// chat template, or a plain "Role: text" transcript when it has none.
func (p *Provider) Prompt(req *ai.GenerateRequest) string {
	if req.Prompt != "" && (req.Raw || p.template == "") {
		return req.Prompt
	}
	msgs := req.Messages
	if req.Prompt != "" {
		msgs = []ai.Message{{Role: "user", Content: req.Prompt}}
	}
	if p.template != "" {
		chat := make([]yl.ChatMessage, len(msgs))
		size := 0
		for i, m := range msgs {
			chat[i] = yl.NewChatMessage(m.Role, m.Content)
			size += len(m.Content) + 64
		}
		buf := make([]byte, size*2+256)
		n := yl.ChatApplyTemplate(p.template, chat, true, buf)
		if int(n) > len(buf) {
			buf = make([]byte, n)
			n = yl.ChatApplyTemplate(p.template, chat, true, buf)
		}
		if n > 0 && int(n) <= len(buf) {
			return string(buf[:n])
		}
	}
	// No usable template: a plain transcript.
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(strings.ToUpper(m.Role[:1]) + m.Role[1:] + ": " + m.Content + "\n")
	}
	b.WriteString("Assistant:")
	return b.String()
}

// sampler builds the sampling chain for req: greedy when temperature is 0,
// otherwise penalties, top-k, top-p, temperature and a seeded draw.
func sampler(req *ai.GenerateRequest, nVocab int32) yl.Sampler {
	chain := yl.SamplerChainInit(yl.SamplerChainDefaultParams())
	if req.RepetitionPenalty != nil || req.FrequencyPenalty != nil || req.PresencePenalty != nil {
		rep, freq, pres := float32(1), float32(0), float32(0)
		if req.RepetitionPenalty != nil {
			rep = float32(*req.RepetitionPenalty)
		}
		if req.FrequencyPenalty != nil {
			freq = float32(*req.FrequencyPenalty)
		}
		if req.PresencePenalty != nil {
			pres = float32(*req.PresencePenalty)
		}
		yl.SamplerChainAdd(chain, yl.SamplerInitPenalties(nVocab, 64, rep, freq, pres))
	}
	temp := 0.6 // Workers AI's default temperature for its llama models
	if req.Temperature != nil {
		temp = *req.Temperature
	}
	if temp <= 0 {
		yl.SamplerChainAdd(chain, yl.SamplerInitGreedy())
		return chain
	}
	if req.TopK != nil {
		yl.SamplerChainAdd(chain, yl.SamplerInitTopK(int32(*req.TopK)))
	}
	if req.TopP != nil && *req.TopP < 1 {
		yl.SamplerChainAdd(chain, yl.SamplerInitTopP(float32(*req.TopP), 1))
	}
	yl.SamplerChainAdd(chain, yl.SamplerInitTemp(float32(temp)))
	seed := uint32(yl.DefaultSeed)
	if req.Seed != nil {
		seed = uint32(*req.Seed)
	}
	yl.SamplerChainAdd(chain, yl.SamplerInitDist(seed))
	return chain
}

// Generate implements [ai.Provider].
func (p *Provider) Generate(ctx context.Context, req *ai.GenerateRequest, emit func(string) error) (*ai.GenerateResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, errors.New("llama: provider closed")
	}
	if len(req.Tools) > 0 {
		return nil, &ai.Error{Code: ai.CodeInvalidInput, Message: "Error: this model does not support tools",
			Hint: "route models that use tools to an OpenAI-compatible server that implements function calling"}
	}
	tokens := yl.Tokenize(p.vocab, p.Prompt(req), true, true)
	if len(tokens) == 0 {
		return nil, errors.New("llama: the prompt tokenized to nothing")
	}
	if len(tokens) >= p.nctx {
		return nil, &ai.Error{Code: ai.CodeTooLarge, Message: fmt.Sprintf("Request is too large: the prompt is %d tokens, the context %d", len(tokens), p.nctx),
			Hint: "shorten the prompt or raise context_size in zerostack.toml"}
	}
	maxTokens := min(req.MaxTokens, p.nctx-len(tokens))
	mem, err := yl.GetMemory(p.lctx)
	if err == nil {
		yl.MemoryClear(mem, true)
	}
	smpl := sampler(req, yl.VocabNTokens(p.vocab))
	defer yl.SamplerFree(smpl)
	res := &ai.GenerateResult{}
	var out strings.Builder
	var pending []byte // bytes of an incomplete UTF-8 character
	buf := make([]byte, 256)
	batch := yl.BatchGetOne(tokens)
	generated := 0
	for generated < maxTokens {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, err := yl.Decode(p.lctx, batch); err != nil {
			return nil, fmt.Errorf("llama: decode: %w", err)
		}
		tok := yl.SamplerSample(smpl, p.lctx, -1)
		if yl.VocabIsEOG(p.vocab, tok) {
			break
		}
		generated++
		n := yl.TokenToPiece(p.vocab, tok, buf, 0, false)
		if n < 0 {
			buf = make([]byte, -n)
			n = yl.TokenToPiece(p.vocab, tok, buf, 0, false)
		}
		pending = append(pending, buf[:max(n, 0)]...)
		// Hand on whole characters only: keep a trailing incomplete one
		// for the next token, and replace bytes that can never be UTF-8.
		cut := len(pending)
		for i := len(pending) - 1; i >= 0 && i >= len(pending)-utf8.UTFMax; i-- {
			if utf8.RuneStart(pending[i]) {
				if !utf8.FullRune(pending[i:]) {
					cut = i
				}
				break
			}
		}
		if cut > 0 {
			text := strings.ToValidUTF8(string(pending[:cut]), "\uFFFD")
			pending = append(pending[:0], pending[cut:]...)
			out.WriteString(text)
			if emit != nil {
				if err := emit(text); err != nil {
					return nil, err
				}
			}
		}
		// The single-token batch must outlive Decode: keep it in a slice.
		next := []yl.Token{tok}
		batch = yl.BatchGetOne(next)
	}
	if len(pending) > 0 {
		text := strings.ToValidUTF8(string(pending), "\uFFFD")
		out.WriteString(text)
		if emit != nil {
			if err := emit(text); err != nil {
				return nil, err
			}
		}
	}
	res.Response = out.String()
	res.Usage = ai.TokenUsage{PromptTokens: len(tokens), CompletionTokens: generated, TotalTokens: len(tokens) + generated}
	return res, nil
}

// Embed implements [ai.Provider]: generation models here serve no
// embeddings.
func (p *Provider) Embed(context.Context, string, []string) ([][]float32, error) {
	return nil, fmt.Errorf("llama provider: embeddings: %w", ai.ErrUnsupported)
}

// Close frees the context and the model.
func (p *Provider) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	yl.Free(p.lctx)
	yl.ModelFree(p.model)
	return nil
}

var _ ai.Provider = (*Provider)(nil)
