package index

import (
	"math/rand/v2"
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
