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
