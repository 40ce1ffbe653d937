package index

import (
	"slices"
	"sync"
)

// Flat is an exact index: every search scans all stored vectors. It is the
// right choice for small indexes (up to some tens of thousands of vectors)
// and the reference the approximate [HNSW] is measured against.
//
// Vectors live in one contiguous []float32; a delete moves the last vector
// into the freed slot, so memory stays dense. Memory per vector is
// 4*Dim bytes plus about 40 bytes of bookkeeping. The zero value is not
// usable; call [NewFlat]. Safe for concurrent use.
type Flat struct {
	mu     sync.RWMutex
	dim    int
	metric Metric
	vecs   []float32         // slot i holds vecs[i*dim : (i+1)*dim]
	ids    []uint32          // slot -> id
	slot   map[uint32]uint32 // id -> slot
}

// NewFlat returns an empty exact index for vectors of dim elements compared
// with m. It panics if dim < 1.
func NewFlat(dim int, m Metric) *Flat {
	if dim < 1 {
		panic("index: dimension must be at least 1")
	}
	return &Flat{dim: dim, metric: m, slot: make(map[uint32]uint32)}
}

// Dim returns the vector dimension.
func (f *Flat) Dim() int { return f.dim }

// Metric returns the index metric.
func (f *Flat) Metric() Metric { return f.metric }

// Len returns the number of stored vectors.
func (f *Flat) Len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.ids)
}

// Add stores a copy of v under id, replacing any previous vector for id
// (normalized first for [Cosine]). It panics if len(v) != Dim().
func (f *Flat) Add(id uint32, v []float32) {
	checkDim("vector", len(v), f.dim)
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.slot[id]; ok {
		dst := f.vecs[int(s)*f.dim : int(s+1)*f.dim]
		copy(dst, v)
		if f.metric == Cosine {
			normalize(dst)
		}
		return
	}
	s := uint32(len(f.ids))
	f.ids = append(f.ids, id)
	f.slot[id] = s
	f.vecs = append(f.vecs, v...)
	if f.metric == Cosine {
		normalize(f.vecs[int(s)*f.dim:])
	}
}

// Delete removes id; absent ids are ignored.
func (f *Flat) Delete(id uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.slot[id]
	if !ok {
		return
	}
	delete(f.slot, id)
	last := uint32(len(f.ids) - 1)
	if s != last {
		moved := f.ids[last]
		f.ids[s] = moved
		f.slot[moved] = s
		copy(f.vecs[int(s)*f.dim:int(s+1)*f.dim], f.vecs[int(last)*f.dim:])
	}
	f.ids = f.ids[:last]
	f.vecs = f.vecs[:int(last)*f.dim]
}

// Search returns the k stored vectors nearest to q that accept admits (all
// when accept is nil), best first. The result is exact. accept must not
// call back into f. It panics if len(q) != Dim().
func (f *Flat) Search(q []float32, k int, accept func(id uint32) bool) []Result {
	checkDim("query", len(q), f.dim)
	if k <= 0 {
		return nil
	}
	q = prepare(f.metric, q, nil)
	dist := distFunc(f.metric)
	f.mu.RLock()
	defer f.mu.RUnlock()
	h := make(maxHeap, 0, min(k, len(f.ids))+1)
	dim := f.dim
	for s, id := range f.ids {
		if accept != nil && !accept(id) {
			continue
		}
		d := dist(q, f.vecs[s*dim:(s+1)*dim])
		h.pushBounded(cand{d: d, slot: id}, k)
	}
	return f.results(&h)
}

// SearchIn returns the k vectors among ids nearest to q, best first, by an
// exact scan of those ids only. Unknown ids are skipped; duplicates count
// once. It panics if len(q) != Dim().
func (f *Flat) SearchIn(q []float32, k int, ids []uint32) []Result {
	checkDim("query", len(q), f.dim)
	if k <= 0 || len(ids) == 0 {
		return nil
	}
	q = prepare(f.metric, q, nil)
	dist := distFunc(f.metric)
	ids = uniqueIDs(ids)
	f.mu.RLock()
	defer f.mu.RUnlock()
	h := make(maxHeap, 0, min(k, len(ids))+1)
	dim := int(f.dim)
	for _, id := range ids {
		s, ok := f.slot[id]
		if !ok {
			continue
		}
		d := dist(q, f.vecs[int(s)*dim:int(s+1)*dim])
		h.pushBounded(cand{d: d, slot: id}, k)
	}
	return f.results(&h)
}

// Vector returns a copy of the stored vector for id (normalized, for
// [Cosine]) and whether id is present.
func (f *Flat) Vector(id uint32) ([]float32, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	s, ok := f.slot[id]
	if !ok {
		return nil, false
	}
	return slices.Clone(f.vecs[int(s)*f.dim : int(s+1)*f.dim]), true
}

func (f *Flat) results(h *maxHeap) []Result {
	best := h.sortedBest()
	out := make([]Result, len(best))
	for i, c := range best {
		out[i] = Result{ID: c.slot, Score: score(f.metric, c.d)}
	}
	return out
}

// uniqueIDs returns ids sorted without duplicates, copying only when needed.
func uniqueIDs(ids []uint32) []uint32 {
	if slices.IsSorted(ids) {
		for i := 1; i < len(ids); i++ {
			if ids[i] == ids[i-1] {
				return slices.Compact(slices.Clone(ids))
			}
		}
		return ids
	}
	c := slices.Clone(ids)
	slices.Sort(c)
	return slices.Compact(c)
}
