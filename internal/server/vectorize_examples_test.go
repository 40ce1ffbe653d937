package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/vectorize"
	"github.com/zerostack/zerostack/internal/worker"
)

// testEmbedderScript is a TEST-ONLY stand-in for Workers AI, so that the
// Vectorize examples' results do not depend on a model being installed:
// env.AI.run serves embedding models with a deterministic bag-of-words
// hash embedding (768 dimensions, like @cf/baai/bge-base-en-v1.5: texts
// that share words are close) and text generation with an echo of the
// prompt's context. It is never installed outside these tests.
const testEmbedderScript = `(() => {
const { registerBinding } = globalThis.__zs_internal;
function embed(text) {
  const v = new Array(768).fill(0);
  const words = String(text).toLowerCase().match(/[a-z0-9]+/g) || [];
  for (const w of words) {
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) { h ^= w.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    for (let k = 0; k < 3; k++) {
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
      v[h % 768] += (h & 0x80000000) ? -1 : 1;
    }
  }
  if (words.length === 0) v[0] = 1;
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map(x => x / n);
}
class TestAI {
  async run(model, inputs) {
    if (/bge|embedding/.test(model)) {
      const texts = Array.isArray(inputs.text) ? inputs.text : [inputs.text];
      return { shape: [texts.length, 768], data: texts.map(embed) };
    }
    const prompt = String(inputs.prompt ?? JSON.stringify(inputs.messages ?? ""));
    const ctx = prompt.split("Context:")[1] ?? prompt;
    return { response: "test-llm: " + ctx.trim().split("\n")[0] };
  }
}
registerBinding("zerostack_test_embedder", () => new TestAI());
})();`

// startVectorizeExample serves examples/vectorize-search with its real
// local state (Vectorize, D1 with migrations applied, KV) and, in place of
// Workers AI, the test embedder above: the example's [ai] binding is
// served by that test extension.
func startVectorizeExample(t *testing.T) (string, *State) {
	t.Helper()
	cfg, _, err := config.Load(filepath.Join(examplesDir(t), "vectorize-search"), "")
	if err != nil {
		t.Fatal(err)
	}
	aiName := cfg.AI.Binding
	cfg.AI = nil // served by the test extension instead
	st, err := OpenState(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	for _, b := range cfg.D1Databases {
		info, err := st.EnsureD1(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		db, err := st.D1().Open(ctx, info.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d1.ApplyMigrations(ctx, db, b.MigrationsDir, b.MigrationsTable); err != nil {
			t.Fatal(err)
		}
	}
	bundle, err := worker.MakeBundle(worker.BundleOptions{Entry: cfg.Main, Dir: cfg.Dir})
	if err != nil {
		t.Fatal(err)
	}
	bindings, err := st.Bindings(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	bindings = append(bindings, worker.Binding{Name: aiName, Type: "zerostack_test_embedder", Config: map[string]string{}})
	exts := append(st.Extensions(), worker.Extension{Name: "test-embedder", Script: testEmbedderScript})
	w, err := worker.New(worker.Config{
		Name: cfg.Name, Bundle: bundle, Dev: true, Isolates: 2,
		Extensions: exts, Bindings: bindings,
		Console: func(level, msg string) { t.Log(level, msg) },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(func() {
		srv.Close()
		w.Close()
	})
	return srv.URL, st
}

func vzDecode(t *testing.T, r response, v any) {
	t.Helper()
	if r.status/100 != 2 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
}

// TestExampleVectorizeQuickStart runs the guide's quick start (L4249-4290):
// embed, insert with metadata, query with a metadata filter, return the
// matches' metadata (read without returnMetadata, served by
// return_metadata_default = "all").
func TestExampleVectorizeQuickStart(t *testing.T) {
	url, st := startVectorizeExample(t)
	var out struct {
		Query   string           `json:"query"`
		Results []map[string]any `json:"results"`
	}
	for range 2 { // the second insert of doc-1 keeps the first
		vzDecode(t, do(t, "GET", url+"/quickstart", "", nil), &out)
	}
	if out.Query != "What is the best laptop for programming?" || len(out.Results) != 1 {
		t.Fatalf("quickstart: %+v", out)
	}
	r := out.Results[0]
	if r["title"] != "Best Programming Laptops 2024" || r["category"] != "technology" || r["url"] != "/blog/best-laptops-2024" {
		t.Fatalf("metadata not returned: %+v", r)
	}
	if s, _ := r["score"].(float64); s < 0.9999 || s > 1.0001 {
		t.Fatalf("cosine score of the same embedding: %v", r["score"])
	}
	// The index was created on the first insert with the embedding's shape.
	vs, err := st.Vectorize()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := vs.GetIndex(context.Background(), "my-index")
	if err != nil || ix.Config.Dimensions != 768 || ix.Config.Metric != vectorize.Cosine {
		t.Fatalf("index: %+v %v", ix, err)
	}
	if info, _ := vs.Describe(context.Background(), "my-index"); info.VectorCount != 1 {
		t.Fatalf("vector count %d", info.VectorCount)
	}
}

// TestExampleDocumentSearch indexes documents in chunks (Vectorize + D1)
// and searches them, with and without a metadata filter.
func TestExampleDocumentSearch(t *testing.T) {
	url, st := startVectorizeExample(t)
	docs := []map[string]any{
		{"id": "rust", "title": "Rust ownership", "content": strings.Repeat("Rust ownership rules prevent data races at compile time. The borrow checker enforces one mutable reference. ", 8), "metadata": map[string]any{"category": "programming"}},
		{"id": "bread", "title": "Sourdough bread", "content": "Sourdough bread needs a starter of flour and water. Bake the loaf in a hot oven until the crust is dark.", "metadata": map[string]any{"category": "cooking"}},
		{"id": "go", "title": "Go concurrency", "content": "Go goroutines and channels make concurrency simple. A channel passes values between goroutines.", "metadata": map[string]any{"category": "programming"}},
	}
	for _, d := range docs {
		b, _ := json.Marshal(d)
		if r := do(t, "POST", url+"/documents", string(b), nil); r.status != 201 {
			t.Fatalf("index %s: %d %s", d["id"], r.status, r.body)
		}
	}
	var hits []struct {
		DocID    string         `json:"docId"`
		Title    string         `json:"title"`
		Score    float64        `json:"score"`
		Excerpt  string         `json:"excerpt"`
		Metadata map[string]any `json:"metadata"`
	}
	vzDecode(t, do(t, "GET", url+"/documents/search?q=bake+sourdough+bread+in+the+oven&limit=3", "", nil), &hits)
	if len(hits) == 0 || hits[0].DocID != "bread" || hits[0].Title != "Sourdough bread" || !strings.Contains(strings.ToLower(hits[0].Excerpt), "oven") {
		t.Fatalf("search: %+v", hits)
	}
	if hits[0].Metadata["category"] != "cooking" || hits[0].Metadata["chunkIndex"] != 0.0 {
		t.Fatalf("chunk metadata: %+v", hits[0].Metadata)
	}
	// The long document was split into several chunks, one vector each;
	// a search returns each document once, best chunk first.
	vs, _ := st.Vectorize()
	if info, _ := vs.Describe(context.Background(), "documents"); info.VectorCount < 4 {
		t.Fatalf("expected several chunks, vectorCount %d", info.VectorCount)
	}
	vzDecode(t, do(t, "GET", url+"/documents/search?q=goroutines+channels+ownership&limit=10&category=programming", "", nil), &hits)
	seen := map[string]bool{}
	for _, h := range hits {
		if h.Metadata["category"] != "programming" || seen[h.DocID] {
			t.Fatalf("filtered search: %+v", hits)
		}
		seen[h.DocID] = true
	}
	if !seen["go"] || !seen["rust"] {
		t.Fatalf("filtered search missed documents: %+v", hits)
	}
	// The documents are in D1 too.
	info, err := st.EnsureD1(context.Background(), config.D1Database{Binding: "DB", DatabaseName: "vectorize-search"})
	if err != nil {
		t.Fatal(err)
	}
	db, _ := st.D1().Open(context.Background(), info.UUID)
	res, err := db.Exec(context.Background(), d1.Statement{SQL: "SELECT count(*) AS n FROM documents"})
	if err != nil || fmt.Sprint(res.Rows) != "[[3]]" {
		t.Fatalf("documents rows: %v %v", res.Rows, err)
	}
}

// TestExampleRecommendationEngine indexes products, finds similar ones
// (getByIds, then a query with $gte/$lte and category filters) and
// personal recommendations from a KV history (getByIds of several ids, a
// weighted average vector and a $nin filter).
func TestExampleRecommendationEngine(t *testing.T) {
	url, _ := startVectorizeExample(t)
	products := []map[string]any{
		{"id": "p1", "name": "Trail running shoes", "description": "Light running shoes for trail running", "category": "shoes", "price": 120, "attributes": map[string]any{"color": "red"}},
		{"id": "p2", "name": "Road running shoes", "description": "Cushioned running shoes for road running", "category": "shoes", "price": 90, "attributes": map[string]any{"color": "blue"}},
		{"id": "p3", "name": "Running socks", "description": "Breathable socks for running", "category": "apparel", "price": 15, "attributes": map[string]any{"color": "white"}},
		{"id": "p4", "name": "Cast iron pan", "description": "Heavy pan for cooking steak", "category": "kitchen", "price": 45, "attributes": map[string]any{"color": "black"}},
		{"id": "p5", "name": "Hiking boots", "description": "Waterproof boots for hiking trails", "category": "shoes", "price": 200, "attributes": map[string]any{"color": "brown"}},
	}
	for _, p := range products {
		b, _ := json.Marshal(p)
		if r := do(t, "POST", url+"/products", string(b), nil); r.status != 201 {
			t.Fatalf("index %s: %d %s", p["id"], r.status, r.body)
		}
	}
	type rec struct {
		ID    string  `json:"id"`
		Name  string  `json:"name"`
		Score float64 `json:"score"`
		Price float64 `json:"price"`
	}
	var similar []rec
	vzDecode(t, do(t, "GET", url+"/products/p1/similar?limit=2", "", nil), &similar)
	if len(similar) != 2 || similar[0].ID != "p2" || similar[0].Name != "Road running shoes" || similar[0].Price != 90 {
		t.Fatalf("similar: %+v", similar)
	}
	for _, s := range similar {
		if s.ID == "p1" {
			t.Fatal("the product itself was returned")
		}
	}
	vzDecode(t, do(t, "GET", url+"/products/p1/similar?limit=5&min=50&max=150&category=shoes", "", nil), &similar)
	if len(similar) != 1 || similar[0].ID != "p2" {
		t.Fatalf("similar with price range and category: %+v", similar)
	}
	if r := do(t, "GET", url+"/products/nope/similar", "", nil); r.status != 500 || !strings.Contains(r.body, "Product not found") {
		t.Fatalf("unknown product: %d %s", r.status, r.body)
	}
	// A new user gets the popular list (empty in the guide's code).
	var recs []map[string]any
	vzDecode(t, do(t, "GET", url+"/users/u1/recommendations", "", nil), &recs)
	if len(recs) != 0 {
		t.Fatalf("new user: %+v", recs)
	}
	now := 1_700_000_000_000.0
	hist := fmt.Sprintf(`[{"productId":"p1","interaction":"purchase","timestamp":%v},{"productId":"p3","interaction":"view","timestamp":%v}]`, now, now)
	if r := do(t, "PUT", url+"/users/u1/history", hist, nil); r.status != 204 {
		t.Fatalf("history: %d %s", r.status, r.body)
	}
	vzDecode(t, do(t, "GET", url+"/users/u1/recommendations?limit=3", "", nil), &recs)
	// The $nin filter is on a metadata property "id" that the products'
	// metadata does not have: as on Cloudflare, filters see metadata only,
	// so nothing is excluded (a missing property is not in any list).
	if len(recs) != 3 || recs[0]["id"] != "p1" {
		t.Fatalf("recommendations: %+v", recs)
	}
	if md, _ := recs[0]["metadata"].(map[string]any); md["name"] != "Trail running shoes" {
		t.Fatalf("recommendation metadata: %+v", recs[0])
	}
}

// TestExampleQuestionAnswering indexes FAQs (random UUID ids) and answers a
// question from the best matches (filter type=faq), caching the answer in
// KV.
func TestExampleQuestionAnswering(t *testing.T) {
	url, st := startVectorizeExample(t)
	faqs := []map[string]string{
		{"question": "How do I reset my password?", "answer": "Open settings, choose security and press reset password.", "category": "account", "url": "/faq/password"},
		{"question": "What payment methods do you accept?", "answer": "We accept credit cards and bank transfers.", "category": "billing", "url": "/faq/payment"},
		{"question": "How do I delete my account?", "answer": "Write to support and we delete the account within a week.", "category": "account", "url": "/faq/delete"},
	}
	for _, f := range faqs {
		b, _ := json.Marshal(f)
		if r := do(t, "POST", url+"/faq", string(b), nil); r.status != 201 {
			t.Fatalf("index faq: %d %s", r.status, r.body)
		}
	}
	var ans struct {
		Answer  string `json:"answer"`
		Sources []struct {
			Title     string  `json:"title"`
			URL       string  `json:"url"`
			Relevance float64 `json:"relevance"`
		} `json:"sources"`
		Confidence float64 `json:"confidence"`
	}
	vzDecode(t, do(t, "GET", url+"/answer?q=how+do+I+reset+my+password", "", nil), &ans)
	if len(ans.Sources) != 3 || ans.Sources[0].Title != "How do I reset my password?" || ans.Sources[0].URL != "/faq/password" {
		t.Fatalf("sources: %+v", ans.Sources)
	}
	if !strings.Contains(ans.Answer, "reset password") {
		t.Fatalf("answer built from the best match's text: %q", ans.Answer)
	}
	if ans.Confidence <= 0 || ans.Confidence > 95 || ans.Sources[0].Relevance < ans.Sources[1].Relevance {
		t.Fatalf("confidence %v, relevances %+v", ans.Confidence, ans.Sources)
	}
	// The same question again comes from the KV cache (same answer).
	first := ans
	vzDecode(t, do(t, "GET", url+"/answer?q=how+do+I+reset+my+password", "", nil), &ans)
	if ans.Answer != first.Answer || ans.Confidence != first.Confidence {
		t.Fatalf("cached answer differs: %+v", ans)
	}
	// indexFAQ gives each vector a crypto.randomUUID() id.
	vs, _ := st.Vectorize()
	res, err := vs.Query(context.Background(), "faq", vectorize.Query{Vector: make([]float32, 768), TopK: 10})
	if err != nil || res.Count != 3 {
		t.Fatalf("faq index: %+v %v", res, err)
	}
	for _, m := range res.Matches {
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(m.ID) {
			t.Fatalf("FAQ id %q is not a random UUID", m.ID)
		}
	}
}
