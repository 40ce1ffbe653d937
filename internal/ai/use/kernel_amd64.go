package use

import "golang.org/x/sys/cpu"

//go:noescape
func kernel4x16AVX2(k int, a *float32, lda int, b *float32, c *float32, ldc int)

//go:noescape
func kernel4x64AVX512(k int, a *float32, lda int, b *float32, c *float32, ldc int)

//go:noescape
func dotAVX2(a, b *float32, n int) float32

//go:noescape
func axpyAVX2(alpha float32, x, y *float32, n int)

var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dot returns a·b (len(b) >= len(a)).
func dot(a, b []float32) float32 {
	if hasAVX2 && len(a) > 0 && len(a)%16 == 0 {
		_ = b[len(a)-1]
		return dotAVX2(&a[0], &b[0], len(a))
	}
	return dotGo(a, b)
}

// axpy adds alpha·x to y (len(y) >= len(x)).
func axpy(alpha float32, x, y []float32) {
	if hasAVX2 && len(x) > 0 && len(x)%16 == 0 {
		_ = y[len(x)-1]
		axpyAVX2(alpha, &x[0], &y[0], len(x))
		return
	}
	axpyGo(alpha, x, y)
}

// kernels lists the matrix-multiply kernels this CPU runs, best first: AVX-512 (4 rows ×
// 64 columns), AVX2 + FMA3 (4 × 16; every x86-64 CPU since 2013), then portable Go.
func kernels() []kernel {
	var ks []kernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, kernel{name: "avx512", width: 64, fn: asmKernel(64, kernel4x64AVX512)})
	}
	if hasAVX2 {
		ks = append(ks, kernel{name: "avx2", width: 16, fn: asmKernel(16, kernel4x16AVX2)})
	}
	return append(ks, goKernel)
}

// asmKernel wraps an assembly kernel with the bounds checks it relies on.
func asmKernel(width int, f func(k int, a *float32, lda int, b *float32, c *float32, ldc int)) func(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
	return func(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
		if k == 0 {
			return
		}
		_ = a[3*lda+k-1]
		_ = b[k*width-1]
		_ = c[3*ldc+width-1]
		f(k, &a[0], lda, &b[0], &c[0], ldc)
	}
}
