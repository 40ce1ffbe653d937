package use

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

var (
	loadOnce sync.Once
	shared   *Model
	loadErr  error
)

// model loads the installed model once for all tests; it must be installed (`make deps`).
func model(t testing.TB) *Model {
	t.Helper()
	loadOnce.Do(func() { shared, loadErr = Load(DefaultDir()) })
	if loadErr != nil {
		t.Fatalf("%v", loadErr)
	}
	return shared
}

type goldenText struct {
	Text      string    `json:"text"`
	IDs       []int32   `json:"ids"`
	Embedding []float32 `json:"embedding"`
}

func golden(t testing.TB) []goldenText {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Texts []goldenText `json:"texts"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Texts) < 40 {
		t.Fatalf("golden.json has %d texts", len(doc.Texts))
	}
	return doc.Texts
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

func TestTokensMatchJavaScript(t *testing.T) {
	m := model(t)
	for _, g := range golden(t) {
		got := m.Tokens(g.Text)
		if !slices.Equal(got, g.IDs) && !(len(got) == 0 && len(g.IDs) == 0) {
			t.Errorf("Tokens(%q)\n got %v\nwant %v", g.Text, got, g.IDs)
		}
	}
}

// testdata/tokens.json: 1000 generated texts (vocabulary pieces, whitespace, many scripts,
// emoji) with the ids @energetic-ai/embeddings gives them.
func TestTokensMatchJavaScriptOnGeneratedTexts(t *testing.T) {
	m := model(t)
	b, err := os.ReadFile("testdata/tokens.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Text string  `json:"text"`
		IDs  []int32 `json:"ids"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, c := range cases {
		got := m.Tokens(c.Text)
		if !slices.Equal(got, c.IDs) && !(len(got) == 0 && len(c.IDs) == 0) {
			if bad++; bad <= 10 {
				t.Errorf("Tokens(%q)\n got %v\nwant %v", c.Text, got, c.IDs)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d tokenizations differ", bad, len(cases))
	}
}

func TestEmbeddingsMatchTensorFlowJS(t *testing.T) {
	m := model(t)
	gs := golden(t)
	texts := make([]string, len(gs))
	for i, g := range gs {
		texts[i] = g.Text
	}
	check := func(name string, embs [][]float32) {
		if len(embs) != len(gs) {
			t.Fatalf("%s: %d embeddings for %d texts", name, len(embs), len(gs))
		}
		worst := 1.0
		for i, g := range gs {
			if len(embs[i]) != Dim {
				t.Fatalf("%s: embedding %d has %d floats", name, i, len(embs[i]))
			}
			c := cosine(embs[i], g.Embedding)
			worst = min(worst, c)
			if c < 0.999 {
				t.Errorf("%s: %q: cosine %.6f with TF.js, want >= 0.999", name, g.Text, c)
			}
			var norm float64
			for _, v := range embs[i] {
				norm += float64(v) * float64(v)
			}
			if math.Abs(norm-1) > 1e-4 {
				t.Errorf("%s: %q: |v|² = %f, want 1", name, g.Text, norm)
			}
		}
		t.Logf("%s: worst cosine %.7f", name, worst)
	}
	all, err := m.Embed(texts)
	if err != nil {
		t.Fatal(err)
	}
	check("one batch", all)
	one := make([][]float32, len(texts))
	for i, s := range texts {
		e, err := m.Embed([]string{s})
		if err != nil {
			t.Fatal(err)
		}
		one[i] = e[0]
	}
	check("one at a time", one)
}

func TestSplitByTokens(t *testing.T) {
	mk := func(lens ...int) [][]int32 {
		ids := make([][]int32, len(lens))
		for i, n := range lens {
			ids[i] = make([]int32, n)
		}
		return ids
	}
	for _, c := range []struct {
		lens []int
		g    int
		want []int
	}{
		{[]int{5}, 1, []int{0, 1}},
		{[]int{5, 5}, 2, []int{0, 1, 2}},
		{[]int{5, 5, 5, 5}, 2, []int{0, 2, 4}},
		{[]int{100, 1, 1, 1}, 2, []int{0, 1, 4}},
		{[]int{1, 1, 1, 100}, 2, []int{0, 3, 4}},
		{[]int{0, 0, 0}, 3, []int{0, 1, 2, 3}},
		{[]int{9, 9, 9, 9, 9, 9, 9}, 3, []int{0, 3, 5, 7}},
	} {
		got := splitByTokens(mk(c.lens...), c.g)
		if !slices.Equal(got, c.want) {
			t.Errorf("splitByTokens(%v, %d) = %v, want %v", c.lens, c.g, got, c.want)
		}
	}
}

// Paraphrases must score higher than unrelated sentences: what semantic search relies on.
func TestParaphrasesScoreHigherThanUnrelated(t *testing.T) {
	m := model(t)
	pairs := [][2]string{
		{"How do I reset my password?", "I forgot my password and need to change it."},
		{"What is the weather like today?", "Is it going to rain this afternoon?"},
		{"The cat sat on the mat.", "A kitten was sitting on the rug."},
		{"Stock markets fell sharply after the interest rate announcement.", "Shares dropped when the central bank raised rates."},
		{"Where can I buy a new laptop?", "Best place to purchase a notebook computer?"},
		{"The movie was absolutely wonderful, I enjoyed every minute.", "What a great film, I loved it."},
	}
	var texts []string
	for _, p := range pairs {
		texts = append(texts, p[0], p[1])
	}
	embs, err := m.Embed(texts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range pairs {
		a, b := embs[2*i], embs[2*i+1]
		para := cosine(a, b)
		for j := range pairs {
			if j == i {
				continue
			}
			for _, other := range [][]float32{embs[2*j], embs[2*j+1]} {
				if u := cosine(a, other); u >= para {
					t.Errorf("%q: paraphrase %q scores %.3f, unrelated %q scores %.3f", pairs[i][0], pairs[i][1], para, texts[slices.IndexFunc(embs, func(e []float32) bool { return &e[0] == &other[0] })], u)
				}
			}
		}
		t.Logf("%.3f  %q ~ %q", para, pairs[i][0], pairs[i][1])
	}
}

func TestEmptyAndLongTexts(t *testing.T) {
	m := model(t)
	long := strings.Repeat("zerostack runs workers on your own hardware. ", 60)
	if n := len(m.Tokens(long)); n <= m.MaxTokens() {
		t.Fatalf("the long text has only %d tokens", n)
	}
	embs, err := m.Embed([]string{"", long, "", long[:len(long)/2] + " and something else entirely different at the end"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(embs[0], embs[2]) {
		t.Error("two empty texts embed differently")
	}
	// Only the first MaxTokens tokens count: the long text and a longer one agree.
	more, err := m.Embed([]string{long + long, strings.Repeat(long, 400)})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range more {
		if c := cosine(embs[1], e); c < 0.99999 {
			t.Errorf("text past %d tokens changed the embedding: cosine %f", m.MaxTokens(), c)
		}
	}
	none, err := m.Embed(nil)
	if err != nil || len(none) != 0 {
		t.Errorf("Embed(nil) = %d embeddings, %v", len(none), err)
	}
}

// More tokens than one forward pass takes (chunkTokens) go through in several passes.
func TestManyTexts(t *testing.T) {
	m := model(t)
	texts := make([]string, 300)
	for i := range texts {
		texts[i] = strings.Repeat("word ", 1+i%40) + "number " + string(rune('a'+i%26))
	}
	embs, err := m.Embed(texts)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 77, 299} {
		one, err := m.Embed(texts[i : i+1])
		if err != nil {
			t.Fatal(err)
		}
		if c := cosine(one[0], embs[i]); c < 0.99999 {
			t.Errorf("text %d: cosine %f between alone and in a batch of 300", i, c)
		}
	}
}

func TestEmbedTokensRejectsUnknownIDs(t *testing.T) {
	m := model(t)
	for _, bad := range []int32{-1, 8002, 1 << 30} {
		if _, err := m.EmbedTokens([][]int32{{341}, {5, bad}}); err == nil || !strings.Contains(err.Error(), "outside the vocabulary") {
			t.Errorf("id %d: err = %v", bad, err)
		}
	}
}

func TestConcurrentEmbed(t *testing.T) {
	m := model(t)
	want, err := m.Embed([]string{"concurrency is not parallelism", "share memory by communicating"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				got, err := m.Embed([]string{"concurrency is not parallelism", "share memory by communicating"})
				if err != nil {
					errs <- err.Error()
					return
				}
				for k := range got {
					if c := cosine(got[k], want[k]); c < 0.99999 {
						errs <- "concurrent result differs"
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestLoadErrorsSayWhatToDo(t *testing.T) {
	_, err := Load(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "make deps") || !strings.Contains(err.Error(), EnvDir) {
		t.Errorf("Load(empty dir) = %v, want an error naming make deps and %s", err, EnvDir)
	}
	// A copy of the model with a truncated shard and one with a corrupted manifest.
	src := DefaultDir()
	copyModel := func(t *testing.T) string {
		dst := t.TempDir()
		entries, err := os.ReadDir(src)
		if err != nil {
			t.Fatalf("%v: run `make deps`", err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644)
		}
		return dst
	}
	dir := copyModel(t)
	last := filepath.Join(dir, "group1-shard7of7")
	b, _ := os.ReadFile(last)
	os.WriteFile(last, b[:len(b)/2], 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated shard: err = %v", err)
	}
	dir = copyModel(t)
	os.WriteFile(filepath.Join(dir, "model.json"), []byte(`{"weightsManifest": [{"paths": ["group1-shard1of7"], "weights": [{"name": "x", "shape": [4], "dtype": "float32"}]}]}`), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "does not hold Universal Sentence Encoder Lite") {
		t.Errorf("foreign model.json: err = %v", err)
	}
	dir = copyModel(t)
	os.WriteFile(filepath.Join(dir, "model.json"), []byte(`{"weightsManifest": [{"paths": ["../../etc/passwd"], "weights": []}]}`), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "outside the model directory") {
		t.Errorf("escaping shard path: err = %v", err)
	}
	dir = copyModel(t)
	os.WriteFile(filepath.Join(dir, "vocab.json"), []byte(`{"not": "a list"}`), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "vocab.json") {
		t.Errorf("bad vocab.json: err = %v", err)
	}
}

func TestDefaultDirHonoursEnv(t *testing.T) {
	t.Setenv(EnvDir, "/some/where")
	if d := DefaultDir(); d != "/some/where" {
		t.Errorf("DefaultDir() = %q with %s set", d, EnvDir)
	}
}

// FuzzTokenizer checks that any text tokenizes without panicking into in-vocabulary ids
// with no two unknown ids in a row, and embeds.
func FuzzTokenizer(f *testing.F) {
	for _, s := range []string{"", " ", "Hello world", "東京", "😀🎉", "\t\n\r", ":) :-(", "a\u0301", "ﬁ ½ ①", "\x00\xff\xfe", strings.Repeat("ab ", 100),
		strings.Repeat("東", 300) + " then words after many unknowns", strings.Repeat("supercalifragilistic ", 40)} {
		f.Add(s)
	}
	m := model(f)
	f.Fuzz(func(t *testing.T, s string) {
		ids := m.Tokens(s)
		for i, id := range ids {
			if id < 0 || int(id) >= len(m.tok.stepLen) {
				t.Fatalf("Tokens(%q) has id %d", s, id)
			}
			if i > 0 && id == 0 && ids[i-1] == 0 {
				t.Fatalf("Tokens(%q) has two unknown ids in a row: %v", s, ids)
			}
		}
		for _, limit := range []int{1, 5, 128} {
			want := ids
			if len(want) > limit {
				want = want[:limit]
			}
			if got := m.tok.encodeLimit(s, limit); !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Fatalf("encodeLimit(%q, %d) = %v, want %v", s, limit, got, want)
			}
		}
		if len(s) < 2000 {
			embs, err := m.Embed([]string{s})
			if err != nil || len(embs) != 1 || len(embs[0]) != Dim {
				t.Fatalf("Embed(%q): %v", s, err)
			}
			for _, v := range embs[0] {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("Embed(%q) has %v", s, v)
				}
			}
		}
	})
}

// Models that become garbage free their weights (outside the Go heap on Linux); models in
// use keep theirs.
func TestModelsAreCollected(t *testing.T) {
	keep := model(t)
	want, err := keep.Embed([]string{"garbage collection"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		m, err := Load(DefaultDir())
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Embed([]string{"garbage collection"})
		if err != nil || cosine(got[0], want[0]) < 0.99999 {
			t.Fatalf("a second model embeds differently: %v", err)
		}
		runtime.GC()
		runtime.GC()
	}
	got, err := keep.Embed([]string{"garbage collection"})
	if err != nil || cosine(got[0], want[0]) < 0.99999 {
		t.Fatalf("the kept model changed after others were collected: %v", err)
	}
}
