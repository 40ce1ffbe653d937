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

//go:noescape
func dot4AVX2(q, a, b, c, d *float32, n int, out *[4]float32)

//go:noescape
func l2sq4AVX2(q, a, b, c, d *float32, n int, out *[4]float32)

//go:noescape
func prefetch(p *float32)

// hasBatch reports whether [distMany] has a batched kernel for dim.
func hasBatch(dim int) bool { return useAVX2 && dim%8 == 0 && dim > 0 }

// distMany sets out[i] to the internal distance (see [distFunc]) between q
// and the vector at vecs[slots[i]*dim:], four vectors per kernel call.
// The caller has checked [hasBatch]; out is at least len(slots) long.
func distMany(m Metric, q, vecs []float32, dim int, slots []uint32, out []float32) {
	var r [4]float32
	i := 0
	for ; i+4 <= len(slots); i += 4 {
		a := &vecs[int(slots[i])*dim]
		b := &vecs[int(slots[i+1])*dim]
		c := &vecs[int(slots[i+2])*dim]
		d := &vecs[int(slots[i+3])*dim] // slots are valid, so whole vectors are in range
		if m == Euclidean {
			l2sq4AVX2(&q[0], a, b, c, d, dim, &r)
			out[i], out[i+1], out[i+2], out[i+3] = r[0], r[1], r[2], r[3]
		} else {
			dot4AVX2(&q[0], a, b, c, d, dim, &r)
			out[i], out[i+1], out[i+2], out[i+3] = -r[0], -r[1], -r[2], -r[3]
		}
	}
	for ; i < len(slots); i++ {
		j := int(slots[i]) * dim
		v := vecs[j : j+dim]
		if m == Euclidean {
			out[i] = l2sq(q, v)
		} else {
			out[i] = -dot(q, v)
		}
	}
}

//go:noescape
func dotI8AVX2(q *float32, code *int8, n int) float32

//go:noescape
func l2I8AVX2(q *float32, code *int8, n int, scale float32) float32

// dotI8 returns Σ q[i]*code[i] over len(q) elements; code must be at least
// as long.
func dotI8(q []float32, code []int8) float32 {
	if useAVX2 && len(q) > 0 {
		_ = code[len(q)-1]
		return dotI8AVX2(&q[0], &code[0], len(q))
	}
	return dotI8Go(q, code)
}

// l2I8 returns Σ (q[i] - scale*code[i])² over len(q) elements; code must be
// at least as long.
func l2I8(q []float32, code []int8, scale float32) float32 {
	if useAVX2 && len(q) > 0 {
		_ = code[len(q)-1]
		return l2I8AVX2(&q[0], &code[0], len(q), scale)
	}
	return l2I8Go(q, code, scale)
}
