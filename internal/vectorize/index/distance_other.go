//go:build !amd64 || purego

package index

// dot returns the inner product of a and b over len(a) elements; b must be
// at least as long.
func dot(a, b []float32) float32 { return dotGo(a, b) }

// l2sq returns the squared euclidean distance between a and b over len(a)
// elements; b must be at least as long.
func l2sq(a, b []float32) float32 { return l2sqGo(a, b) }

// hasBatch reports whether [distMany] has a batched kernel for dim.
func hasBatch(dim int) bool { return false }

func distMany(m Metric, q, vecs []float32, dim int, slots []uint32, out []float32) {
	panic("index: distMany without a batched kernel")
}

func prefetch(p *float32) {}

func dotI8(q []float32, code []int8) float32 { return dotI8Go(q, code) }

func l2I8(q []float32, code []int8, scale float32) float32 { return l2I8Go(q, code, scale) }
