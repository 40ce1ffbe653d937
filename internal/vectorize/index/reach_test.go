package index

import (
	"math/rand/v2"
	"testing"
)

// TestHNSWChurnKeepsEveryVectorReachable adds and deletes random ids of a
// small range and checks after every step that a search for more results
// than there are vectors returns every live one: deletes and slot reuse
// must never leave a node unreachable.
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
