package index

import (
	"bytes"
	"math"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
)

// clustered returns n vectors of dim elements around nc random centres,
// the shape real embeddings have (and the benchmark uses).
func clustered(r *rand.Rand, n, dim, nc int, spread float64) [][]float32 {
	centres := make([][]float32, nc)
	for i := range centres {
		centres[i] = randVec(r, dim)
	}
	out := make([][]float32, n)
	for i := range out {
		c := centres[r.IntN(nc)]
		v := make([]float32, dim)
		for j := range v {
			v[j] = c[j] + float32(r.NormFloat64()*spread)
		}
		out[i] = v
	}
	return out
}

// recall returns the fraction of want's ids that got holds.
func recall(got, want []Result) float64 {
	if len(want) == 0 {
		return 1
	}
	set := map[uint32]bool{}
	for _, w := range want {
		set[w.ID] = true
	}
	hit := 0
	for _, g := range got {
		if set[g.ID] {
			hit++
		}
	}
	return float64(hit) / float64(len(want))
}

func TestHNSWRecall(t *testing.T) {
	for _, m := range []Metric{Cosine, Euclidean, DotProduct} {
		t.Run(m.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(m)))
			const n, dim = 4000, 32
			all := clustered(r, n+200, dim, 40, 0.6)
			data, queries := all[:n], all[n:]
			h := NewHNSW(dim, m, HNSWOptions{M: 12, EfConstruction: 100})
			f := NewFlat(dim, m)
			for i, v := range data {
				h.Add(uint32(i), v)
				f.Add(uint32(i), v)
			}
			var sum float64
			for _, q := range queries {
				got := h.Search(q, 10, nil)
				want := f.Search(q, 10, nil)
				sum += recall(got, want)
				for i := 1; i < len(got); i++ {
					if m.Better(got[i].Score, got[i-1].Score) {
						t.Fatalf("results not sorted best first: %v", got)
					}
				}
			}
			if rc := sum / float64(len(queries)); rc < 0.95 {
				t.Fatalf("recall@10 = %.3f, want >= 0.95", rc)
			} else {
				t.Logf("recall@10 = %.3f", rc)
			}
		})
	}
}

func TestHNSWScoresMatchFlat(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, m := range []Metric{Cosine, Euclidean, DotProduct} {
		h := NewHNSW(8, m, HNSWOptions{})
		data := map[uint32][]float32{}
		for i := range 50 {
			v := randVec(r, 8)
			h.Add(uint32(i), v)
			data[uint32(i)] = v
		}
		// 50 nodes with ef 64 are searched exhaustively: exact.
		q := randVec(r, 8)
		sameResults(t, m.String(), h.Search(q, 10, nil), bruteForce(m, data, q, 10, nil))
	}
}

func TestHNSWFilter(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 0))
	const n, dim = 3000, 16
	data := clustered(r, n, dim, 30, 0.5)
	h := NewHNSW(dim, Euclidean, HNSWOptions{M: 8, EfConstruction: 64})
	f := NewFlat(dim, Euclidean)
	for i, v := range data {
		h.Add(uint32(i), v)
		f.Add(uint32(i), v)
	}
	for _, mod := range []uint32{2, 10, 40, 200, 1000} {
		accept := func(id uint32) bool { return id%mod == 0 }
		var sum float64
		for qi := 0; qi < 50; qi++ {
			q := data[r.IntN(n)]
			got := h.Search(q, 10, accept)
			want := f.Search(q, 10, accept)
			if len(got) != len(want) {
				t.Fatalf("mod %d: %d results, want %d", mod, len(got), len(want))
			}
			for _, g := range got {
				if !accept(g.ID) {
					t.Fatalf("mod %d: result %d not accepted", mod, g.ID)
				}
			}
			sum += recall(got, want)
		}
		if rc := sum / 50; rc < 0.95 {
			t.Fatalf("filter 1/%d: recall@10 = %.3f, want >= 0.95", mod, rc)
		}
	}
	// An exact search over a caller's candidate set.
	var ids []uint32
	for i := uint32(0); i < n; i += 7 {
		ids = append(ids, i)
	}
	q := data[5]
	sameResults(t, "SearchIn", h.SearchIn(q, 10, ids), f.SearchIn(q, 10, ids))
}

func TestHNSWDeleteReplaceReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	const dim = 16
	h := NewHNSW(dim, Cosine, HNSWOptions{M: 8, EfConstruction: 64, EfSearch: 100})
	f := NewFlat(dim, Cosine)
	live := map[uint32]bool{}
	for step := 0; step < 6000; step++ {
		id := uint32(r.IntN(1500))
		if r.IntN(3) == 0 {
			h.Delete(id)
			f.Delete(id)
			delete(live, id)
		} else {
			v := randVec(r, dim)
			h.Add(id, v)
			f.Add(id, v)
			live[id] = true
		}
	}
	if h.Len() != len(live) || f.Len() != len(live) {
		t.Fatalf("Len: hnsw %d, flat %d, want %d", h.Len(), f.Len(), len(live))
	}
	var sum float64
	for qi := 0; qi < 100; qi++ {
		q := randVec(r, dim)
		got := h.Search(q, 10, nil)
		for _, g := range got {
			if !live[g.ID] {
				t.Fatalf("deleted id %d returned", g.ID)
			}
		}
		sum += recall(got, f.Search(q, 10, nil))
	}
	if rc := sum / 100; rc < 0.95 {
		t.Fatalf("recall@10 after churn = %.3f, want >= 0.95", rc)
	}
	// A replaced vector is found under its new value only.
	v := randVec(r, dim)
	h.Add(3, v)
	if got := h.Search(v, 1, nil); len(got) != 1 || got[0].ID != 3 || got[0].Score < 0.999 {
		t.Fatalf("replaced vector: %v", got)
	}
	// Deleting everything leaves an empty, usable index.
	for id := range uint32(1500) {
		h.Delete(id)
	}
	if h.Len() != 0 || len(h.Search(v, 5, nil)) != 0 {
		t.Fatalf("after deleting all: Len %d", h.Len())
	}
	h.Add(9, v)
	if got := h.Search(v, 5, nil); len(got) != 1 || got[0].ID != 9 {
		t.Fatalf("after refill: %v", got)
	}
}

func TestHNSWCompaction(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	h := NewHNSW(8, Euclidean, HNSWOptions{M: 8})
	for i := range 3000 {
		h.Add(uint32(i), randVec(r, 8))
	}
	for i := range 2500 {
		h.Delete(uint32(i))
	}
	h.mu.RLock()
	slots := len(h.ids)
	h.mu.RUnlock()
	if slots > 2*500+1024 {
		t.Fatalf("%d slots for 500 live vectors: tombstones were not compacted", slots)
	}
	q := randVec(r, 8)
	for _, g := range h.Search(q, 20, nil) {
		if g.ID < 2500 {
			t.Fatalf("deleted id %d returned", g.ID)
		}
	}
}

// TestHNSWConcurrent runs searches during writes; run with -race.
func TestHNSWConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	h := NewHNSW(8, Cosine, HNSWOptions{M: 8, EfConstruction: 32})
	vs := make([][]float32, 2000)
	for i := range vs {
		vs[i] = randVec(r, 8)
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				h.Search(vs[(i*7+w)%len(vs)], 5, func(id uint32) bool { return id%2 == 0 })
			}
		}()
	}
	for i, v := range vs {
		h.Add(uint32(i%1500), v)
		if i%5 == 0 {
			h.Delete(uint32(i / 2))
		}
	}
	wg.Wait()
}

func TestHNSWAddBatchParallel(t *testing.T) {
	for _, m := range []Metric{Cosine, Euclidean} {
		r := rand.New(rand.NewPCG(21, uint64(m)))
		const n, dim = 4000, 24
		all := clustered(r, n+100, dim, 30, 0.5)
		ids := make([]uint32, 0, n)
		flatVecs := make([]float32, 0, n*dim)
		f := NewFlat(dim, m)
		for i, v := range all[:n] {
			id := uint32(i)
			if i%10 == 9 {
				id = uint32(i - 1) // a later duplicate replaces the earlier one
			}
			ids = append(ids, id)
			flatVecs = append(flatVecs, v...)
			f.Add(id, v)
		}
		h := NewHNSW(dim, m, HNSWOptions{M: 8, EfConstruction: 64})
		h.Add(1, all[n]) // replaced by the batch
		if err := h.AddBatch(ids, flatVecs, 4); err != nil {
			t.Fatal(err)
		}
		if h.Len() != f.Len() {
			t.Fatalf("Len = %d, want %d", h.Len(), f.Len())
		}
		var sum float64
		for _, q := range all[n:] {
			sum += recall(h.Search(q, 10, nil), f.Search(q, 10, nil))
		}
		if rc := sum / 100; rc < 0.95 {
			t.Fatalf("%v: recall@10 after a parallel batch = %.3f, want >= 0.95", m, rc)
		}
		if err := h.AddBatch([]uint32{1, 2}, make([]float32, dim), 2); err == nil {
			t.Fatal("AddBatch accepted vecs of the wrong length")
		}
	}
}

func TestHNSWQuantized(t *testing.T) {
	for _, m := range []Metric{Cosine, Euclidean, DotProduct} {
		r := rand.New(rand.NewPCG(31, uint64(m)))
		const n, dim = 3000, 32
		all := clustered(r, n+100, dim, 30, 0.5)
		h := NewHNSW(dim, m, HNSWOptions{M: 12, EfConstruction: 100, Quantize: true})
		f := NewFlat(dim, m)
		for i, v := range all[:n] {
			h.Add(uint32(i), v)
			f.Add(uint32(i), v)
		}
		for i := 0; i < n; i += 5 {
			h.Delete(uint32(i))
			f.Delete(uint32(i))
		}
		var sum float64
		for _, q := range all[n:] {
			got, want := h.Search(q, 10, nil), f.Search(q, 10, nil)
			sum += recall(got, want)
			// Scores are close to the exact ones (within 2%, or 0.02).
			tol := max(0.02, 0.02*math.Abs(float64(want[0].Score)))
			if d := math.Abs(float64(got[0].Score - want[0].Score)); d > tol {
				if got[0].ID == want[0].ID {
					t.Fatalf("%v: quantized score %v, exact %v", m, got[0].Score, want[0].Score)
				}
			}
		}
		if rc := sum / 100; rc < 0.9 {
			t.Fatalf("%v: quantized recall@10 = %.3f, want >= 0.9", m, rc)
		} else {
			t.Logf("%v: quantized recall@10 = %.3f", m, rc)
		}
		var buf bytes.Buffer
		if _, err := h.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		g, err := ReadHNSW(&buf)
		if err != nil {
			t.Fatal(err)
		}
		q := all[n]
		if a, b := h.Search(q, 10, nil), g.Search(q, 10, nil); !reflect.DeepEqual(a, b) {
			t.Fatalf("%v: quantized results differ after reload:\n%v\n%v", m, a, b)
		}
	}
}
