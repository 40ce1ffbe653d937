//go:build !amd64 || purego

package index

// dot returns the inner product of a and b over len(a) elements; b must be
// at least as long.
func dot(a, b []float32) float32 { return dotGo(a, b) }

// l2sq returns the squared euclidean distance between a and b over len(a)
// elements; b must be at least as long.
func l2sq(a, b []float32) float32 { return l2sqGo(a, b) }
