package vectorize

import (
	"math"
	"sort"
)

// Score is the score Cloudflare reports for stored vector v against query
// q under metric m: cosine similarity (0 when either vector is all zeros),
// euclidean distance, or dot product. Exact search and the conformance
// suite's reference model use it; approximate indexes must agree with it.
func Score(m Metric, q, v []float32) float32 {
	switch m {
	case Euclidean:
		var s float32
		for i := range q {
			d := q[i] - v[i]
			s += d * d
		}
		return float32(math.Sqrt(float64(s)))
	case DotProduct:
		return dot(q, v)
	}
	var qq, vv float32
	for i := range q {
		qq += q[i] * q[i]
		vv += v[i] * v[i]
	}
	if qq == 0 || vv == 0 {
		return 0
	}
	return dot(q, v) / float32(math.Sqrt(float64(qq))*math.Sqrt(float64(vv)))
}

func dot(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// Better reports whether score a ranks before score b under m.
func (m Metric) Better(a, b float32) bool {
	if m.HigherIsBetter() {
		return a > b
	}
	return a < b
}

// SortMatches orders matches best first under m, ties by id (so that
// results are deterministic).
func SortMatches(m Metric, ms []Match) {
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Score != ms[j].Score {
			return m.Better(ms[i].Score, ms[j].Score)
		}
		return ms[i].ID < ms[j].ID
	})
}
