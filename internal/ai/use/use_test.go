package use

import (
	"encoding/json"
	"math"
	"os"
	"slices"
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
