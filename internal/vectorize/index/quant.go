package index

import "math"

// Scalar quantization ([HNSWOptions.Quantize]): each vector is stored as
// Dim signed bytes and one float32 scale, v[i] ≈ scale*code[i], with scale =
// max|v[i]|/127. Distances are computed between the float32 query and the
// codes without decoding them to memory first.

// quantize writes v's codes into code and returns the scale.
func quantize(v []float32, code []int8) float32 {
	var m float32
	for _, x := range v {
		m = max(m, float32(math.Abs(float64(x))))
	}
	if m == 0 || math.IsNaN(float64(m)) || math.IsInf(float64(m), 0) {
		clear(code)
		return 0
	}
	scale := m / 127
	inv := 1 / scale
	for i, x := range v {
		code[i] = int8(max(-127, min(127, math.Round(float64(x*inv)))))
	}
	return scale
}

// dotI8Go returns Σ q[i]*code[i] over len(q) elements.
func dotI8Go(q []float32, code []int8) float32 {
	n := len(q)
	code = code[:n]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= n; i += 4 {
		s0 += q[i] * float32(code[i])
		s1 += q[i+1] * float32(code[i+1])
		s2 += q[i+2] * float32(code[i+2])
		s3 += q[i+3] * float32(code[i+3])
	}
	for ; i < n; i++ {
		s0 += q[i] * float32(code[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// l2I8Go returns Σ (q[i] - scale*code[i])² over len(q) elements.
func l2I8Go(q []float32, code []int8, scale float32) float32 {
	n := len(q)
	code = code[:n]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= n; i += 4 {
		d0 := q[i] - scale*float32(code[i])
		d1 := q[i+1] - scale*float32(code[i+1])
		d2 := q[i+2] - scale*float32(code[i+2])
		d3 := q[i+3] - scale*float32(code[i+3])
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < n; i++ {
		d := q[i] - scale*float32(code[i])
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

func (h *HNSW) code(s uint32) []int8 {
	i := int(s) * h.dim
	return h.codes[i : i+h.dim : i+h.dim]
}

// distTo returns the internal distance from query q to slot s.
func (h *HNSW) distTo(q []float32, s uint32) float32 {
	if !h.opt.Quantize {
		return h.dist(q, h.vec(s))
	}
	if h.metric == Euclidean {
		return l2I8(q, h.code(s), h.qscale[s])
	}
	return -dotI8(q, h.code(s)) * h.qscale[s]
}

// decode returns slot s's vector as float32: the stored slice itself, or
// for a quantized index its decoded form in buf (grown as needed).
func (h *HNSW) decode(s uint32, buf *[]float32) []float32 {
	if !h.opt.Quantize {
		return h.vec(s)
	}
	if cap(*buf) < h.dim {
		*buf = make([]float32, h.dim)
	}
	out := (*buf)[:h.dim]
	scale := h.qscale[s]
	for i, c := range h.code(s) {
		out[i] = scale * float32(c)
	}
	return out
}

// store writes v (normalized first for cosine) into slot s.
func (h *HNSW) store(s uint32, v []float32) {
	if !h.opt.Quantize {
		dst := h.vec(s)
		copy(dst, v)
		if h.metric == Cosine {
			normalize(dst)
		}
		return
	}
	if h.metric == Cosine {
		n := make([]float32, len(v))
		copy(n, v)
		normalize(n)
		v = n
	}
	h.qscale[s] = quantize(v, h.code(s))
}
