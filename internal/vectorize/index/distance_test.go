package index

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelsMatchReference checks the selected kernels (assembly where the
// CPU has it) against float64 sums for every length up to 300.
func TestKernelsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for n := 0; n <= 300; n++ {
		a, b := randVec(r, n), randVec(r, n+3) // b may be longer
		var wd, wl float64
		for i := range a {
			wd += float64(a[i]) * float64(b[i])
			d := float64(a[i]) - float64(b[i])
			wl += d * d
		}
		tol := 1e-4 * math.Max(1, float64(n))
		for name, got := range map[string]float32{"dot": dot(a, b), "dotGo": dotGo(a, b)} {
			if math.Abs(float64(got)-wd) > tol {
				t.Fatalf("n=%d %s = %v, want %v", n, name, got, wd)
			}
		}
		for name, got := range map[string]float32{"l2sq": l2sq(a, b), "l2sqGo": l2sqGo(a, b)} {
			if math.Abs(float64(got)-wl) > tol {
				t.Fatalf("n=%d %s = %v, want %v", n, name, got, wl)
			}
		}
	}
}

func BenchmarkDot768(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	x, y := randVec(r, 768), randVec(r, 768)
	b.Run("selected", func(b *testing.B) {
		for b.Loop() {
			dot(x, y)
		}
	})
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			dotGo(x, y)
		}
	})
}

func TestDistManyMatchesSingle(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, dim := range []int{8, 16, 24, 384, 768, 1536} {
		if !hasBatch(dim) {
			t.Skipf("no batched kernel on this CPU/build (the single kernels are tested above)")
		}
		const n = 11
		vecs := make([]float32, 0, n*dim)
		for range n {
			vecs = append(vecs, randVec(r, dim)...)
		}
		q := randVec(r, dim)
		slots := []uint32{3, 0, 10, 7, 7, 1, 2, 9, 4}
		out := make([]float32, len(slots))
		for _, m := range []Metric{Cosine, Euclidean, DotProduct} {
			distMany(m, q, vecs, dim, slots, out)
			f := distFunc(m)
			for i, s := range slots {
				want := f(q, vecs[int(s)*dim:int(s+1)*dim])
				if math.Abs(float64(out[i]-want)) > 1e-3*math.Max(1, math.Abs(float64(want))) {
					t.Fatalf("dim %d %v slot %d: %v, want %v", dim, m, s, out[i], want)
				}
			}
		}
	}
}

func TestInt8KernelsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for n := 0; n <= 100; n++ {
		q := randVec(r, n)
		code := make([]int8, n+2)
		for i := range code {
			code[i] = int8(r.IntN(255) - 127)
		}
		const scale = 0.013
		var wd, wl float64
		for i := range q {
			wd += float64(q[i]) * float64(code[i])
			d := float64(q[i]) - scale*float64(code[i])
			wl += d * d
		}
		tol := 1e-3 * math.Max(1, float64(n))
		for name, got := range map[string]float32{"dotI8": dotI8(q, code), "dotI8Go": dotI8Go(q, code)} {
			if math.Abs(float64(got)-wd) > tol*100 {
				t.Fatalf("n=%d %s = %v, want %v", n, name, got, wd)
			}
		}
		for name, got := range map[string]float32{"l2I8": l2I8(q, code, scale), "l2I8Go": l2I8Go(q, code, scale)} {
			if math.Abs(float64(got)-wl) > tol {
				t.Fatalf("n=%d %s = %v, want %v", n, name, got, wl)
			}
		}
	}
}
