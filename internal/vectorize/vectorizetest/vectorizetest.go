// Package vectorizetest is the conformance suite every Vectorize backend
// (Cloudflare Vectorize in zerostack) passes: index management, insert and
// upsert semantics, Cloudflare's validation errors, scores and sort order
// per metric, namespaces, metadata filters, returnMetadata and
// returnValues, and property tests that run random operations against both
// the backend and a simple reference model (a map searched by brute force)
// and require equal answers.
package vectorizetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/vectorize"
)

// Backend is what a Vectorize backend implements.
type Backend interface {
	vectorize.Store
	vectorize.Indexes
}

// Options adjust the suite for a backend.
type Options struct {
	// MinRecall, when positive, lets the random-operations property tests
	// accept approximate results (for backends searching approximate
	// nearest-neighbour graphs): every match must still be a stored vector
	// that passes the query's namespace and filter, with its exact score,
	// in order, without duplicates, topK of them when that many match; but
	// only this fraction of the brute-force topK ids must be among them.
	// Zero requires exactly the brute-force answer.
	MinRecall float64
}

// Run runs the suite; open returns a new, empty backend for each subtest.
func Run(t *testing.T, open func(t *testing.T) Backend) { RunWith(t, open, Options{}) }

// RunWith is [Run] with options.
func RunWith(t *testing.T, open func(t *testing.T) Backend, o Options) {
	t.Run("Indexes", func(t *testing.T) { testIndexes(t, open(t)) })
	t.Run("InsertUpsert", func(t *testing.T) { testInsertUpsert(t, open(t)) })
	t.Run("Validation", func(t *testing.T) { testValidation(t, open(t)) })
	t.Run("Scores", func(t *testing.T) { testScores(t, open(t)) })
	t.Run("GetDelete", func(t *testing.T) { testGetDelete(t, open(t)) })
	t.Run("NamespacesFilters", func(t *testing.T) { testNamespacesFilters(t, open(t)) })
	t.Run("ReturnOptions", func(t *testing.T) { testReturnOptions(t, open(t)) })
	t.Run("MetadataIndexes", func(t *testing.T) { testMetadataIndexes(t, open(t)) })
	for _, m := range []vectorize.Metric{vectorize.Cosine, vectorize.Euclidean, vectorize.DotProduct} {
		t.Run("Model/"+string(m), func(t *testing.T) { testModel(t, open(t), m, 1, o.MinRecall) })
	}
}

var ctx = context.Background()

func create(t *testing.T, b Backend, name string, dim int, m vectorize.Metric) {
	t.Helper()
	if _, err := b.CreateIndex(ctx, name, "", vectorize.IndexConfig{Dimensions: dim, Metric: m}); err != nil {
		t.Fatal(err)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func testIndexes(t *testing.T, b Backend) {
	ix := must[vectorize.Index](t)(b.CreateIndex(ctx, "docs", "my docs", vectorize.IndexConfig{Dimensions: 3, Metric: vectorize.Cosine}))
	if ix.Name != "docs" || ix.Config.Dimensions != 3 || ix.Config.Metric != vectorize.Cosine || ix.Description != "my docs" {
		t.Fatalf("created %+v", ix)
	}
	if _, err := b.CreateIndex(ctx, "docs", "", vectorize.IndexConfig{Dimensions: 3, Metric: vectorize.Cosine}); !errors.Is(err, vectorize.ErrIndexExists) {
		t.Fatalf("duplicate create: %v", err)
	}
	for _, bad := range []struct {
		name string
		cfg  vectorize.IndexConfig
	}{{"Bad_Name", vectorize.IndexConfig{Dimensions: 3, Metric: vectorize.Cosine}},
		{"ok", vectorize.IndexConfig{Dimensions: 0, Metric: vectorize.Cosine}},
		{"ok", vectorize.IndexConfig{Dimensions: 1537, Metric: vectorize.Cosine}},
		{"ok", vectorize.IndexConfig{Dimensions: 3, Metric: "manhattan"}}} {
		if _, err := b.CreateIndex(ctx, bad.name, "", bad.cfg); !errors.Is(err, vectorize.ErrInvalid) {
			t.Errorf("create %q %+v: %v, want ErrInvalid", bad.name, bad.cfg, err)
		}
	}
	create(t, b, "alpha", 1536, vectorize.DotProduct)
	list := must[[]vectorize.Index](t)(b.ListIndexes(ctx))
	if len(list) != 2 || list[0].Name != "alpha" || list[1].Name != "docs" {
		t.Fatalf("list: %+v", list)
	}
	got := must[vectorize.Index](t)(b.GetIndex(ctx, "alpha"))
	if got.Config.Metric != vectorize.DotProduct || got.Config.Dimensions != 1536 {
		t.Fatalf("get: %+v", got)
	}
	if _, err := b.GetIndex(ctx, "nope"); !errors.Is(err, vectorize.ErrIndexNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	if _, err := b.Query(ctx, "nope", vectorize.Query{Vector: []float32{1}}); !errors.Is(err, vectorize.ErrIndexNotFound) {
		t.Fatalf("query missing: %v", err)
	}
	must[vectorize.Mutation](t)(b.Insert(ctx, "docs", []vectorize.Vector{{ID: "a", Values: []float32{1, 2, 3}}}))
	if err := b.DeleteIndex(ctx, "docs"); err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteIndex(ctx, "docs"); !errors.Is(err, vectorize.ErrIndexNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	// A new index with the old name starts empty.
	create(t, b, "docs", 3, vectorize.Cosine)
	if info := must[vectorize.Info](t)(b.Describe(ctx, "docs")); info.VectorCount != 0 || info.Dimensions != 3 {
		t.Fatalf("recreated index: %+v", info)
	}
}

func testInsertUpsert(t *testing.T, b Backend) {
	create(t, b, "i", 2, vectorize.Euclidean)
	m := must[vectorize.Mutation](t)(b.Insert(ctx, "i", []vectorize.Vector{
		{ID: "a", Values: []float32{1, 1}, Metadata: json.RawMessage(`{"v":1}`)},
		{ID: "b", Values: []float32{2, 2}},
		{ID: "a", Values: []float32{9, 9}, Metadata: json.RawMessage(`{"v":2}`)}, // same call: first wins
	}))
	if m.MutationID == "" {
		t.Fatal("no mutation id")
	}
	must[vectorize.Mutation](t)(b.Insert(ctx, "i", []vectorize.Vector{{ID: "b", Values: []float32{5, 5}}})) // kept
	got := must[[]vectorize.Vector](t)(b.GetByIDs(ctx, "i", []string{"a", "b"}))
	if len(got) != 2 || got[0].Values[0] != 1 || string(got[0].Metadata) != `{"v":1}` || got[1].Values[0] != 2 {
		t.Fatalf("after insert: %+v", got)
	}
	must[vectorize.Mutation](t)(b.Upsert(ctx, "i", []vectorize.Vector{
		{ID: "b", Values: []float32{3, 3}, Namespace: "n", Metadata: json.RawMessage(`{"w": true}`)},
		{ID: "c", Values: []float32{4, 4}},
		{ID: "c", Values: []float32{7, 7}}, // same call: last wins
	}))
	got = must[[]vectorize.Vector](t)(b.GetByIDs(ctx, "i", []string{"c", "b"}))
	if len(got) != 2 || got[0].Values[0] != 7 || got[1].Values[0] != 3 || got[1].Namespace != "n" || string(got[1].Metadata) != `{"w":true}` {
		t.Fatalf("after upsert: %+v", got)
	}
	// Upsert without metadata clears it.
	must[vectorize.Mutation](t)(b.Upsert(ctx, "i", []vectorize.Vector{{ID: "b", Values: []float32{3, 3}}}))
	got = must[[]vectorize.Vector](t)(b.GetByIDs(ctx, "i", []string{"b"}))
	if got[0].Metadata != nil || got[0].Namespace != "" {
		t.Fatalf("upsert did not replace metadata/namespace: %+v", got[0])
	}
	info := must[vectorize.Info](t)(b.Describe(ctx, "i"))
	if info.VectorCount != 3 || info.ProcessedUpToMutation == "" || info.ProcessedUpToDatetime == 0 {
		t.Fatalf("describe: %+v", info)
	}
	// Writes are visible to the very next query.
	res := must[vectorize.Matches](t)(b.Query(ctx, "i", vectorize.Query{Vector: []float32{7, 7}, TopK: 1}))
	if res.Count != 1 || res.Matches[0].ID != "c" || res.Matches[0].Score != 0 {
		t.Fatalf("query after upsert: %+v", res)
	}
}

func testValidation(t *testing.T, b Backend) {
	create(t, b, "v", 3, vectorize.Cosine)
	must[vectorize.Mutation](t)(b.Insert(ctx, "v", []vectorize.Vector{{ID: "keep", Values: []float32{1, 0, 0}}}))
	big := `{"x":"` + strings.Repeat("a", vectorize.MaxMetadataBytes) + `"}`
	many := make([]vectorize.Vector, vectorize.MaxVectorsPerCall+1)
	for i := range many {
		many[i] = vectorize.Vector{ID: fmt.Sprint(i), Values: []float32{1, 1, 1}}
	}
	cases := []struct {
		name string
		vs   []vectorize.Vector
		want string
	}{
		{"dimension", []vectorize.Vector{{ID: "x", Values: []float32{1, 2}}}, `invalid vector for id="x", expected 3 dimensions, and got 2 dimensions`},
		{"long id", []vectorize.Vector{{ID: strings.Repeat("i", 65), Values: []float32{1, 2, 3}}}, "the maximum is 64 bytes"},
		{"empty id", []vectorize.Vector{{ID: "", Values: []float32{1, 2, 3}}}, "must not be empty"},
		{"metadata size", []vectorize.Vector{{ID: "m", Values: []float32{1, 2, 3}, Metadata: json.RawMessage(big)}}, "the maximum is 10240 bytes"},
		{"metadata type", []vectorize.Vector{{ID: "m", Values: []float32{1, 2, 3}, Metadata: json.RawMessage(`[1]`)}}, "must be a JSON object"},
		{"nan", []vectorize.Vector{{ID: "n", Values: []float32{float32(math.NaN()), 2, 3}}}, "finite"},
		{"too many", many, "the maximum is 1000 per call"},
	}
	for _, c := range cases {
		for _, upsert := range []bool{false, true} {
			var err error
			if upsert {
				_, err = b.Upsert(ctx, "v", c.vs)
			} else {
				_, err = b.Insert(ctx, "v", c.vs)
			}
			var ve *vectorize.Error
			if !errors.As(err, &ve) || !errors.Is(err, vectorize.ErrInvalid) || !strings.Contains(ve.Message, c.want) {
				t.Errorf("%s (upsert=%v): %v, want *Error containing %q", c.name, upsert, err, c.want)
				continue
			}
			if want := vectorize.OpVectorInsert; !upsert && ve.Op != want {
				t.Errorf("%s: op %s", c.name, ve.Op)
			}
		}
	}
	// Nothing of a rejected batch is written: the one valid vector before
	// the bad one is absent.
	_, err := b.Insert(ctx, "v", []vectorize.Vector{{ID: "good", Values: []float32{1, 1, 1}}, {ID: "bad", Values: []float32{1}}})
	if err == nil {
		t.Fatal("mixed batch accepted")
	}
	if info := must[vectorize.Info](t)(b.Describe(ctx, "v")); info.VectorCount != 1 {
		t.Fatalf("rejected batch changed the index: %+v", info)
	}
	qcases := []struct {
		q    vectorize.Query
		want string
	}{
		{vectorize.Query{Vector: []float32{1, 0}, TopK: 1}, "expected 3 dimensions, and got 2"},
		{vectorize.Query{Vector: []float32{1, 0, 0}, TopK: 101}, "less than or equal to 100"},
		{vectorize.Query{Vector: []float32{1, 0, 0}, TopK: 21, ReturnValues: true}, "less than or equal to 20"},
		{vectorize.Query{Vector: []float32{1, 0, 0}, TopK: 21, ReturnMetadata: vectorize.MetadataAll}, "less than or equal to 20"},
		{vectorize.Query{Vector: []float32{1, 0, 0}, TopK: -1}, "greater than 0"},
		{vectorize.Query{Vector: []float32{1, 0, 0}, ReturnMetadata: "some"}, "Invalid returnMetadata option"},
	}
	for _, c := range qcases {
		_, err := b.Query(ctx, "v", c.q)
		var ve *vectorize.Error
		if !errors.As(err, &ve) || ve.Op != vectorize.OpVectorQuery || !strings.Contains(ve.Message, c.want) {
			t.Errorf("query %+v: %v, want %q", c.q, err, c.want)
		}
	}
	// topK 100 without data, and 20 with it, are fine.
	must[vectorize.Matches](t)(b.Query(ctx, "v", vectorize.Query{Vector: []float32{1, 0, 0}, TopK: 100, ReturnMetadata: vectorize.MetadataIndexed}))
	must[vectorize.Matches](t)(b.Query(ctx, "v", vectorize.Query{Vector: []float32{1, 0, 0}, TopK: 20, ReturnValues: true, ReturnMetadata: vectorize.MetadataAll}))
	if _, err := b.GetByIDs(ctx, "v", []string{strings.Repeat("x", 65)}); !errors.Is(err, vectorize.ErrInvalid) {
		t.Errorf("getByIds long id: %v", err)
	}
}

func testScores(t *testing.T, b Backend) {
	vs := []vectorize.Vector{
		{ID: "x", Values: []float32{1, 0}},
		{ID: "y", Values: []float32{0, 2}},
		{ID: "xy", Values: []float32{3, 3}},
		{ID: "-x", Values: []float32{-1, 0}},
	}
	q := []float32{2, 0}
	want := map[vectorize.Metric][]vectorize.Match{
		vectorize.Cosine:     {{ID: "x", Score: 1}, {ID: "xy", Score: float32(math.Sqrt2 / 2)}, {ID: "y", Score: 0}, {ID: "-x", Score: -1}},
		vectorize.Euclidean:  {{ID: "x", Score: 1}, {ID: "y", Score: float32(math.Sqrt(8))}, {ID: "-x", Score: 3}, {ID: "xy", Score: float32(math.Sqrt(10))}},
		vectorize.DotProduct: {{ID: "xy", Score: 6}, {ID: "x", Score: 2}, {ID: "y", Score: 0}, {ID: "-x", Score: -2}},
	}
	for m, w := range want {
		name := "s-" + strings.ReplaceAll(string(m), "-", "")
		create(t, b, name, 2, m)
		must[vectorize.Mutation](t)(b.Insert(ctx, name, vs))
		res := must[vectorize.Matches](t)(b.Query(ctx, name, vectorize.Query{Vector: q, TopK: 10}))
		if res.Count != len(w) {
			t.Fatalf("%s: %d matches", m, res.Count)
		}
		for i := range w {
			g := res.Matches[i]
			if g.ID != w[i].ID || math.Abs(float64(g.Score-w[i].Score)) > 1e-5 || g.Values != nil || g.Metadata != nil {
				t.Errorf("%s match %d: %+v, want %+v", m, i, g, w[i])
			}
		}
		// Default topK is 5; topK 2 keeps the best two.
		res = must[vectorize.Matches](t)(b.Query(ctx, name, vectorize.Query{Vector: q, TopK: 2}))
		if res.Count != 2 || res.Matches[0].ID != w[0].ID || res.Matches[1].ID != w[1].ID {
			t.Errorf("%s topK 2: %+v", m, res)
		}
		// queryById searches with the stored vector's values.
		res = must[vectorize.Matches](t)(b.Query(ctx, name, vectorize.Query{VectorID: "x", TopK: 1}))
		if res.Count != 1 || res.Matches[0].ID != w[0].ID && m != vectorize.DotProduct {
			t.Errorf("%s queryById: %+v", m, res)
		}
	}
	// Cosine similarity stays within [-1, 1] despite rounding.
	create(t, b, "s-self", 512, vectorize.Cosine)
	r := rand.New(rand.NewPCG(3, 3))
	for range 30 {
		v, neg := randVec(r, 512), make([]float32, 512)
		for i := range v {
			neg[i] = -v[i]
		}
		must[vectorize.Mutation](t)(b.Upsert(ctx, "s-self", []vectorize.Vector{{ID: "self", Values: v}}))
		res := must[vectorize.Matches](t)(b.Query(ctx, "s-self", vectorize.Query{Vector: v, TopK: 1}))
		if s := res.Matches[0].Score; s > 1 || s < 0.9999 {
			t.Fatalf("cosine of a vector with itself: %v", s)
		}
		res = must[vectorize.Matches](t)(b.Query(ctx, "s-self", vectorize.Query{Vector: neg, TopK: 1}))
		if s := res.Matches[0].Score; s < -1 || s > -0.9999 {
			t.Fatalf("cosine of a vector with its opposite: %v", s)
		}
	}
	res := must[vectorize.Matches](t)(b.Query(ctx, "s-cosine", vectorize.Query{VectorID: "missing"}))
	if res.Count != 0 || res.Matches == nil {
		t.Errorf("queryById of a missing id: %+v", res)
	}
}

func testGetDelete(t *testing.T, b Backend) {
	create(t, b, "g", 2, vectorize.Cosine)
	must[vectorize.Mutation](t)(b.Insert(ctx, "g", []vectorize.Vector{
		{ID: "a", Values: []float32{0.25, -1.5}, Namespace: "ns1", Metadata: json.RawMessage(`{ "k" : "v" }`)},
		{ID: "b", Values: []float32{1, 2}},
		{ID: "c", Values: []float32{3, 4}},
	}))
	got := must[[]vectorize.Vector](t)(b.GetByIDs(ctx, "g", []string{"c", "zzz", "a"}))
	if len(got) != 2 || got[0].ID != "c" || got[1].ID != "a" {
		t.Fatalf("getByIds order: %+v", got)
	}
	if a := got[1]; a.Values[0] != 0.25 || a.Values[1] != -1.5 || a.Namespace != "ns1" || string(a.Metadata) != `{"k":"v"}` {
		t.Fatalf("getByIds a: %+v", a)
	}
	m := must[vectorize.Mutation](t)(b.DeleteByIDs(ctx, "g", []string{"a", "nope"}))
	if m.MutationID == "" {
		t.Fatal("no mutation id")
	}
	if got := must[[]vectorize.Vector](t)(b.GetByIDs(ctx, "g", []string{"a"})); len(got) != 0 {
		t.Fatalf("deleted vector returned: %+v", got)
	}
	res := must[vectorize.Matches](t)(b.Query(ctx, "g", vectorize.Query{Vector: []float32{0.25, -1.5}, TopK: 10}))
	for _, x := range res.Matches {
		if x.ID == "a" {
			t.Fatal("deleted vector matched")
		}
	}
	if info := must[vectorize.Info](t)(b.Describe(ctx, "g")); info.VectorCount != 2 {
		t.Fatalf("count after delete: %+v", info)
	}
	// A deleted id can be inserted again.
	must[vectorize.Mutation](t)(b.Insert(ctx, "g", []vectorize.Vector{{ID: "a", Values: []float32{9, 9}}}))
	if got := must[[]vectorize.Vector](t)(b.GetByIDs(ctx, "g", []string{"a"})); len(got) != 1 || got[0].Values[0] != 9 {
		t.Fatalf("reinserted: %+v", got)
	}
}

func testNamespacesFilters(t *testing.T, b Backend) {
	create(t, b, "f", 4, vectorize.Cosine)
	r := rand.New(rand.NewPCG(1, 2))
	var vs []vectorize.Vector
	for i := range 300 {
		ns := ""
		if i%3 == 1 {
			ns = "tenant-a"
		}
		meta := fmt.Sprintf(`{"cat":%q,"price":%d,"flag":%v,"nested":{"n":%d}}`, []string{"tech", "food", "rare"}[min(i%10, 2)], i, i%2 == 0, i%7)
		if i == 299 {
			meta = `{"cat":"unique"}`
		}
		vs = append(vs, vectorize.Vector{ID: fmt.Sprintf("v%03d", i), Values: randVec(r, 4), Namespace: ns, Metadata: json.RawMessage(meta)})
	}
	for i := 0; i < len(vs); i += 100 {
		must[vectorize.Mutation](t)(b.Insert(ctx, "f", vs[i:i+100]))
	}
	q := randVec(r, 4)
	check := func(name, filter, ns string, topK int, want func(v vectorize.Vector, meta map[string]any) bool) {
		t.Helper()
		f, err := vectorize.ParseFilter([]byte(filter))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		res := must[vectorize.Matches](t)(b.Query(ctx, "f", vectorize.Query{Vector: q, TopK: topK, Filter: f, Namespace: ns}))
		n := 0
		for _, v := range vs {
			meta, _ := vectorize.DecodeMetadata(v.Metadata)
			if (ns == "" || v.Namespace == ns) && want(v, meta) {
				n++
			}
		}
		if res.Count != min(n, topK) {
			t.Errorf("%s: %d matches, want %d", name, res.Count, min(n, topK))
		}
		for _, m := range res.Matches {
			var v vectorize.Vector
			for _, x := range vs {
				if x.ID == m.ID {
					v = x
				}
			}
			meta, _ := vectorize.DecodeMetadata(v.Metadata)
			if (ns != "" && v.Namespace != ns) || !want(v, meta) {
				t.Errorf("%s: %s does not match", name, m.ID)
			}
			if ns != "" && m.Namespace != ns {
				t.Errorf("%s: match namespace %q", name, m.Namespace)
			}
		}
	}
	num := func(m map[string]any, k string) float64 { f, _ := m[k].(float64); return f }
	check("namespace", ``, "tenant-a", 100, func(v vectorize.Vector, m map[string]any) bool { return true })
	check("implicit eq", `{"cat":"tech"}`, "", 100, func(v vectorize.Vector, m map[string]any) bool { return m["cat"] == "tech" })
	check("selective", `{"cat":"unique"}`, "", 10, func(v vectorize.Vector, m map[string]any) bool { return m["cat"] == "unique" })
	check("range", `{"price":{"$gte":10,"$lt":20}}`, "", 100, func(v vectorize.Vector, m map[string]any) bool {
		_, ok := m["price"]
		return ok && num(m, "price") >= 10 && num(m, "price") < 20
	})
	check("ns+filter", `{"flag":true}`, "tenant-a", 100, func(v vectorize.Vector, m map[string]any) bool { return m["flag"] == true })
	check("nested", `{"nested.n":3}`, "", 100, func(v vectorize.Vector, m map[string]any) bool {
		n, _ := m["nested"].(map[string]any)
		return n != nil && n["n"] == 3.0
	})
	check("nin missing", `{"id":{"$nin":["v001"]}}`, "", 7, func(v vectorize.Vector, m map[string]any) bool { return true })
	check("in", `{"cat":{"$in":["food","unique"]}}`, "", 100, func(v vectorize.Vector, m map[string]any) bool {
		return m["cat"] == "food" || m["cat"] == "unique"
	})
	check("ne", `{"cat":{"$ne":"rare"}}`, "", 100, func(v vectorize.Vector, m map[string]any) bool { return m["cat"] != "rare" })
	check("nothing", `{"cat":"none"}`, "", 10, func(v vectorize.Vector, m map[string]any) bool { return false })
	check("unknown ns", ``, "nobody", 10, func(v vectorize.Vector, m map[string]any) bool { return false })
}

func testReturnOptions(t *testing.T, b Backend) {
	create(t, b, "r", 2, vectorize.Cosine)
	must[vectorize.Mutation](t)(b.CreateMetadataIndex(ctx, "r", vectorize.MetadataIndex{PropertyName: "cat", IndexType: vectorize.MetaString}))
	must[vectorize.Mutation](t)(b.Insert(ctx, "r", []vectorize.Vector{{ID: "a", Values: []float32{0.5, 0.25}, Namespace: "n", Metadata: json.RawMessage(`{"cat":"x","body":"long"}`)}}))
	q := []float32{1, 1}
	res := must[vectorize.Matches](t)(b.Query(ctx, "r", vectorize.Query{Vector: q}))
	if m := res.Matches[0]; m.Metadata != nil || m.Values != nil || m.Namespace != "n" {
		t.Errorf("default: %+v", m)
	}
	res = must[vectorize.Matches](t)(b.Query(ctx, "r", vectorize.Query{Vector: q, ReturnMetadata: vectorize.MetadataIndexed}))
	if m := res.Matches[0]; string(m.Metadata) != `{"cat":"x"}` {
		t.Errorf("indexed: %s", m.Metadata)
	}
	res = must[vectorize.Matches](t)(b.Query(ctx, "r", vectorize.Query{Vector: q, ReturnMetadata: vectorize.MetadataAll, ReturnValues: true}))
	if m := res.Matches[0]; string(m.Metadata) != `{"cat":"x","body":"long"}` || len(m.Values) != 2 || m.Values[0] != 0.5 || m.Values[1] != 0.25 {
		t.Errorf("all+values: %+v", m)
	}
}

func testMetadataIndexes(t *testing.T, b Backend) {
	create(t, b, "m", 2, vectorize.Cosine)
	for i := range vectorize.MaxMetadataIndexes {
		must[vectorize.Mutation](t)(b.CreateMetadataIndex(ctx, "m", vectorize.MetadataIndex{PropertyName: fmt.Sprintf("p%d", i), IndexType: vectorize.MetaNumber}))
	}
	if _, err := b.CreateMetadataIndex(ctx, "m", vectorize.MetadataIndex{PropertyName: "one-more", IndexType: vectorize.MetaString}); !errors.Is(err, vectorize.ErrInvalid) {
		t.Fatalf("11th metadata index: %v", err)
	}
	if _, err := b.CreateMetadataIndex(ctx, "m", vectorize.MetadataIndex{PropertyName: "p1", IndexType: vectorize.MetaString}); !errors.Is(err, vectorize.ErrInvalid) {
		t.Fatalf("duplicate metadata index: %v", err)
	}
	if _, err := b.CreateMetadataIndex(ctx, "m", vectorize.MetadataIndex{PropertyName: "x", IndexType: "date"}); !errors.Is(err, vectorize.ErrInvalid) {
		t.Fatalf("bad type: %v", err)
	}
	must[vectorize.Mutation](t)(b.DeleteMetadataIndex(ctx, "m", "p3"))
	if _, err := b.DeleteMetadataIndex(ctx, "m", "p3"); !errors.Is(err, vectorize.ErrInvalid) {
		t.Fatalf("delete missing metadata index: %v", err)
	}
	list := must[[]vectorize.MetadataIndex](t)(b.ListMetadataIndexes(ctx, "m"))
	if len(list) != 9 || list[0].PropertyName != "p0" || list[0].IndexType != vectorize.MetaNumber {
		t.Fatalf("list: %+v", list)
	}
	for _, x := range list {
		if x.PropertyName == "p3" {
			t.Fatal("deleted metadata index listed")
		}
	}
}

func randVec(r *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// model is the reference: vectors in a map, searched by brute force in
// float64.
type model struct {
	metric vectorize.Metric
	vs     map[string]vectorize.Vector
}

func (m *model) query(q vectorize.Query) []vectorize.Match {
	var out []vectorize.Match
	for _, v := range m.vs {
		meta, _ := vectorize.DecodeMetadata(v.Metadata)
		if q.Namespace != "" && v.Namespace != q.Namespace || !q.Filter.Match(meta) {
			continue
		}
		out = append(out, vectorize.Match{ID: v.ID, Score: score64(m.metric, q.Vector, v.Values)})
	}
	vectorize.SortMatches(m.metric, out)
	if len(out) > q.TopK {
		out = out[:q.TopK]
	}
	return out
}

func score64(m vectorize.Metric, q, v []float32) float32 {
	var d, nq, nv, l2 float64
	for i := range q {
		a, b := float64(q[i]), float64(v[i])
		d += a * b
		nq += a * a
		nv += b * b
		l2 += (a - b) * (a - b)
	}
	switch m {
	case vectorize.Euclidean:
		return float32(math.Sqrt(l2))
	case vectorize.DotProduct:
		return float32(d)
	}
	if nq == 0 || nv == 0 {
		return 0
	}
	return float32(d / math.Sqrt(nq*nv))
}

// RunModel runs the random-operations property test for one metric with
// the given seed (Run uses seed 1); minRecall is as in [Options].
func RunModel(t *testing.T, b Backend, m vectorize.Metric, seed uint64, minRecall float64) {
	testModel(t, b, m, seed, minRecall)
}

func testModel(t *testing.T, b Backend, metric vectorize.Metric, seed uint64, minRecall float64) {
	const dim = 8
	name := "model"
	create(t, b, name, dim, metric)
	r := rand.New(rand.NewPCG(seed, 99))
	ref := &model{metric: metric, vs: map[string]vectorize.Vector{}}
	namespaces := []string{"", "", "a", "b"}
	cats := []string{"x", "y", "z"}
	newVec := func() vectorize.Vector {
		id := fmt.Sprintf("id%d", r.IntN(120))
		meta := fmt.Sprintf(`{"cat":%q,"n":%d}`, cats[r.IntN(3)], r.IntN(50))
		if r.IntN(5) == 0 {
			meta = ""
		}
		v := vectorize.Vector{ID: id, Values: randVec(r, dim), Namespace: namespaces[r.IntN(4)]}
		if meta != "" {
			v.Metadata = json.RawMessage(meta)
		}
		return v
	}
	filters := []string{``, `{"cat":"x"}`, `{"n":{"$lt":10}}`, `{"cat":{"$in":["y","z"]},"n":{"$gte":25}}`, `{"cat":{"$nin":["x"]}}`, `{"n":{"$ne":3}}`, `{"cat":{"$eq":null}}`}
	for step := range 400 {
		switch op := r.IntN(10); {
		case op < 3: // insert
			batch := make([]vectorize.Vector, 1+r.IntN(8))
			for i := range batch {
				batch[i] = newVec()
			}
			must[vectorize.Mutation](t)(b.Insert(ctx, name, batch))
			for _, v := range batch {
				if _, ok := ref.vs[v.ID]; !ok {
					ref.vs[v.ID] = v
				}
			}
		case op < 6: // upsert
			batch := make([]vectorize.Vector, 1+r.IntN(8))
			for i := range batch {
				batch[i] = newVec()
			}
			must[vectorize.Mutation](t)(b.Upsert(ctx, name, batch))
			for _, v := range batch {
				ref.vs[v.ID] = v
			}
		case op < 7: // delete
			ids := make([]string, 1+r.IntN(5))
			for i := range ids {
				ids[i] = fmt.Sprintf("id%d", r.IntN(120))
			}
			must[vectorize.Mutation](t)(b.DeleteByIDs(ctx, name, ids))
			for _, id := range ids {
				delete(ref.vs, id)
			}
		default: // query and compare
			f, err := vectorize.ParseFilter([]byte(filters[r.IntN(len(filters))]))
			if err != nil {
				t.Fatal(err)
			}
			q := vectorize.Query{Vector: randVec(r, dim), TopK: 1 + r.IntN(30), Filter: f, Namespace: namespaces[r.IntN(4)]}
			got := must[vectorize.Matches](t)(b.Query(ctx, name, q))
			want := ref.query(q)
			check := sameMatches
			if minRecall > 0 {
				check = func(m vectorize.Metric, got, want []vectorize.Match) error {
					return approxMatches(m, got, want, ref.query(vectorize.Query{Vector: q.Vector, TopK: len(ref.vs) + 1, Filter: q.Filter, Namespace: q.Namespace}), minRecall)
				}
			}
			if err := check(metric, got.Matches, want); err != nil {
				t.Fatalf("step %d query (topK %d, ns %q, filter %v): %v", step, q.TopK, q.Namespace, f.Keys(), err)
			}
		}
		if step%50 == 0 {
			info := must[vectorize.Info](t)(b.Describe(ctx, name))
			if info.VectorCount != len(ref.vs) {
				t.Fatalf("step %d: vectorCount %d, model has %d", step, info.VectorCount, len(ref.vs))
			}
			ids := make([]string, 0, len(ref.vs))
			for id := range ref.vs {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			got := must[[]vectorize.Vector](t)(b.GetByIDs(ctx, name, ids))
			for i, v := range got {
				w := ref.vs[ids[i]]
				if v.ID != w.ID || v.Namespace != w.Namespace || string(v.Metadata) != string(w.Metadata) || fmt.Sprint(v.Values) != fmt.Sprint(w.Values) {
					t.Fatalf("step %d: getByIds %+v, model %+v", step, v, w)
				}
			}
		}
	}
}

// sameMatches compares results allowing float rounding: the same scores in
// order, and the same ids except among scores tied within tolerance.
func sameMatches(m vectorize.Metric, got, want []vectorize.Match) error {
	const tol = 1e-4
	if len(got) != len(want) {
		return fmt.Errorf("%d matches, want %d (got %+v, want %+v)", len(got), len(want), got, want)
	}
	for i := range got {
		if math.Abs(float64(got[i].Score-want[i].Score)) > tol*math.Max(1, math.Abs(float64(want[i].Score))) {
			return fmt.Errorf("match %d score %v, want %v (got %+v, want %+v)", i, got[i].Score, want[i].Score, got, want)
		}
	}
	if len(want) == 0 {
		return nil
	}
	last := want[len(want)-1].Score
	clear := func(ms []vectorize.Match) map[string]bool {
		s := map[string]bool{}
		for _, x := range ms {
			if math.Abs(float64(x.Score-last)) > tol {
				s[x.ID] = true
			}
		}
		return s
	}
	g, w := clear(got), clear(want)
	for id := range w {
		if !g[id] {
			return fmt.Errorf("missing %s (got %+v, want %+v)", id, got, want)
		}
	}
	return nil
}

// approxMatches checks an approximate answer: got must hold len(want)
// distinct matches from all (every vector passing the query) with their
// exact scores, best first, and at least minRecall of want's ids.
func approxMatches(m vectorize.Metric, got, want, all []vectorize.Match, minRecall float64) error {
	const tol = 1e-4
	if len(got) != len(want) {
		return fmt.Errorf("%d matches, want %d", len(got), len(want))
	}
	score := map[string]float32{}
	for _, x := range all {
		score[x.ID] = x.Score
	}
	seen := map[string]bool{}
	for i, g := range got {
		s, ok := score[g.ID]
		if !ok {
			return fmt.Errorf("match %d: %s is not a vector that passes the query", i, g.ID)
		}
		if seen[g.ID] {
			return fmt.Errorf("match %d: %s returned twice", i, g.ID)
		}
		seen[g.ID] = true
		if math.Abs(float64(g.Score-s)) > tol*math.Max(1, math.Abs(float64(s))) {
			return fmt.Errorf("match %d: %s has score %v, its vector scores %v", i, g.ID, g.Score, s)
		}
		if i > 0 && m.Better(g.Score, got[i-1].Score) && math.Abs(float64(g.Score-got[i-1].Score)) > tol {
			return fmt.Errorf("match %d: not sorted best first", i)
		}
	}
	hit := 0
	for _, w := range want {
		if seen[w.ID] {
			hit++
		}
	}
	if len(want) > 0 && float64(hit) < minRecall*float64(len(want)) {
		return fmt.Errorf("recall %d/%d below %.2f", hit, len(want), minRecall)
	}
	return nil
}
