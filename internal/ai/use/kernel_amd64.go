package use

import "golang.org/x/sys/cpu"

// hasAVX2FMA selects the assembly kernel (AVX2 + FMA3, every x86-64 CPU since 2013).
var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func kernel4x16AVX2(k int, a *float32, lda int, b *float32, c *float32, ldc int)

// kernel4x16 computes c[r][0:16] += Σ_i a[r][i]·b[i][0:16] for r < 4 (see kernel4x16Go).
func kernel4x16(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
	if !hasAVX2FMA || k == 0 {
		kernel4x16Go(k, a, lda, b, c, ldc)
		return
	}
	// Bounds the assembly relies on, checked here once.
	_ = a[3*lda+k-1]
	_ = b[k*panel-1]
	_ = c[3*ldc+panel-1]
	kernel4x16AVX2(k, &a[0], lda, &b[0], &c[0], ldc)
}
