package index

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestHNSWChurnKeepsEveryVectorReachable adds and deletes random ids of a
// small range and checks after every step that a search for more results
// than there are vectors returns every live one: deletes (tombstones) and
// re-adds must never leave a node unreachable.
func TestHNSWChurnKeepsEveryVectorReachable(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, seed))
		h := NewHNSW(8, Euclidean, HNSWOptions{EfSearch: 1000, Seed: seed})
		live := map[uint32]bool{}
		vec := func() []float32 {
			v := make([]float32, 8)
			for i := range v {
				v[i] = rng.Float32()
			}
			return v
		}
		for step := 0; step < 600; step++ {
			id := uint32(rng.IntN(120))
			if rng.IntN(2) == 0 {
				h.Delete(id)
				delete(live, id)
			} else {
				h.Add(id, vec())
				live[id] = true
			}
			got := h.Search(vec(), 200, nil)
			if len(got) != len(live) {
				t.Fatalf("seed %d step %d: search found %d of %d live vectors", seed, step, len(got), len(live))
			}
		}
	}
}

// TestHNSWBatchedUpsertsKeepEveryVectorReachable replays what
// vectorizelocal's drain does: small batches of upserts (a present id is
// deleted, then re-added) mixed with deletes, built by one worker, with
// every live vector looked up after every step. It found vectors lost when
// tombstoned slots were reused (116 of 616,628 lookups), which is why they
// no longer are.
func TestHNSWBatchedUpsertsKeepEveryVectorReachable(t *testing.T) {
	const dim = 8
	for seed := uint64(0); seed < 16; seed++ {
		r := rand.New(rand.NewPCG(seed, 1))
		h := NewHNSW(dim, Cosine, HNSWOptions{EfSearch: 1000, Seed: seed})
		live := map[uint32][]float32{}
		for step := 0; step < 200; step++ {
			if r.IntN(3) < 2 {
				var ids []uint32
				var vs []float32
				seen := map[uint32]bool{}
				for range 5 {
					id := uint32(r.IntN(60))
					if seen[id] {
						continue
					}
					seen[id] = true
					v := make([]float32, dim)
					for j := range v {
						v[j] = r.Float32()*2 - 1
					}
					if _, ok := live[id]; ok {
						h.Delete(id)
					}
					ids = append(ids, id)
					vs = append(vs, v...)
					live[id] = v
				}
				if err := h.AddBatch(ids, vs, 1); err != nil {
					t.Fatal(err)
				}
			} else {
				id := uint32(r.IntN(60))
				h.Delete(id)
				delete(live, id)
			}
			for id, v := range live {
				found := false
				for _, m := range h.Search(v, len(live), nil) {
					found = found || m.ID == id
				}
				if !found {
					t.Fatalf("seed %d step %d: live vector %d is not found (%d live)", seed, step, id, len(live))
				}
			}
		}
	}
}

// TestHNSWChurnAcrossCompactions is the batched-upsert churn above with a
// compaction floor of 16 tombstones, so that each run crosses many
// rebuilds, and every live vector is looked up after every step: a rebuilt
// graph must not orphan a node (rebuilds with two workers did).
func TestHNSWChurnAcrossCompactions(t *testing.T) {
	const dim = 8
	for seed := uint64(0); seed < 6; seed++ {
		r := rand.New(rand.NewPCG(seed, 2))
		h := NewHNSW(dim, Cosine, HNSWOptions{EfSearch: 1000, Seed: seed})
		h.compactMin = 16
		live := map[uint32][]float32{}
		compactions := 0
		for step := 0; step < 250; step++ {
			before := h.Tombstones()
			if r.IntN(3) < 2 {
				var ids []uint32
				var vs []float32
				seen := map[uint32]bool{}
				for range 8 {
					id := uint32(r.IntN(150))
					if seen[id] {
						continue
					}
					seen[id] = true
					v := make([]float32, dim)
					for j := range v {
						v[j] = r.Float32()*2 - 1
					}
					ids = append(ids, id)
					vs = append(vs, v...)
					live[id] = v
				}
				if err := h.AddBatch(ids, vs, 1); err != nil {
					t.Fatal(err)
				}
			} else {
				for range 3 {
					id := uint32(r.IntN(150))
					h.Delete(id)
					delete(live, id)
				}
			}
			if h.Tombstones() < before {
				compactions++
			}
			if h.Len() != len(live) {
				t.Fatalf("seed %d step %d: Len %d, want %d", seed, step, h.Len(), len(live))
			}
			for id, v := range live {
				found := false
				for _, m := range h.Search(v, len(live), nil) {
					found = found || m.ID == id
				}
				if !found {
					t.Fatalf("seed %d step %d (after %d compactions): live vector %d is not found (%d live)", seed, step, compactions, id, len(live))
				}
			}
		}
		if compactions < 3 {
			t.Fatalf("seed %d: %d compactions, want at least 3 (the test would not cross rebuilds)", seed, compactions)
		}
	}
}

// TestHNSWManualCompaction checks SetAutoCompact(false): tombstones pile
// up past the automatic floor, Tombstones counts them, and AppendVector
// reads the live vectors out (as Vector does) to build a replacement.
func TestHNSWManualCompaction(t *testing.T) {
	for _, quant := range []bool{false, true} {
		r := rand.New(rand.NewPCG(5, 5))
		h := NewHNSW(8, Euclidean, HNSWOptions{M: 8, Quantize: quant})
		h.SetAutoCompact(false)
		for i := range 3000 {
			h.Add(uint32(i), randVec(r, 8))
		}
		for i := range 2500 {
			h.Delete(uint32(i))
		}
		if n := h.Tombstones(); n != 2500 {
			t.Fatalf("quantize %v: Tombstones = %d, want 2500 (no automatic rebuild)", quant, n)
		}
		var ids []uint32
		var vecs []float32
		for id := range uint32(3000) {
			var ok bool
			n := len(vecs)
			if vecs, ok = h.AppendVector(vecs, id); ok {
				want, _ := h.Vector(id)
				if !slices.Equal(vecs[n:], want) {
					t.Fatalf("quantize %v: AppendVector(%d) = %v, Vector = %v", quant, id, vecs[n:], want)
				}
				ids = append(ids, id)
			} else if len(vecs) != n {
				t.Fatalf("quantize %v: AppendVector of deleted id %d appended", quant, id)
			}
		}
		if len(ids) != 500 {
			t.Fatalf("quantize %v: %d live vectors read, want 500", quant, len(ids))
		}
		g := NewHNSW(8, Euclidean, h.Options())
		if err := g.AddBatch(ids, vecs, 1); err != nil {
			t.Fatal(err)
		}
		if g.Len() != 500 || g.Tombstones() != 0 {
			t.Fatalf("quantize %v: rebuilt graph has %d live, %d tombstones", quant, g.Len(), g.Tombstones())
		}
		h.SetAutoCompact(true)
		h.Delete(2999) // the next delete rebuilds
		if n := h.Tombstones(); n != 0 {
			t.Fatalf("quantize %v: %d tombstones after re-enabling automatic rebuilds", quant, n)
		}
	}
}
