package use

//go:noescape
func kernel4x16NEON(k int, a *float32, lda int, b *float32, c *float32, ldc int)

// kernels lists the matrix-multiply kernels this CPU runs, best first: NEON (4 rows × 16
// columns; every arm64 CPU has it), then portable Go.
func kernels() []kernel {
	return []kernel{{name: "neon", width: 16, fn: func(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
		if k == 0 {
			return
		}
		// Bounds the assembly relies on, checked here once.
		_ = a[3*lda+k-1]
		_ = b[k*16-1]
		_ = c[3*ldc+16-1]
		kernel4x16NEON(k, &a[0], lda, &b[0], &c[0], ldc)
	}}, goKernel}
}

// dot returns a·b (len(b) >= len(a)).
func dot(a, b []float32) float32 { return dotGo(a, b) }

// axpy adds alpha·x to y (len(y) >= len(x)).
func axpy(alpha float32, x, y []float32) { axpyGo(alpha, x, y) }
