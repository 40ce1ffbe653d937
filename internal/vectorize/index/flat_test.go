package index

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// bruteForce computes the top k independently of the package: float64
// arithmetic, Cloudflare scores, a full sort.
func bruteForce(m Metric, data map[uint32][]float32, q []float32, k int, accept func(uint32) bool) []Result {
	type scored struct {
		id uint32
		s  float64
	}
	var all []scored
	for id, v := range data {
		if accept != nil && !accept(id) {
			continue
		}
		var d, nq, nv, l2 float64
		for i := range v {
			d += float64(q[i]) * float64(v[i])
			nq += float64(q[i]) * float64(q[i])
			nv += float64(v[i]) * float64(v[i])
			x := float64(q[i]) - float64(v[i])
			l2 += x * x
		}
		var s float64
		switch m {
		case Cosine:
			if nq > 0 && nv > 0 {
				s = d / math.Sqrt(nq*nv)
			}
		case Euclidean:
			s = math.Sqrt(l2)
		case DotProduct:
			s = d
		}
		all = append(all, scored{id, s})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].s != all[j].s {
			if m == Euclidean {
				return all[i].s < all[j].s
			}
			return all[i].s > all[j].s
		}
		return all[i].id < all[j].id
	})
	if len(all) > k {
		all = all[:k]
	}
	out := make([]Result, len(all))
	for i, a := range all {
		out[i] = Result{a.id, float32(a.s)}
	}
	return out
}

func randVec(r *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// sameResults compares ids in order and scores within float32 tolerance.
// Where two reference scores are within tolerance the order may differ, so
// ids are compared as sets over such runs.
func sameResults(t *testing.T, what string, got, want []Result) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d results, want %d\ngot  %v\nwant %v", what, len(got), len(want), got, want)
	}
	for i := range got {
		if d := math.Abs(float64(got[i].Score - want[i].Score)); d > 1e-4*math.Max(1, math.Abs(float64(want[i].Score))) {
			t.Fatalf("%s: result %d score %v, want %v\ngot  %v\nwant %v", what, i, got[i].Score, want[i].Score, got, want)
		}
		if got[i].ID != want[i].ID {
			// Accept a swap only between near-equal scores.
			near := (i > 0 && math.Abs(float64(want[i].Score-want[i-1].Score)) < 1e-4) ||
				(i+1 < len(want) && math.Abs(float64(want[i].Score-want[i+1].Score)) < 1e-4)
			if !near {
				t.Fatalf("%s: result %d id %d, want %d\ngot  %v\nwant %v", what, i, got[i].ID, want[i].ID, got, want)
			}
		}
	}
}

func TestFlatMatchesBruteForce(t *testing.T) {
	for _, m := range []Metric{Cosine, Euclidean, DotProduct} {
		t.Run(m.String(), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(m)))
			for trial := 0; trial < 20; trial++ {
				dim := 1 + r.IntN(40)
				f := NewFlat(dim, m)
				data := map[uint32][]float32{}
				n := r.IntN(300)
				for i := 0; i < n; i++ {
					id := uint32(r.IntN(400))
					switch r.IntN(10) {
					case 0:
						f.Delete(id)
						delete(data, id)
					default:
						v := randVec(r, dim)
						f.Add(id, v)
						data[id] = v
					}
				}
				if f.Len() != len(data) {
					t.Fatalf("Len = %d, want %d", f.Len(), len(data))
				}
				for qi := 0; qi < 5; qi++ {
					q := randVec(r, dim)
					k := 1 + r.IntN(20)
					sameResults(t, "all", f.Search(q, k, nil), bruteForce(m, data, q, k, nil))
					mod := uint32(1 + r.IntN(7))
					accept := func(id uint32) bool { return id%mod == 0 }
					got := f.Search(q, k, accept)
					for _, g := range got {
						if !accept(g.ID) {
							t.Fatalf("result %d not accepted", g.ID)
						}
					}
					sameResults(t, "filtered", got, bruteForce(m, data, q, k, accept))
					var ids []uint32
					for id := range data {
						if accept(id) {
							ids = append(ids, id, id) // duplicates count once
						}
					}
					ids = append(ids, 100000) // unknown ids are skipped
					sameResults(t, "SearchIn", f.SearchIn(q, k, ids), bruteForce(m, data, q, k, accept))
				}
			}
		})
	}
}

func TestFlatReplaceAndCosineZero(t *testing.T) {
	f := NewFlat(3, Cosine)
	f.Add(1, []float32{1, 0, 0})
	f.Add(2, []float32{0, 0, 0})
	f.Add(1, []float32{0, 2, 0}) // replace
	got := f.Search([]float32{0, 1, 0}, 5, nil)
	want := []Result{{1, 1}, {2, 0}}
	sameResults(t, "replace", got, want)
	if f.Len() != 2 {
		t.Fatalf("Len = %d, want 2", f.Len())
	}
	f.Delete(1)
	f.Delete(1)
	if got := f.Search([]float32{0, 1, 0}, 5, nil); len(got) != 1 || got[0].ID != 2 {
		t.Fatalf("after delete: %v", got)
	}
	if got := f.Search([]float32{0, 1, 0}, 0, nil); got != nil {
		t.Fatalf("k=0: %v", got)
	}
}

func TestDimensionMismatchPanics(t *testing.T) {
	f := NewFlat(3, Euclidean)
	defer func() {
		if recover() == nil {
			t.Fatal("Add with the wrong dimension did not panic")
		}
	}()
	f.Add(1, []float32{1, 2})
}

func TestParseMetric(t *testing.T) {
	for _, m := range []Metric{Cosine, Euclidean, DotProduct} {
		got, err := ParseMetric(m.String())
		if err != nil || got != m {
			t.Fatalf("ParseMetric(%q) = %v, %v", m.String(), got, err)
		}
	}
	if _, err := ParseMetric("manhattan"); err == nil {
		t.Fatal("ParseMetric accepted manhattan")
	}
}
