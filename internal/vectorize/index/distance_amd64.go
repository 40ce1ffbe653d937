//go:build amd64 && !purego

package index

import "golang.org/x/sys/cpu"

// useAVX2 selects the AVX2+FMA kernels in distance_amd64.s. They process 32
// floats per iteration in four independent accumulators; measured on the
// benchmark machine they are several times faster than the unrolled Go
// loops (bench/README.md). Other CPUs, and builds with the purego tag, use
// the Go loops.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func dotAVX2(a, b *float32, n int) float32

//go:noescape
func l2sqAVX2(a, b *float32, n int) float32

// dot returns the inner product of a and b over len(a) elements; b must be
// at least as long.
func dot(a, b []float32) float32 {
	if useAVX2 && len(a) > 0 {
		_ = b[len(a)-1]
		return dotAVX2(&a[0], &b[0], len(a))
	}
	return dotGo(a, b)
}

// l2sq returns the squared euclidean distance between a and b over len(a)
// elements; b must be at least as long.
func l2sq(a, b []float32) float32 {
	if useAVX2 && len(a) > 0 {
		_ = b[len(a)-1]
		return l2sqAVX2(&a[0], &b[0], len(a))
	}
	return l2sqGo(a, b)
}
