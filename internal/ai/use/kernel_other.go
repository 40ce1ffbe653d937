//go:build !amd64

package use

// kernel4x16 computes c[r][0:16] += Σ_i a[r][i]·b[i][0:16] for r < 4 (see kernel4x16Go).
func kernel4x16(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
	kernel4x16Go(k, a, lda, b, c, ldc)
}
