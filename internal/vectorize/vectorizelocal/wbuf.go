package vectorizelocal

import (
	"math"
	"sort"

	"github.com/zerostack/zerostack/internal/vectorize/index"
)

// wbuf is the write buffer: every vector of a small index, and the
// vectors of a large one not yet moved into its graph by the background
// builder. An insert costs a copy into a fixed-size chunk; chunks never
// move (see the package doc for why index.Flat is not used here). It is
// searched exactly, with the same scores as package index: cosine on
// vectors normalized when written. Not safe for concurrent use; vindex.mu
// guards it.
type wbuf struct {
	dim    int
	metric index.Metric
	chunks [][]float32      // chunkSize vectors each
	pos    map[uint32]int32 // slot → position
	at     []uint32         // position → slot (deadSlot when free)
	free   []int32
}

const (
	chunkSize  = 256
	keepChunks = 16 // kept when the buffer empties (4,096 vectors)
	deadSlot   = math.MaxUint32
)

func newWbuf(dim int, m index.Metric) *wbuf {
	return &wbuf{dim: dim, metric: m, pos: map[uint32]int32{}}
}

// Len returns the number of buffered vectors.
func (b *wbuf) Len() int { return len(b.pos) }

func (b *wbuf) vec(p int32) []float32 {
	c := b.chunks[p/chunkSize]
	i := int(p%chunkSize) * b.dim
	return c[i : i+b.dim : i+b.dim]
}

// Add buffers a copy of v under slot sl, replacing a buffered one.
func (b *wbuf) Add(sl uint32, v []float32) {
	p, ok := b.pos[sl]
	if !ok {
		if n := len(b.free); n > 0 {
			p = b.free[n-1]
			b.free = b.free[:n-1]
		} else {
			p = int32(len(b.at))
			b.at = append(b.at, deadSlot)
			if int(p)/chunkSize >= len(b.chunks) {
				b.chunks = append(b.chunks, make([]float32, chunkSize*b.dim))
			}
		}
		b.pos[sl] = p
		b.at[p] = sl
	}
	dst := b.vec(p)
	copy(dst, v)
	if b.metric == index.Cosine {
		var n float64
		for _, x := range dst {
			n += float64(x) * float64(x)
		}
		if n > 0 {
			inv := float32(1 / math.Sqrt(n))
			for i := range dst {
				dst[i] *= inv
			}
		}
	}
}

// Vector returns the buffered (normalized, for cosine) vector of sl; the
// slice is only valid until the next change to b.
func (b *wbuf) Vector(sl uint32) ([]float32, bool) {
	p, ok := b.pos[sl]
	if !ok {
		return nil, false
	}
	return b.vec(p), true
}

// Delete drops sl; absent slots are ignored.
func (b *wbuf) Delete(sl uint32) {
	p, ok := b.pos[sl]
	if !ok {
		return
	}
	delete(b.pos, sl)
	b.at[p] = deadSlot
	b.free = append(b.free, p)
	if len(b.pos) == 0 { // drained: keep a few chunks for the next writes, give the rest back
		b.chunks = b.chunks[:min(len(b.chunks), keepChunks)]
		b.at, b.free = b.at[:0], b.free[:0]
	}
}

// score is package index's score for a stored (prepared) vector.
func (b *wbuf) score(q, v []float32) float32 {
	switch b.metric {
	case index.Euclidean:
		var s float32
		for i := range q {
			d := q[i] - v[i]
			s += d * d
		}
		return float32(math.Sqrt(float64(s)))
	default:
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+4 <= len(q); i += 4 {
			s0 += q[i] * v[i]
			s1 += q[i+1] * v[i+1]
			s2 += q[i+2] * v[i+2]
			s3 += q[i+3] * v[i+3]
		}
		for ; i < len(q); i++ {
			s0 += q[i] * v[i]
		}
		return (s0 + s1) + (s2 + s3)
	}
}

// prepare returns q as searches compare it: normalized for cosine.
func (b *wbuf) prepare(q []float32) []float32 {
	if b.metric != index.Cosine {
		return q
	}
	var n float64
	for _, x := range q {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(q))
	if n == 0 {
		return out
	}
	inv := 1 / math.Sqrt(n)
	for i, x := range q {
		out[i] = float32(float64(x) * inv)
	}
	return out
}

// top keeps the k best results, best first.
type top struct {
	m   index.Metric
	k   int
	res []index.Result
}

func (t *top) push(r index.Result) {
	n := len(t.res)
	if n == t.k && !t.better(r, t.res[n-1]) {
		return
	}
	i := sort.Search(n, func(i int) bool { return t.better(r, t.res[i]) })
	if n < t.k {
		t.res = append(t.res, index.Result{})
	}
	copy(t.res[i+1:], t.res[i:])
	t.res[i] = r
}

func (t *top) better(a, b index.Result) bool {
	if a.Score != b.Score {
		return t.m.Better(a.Score, b.Score)
	}
	return a.ID < b.ID
}

// Search returns the k buffered vectors nearest to q that accept admits,
// best first, by an exact scan.
func (b *wbuf) Search(q []float32, k int, accept func(uint32) bool) []index.Result {
	if k <= 0 || len(b.pos) == 0 {
		return nil
	}
	q = b.prepare(q)
	t := top{m: b.metric, k: k}
	for p, sl := range b.at {
		if sl == deadSlot || accept != nil && !accept(sl) {
			continue
		}
		t.push(index.Result{ID: sl, Score: b.score(q, b.vec(int32(p)))})
	}
	return t.res
}

// SearchIn is Search restricted to slots (unknown ones are skipped).
func (b *wbuf) SearchIn(q []float32, k int, slots []uint32) []index.Result {
	if k <= 0 || len(slots) == 0 {
		return nil
	}
	q = b.prepare(q)
	t := top{m: b.metric, k: k}
	for _, sl := range slots {
		if p, ok := b.pos[sl]; ok {
			t.push(index.Result{ID: sl, Score: b.score(q, b.vec(p))})
		}
	}
	return t.res
}
