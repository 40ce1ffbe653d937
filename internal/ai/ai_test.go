package ai_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/ai"
	"github.com/zerostack/zerostack/internal/ai/aitest"
)

func fakeServer(t *testing.T, s *aitest.Server) string {
	t.Helper()
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return hs.URL + "/v1"
}

// hashEncoder is a deterministic SentenceEncoder (bag of hashed words).
type hashEncoder struct{ calls atomic.Int32 }

func (h *hashEncoder) Embed(texts []string) ([][]float32, error) {
	h.calls.Add(1)
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = aitest.Embedding(t, 64)
	}
	return out, nil
}

func newService(t *testing.T, cfg *ai.Config, enc ai.SentenceEncoder) *ai.Service {
	t.Helper()
	opts := ai.Options{UsagePath: filepath.Join(t.TempDir(), "usage.json")}
	if enc != nil {
		opts.Encoder = func() (ai.SentenceEncoder, error) { return enc, nil }
	}
	s, err := ai.New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConfig(t *testing.T) {
	src := `name = "ignored by ai"
[ai]
default = "ollama"
models_dir = "models"

[ai.providers.ollama]
type = "openai"
url = "http://localhost:11434/v1"
model = "llama3.1:8b"
timeout = "30s"
retries = 3
max_concurrency = 4

[ai.providers.gguf]
type = "llama"
model = "tiny.gguf"

[ai.models."@cf/meta/llama-3.1-8b-instruct"]
provider = "gguf"
`
	c, err := ai.ParseConfig("/p/zerostack.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	o := c.Providers["ollama"]
	if c.Default != "ollama" || o.URL != "http://localhost:11434/v1" || o.Timeout != 30*time.Second || o.Retries != 3 || o.MaxConcurrency != 4 {
		t.Errorf("config = %+v", c)
	}
	if c.ModelsDir != "/p/models" {
		t.Errorf("ModelsDir = %q, want it relative to the file", c.ModelsDir)
	}
	if r := c.Models["@cf/meta/llama-3.1-8b-instruct"]; r.Provider != "gguf" {
		t.Errorf("route = %+v", r)
	}
	c.Apply(ai.Flags{OpenAIURL: "http://x/v1", Provider: "openai"})
	if c.Default != "openai" || c.Providers["openai"].URL != "http://x/v1" {
		t.Errorf("after flags: %+v", c)
	}

	bad := []struct{ name, src, want string }{
		{"syntax", "[ai\n", "zerostack.toml:2:4: TOML syntax error"},
		{"unknown key", "[ai]\ncolour = 1\n", `zerostack.toml:2:1: ai: unknown key "colour"`},
		{"type", "[ai.providers.x]\ntype = \"gpu\"\n", `unknown type "gpu"`},
		{"no url", "[ai.providers.x]\ntype = \"openai\"\n", "needs url"},
		{"bad timeout", "[ai.providers.x]\ntype = \"openai\"\nurl = \"http://h\"\ntimeout = \"soon\"\n", `zerostack.toml:4:1: ai.providers.x.timeout: "soon" is not a duration`},
		{"undefined provider", "[ai.models.\"@cf/x/y\"]\nprovider = \"nope\"\n", `provider "nope" is not defined`},
		{"wrong type", "[ai]\ndefault = 3\n", "zerostack.toml:2:1: ai.default: expected a string"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := ai.ParseConfig("zerostack.toml", []byte(b.src))
			if err == nil || !strings.Contains(err.Error(), b.want) {
				t.Errorf("err = %v, want it to contain %q", err, b.want)
			}
		})
	}
	dir := t.TempDir()
	if c, err := ai.LoadConfig(dir); err != nil || c.File != "" {
		t.Errorf("missing file: %+v, %v", c, err)
	}
}

func TestParseGenerate(t *testing.T) {
	r, err := ai.ParseGenerate([]byte(`{"prompt":"hi","max_tokens":10,"temperature":0.7,"top_p":0.9,"seed":42,"stream":true,
		"tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{}}},{"name":"g","description":"e","parameters":{}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Prompt != "hi" || r.MaxTokens != 10 || *r.Temperature != 0.7 || *r.TopP != 0.9 || *r.Seed != 42 || !r.Stream || len(r.Tools) != 2 || r.Tools[0].Name != "f" || r.Tools[1].Name != "g" {
		t.Errorf("parsed %+v", r)
	}
	if r, _ := ai.ParseGenerate([]byte(`{"prompt":"x"}`)); r.MaxTokens != ai.DefaultMaxTokens {
		t.Errorf("default max_tokens = %d", r.MaxTokens)
	}
	bad := map[string]string{
		`{}`:                               "5006: Error: oneOf at '/' not met, 0 matches",
		`[]`:                               "Type mismatch of '/', 'array' not in 'object'",
		`{"prompt":"a","messages":[]}`:     "2 matches",
		`{"prompt":""}`:                    "String too short at '/prompt'",
		`{"prompt":1}`:                     "Type mismatch of '/prompt', 'integer' not in 'string'",
		`{"prompt":"a","max_tokens":"10"}`: "Type mismatch of '/max_tokens', 'string' not in 'integer'",
		`{"prompt":"a","max_tokens":1.5}`:  "'number' not in 'integer'",
		`{"prompt":"a","temperature":9}`:   "must be <= 5 at '/temperature'",
		`{"messages":[{"role":"user"}]}`:   "required properties at '/messages/0' are 'role', 'content'",
		`{"messages":"hi"}`:                "Type mismatch of '/messages', 'string' not in 'array'",
		`{"prompt":"a","tools":[{"x":1}]}`: "required properties at '/tools/0'",
		`{"prompt":"a","stream":"yes"}`:    "'/stream', 'string' not in 'boolean'",
	}
	for in, want := range bad {
		_, err := ai.ParseGenerate([]byte(in))
		var ae *ai.Error
		if !errors.As(err, &ae) || ae.Code != ai.CodeInvalidInput || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want 5006 containing %q", in, err, want)
		}
	}
	if texts, err := ai.ParseEmbed([]byte(`{"text":"a"}`)); err != nil || len(texts) != 1 {
		t.Errorf("embed one: %v %v", texts, err)
	}
	if _, err := ai.ParseEmbed([]byte(`{"text":[1]}`)); err == nil {
		t.Error("embed of numbers accepted")
	}
	if _, err := ai.ParseEmbed([]byte(`{"text":[]}`)); err == nil {
		t.Error("empty batch accepted")
	}
}

func TestOpenAIProvider(t *testing.T) {
	fs := &aitest.Server{FailFirst: 2, ToolCall: "lookup"}
	p, err := ai.NewOpenAI(ai.ProviderConfig{URL: fakeServer(t, fs), Model: "m", Retries: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	temp := 0.5
	g, err := p.Generate(ctx, &ai.GenerateRequest{Prompt: "write a haiku about clouds", MaxTokens: 100, Temperature: &temp}, nil)
	if err != nil {
		t.Fatalf("after two 503s: %v", err)
	}
	if want := aitest.Reply("write a haiku about clouds"); g.Response != want {
		t.Errorf("response %q, want %q", g.Response, want)
	}
	if g.Usage.PromptTokens != 5 || g.Usage.CompletionTokens != 6 {
		t.Errorf("usage %+v", g.Usage)
	}
	req := fs.Requests()[0]
	if req["model"] != "m" || req["max_tokens"] != 100.0 || req["temperature"] != 0.5 {
		t.Errorf("request sent %v", req)
	}
	// Streaming: deltas in order, and the whole text.
	var got []string
	g, err = p.Generate(ctx, &ai.GenerateRequest{Messages: []ai.Message{{Role: "user", Content: "one two three"}}, MaxTokens: 50}, func(s string) error {
		got = append(got, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "") != aitest.Reply("one two three") || len(got) != 4 || g.Response != strings.Join(got, "") {
		t.Errorf("stream deltas %q, result %q", got, g.Response)
	}
	// Tools.
	g, err = p.Generate(ctx, &ai.GenerateRequest{Prompt: "weather", MaxTokens: 9, Tools: []ai.Tool{{Name: "lookup"}}}, nil)
	if err != nil || len(g.ToolCalls) != 1 || g.ToolCalls[0].Name != "lookup" || string(g.ToolCalls[0].Arguments) != `{"q":"weather"}` {
		t.Errorf("tool calls %+v, %v", g, err)
	}
	// Embeddings.
	v, err := p.Embed(ctx, "", []string{"a b", "c"})
	if err != nil || len(v) != 2 || len(v[0]) != 8 {
		t.Errorf("embed %v %v", v, err)
	}
	// A 400 is not retried and is reported.
	fs2 := &aitest.Server{FailFirst: 5, FailStatus: 400}
	p2, _ := ai.NewOpenAI(ai.ProviderConfig{URL: fakeServer(t, fs2), Retries: 3})
	_, err = p2.Generate(ctx, &ai.GenerateRequest{Prompt: "x"}, nil)
	var se *ai.StatusError
	if !errors.As(err, &se) || se.Status != 400 {
		t.Errorf("err = %v", err)
	}
}

func TestOpenAIConcurrencyLimit(t *testing.T) {
	var inFlight, peak atomic.Int32
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		inFlight.Add(-1)
		io.WriteString(w, `{"choices":[{"message":{"content":"ok"}}]}`)
	}))
	defer hs.Close()
	p, _ := ai.NewOpenAI(ai.ProviderConfig{URL: hs.URL, MaxConcurrency: 2})
	defer p.Close()
	done := make(chan error, 6)
	for range 6 {
		go func() {
			_, err := p.Generate(context.Background(), &ai.GenerateRequest{Prompt: "x"}, nil)
			done <- err
		}()
	}
	// Wait until two requests are in the handler, then release all.
	for inFlight.Load() < 2 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range 6 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if peak.Load() != 2 {
		t.Errorf("peak concurrency %d, want 2", peak.Load())
	}
}

func TestServiceRouting(t *testing.T) {
	url := fakeServer(t, &aitest.Server{})
	cfg := &ai.Config{}
	// No generation provider: a helpful error.
	s := newService(t, cfg, &hashEncoder{})
	_, err := s.Run(context.Background(), "@cf/meta/llama-2-7b-chat-int8", []byte(`{"prompt":"hi"}`))
	if err == nil || !strings.Contains(err.Error(), "5007: No such model @cf/meta/llama-2-7b-chat-int8 or task") || !strings.Contains(err.Error(), "--ai-openai-url") {
		t.Errorf("err = %v", err)
	}
	if _, err := s.Run(context.Background(), "@cf/nope/nope", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "5007: No such model @cf/nope/nope or task") {
		t.Errorf("unknown model: %v", err)
	}
	cfg.Apply(ai.Flags{OpenAIURL: url})
	s = newService(t, cfg, &hashEncoder{})
	ctx := context.Background()
	res, err := s.Run(ctx, "@cf/meta/llama-2-7b-chat-int8", []byte(`{"prompt":"Write a haiku about cloudflare","max_tokens":100}`))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Response string        `json:"response"`
		Usage    ai.TokenUsage `json:"usage"`
	}
	json.Unmarshal(res.JSON, &out)
	if out.Response != aitest.Reply("Write a haiku about cloudflare") || out.Usage.TotalTokens == 0 {
		t.Errorf("output %s", res.JSON)
	}
	// Embeddings from the embedded encoder (64 dims here).
	res, err = s.Run(ctx, "@cf/baai/bge-base-en-v1.5", []byte(`{"text":["a","b c"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var emb struct {
		Shape []int       `json:"shape"`
		Data  [][]float64 `json:"data"`
	}
	json.Unmarshal(res.JSON, &emb)
	if len(emb.Shape) != 2 || emb.Shape[0] != 2 || emb.Shape[1] != 64 || len(emb.Data) != 2 {
		t.Errorf("embeddings %s", res.JSON)
	}
	// Classification by nearest centroid, labels in catalogue order.
	res, err = s.Run(ctx, "@cf/huggingface/distilbert-sst-2-int8", []byte(`{"text":"I love it, wonderful and great"}`))
	if err != nil {
		t.Fatal(err)
	}
	var cls []ai.LabelScore
	json.Unmarshal(res.JSON, &cls)
	if len(cls) != 2 || cls[0].Label != "NEGATIVE" || cls[1].Label != "POSITIVE" || cls[1].Score <= cls[0].Score {
		t.Errorf("classification %s", res.JSON)
	}
	// Summarization and translation through the generator.
	res, err = s.Run(ctx, "@cf/facebook/bart-large-cnn", []byte(`{"input_text":"long text here"}`))
	if err != nil || !strings.Contains(string(res.JSON), `"summary":"Echo: long text here."`) {
		t.Errorf("summary %s %v", res.JSON, err)
	}
	res, err = s.Run(ctx, "@cf/meta/m2m100-1.2b", []byte(`{"text":"hello","target_lang":"fr"}`))
	if err != nil || !strings.Contains(string(res.JSON), `"translated_text":"Echo: hello."`) {
		t.Errorf("translation %s %v", res.JSON, err)
	}
	// Text-to-image has no local provider: the error says what to do.
	_, err = s.Run(ctx, "@cf/stabilityai/stable-diffusion-xl-base-1.0", []byte(`{"prompt":"x"}`))
	if err == nil || !strings.Contains(err.Error(), "zerostack has no local Text-to-Image model") {
		t.Errorf("text-to-image: %v", err)
	}
	// Models lists the served ids with their provider.
	served := map[string]string{}
	for _, m := range s.Models() {
		if m.Err == nil {
			served[m.ID] = m.Provider
		}
	}
	if served["@cf/meta/llama-2-7b-chat-int8"] != "openai" || served["@cf/baai/bge-base-en-v1.5"] != "embedded" || served["@cf/openai/whisper"] != "" {
		t.Errorf("served %v", served)
	}
	if objs := s.Search("Text Embeddings", "", ""); len(objs) != 4 {
		t.Errorf("search by task: %d", len(objs))
	}
}

func TestImagesAndSpeech(t *testing.T) {
	cfg := &ai.Config{Providers: map[string]ai.ProviderConfig{"local": {Type: ai.TypeOpenAI, URL: fakeServer(t, &aitest.Server{})}},
		Models: map[string]ai.Route{
			"@cf/stabilityai/stable-diffusion-xl-base-1.0": {Provider: "local", Model: "sdxl"},
			"@cf/openai/whisper":                           {Provider: "local", Model: "whisper-1"},
		}}
	s := newService(t, cfg, nil)
	ctx := context.Background()
	res, err := s.Run(ctx, "@cf/stabilityai/stable-diffusion-xl-base-1.0", []byte(`{"prompt":"a cat","width":512,"height":512,"num_steps":20}`))
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(res.Stream)
	res.Stream.Close()
	if string(img) != "\x89PNG\r\n\x1a\na cat 512x512" {
		t.Errorf("image bytes %q", img)
	}
	if _, err := s.Run(ctx, "@cf/stabilityai/stable-diffusion-xl-base-1.0", []byte(`{"prompt":"a cat","num_steps":50}`)); err == nil || !strings.Contains(err.Error(), "must be <= 20 at '/num_steps'") {
		t.Errorf("num_steps 50: %v", err)
	}
	res, err = s.Run(ctx, "@cf/openai/whisper", []byte(`{"audio":[1,2,3,4]}`))
	if err != nil || string(res.JSON) != `{"text":"heard 4 bytes with whisper-1","word_count":5}` {
		t.Errorf("whisper: %s %v", res.JSON, err)
	}
	snap := s.Usage().Snapshot()
	if len(snap) != 2 || snap[0].Requests != 1 || snap[1].Requests != 2 || snap[1].Errors != 1 {
		t.Errorf("usage %+v", snap)
	}
}

func TestServiceStream(t *testing.T) {
	fs := &aitest.Server{}
	cfg := &ai.Config{}
	cfg.Apply(ai.Flags{OpenAIURL: fakeServer(t, fs)})
	s := newService(t, cfg, nil)
	res, err := s.Run(context.Background(), "@cf/meta/llama-2-7b-chat-int8", []byte(`{"prompt":"a b c","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Stream.Close()
	sc := bufio.NewScanner(res.Stream)
	var text strings.Builder
	var events []string
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		events = append(events, line)
		if line == "data: [DONE]" {
			break
		}
		var ev struct {
			Response string `json:"response"`
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev); err != nil {
			t.Fatalf("event %q: %v", line, err)
		}
		text.WriteString(ev.Response)
	}
	if text.String() != aitest.Reply("a b c") || events[0] != `data: {"response":"Echo:"}` || events[len(events)-1] != "data: [DONE]" {
		t.Errorf("events %q", events)
	}
	if !strings.Contains(events[len(events)-2], `"usage"`) {
		t.Errorf("last event before [DONE] carries no usage: %q", events[len(events)-2])
	}
}

func TestUsagePersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ai", "usage.json")
	u, err := ai.OpenUsage(path)
	if err != nil {
		t.Fatal(err)
	}
	u.Record("@cf/a", 10, 5, 20*time.Millisecond, false)
	u.Record("@cf/a", 1, 1, 10*time.Millisecond, true)
	u.Record("@cf/b", 3, 0, time.Millisecond, false)
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	u2, err := ai.OpenUsage(path)
	if err != nil {
		t.Fatal(err)
	}
	snap := u2.Snapshot()
	if len(snap) != 2 || snap[0].Model != "@cf/a" || snap[0].Requests != 2 || snap[0].Errors != 1 || snap[0].InputTokens != 11 || snap[0].OutputTokens != 6 || snap[0].Millis != 30 {
		t.Errorf("snapshot %+v", snap)
	}
	os.WriteFile(path, []byte("{bad"), 0o644)
	if _, err := ai.OpenUsage(path); err == nil || !strings.Contains(err.Error(), "move it away") {
		t.Errorf("damaged file: %v", err)
	}
}

func TestPull(t *testing.T) {
	data := make([]byte, 300_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	var ranges []string
	var cut atomic.Bool
	cut.Store(true)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ranges = append(ranges, r.Header.Get("Range"))
		if cut.Load() {
			// First try: send half, then drop the connection.
			w.Header().Set("Content-Length", "300000")
			w.Write(data[:150_000])
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Close()
			return
		}
		http.ServeContent(w, r, "m.gguf", time.Time{}, strings.NewReader(string(data)))
	}))
	defer hs.Close()
	dir := t.TempDir()
	_, err := ai.Pull(context.Background(), hs.URL+"/models/m.gguf", ai.PullOptions{Dir: dir, SHA256: digest})
	if err == nil || !strings.Contains(err.Error(), "again to resume") {
		t.Fatalf("interrupted pull: %v", err)
	}
	cut.Store(false)
	p, err := ai.Pull(context.Background(), hs.URL+"/models/m.gguf", ai.PullOptions{Dir: dir, SHA256: digest})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if filepath.Base(p) != "m.gguf" || string(got) != string(data) {
		t.Errorf("pulled %s: %d bytes", p, len(got))
	}
	if len(ranges) != 2 || ranges[1] == "" || !strings.HasPrefix(ranges[1], "bytes=") {
		t.Errorf("ranges %q: the second request should resume", ranges)
	}
	// Present with the right digest: no request at all.
	if _, err := ai.Pull(context.Background(), hs.URL+"/models/m.gguf", ai.PullOptions{Dir: dir, SHA256: digest}); err != nil || len(ranges) != 2 {
		t.Errorf("re-pull: %v, %d requests", err, len(ranges))
	}
	// A wrong digest fails and removes the download.
	_, err = ai.Pull(context.Background(), hs.URL+"/models/m.gguf", ai.PullOptions{Dir: dir, Name: "other.gguf", SHA256: strings.Repeat("0", 64)})
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("bad digest: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.gguf.part")); !os.IsNotExist(err) {
		t.Error("partial file kept after a checksum mismatch")
	}
}

func TestGGUFFlagPath(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(dir)
	os.WriteFile("here.gguf", []byte("x"), 0o644)
	c := &ai.Config{}
	c.Apply(ai.Flags{GGUF: "here.gguf"})
	if got := c.Providers["llama"].Model; got != filepath.Join(dir, "here.gguf") {
		t.Errorf("existing file: %q", got)
	}
	c.Apply(ai.Flags{GGUF: "elsewhere"})
	if got := ai.ModelPath(c.Providers["llama"].Model, "/models"); got != "/models/elsewhere.gguf" {
		t.Errorf("bare name: %q", got)
	}
}

// TestStreamCloseCancels checks that closing a stream (a client that went
// away) cancels the request to the provider's server.
func TestStreamCloseCancels(t *testing.T) {
	gone := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"choices\":[{\"delta\":{\"content\":\"first\"}}]}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
		close(gone)
	}))
	defer hs.Close()
	cfg := &ai.Config{}
	cfg.Apply(ai.Flags{OpenAIURL: hs.URL})
	s := newService(t, cfg, nil)
	res, err := s.Run(context.Background(), "@cf/meta/llama-3.1-8b-instruct", []byte(`{"prompt":"x","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	n, err := res.Stream.Read(buf)
	if err != nil || string(buf[:n]) != "data: {\"response\":\"first\"}\n\n" {
		t.Fatalf("first read %q %v", buf[:n], err)
	}
	res.Stream.Close()
	select {
	case <-gone:
	case <-time.After(30 * time.Second):
		t.Fatal("the provider's request was not cancelled after the stream closed")
	}
}
