package use

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// kernel is a matrix-multiply micro-kernel: fn(k, a, lda, b, c, ldc) adds to the 4 rows
// × width columns of c (rows ldc apart) the product of 4 rows of a (lda apart, k floats
// each) and a packed panel b (k rows of width consecutive floats).
type kernel struct {
	name  string
	width int
	fn    func(k int, a []float32, lda int, b []float32, c []float32, ldc int)
}

// goKernel is the portable kernel, on every architecture.
var goKernel = kernel{name: "go", width: 16, fn: kernel4x16Go}

// linear is y = x·W + b with W of shape [k][n], stored packed for its kernel: n/width
// panels, each k rows of width consecutive floats, so the kernel streams a panel
// contiguously.
type linear struct {
	k, n int
	w    []float32
	b    []float32
	kern kernel
	orig []float32 // tests only: the unpacked weights
}

// newLinear packs the weights named wName ([k][n] in row-major order, as TF stores both
// MatMul kernels and 1×1 Conv2D filters) and bName ([n]) for the kernel ws.kern.
func newLinear(ws *weightSet, wName, bName string, k, n int) *linear {
	panel := ws.kern.width
	w := ws.get(wName, k, n)
	b := ws.get(bName, n)
	if ws.err != nil {
		return &linear{}
	}
	if n%panel != 0 {
		ws.err = fmt.Errorf("weight %s has %d columns, not a multiple of %d", wName, n, panel)
		return &linear{}
	}
	// Repack in place (w is the weight's own memory), through a copy of the original.
	orig := ws.scratch(k * n)
	copy(orig, w)
	for p := 0; p < n/panel; p++ {
		dst := w[p*k*panel : (p+1)*k*panel]
		for r := 0; r < k; r++ {
			copy(dst[r*panel:(r+1)*panel], orig[r*n+p*panel:r*n+(p+1)*panel])
		}
	}
	return &linear{k: k, n: n, w: w, b: b, kern: ws.kern}
}

// apply sets dst[r][0:n] = x[r][0:k]·W + b (+ add[r][0:n] when add is not nil) for r <
// rows, with ReLU after when relu is set. rows must be a multiple of 4; x, dst and add
// are row-major with strides k, n and n. Up to par goroutines share the work.
func (l *linear) apply(par int, dst, x []float32, rows int, add []float32, relu bool) {
	if rows%4 != 0 || len(x) < rows*l.k || len(dst) < rows*l.n || (add != nil && len(add) < rows*l.n) {
		panic(fmt.Sprintf("use: linear.apply: %d rows, buffers %d/%d/%d for %dx%d", rows, len(dst), len(x), len(add), l.k, l.n))
	}
	panel := l.kern.width
	panels := l.n / panel
	do := func(p int) {
		c0 := p * panel
		for r := 0; r < rows; r++ {
			d := dst[r*l.n+c0 : r*l.n+c0+panel]
			if add != nil {
				a := add[r*l.n+c0 : r*l.n+c0+panel]
				for j := range d {
					d[j] = l.b[c0+j] + a[j]
				}
			} else {
				copy(d, l.b[c0:c0+panel])
			}
		}
		wp := l.w[p*l.k*panel : (p+1)*l.k*panel]
		for r := 0; r < rows; r += 4 {
			l.kern.fn(l.k, x[r*l.k:], l.k, wp, dst[r*l.n+c0:], l.n)
		}
		if relu {
			for r := 0; r < rows; r++ {
				d := dst[r*l.n+c0 : r*l.n+c0+panel]
				for j, v := range d {
					if v < 0 {
						d[j] = 0
					}
				}
			}
		}
	}
	if rows*l.k*l.n < 1<<17 {
		for p := 0; p < panels; p++ {
			do(p)
		}
		return
	}
	parallelFor(par, panels, do)
}

// parallelFor runs fn(0..n-1) on up to par goroutines (the caller's included).
func parallelFor(par, n int, fn func(i int)) {
	g := par
	if g > n {
		g = n
	}
	if g <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	run := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(i)
		}
	}
	wg.Add(g - 1)
	for i := 0; i < g-1; i++ {
		go func() { defer wg.Done(); run() }()
	}
	run()
	wg.Wait()
}

// kernel4x16Go is the portable kernel: c[r][0:16] += Σ_i a[r][i]·b[i][0:16] for r < 4,
// with a's rows lda apart, c's rows ldc apart and b a packed panel (16 floats per i). It
// works on 4 rows × 4 columns at a time, 16 accumulators the compiler keeps in registers.
func kernel4x16Go(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
	a0, a1, a2, a3 := a[:k], a[lda:lda+k], a[2*lda:2*lda+k], a[3*lda:3*lda+k]
	const w = 16
	b = b[:k*w]
	c0, c1, c2, c3 := c[:w], c[ldc:ldc+w], c[2*ldc:2*ldc+w], c[3*ldc:3*ldc+w]
	for j := 0; j < w; j += 4 {
		s00, s01, s02, s03 := c0[j], c0[j+1], c0[j+2], c0[j+3]
		s10, s11, s12, s13 := c1[j], c1[j+1], c1[j+2], c1[j+3]
		s20, s21, s22, s23 := c2[j], c2[j+1], c2[j+2], c2[j+3]
		s30, s31, s32, s33 := c3[j], c3[j+1], c3[j+2], c3[j+3]
		for i := 0; i < k; i++ {
			bp := b[i*w+j : i*w+j+4 : i*w+j+4]
			b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
			x := a0[i]
			s00, s01, s02, s03 = s00+x*b0, s01+x*b1, s02+x*b2, s03+x*b3
			x = a1[i]
			s10, s11, s12, s13 = s10+x*b0, s11+x*b1, s12+x*b2, s13+x*b3
			x = a2[i]
			s20, s21, s22, s23 = s20+x*b0, s21+x*b1, s22+x*b2, s23+x*b3
			x = a3[i]
			s30, s31, s32, s33 = s30+x*b0, s31+x*b1, s32+x*b2, s33+x*b3
		}
		c0[j], c0[j+1], c0[j+2], c0[j+3] = s00, s01, s02, s03
		c1[j], c1[j+1], c1[j+2], c1[j+3] = s10, s11, s12, s13
		c2[j], c2[j+1], c2[j+2], c2[j+3] = s20, s21, s22, s23
		c3[j], c3[j+1], c3[j+2], c3[j+3] = s30, s31, s32, s33
	}
}
