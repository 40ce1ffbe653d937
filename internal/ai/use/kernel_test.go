package use

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randomLinear(kern kernel, k, n int) *linear {
	w := make([]float32, k*n)
	b := make([]float32, n)
	for i := range w {
		w[i] = rand.Float32() - 0.5
	}
	for i := range b {
		b[i] = rand.Float32() - 0.5
	}
	ws := &weightSet{kern: kern, all: map[string]tensor{"w": {shape: []int{k, n}, data: append([]float32(nil), w...)}, "b": {shape: []int{n}, data: b}}}
	l := newLinear(ws, "w", "b", k, n)
	ws.release()
	if ws.err != nil {
		panic(ws.err)
	}
	l.orig = w
	return l
}

// TestLinearMatchesNaive checks every kernel this CPU runs (assembly and Go) against a
// plain triple loop, with ReLU and a residual input.
func TestLinearMatchesNaive(t *testing.T) {
	for _, kern := range kernels() {
		t.Run(kern.name, func(t *testing.T) { testLinear(t, kern) })
	}
}

func testLinear(t *testing.T, kern kernel) {
	for _, c := range []struct{ rows, k, n int }{{4, 1, 64}, {4, 3, 128}, {8, 256, 512}, {12, 512, 1536}, {4, 1536, 512}} {
		l := randomLinear(kern, c.k, c.n)
		x := make([]float32, c.rows*c.k)
		add := make([]float32, c.rows*c.n)
		for i := range x {
			x[i] = rand.Float32() - 0.5
		}
		for i := range add {
			add[i] = rand.Float32() - 0.5
		}
		for _, relu := range []bool{false, true} {
			for _, par := range []int{1, 3} {
				got := make([]float32, c.rows*c.n)
				l.apply(par, got, x, c.rows, add, relu)
				for r := 0; r < c.rows; r++ {
					for j := 0; j < c.n; j++ {
						want := float64(l.b[j]) + float64(add[r*c.n+j])
						for i := 0; i < c.k; i++ {
							want += float64(x[r*c.k+i]) * float64(l.orig[i*c.n+j])
						}
						if relu && want < 0 {
							want = 0
						}
						if d := float64(got[r*c.n+j]) - want; d > 1e-3 || d < -1e-3 {
							t.Fatalf("%dx%dx%d relu=%v par=%d: [%d][%d] = %f, want %f", c.rows, c.k, c.n, relu, par, r, j, got[r*c.n+j], want)
						}
					}
				}
			}
		}
	}
}

func TestDotAndAxpy(t *testing.T) {
	for _, n := range []int{1, 7, 16, 64, 128, 130} {
		a := make([]float32, n)
		b := make([]float32, n)
		for i := range a {
			a[i], b[i] = rand.Float32()-0.5, rand.Float32()-0.5
		}
		var want float64
		for i := range a {
			want += float64(a[i]) * float64(b[i])
		}
		if got := dot(a, b); math.Abs(float64(got)-want) > 1e-4 {
			t.Errorf("dot n=%d: %f, want %f", n, got, want)
		}
		y := append([]float32(nil), b...)
		axpy(0.5, a, y)
		for i := range y {
			if w := b[i] + 0.5*a[i]; math.Abs(float64(y[i]-w)) > 1e-6 {
				t.Fatalf("axpy n=%d: y[%d] = %f, want %f", n, i, y[i], w)
			}
		}
	}
}
