package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/ai"
	"github.com/zerostack/zerostack/internal/ai/aitest"
	"github.com/zerostack/zerostack/internal/ai/gguf"
)

// startAI serves dir (an example or a temporary project) with Workers AI
// text generation from fs, an OpenAI-compatible server this test started.
func startAI(t *testing.T, dir string, fs *aitest.Server) (*Dev, *strings.Builder) {
	t.Helper()
	hs := httptest.NewServer(fs)
	t.Cleanup(hs.Close)
	var mu sync.Mutex
	var console strings.Builder
	d, err := StartDev(DevOptions{
		Path:      dir,
		IP:        "127.0.0.1",
		Port:      -1,
		Isolates:  1,
		PersistTo: t.TempDir(),
		AI:        AIFlags{OpenAIURL: hs.URL + "/v1", Provider: "openai"},
		Console: func(level, msg string) {
			mu.Lock()
			console.WriteString(level + ": " + msg + "\n")
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatalf("start %s: %v", dir, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.Shutdown(ctx)
		if t.Failed() {
			mu.Lock()
			t.Logf("console:\n%s", console.String())
			mu.Unlock()
		}
	})
	return d, &console
}

func TestExampleAIHaiku(t *testing.T) {
	fs := &aitest.Server{}
	d, _ := startAI(t, filepath.Join(examplesDir(t), "ai-haiku"), fs)
	r := do(t, "GET", d.URL()+"/", "", nil)
	m := decodeJSON(t, r.body)
	if r.status != 200 || m["haiku"] != aitest.Reply("Write a haiku about cloudflare") {
		t.Fatalf("got %d %q", r.status, r.body)
	}
	req := fs.Requests()[0]
	msgs, _ := req["messages"].([]any)
	if req["max_tokens"] != 100.0 || req["model"] != "@cf/meta/llama-2-7b-chat-int8" || len(msgs) != 1 {
		t.Errorf("provider got %v", req)
	}
	// Usage is counted per model and lands in the state directory.
	if err := d.State().AI().Usage().Flush(); err != nil {
		t.Fatal(err)
	}
	u, err := ai.OpenUsage(filepath.Join(d.State().Dir(), "ai", ai.UsageFile))
	if err != nil {
		t.Fatal(err)
	}
	snap := u.Snapshot()
	if len(snap) != 1 || snap[0].Model != "@cf/meta/llama-2-7b-chat-int8" || snap[0].Requests != 1 || snap[0].OutputTokens == 0 {
		t.Errorf("usage %+v", snap)
	}
}

func TestExampleAIChatbot(t *testing.T) {
	fs := &aitest.Server{}
	d, _ := startAI(t, filepath.Join(examplesDir(t), "ai-chatbot"), fs)
	chat := func(msg string) map[string]any {
		b, _ := json.Marshal(map[string]any{"sessionId": "s1", "message": msg, "options": map[string]any{"temperature": 0.2}})
		r := do(t, "POST", d.URL()+"/chat", string(b), nil)
		if r.status != 200 {
			t.Fatalf("chat: %d %q", r.status, r.body)
		}
		return decodeJSON(t, r.body)
	}
	first := chat("My name is Ada")
	if first["response"] != aitest.Reply("Human: My name is Ada\n\nAssistant:") {
		t.Errorf("first answer %v", first)
	}
	if u, ok := first["usage"].(map[string]any); !ok || u["totalTokens"].(float64) <= 0 {
		t.Errorf("usage %v", first["usage"])
	}
	chat("What is my name?")
	// The second prompt carries the history the first call saved in KV.
	reqs := fs.Requests()
	prompt := reqs[1]["messages"].([]any)[0].(map[string]any)["content"].(string)
	for _, want := range []string{"System: You are a helpful AI assistant.", "Human: My name is Ada", "Assistant: " + first["response"].(string), "Human: What is my name?"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("second prompt lacks %q:\n%s", want, prompt)
		}
	}
	if reqs[1]["temperature"] != 0.2 || reqs[1]["max_tokens"] != 500.0 {
		t.Errorf("options not passed: %v", reqs[1])
	}
	if r := do(t, "GET", d.URL()+"/", "", nil); r.body != "Chat API" {
		t.Errorf("GET / = %q", r.body)
	}
}

func TestExampleAIStreaming(t *testing.T) {
	gate := make(chan struct{})
	fs := &aitest.Server{Gate: gate}
	d, _ := startAI(t, filepath.Join(examplesDir(t), "ai-streaming"), fs)
	resp, err := http.Post(d.URL()+"/stream", "application/json", strings.NewReader(`{"prompt":"tell me about streams"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, ct)
	}
	br := bufio.NewReader(resp.Body)
	// The provider is held after its first word until the gate opens: the
	// first event arriving now proves nothing on the way buffers the stream.
	first, err := br.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if first != "data: {\"text\":\"Echo:\"}\n" {
		t.Fatalf("first event %q", first)
	}
	close(gate)
	rest, err := readAll(br)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	text.WriteString("Echo:")
	events := strings.Split(strings.TrimSpace(rest), "\n\n")
	if events[len(events)-1] != "data: [DONE]" {
		t.Fatalf("last event %q", events[len(events)-1])
	}
	for _, ev := range events[:len(events)-1] {
		var m struct{ Text string }
		if err := json.Unmarshal([]byte(strings.TrimPrefix(strings.TrimSpace(ev), "data: ")), &m); err != nil {
			t.Fatalf("event %q: %v", ev, err)
		}
		text.WriteString(m.Text)
	}
	if text.String() != aitest.Reply("tell me about streams") {
		t.Errorf("streamed text %q", text.String())
	}
}

func readAll(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	_, err := br.WriteTo(&sb)
	return sb.String(), err
}

func TestExampleAIRouter(t *testing.T) {
	fs := &aitest.Server{}
	d, _ := startAI(t, filepath.Join(examplesDir(t), "ai-router"), fs)
	cases := []struct{ task, model string }{
		{`{"type":"code","complexity":"low","responseLength":10}`, "@cf/microsoft/phi-2"},
		{`{"type":"creative","complexity":"low","responseLength":10}`, "@cf/meta/llama-2-7b-chat-int8"},
		{`{"type":"analysis","complexity":"high","responseLength":10}`, "@cf/mistral/mistral-7b-instruct-v0.1"},
	}
	for i, c := range cases {
		r := do(t, "POST", d.URL()+"/route", `{"task":`+c.task+`,"prompt":"sort a list"}`, nil)
		m := decodeJSON(t, r.body)
		if r.status != 200 || m["model"] != c.model || m["response"] != aitest.Reply("sort a list") {
			t.Errorf("%s: %d %v", c.task, r.status, m)
		}
		if got := fs.Requests()[i]["model"]; got != c.model {
			t.Errorf("provider asked for %v, want %s", got, c.model)
		}
	}
	// AIOptimizer: the second call with the same cache key comes from KV.
	body := `{"prompt":"  hello   there  ","maxTokens":900,"cacheKey":"greeting"}`
	r1 := decodeJSON(t, do(t, "POST", d.URL()+"/optimized", body, nil).body)
	n := len(fs.Requests())
	r2 := decodeJSON(t, do(t, "POST", d.URL()+"/optimized", body, nil).body)
	if r1["response"] != aitest.Reply("hello there") || r2["response"] != r1["response"] || len(fs.Requests()) != n {
		t.Errorf("optimized: %v then %v, %d provider requests", r1, r2, len(fs.Requests()))
	}
	last := fs.Requests()[n-1]
	if last["model"] != "@cf/microsoft/phi-2" || last["max_tokens"] != 500.0 || last["temperature"] != 0.7 {
		t.Errorf("optimized request %v", last)
	}
}

// fakeEncoder stands in for the embedded model in binding tests: a bag of
// hashed words (the real model is tested in package ai/use and below).
type fakeEncoder struct{}

func (fakeEncoder) Embed(texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = aitest.Embedding(t, 32)
	}
	return out, nil
}

// TestAIBinding drives env.AI's surface from a worker: errors, models(),
// embeddings, classification, streams read in JavaScript and tool calls.
func TestAIBinding(t *testing.T) {
	old := loadEncoder
	loadEncoder = func() (ai.SentenceEncoder, error) { return fakeEncoder{}, nil }
	t.Cleanup(func() { loadEncoder = old })
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("name = \"ai-binding\"\nmain = \"index.js\"\n[ai]\nbinding = \"AI\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "index.js"), []byte(`
async function caught(p) {
  try { await p; return "no error"; } catch (e) { return e.name + ": " + e.message; }
}
export default {
  async fetch(request, env) {
    const out = {};
    out.unknown = await caught(env.AI.run("@cf/nope/nope", { prompt: "x" }));
    out.badInput = await caught(env.AI.run("@cf/meta/llama-3.1-8b-instruct", { prompt: 3 }));
    out.noInputs = await caught(env.AI.run("@cf/meta/llama-3.1-8b-instruct"));
    out.image = await caught(env.AI.run("@cf/stabilityai/stable-diffusion-xl-base-1.0", { prompt: "a cat" }));
    const models = await env.AI.models({ task: "Text Embeddings" });
    out.models = models.map((m) => m.id).sort();
    out.modelShape = Object.keys(models[0]).sort();
    const emb = await env.AI.run("@cf/baai/bge-base-en-v1.5", { text: ["the cat sat", "a dog ran"] });
    out.shape = emb.shape;
    out.rows = emb.data.length;
    out.sentiment = await env.AI.run("@cf/huggingface/distilbert-sst-2-int8", { text: "I love it, it is wonderful and great" });
    const stream = await env.AI.run("@cf/meta/llama-3.1-8b-instruct", { messages: [{ role: "user", content: "count one two" }], stream: true });
    out.isStream = stream instanceof ReadableStream;
    out.sse = await new Response(stream).text();
    const tools = await env.AI.run("@cf/meta/llama-3.1-8b-instruct", {
      messages: [{ role: "user", content: "weather in Paris" }],
      tools: [{ name: "get_weather", description: "weather", parameters: { type: "object", properties: {} } }],
    });
    out.toolCalls = tools.tool_calls;
    out.toString = Object.prototype.toString.call(env.AI);
    return Response.json(out);
  },
};
`), 0o644)
	d, _ := startAI(t, dir, &aitest.Server{ToolCall: "get_weather"})
	r := do(t, "GET", d.URL()+"/", "", nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var out struct {
		Unknown, BadInput, NoInputs, Image string
		Models, ModelShape                 []string
		Shape                              []int
		Rows                               int
		Sentiment                          []ai.LabelScore
		IsStream                           bool
		SSE                                string
		ToolCalls                          []map[string]any
		ToString                           string
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	checks := []struct{ got, want string }{
		{out.Unknown, "InferenceUpstreamError: 5007: No such model @cf/nope/nope or task"},
		{out.BadInput, "InferenceUpstreamError: 5006: Error: Type mismatch of '/prompt', 'integer' not in 'string'"},
		{out.NoInputs, "InferenceUpstreamError: 5006: Error: Type mismatch of '/', 'undefined' not in 'object'"},
		{out.Image, "InferenceUpstreamError: 5007: No such model @cf/stabilityai/stable-diffusion-xl-base-1.0 or task (zerostack: zerostack has no local Text-to-Image model"},
	}
	for _, c := range checks {
		if !strings.HasPrefix(c.got, c.want) {
			t.Errorf("got %q, want prefix %q", c.got, c.want)
		}
	}
	if strings.Join(out.Models, ",") != "@cf/baai/bge-base-en-v1.5,@cf/baai/bge-large-en-v1.5,@cf/baai/bge-m3,@cf/baai/bge-small-en-v1.5" ||
		strings.Join(out.ModelShape, ",") != "description,id,name,properties,source,tags,task" {
		t.Errorf("models %v %v", out.Models, out.ModelShape)
	}
	if len(out.Shape) != 2 || out.Shape[0] != 2 || out.Shape[1] != 32 || out.Rows != 2 {
		t.Errorf("embeddings shape %v rows %d", out.Shape, out.Rows)
	}
	if len(out.Sentiment) != 2 || out.Sentiment[0].Label != "NEGATIVE" || out.Sentiment[1].Score < 0.5 {
		t.Errorf("sentiment %+v", out.Sentiment)
	}
	want := "data: {\"response\":\"Echo:\"}\n\ndata: {\"response\":\" count\"}\n\ndata: {\"response\":\" one\"}\n\ndata: {\"response\":\" two.\"}\n\n"
	if !out.IsStream || !strings.HasPrefix(out.SSE, want) || !strings.HasSuffix(out.SSE, "data: [DONE]\n\n") || !strings.Contains(out.SSE, `"usage":{"prompt_tokens":3`) {
		t.Errorf("stream %v %q", out.IsStream, out.SSE)
	}
	if len(out.ToolCalls) != 1 || out.ToolCalls[0]["name"] != "get_weather" {
		t.Errorf("tool calls %v", out.ToolCalls)
	}
	if out.ToString != "[object Ai]" {
		t.Errorf("toString %q", out.ToString)
	}
}

// TestAIEmbeddedModel runs the real embedded encoder (installed by `make
// deps`) through env.AI: paraphrases score higher than unrelated
// sentences, and sentiment comes out right by nearest centroid.
func TestAIEmbeddedModel(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("name = \"ai-embedded\"\nmain = \"index.js\"\n[ai]\nbinding = \"AI\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "index.js"), []byte(`
function cos(a, b) {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return d / Math.sqrt(na * nb);
}
export default {
  async fetch(request, env) {
    const { data, shape } = await env.AI.run("@cf/baai/bge-base-en-v1.5", { text: [
      "How do I reset my password?",
      "I forgot my password and need to change it.",
      "The weather in Paris is sunny today.",
      "What is the best way to cook pasta?",
    ] });
    const pos = await env.AI.run("@cf/huggingface/distilbert-sst-2-int8", { text: "I absolutely loved this movie, the acting was superb and I would watch it again." });
    const neg = await env.AI.run("@cf/huggingface/distilbert-sst-2-int8", { text: "This was a horrible waste of time, boring and badly made." });
    return Response.json({ shape, paraphrase: cos(data[0], data[1]), unrelated: [cos(data[0], data[2]), cos(data[0], data[3])], pos, neg });
  },
};
`), 0o644)
	d, _ := startAI(t, dir, &aitest.Server{})
	r := do(t, "GET", d.URL()+"/", "", nil)
	if r.status != 200 {
		t.Fatalf("%d %s (is the model installed? run make deps)", r.status, r.body)
	}
	var out struct {
		Shape      []int
		Paraphrase float64
		Unrelated  []float64
		Pos, Neg   []ai.LabelScore
	}
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Shape) != 2 || out.Shape[0] != 4 || out.Shape[1] != 512 {
		t.Errorf("shape %v, want [4 512]", out.Shape)
	}
	for _, u := range out.Unrelated {
		if out.Paraphrase <= u+0.1 {
			t.Errorf("paraphrase similarity %.3f not clearly above unrelated %.3f", out.Paraphrase, u)
		}
	}
	if len(out.Pos) != 2 || out.Pos[1].Label != "POSITIVE" || out.Pos[1].Score <= 0.5 || out.Neg[0].Label != "NEGATIVE" || out.Neg[0].Score <= 0.5 {
		t.Errorf("sentiment: positive text %+v, negative text %+v", out.Pos, out.Neg)
	}
	t.Logf("paraphrase %.3f, unrelated %.3f; sentiment %+v / %+v", out.Paraphrase, out.Unrelated, out.Pos, out.Neg)
}

// TestExampleRAGWithWorkersAI runs the guide's question answering over
// Vectorize (examples/vectorize-search, L4786-4889) with the real env.AI:
// embeddings from the embedded encoder, answers from a test-started
// OpenAI-compatible server. A paraphrased question finds the right FAQ.
func TestExampleRAGWithWorkersAI(t *testing.T) {
	fs := &aitest.Server{}
	d, _ := startAI(t, filepath.Join(examplesDir(t), "vectorize-search"), fs)
	faqs := []map[string]string{
		{"question": "How do I reset my password?", "answer": "Open settings, choose security and press reset password.", "category": "account", "url": "/faq/password"},
		{"question": "What payment methods do you accept?", "answer": "We accept credit cards and bank transfers.", "category": "billing", "url": "/faq/payment"},
		{"question": "How do I delete my account?", "answer": "Write to support and we delete the account within a week.", "category": "account", "url": "/faq/delete"},
	}
	for _, f := range faqs {
		b, _ := json.Marshal(f)
		if r := do(t, "POST", d.URL()+"/faq", string(b), nil); r.status != 201 {
			t.Fatalf("index faq: %d %s", r.status, r.body)
		}
	}
	r := do(t, "GET", d.URL()+"/answer?q=I+forgot+my+password.+Where+can+I+change+it%3F", "", nil)
	var ans struct {
		Answer  string
		Sources []struct {
			Title, URL string
			Relevance  float64
		}
		Confidence float64
	}
	if err := json.Unmarshal([]byte(r.body), &ans); err != nil || r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if len(ans.Sources) != 3 || ans.Sources[0].URL != "/faq/password" || ans.Sources[0].Relevance <= ans.Sources[1].Relevance {
		t.Fatalf("sources %+v", ans.Sources)
	}
	reqs := fs.Requests()
	prompt := reqs[len(reqs)-1]["messages"].([]any)[0].(map[string]any)["content"].(string)
	if !strings.Contains(prompt, "Open settings, choose security and press reset password.") || ans.Answer != aitest.Reply(prompt) {
		t.Errorf("prompt %q, answer %q", prompt, ans.Answer)
	}
}

// TestAIConfigErrorStopsDev checks that a bad zerostack.toml stops
// zerostack dev with the file and line of the problem.
func TestAIConfigErrorStopsDev(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("name = \"x\"\nmain = \"index.js\"\n[ai]\nbinding = \"AI\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "index.js"), []byte("export default { fetch() { return new Response('ok') } }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "zerostack.toml"), []byte("[ai]\n\n[ai.providers.local]\ntype = \"openai\"\n"), 0o644)
	_, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, PersistTo: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "zerostack.toml")+":3:") || !strings.Contains(err.Error(), "needs url") {
		t.Fatalf("err = %v", err)
	}
}

// TestAIConfigReload checks that editing zerostack.toml while dev runs
// rebuilds the service with the new routes.
func TestAIConfigReload(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte("name = \"x\"\nmain = \"index.js\"\n[ai]\nbinding = \"AI\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "index.js"), []byte(`export default { async fetch(request, env) {
  try { return Response.json(await env.AI.run("@cf/meta/llama-3.1-8b-instruct", { prompt: "reload works" })); }
  catch (e) { return new Response(e.message, { status: 500 }); }
} }
`), 0o644)
	cfgFile := filepath.Join(dir, "zerostack.toml")
	os.WriteFile(cfgFile, []byte("[ai]\n"), 0o644)
	hs := httptest.NewServer(&aitest.Server{})
	defer hs.Close()
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, PersistTo: t.TempDir(), Watch: true})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Shutdown(context.Background())
	if r := do(t, "GET", d.URL()+"/", "", nil); r.status != 500 || !strings.Contains(r.body, "no provider serves text generation") {
		t.Fatalf("before: %d %s", r.status, r.body)
	}
	os.WriteFile(cfgFile, []byte("[ai.providers.local]\ntype = \"openai\"\nurl = \""+hs.URL+"/v1\"\n"), 0o644)
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(cfgFile, future, future)
	for i := 0; ; i++ {
		r := do(t, "GET", d.URL()+"/", "", nil)
		if r.status == 200 && strings.Contains(r.body, aitest.Reply("reload works")) {
			break
		}
		if i == 200 {
			t.Fatalf("after editing zerostack.toml: %d %s", r.status, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestExampleAIHaikuGGUF serves the haiku example from a tiny GGUF model
// (random weights) with llama.cpp, as `zerostack dev --ai-gguf` does: the
// model runs in a zerostack-llama child process (built here), streamed
// and not.
func TestExampleAIHaikuGGUF(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "zerostack-llama")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/zerostack-llama").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/zerostack-llama: %v\n%s", err, out)
	}
	t.Setenv(ai.EnvLlamaBin, bin)
	model := filepath.Join(dir, "tiny.gguf")
	if err := gguf.TinyLlama(gguf.TinyLlamaOptions{Seed: 3}).WriteFile(model); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "zerostack.toml"), []byte("[ai.providers.llama]\ntype = \"llama\"\nmodel = \""+model+"\"\nthreads = 1\n"), 0o644)
	// The haiku example, with a zerostack.toml that routes to the tiny model.
	proj := filepath.Join(dir, "haiku")
	os.MkdirAll(filepath.Join(proj, "src"), 0o755)
	for _, f := range []string{"wrangler.toml", "src/index.ts"} {
		b, err := os.ReadFile(filepath.Join(examplesDir(t), "ai-haiku", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(proj, f), b, 0o644)
	}
	os.Rename(filepath.Join(dir, "zerostack.toml"), filepath.Join(proj, "zerostack.toml"))
	d, err := StartDev(DevOptions{Path: proj, IP: "127.0.0.1", Port: -1, Isolates: 1, PersistTo: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Shutdown(context.Background())
	r := do(t, "GET", d.URL()+"/", "", nil)
	m := decodeJSON(t, r.body)
	haiku, _ := m["haiku"].(string)
	if r.status != 200 || haiku == "" {
		t.Fatalf("got %d %q", r.status, r.body)
	}
	snap := d.State().AI().Usage().Snapshot()
	if len(snap) != 1 || snap[0].OutputTokens < 1 || snap[0].OutputTokens > 100 || snap[0].InputTokens < 5 {
		t.Errorf("usage %+v (max_tokens is 100)", snap)
	}
	res, err := d.State().AI().Run(context.Background(), "@cf/meta/llama-3.1-8b-instruct", []byte(`{"prompt":"the sky","max_tokens":6,"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	sse, _ := io.ReadAll(res.Stream)
	res.Stream.Close()
	if !strings.HasPrefix(string(sse), `data: {"response":"`) || !strings.HasSuffix(string(sse), "data: [DONE]\n\n") {
		t.Errorf("stream %q", sse)
	}
}
