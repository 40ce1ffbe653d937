// Package index holds the in-memory nearest-neighbour indexes that Vectorize
// searches: [Flat], an exact scan, and [HNSW], a hierarchical navigable
// small-world graph for large indexes.
//
// Both implement [Index]. Vectors are identified by dense uint32 ids that the
// caller assigns (the Vectorize service maps its string ids to these). Scores
// follow Cloudflare Vectorize: for [Cosine] the score is the cosine similarity
// (-1..1, higher is better), for [Euclidean] the euclidean distance (lower is
// better) and for [DotProduct] the dot product (higher is better). Results are
// always sorted best first; ties are broken by the smaller id.
//
// All indexes are safe for concurrent use: any number of searches may run
// while one writer adds or deletes (writers are serialized internally).
package index

import (
	"fmt"
	"math"
)

// Metric is the similarity measure an index is built for. It is fixed when
// the index is created.
type Metric int

// The metrics Vectorize offers.
const (
	// Cosine scores by cosine similarity, higher is better. Vectors and
	// queries are normalized to unit length; a zero vector scores 0 against
	// everything.
	Cosine Metric = iota
	// Euclidean scores by euclidean (L2) distance, lower is better.
	Euclidean
	// DotProduct scores by the inner product, higher is better.
	DotProduct
)

// String returns the metric's name as Cloudflare writes it: "cosine",
// "euclidean" or "dot-product".
func (m Metric) String() string {
	switch m {
	case Cosine:
		return "cosine"
	case Euclidean:
		return "euclidean"
	case DotProduct:
		return "dot-product"
	}
	return fmt.Sprintf("Metric(%d)", int(m))
}

// ParseMetric returns the metric named s ("cosine", "euclidean" or
// "dot-product"), or an error that lists the valid names.
func ParseMetric(s string) (Metric, error) {
	switch s {
	case "cosine":
		return Cosine, nil
	case "euclidean":
		return Euclidean, nil
	case "dot-product":
		return DotProduct, nil
	}
	return 0, fmt.Errorf("index: unknown metric %q: use cosine, euclidean or dot-product", s)
}

// Better reports whether score a ranks before score b under m (higher first
// for cosine and dot product, lower first for euclidean).
func (m Metric) Better(a, b float32) bool {
	if m == Euclidean {
		return a < b
	}
	return a > b
}

// Result is one match: the caller's id and its score under the index metric.
type Result struct {
	ID    uint32
	Score float32
}

// Index is what the Vectorize service searches. Implementations copy the
// vectors they are given; callers may reuse their slices.
type Index interface {
	// Add inserts v under id, replacing any vector already stored under id.
	// It panics if len(v) != Dim().
	Add(id uint32, v []float32)
	// Delete removes id; it is a no-op if id is absent.
	Delete(id uint32)
	// Search returns up to k results nearest to q, best first. When accept
	// is non-nil only ids for which it returns true are returned, and the
	// filter is applied during the search, so k results come back whenever
	// k accepted vectors exist (for [HNSW], with its usual recall). accept
	// is called with the index read-locked and must not call back into the
	// index. It panics if len(q) != Dim(). k <= 0 returns nil.
	Search(q []float32, k int, accept func(id uint32) bool) []Result
	// SearchIn is an exact search restricted to ids (unknown ids are
	// skipped, duplicates count once). Use it when the caller already holds
	// a small candidate set, such as the ids matching a selective filter.
	SearchIn(q []float32, k int, ids []uint32) []Result
	// Len returns the number of vectors stored.
	Len() int
	// Dim returns the dimension every vector and query must have.
	Dim() int
	// Metric returns the metric the index was created with.
	Metric() Metric
}

// Interface guards.
var (
	_ Index = (*Flat)(nil)
	_ Index = (*HNSW)(nil)
)

// prepare returns the form of v that the index stores or searches with: a
// copy normalized to unit length for cosine, v itself otherwise.
func prepare(m Metric, v []float32, buf []float32) []float32 {
	if m != Cosine {
		return v
	}
	buf = append(buf[:0], v...)
	normalize(buf)
	return buf
}

// normalize scales v to unit length in place; a zero vector stays zero.
func normalize(v []float32) {
	n := dot(v, v)
	if n == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(float64(n)))
	for i := range v {
		v[i] *= inv
	}
}

// distFunc returns the internal distance for m, where lower is always
// better: -dot for cosine (on unit vectors) and dot product, squared L2 for
// euclidean.
func distFunc(m Metric) func(a, b []float32) float32 {
	if m == Euclidean {
		return l2sq
	}
	return negDot
}

func negDot(a, b []float32) float32 { return -dot(a, b) }

// score converts an internal distance to the Cloudflare score for m.
func score(m Metric, d float32) float32 {
	switch m {
	case Euclidean:
		return float32(math.Sqrt(float64(d)))
	default:
		return -d
	}
}

func checkDim(what string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("index: %s has %d dimensions, the index has %d", what, got, want))
	}
}
