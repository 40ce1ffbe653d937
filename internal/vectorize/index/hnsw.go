package index

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// HNSWOptions tunes an [HNSW] index. Zero fields take the defaults.
type HNSWOptions struct {
	// M is the number of links each node keeps on the upper layers; layer 0
	// keeps 2*M. Default 16. Memory per vector grows by about 8*M bytes.
	M int
	// EfConstruction is the candidate list size while inserting. Default 200.
	EfConstruction int
	// EfSearch is the candidate list size while searching (raised to k when
	// smaller). Default 64: on the clustered 100,000 × 768 benchmark
	// (bench/README.md) ef 24 already reached recall@10 0.98 and 64 reached
	// 0.9997; the margin is for data with a higher intrinsic dimension than
	// the benchmark's, where the same ef gives less (in a 32-dimension trial
	// with queries drawn around other centres than the data's, ef 64 gave
	// 0.95).
	EfSearch int
	// Seed seeds the level generator, so that the same inserts in the same
	// order build the same graph. Default 1.
	Seed uint64
	// Quantize stores each vector as Dim signed bytes and a scale (scalar
	// quantization) instead of Dim float32s: a quarter of the vector
	// memory, at some cost in recall (measured in bench/README.md) and
	// search speed. Memory per vector is then Dim+4 bytes plus the links.
	Quantize bool
	// ExactBelow is the estimated fraction of accepted vectors under which a
	// filtered [HNSW.Search] scans the accepted vectors exactly instead of
	// walking the graph. Default 0.02; negative never switches.
	ExactBelow float64
}

const (
	defaultM          = 16
	defaultEfC        = 200
	defaultEfSearch   = 64
	defaultExactBelow = 0.02
	maxLevels         = 32
)

func (o HNSWOptions) withDefaults() HNSWOptions {
	if o.M <= 0 {
		o.M = defaultM
	}
	if o.M < 2 {
		o.M = 2
	}
	if o.EfConstruction <= 0 {
		o.EfConstruction = defaultEfC
	}
	if o.EfSearch <= 0 {
		o.EfSearch = defaultEfSearch
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.ExactBelow == 0 {
		o.ExactBelow = defaultExactBelow
	}
	return o
}

// HNSW is an approximate nearest-neighbour index: a hierarchical navigable
// small-world graph (Malkov and Yashunin, 2016) with the neighbour-selection
// heuristic.
//
// Layout: all vectors in one contiguous []float32 indexed by an internal
// slot; layer-0 links in one flat []uint32 with a fixed stride (count, then
// up to 2*M slots), so a search touches two arrays; upper-layer links only
// for the few nodes that have them. Memory per vector is 4*Dim bytes for
// the vector, 4*(2*M+1) bytes of layer-0 links, about 4*(M+1)/(M-1) bytes of
// upper links on average, plus about 40 bytes for the id map and flags
// (3,264 bytes at Dim 768, M 16). With [HNSWOptions.Quantize] the vector
// takes Dim+4 bytes instead of 4*Dim (948 bytes in all at Dim 768, M 16).
//
// Deletes leave a tombstone: the node keeps guiding searches but is never
// returned; its slot is not reused. When tombstones outnumber live vectors
// (and number at least 1,024) the graph is rebuilt from the live ones by
// one worker (see [HNSW.AddBatch] on why not in parallel), holding a second
// copy of the live vectors meanwhile. That rebuild runs inside the Add or
// Delete that triggered it, under the exclusive lock, so every search and
// write waits for it (about 40 s for 100,000 × 768 on a 2-core machine):
// an owner that must keep serving turns it off with
// [HNSW.SetAutoCompact] and rebuilds beside the live graph instead, as
// package vectorizelocal does (see [HNSW.Tombstones] and
// [HNSW.AppendVector]). Replacing a vector (Add of a present id) is a
// delete followed by an insert.
//
// Searches run concurrently with each other; Add and Delete take an
// exclusive lock. The zero value is not usable; call [NewHNSW].
type HNSW struct {
	mu     sync.RWMutex
	dim    int
	metric Metric
	dist   func(a, b []float32) float32
	opt    HNSWOptions
	m, m0  int
	mult   float64
	rng    *rand.Rand

	vecs    []float32  // slot s at vecs[s*dim:(s+1)*dim] (float mode)
	codes   []int8     // slot s at codes[s*dim:(s+1)*dim] (quantized mode)
	qscale  []float32  // slot -> quantization scale
	ids     []uint32   // slot -> caller id
	levels  []uint8    // slot -> top layer
	deleted []bool     // slot -> tombstone
	links0  []uint32   // slot s at links0[s*(m0+1):]: count, then slots
	upper   [][]uint32 // slot -> layers 1..level, each count then m slots
	slotOf  map[uint32]uint32
	free    []uint32 // tombstoned slots (counted for compaction, never reused)

	entry    uint32
	maxLevel int
	hasEntry bool
	live     int
	// manual turns off maybeCompact (SetAutoCompact(false)); compactMin
	// overrides the 1,024-tombstone floor (tests; 0 means the default).
	manual     bool
	compactMin int
	// locks guard link rows while a parallel AddBatch runs (nil otherwise);
	// entryMu guards entry and maxLevel then.
	locks   []sync.Mutex
	entryMu sync.Mutex

	pool sync.Pool // *scratch
}

// NewHNSW returns an empty graph index for vectors of dim elements compared
// with m, tuned by o. It panics if dim < 1.
func NewHNSW(dim int, m Metric, o HNSWOptions) *HNSW {
	if dim < 1 {
		panic("index: dimension must be at least 1")
	}
	o = o.withDefaults()
	h := &HNSW{dim: dim, metric: m, dist: distFunc(m), opt: o}
	h.init()
	return h
}

func (h *HNSW) init() {
	h.m = h.opt.M
	h.m0 = 2 * h.opt.M
	h.mult = 1 / math.Log(float64(h.m))
	h.rng = rand.New(rand.NewPCG(h.opt.Seed, 0x9e3779b97f4a7c15))
	h.slotOf = make(map[uint32]uint32)
}

// Dim returns the vector dimension.
func (h *HNSW) Dim() int { return h.dim }

// Metric returns the index metric.
func (h *HNSW) Metric() Metric { return h.metric }

// Options returns the options in effect (defaults filled in).
func (h *HNSW) Options() HNSWOptions { return h.opt }

// Len returns the number of live (not deleted) vectors.
func (h *HNSW) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.live
}

func (h *HNSW) vec(s uint32) []float32 {
	i := int(s) * h.dim
	return h.vecs[i : i+h.dim : i+h.dim]
}

// row returns slot s's link row on layer lc (count first), or nil when s
// does not reach that layer.
func (h *HNSW) row(s uint32, lc int) []uint32 {
	if lc == 0 {
		i := int(s) * (h.m0 + 1)
		return h.links0[i : i+h.m0+1 : i+h.m0+1]
	}
	if int(h.levels[s]) < lc {
		return nil
	}
	i := (lc - 1) * (h.m + 1)
	return h.upper[s][i : i+h.m+1 : i+h.m+1]
}

func neighbors(row []uint32) []uint32 {
	if row == nil {
		return nil
	}
	return row[1 : 1+row[0]]
}

// scratch is one search's reusable state: a generation-stamped visited set
// (no clearing between searches) and the two heaps.
type scratch struct {
	visited []uint32
	gen     uint32
	cands   minHeap
	top     maxHeap
	buf     []cand
	sel     []cand // insert's chosen neighbours
	sel2    []cand // link's pruned neighbours
	lbuf    []cand // link's candidates
	nbuf    []uint32
	dq, dn  []float32 // decoded vectors (quantized mode)
	dc      []float32
	todo    []uint32  // unvisited neighbours of the node being expanded
	dists   []float32 // their distances
	q       []float32
}

func (sc *scratch) reset(n int) {
	if len(sc.visited) < n {
		sc.visited = make([]uint32, n+n/4+64)
		sc.gen = 0
	}
	sc.gen++
	if sc.gen == 0 {
		clear(sc.visited)
		sc.gen = 1
	}
}

func (h *HNSW) getScratch() *scratch {
	if sc, ok := h.pool.Get().(*scratch); ok {
		return sc
	}
	return &scratch{}
}

// Add stores a copy of v under id (normalized first for [Cosine]),
// replacing any previous vector for id. It panics if len(v) != Dim().
func (h *HNSW) Add(id uint32, v []float32) {
	checkDim("vector", len(v), h.dim)
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.slotOf[id]; ok {
		h.deleteSlot(id, s)
	}
	h.insert(id, v)
	h.maybeCompact()
}

// Delete removes id; absent ids are ignored.
func (h *HNSW) Delete(id uint32) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.slotOf[id]
	if !ok {
		return
	}
	h.deleteSlot(id, s)
	h.maybeCompact()
}

func (h *HNSW) deleteSlot(id, s uint32) {
	delete(h.slotOf, id)
	h.deleted[s] = true
	h.free = append(h.free, s)
	h.live--
}

// SetAutoCompact turns the automatic rebuild of [HNSW.Add], [HNSW.Delete]
// and [HNSW.AddBatch] on (the default, also for graphs read by [ReadHNSW])
// or off. With it off, tombstones accumulate until the owner replaces the
// graph with one built from the live vectors ([HNSW.AppendVector] reads
// them); [HNSW.Tombstones] says when that is due.
func (h *HNSW) SetAutoCompact(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.manual = !on
}

// Tombstones returns the number of deleted vectors whose nodes are still in
// the graph (they cost memory and search time until a rebuild). The
// automatic rebuild runs once it reaches 1,024 and exceeds [HNSW.Len].
func (h *HNSW) Tombstones() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.free)
}

// maybeCompact rebuilds the graph from the live vectors once tombstones
// outnumber them (and there are enough to matter), so that searches do not
// wade through dead nodes. The cost is amortized over as many deletes as
// there are live vectors.
func (h *HNSW) maybeCompact() {
	if h.manual {
		return
	}
	if h.live == 0 && len(h.ids) > 0 {
		h.compact() // nothing left: start afresh
		return
	}
	dead, floor := len(h.free), h.compactMin
	if floor <= 0 {
		floor = 1024
	}
	if dead < floor || dead <= h.live {
		return
	}
	h.compact()
}

func (h *HNSW) compact() {
	old := &HNSW{dim: h.dim, opt: h.opt, vecs: h.vecs, codes: h.codes, qscale: h.qscale}
	ids, deleted := h.ids, h.deleted
	h.vecs, h.codes, h.qscale = nil, nil, nil
	h.ids, h.levels, h.deleted, h.links0, h.upper = nil, nil, nil, nil, nil
	h.slotOf = make(map[uint32]uint32, h.live)
	h.free = nil
	h.hasEntry, h.maxLevel, h.live = false, 0, 0
	var liveIDs []uint32
	var vecs []float32
	var buf []float32
	for s, id := range ids {
		if !deleted[s] {
			liveIDs = append(liveIDs, id)
			vecs = append(vecs, old.decode(uint32(s), &buf)...)
		}
	}
	// One worker: a parallel batch can orphan nodes (see AddBatch), and a
	// rebuilt graph must find every live vector.
	h.addBatch(liveIDs, vecs, 1)
}

func (h *HNSW) randomLevel() int {
	l := int(-math.Log(1-h.rng.Float64()) * h.mult)
	return min(l, maxLevels-1)
}

// insert adds id with vector v. The caller holds the write lock and id is
// absent.
func (h *HNSW) insert(id uint32, v []float32) {
	s := h.place(id, v)
	sc := h.getScratch()
	h.connect(s, sc)
	h.pool.Put(sc)
}

// place stores id's vector in a new slot with a fresh random level and
// empty links, and returns the slot. The caller holds the write lock and id
// is absent; [HNSW.connect] links it.
//
// Tombstoned slots are not reused: a deleted node keeps its links and goes
// on routing searches (which skip it in results) until [HNSW.compact]
// rebuilds the graph, so no live node loses its way in. Reusing a tombstone
// in place meant re-linking its neighbourhood, and every repair tried
// (the last: each neighbour linked from its nearest sibling) could still
// orphan a node when the new link's pruning dropped another one: a churn
// test of 8-dimension vectors (40 seeds × 300 steps of batched upserts and
// deletes, every live vector looked up after every step) found 116 of
// 616,628 lookups missing; without reuse, none.
func (h *HNSW) place(id uint32, v []float32) uint32 {
	level := h.randomLevel()
	s := h.newSlot()
	h.store(s, v)
	h.ids[s] = id
	h.levels[s] = uint8(level)
	h.deleted[s] = false
	if level > 0 {
		need := level * (h.m + 1)
		if cap(h.upper[s]) >= need {
			h.upper[s] = h.upper[s][:need]
			clear(h.upper[s])
		} else {
			h.upper[s] = make([]uint32, need)
		}
	} else {
		h.upper[s] = nil
	}
	h.slotOf[id] = s
	h.live++
	return s
}

// AddBatch stores len(ids) vectors, vecs holding them one after another
// (len(ids)*Dim() elements), with the same meaning as calling [HNSW.Add]
// for each in order (a later duplicate id replaces an earlier one). The
// graph links are built by workers goroutines in parallel (workers <= 0
// means runtime.GOMAXPROCS(0)); searches wait until the batch is done. It
// returns an error, storing nothing, when the lengths do not match.
//
// With more than one worker a few nodes may end up unreachable (vectors
// inserted at the same time that link only each other): a churn probe of
// 8-dimension vectors in batches of 5 missed 811 of 616,628 lookups with
// two workers and none with one. Bulk loads of large, spread-out batches
// are far less exposed; callers that must find every vector use one worker,
// as the graph's own rebuild (compaction) does. (Fixing this needs a
// reconnect pass after a parallel batch; not done.)
func (h *HNSW) AddBatch(ids []uint32, vecs []float32, workers int) error {
	if len(vecs) != len(ids)*h.dim {
		return fmt.Errorf("index: %d values for %d vectors of %d dimensions: want %d", len(vecs), len(ids), h.dim, len(ids)*h.dim)
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.addBatch(ids, vecs, workers)
	h.maybeCompact()
	return nil
}

// addBatch is AddBatch with the write lock held and the lengths checked.
func (h *HNSW) addBatch(ids []uint32, vecs []float32, workers int) {
	h.reserve(len(ids))
	slots := make([]uint32, 0, len(ids))
	for i, id := range ids {
		if s, ok := h.slotOf[id]; ok {
			h.deleteSlot(id, s)
		}
		slots = append(slots, h.place(id, vecs[i*h.dim:(i+1)*h.dim]))
	}
	if workers == 1 || len(slots) < 2*workers {
		sc := h.getScratch()
		for _, s := range slots {
			if !h.deleted[s] {
				h.connect(s, sc)
			}
		}
		h.pool.Put(sc)
	} else {
		h.locks = make([]sync.Mutex, len(h.ids))
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sc := h.getScratch()
				defer h.pool.Put(sc)
				for {
					i := int(next.Add(1) - 1)
					if i >= len(slots) {
						return
					}
					if !h.deleted[slots[i]] {
						h.connect(slots[i], sc)
					}
				}
			}()
		}
		wg.Wait()
		h.locks = nil
	}
}

// connect links placed slot s into the graph. During a parallel
// [HNSW.AddBatch] several connect calls run at once: h.locks guards each
// node's link rows and h.entryMu the entry point; vectors and levels are
// not written meanwhile.
func (h *HNSW) connect(s uint32, sc *scratch) {
	level := int(h.levels[s])
	h.entryMu.Lock()
	if !h.hasEntry {
		h.entry, h.maxLevel, h.hasEntry = s, level, true
		h.entryMu.Unlock()
		return
	}
	entry, top := h.entry, h.maxLevel
	if level <= top {
		h.entryMu.Unlock()
	} else {
		// A new top node holds the entry point until it is linked, as
		// hnswlib does; this happens for about one node in M^level.
		defer h.entryMu.Unlock()
	}
	q := h.decode(s, &sc.dq)
	ep := cand{d: h.distTo(q, entry), slot: entry}
	for lc := top; lc > level; lc-- {
		ep = h.greedy(sc, q, ep, lc)
	}
	for lc := min(level, top); lc >= 0; lc-- {
		h.searchLayer(sc, q, ep, h.opt.EfConstruction, lc, s, nil)
		w := sc.top.sortedInto(sc.buf[:0])
		sc.buf = w
		if len(w) == 0 {
			continue
		}
		sel := h.selectNeighbors(w, h.m, sc.sel[:0], &sc.dc)
		sc.sel = sel
		h.lock(s)
		row := h.row(s, lc)
		row[0] = uint32(len(sel))
		for i, c := range sel {
			row[1+i] = c.slot
		}
		h.unlock(s)
		for _, c := range sel {
			h.link(c.slot, s, lc, c.d, sc)
		}
		ep = w[0]
	}
	if level > top {
		h.entry, h.maxLevel = s, level
	}
}

func (h *HNSW) lock(s uint32) {
	if h.locks != nil {
		h.locks[s].Lock()
	}
}

func (h *HNSW) unlock(s uint32) {
	if h.locks != nil {
		h.locks[s].Unlock()
	}
}

// neighborsOf returns s's links on layer lc (nil when s is not on it),
// copied under s's lock during a parallel batch.
func (h *HNSW) neighborsOf(sc *scratch, s uint32, lc int) []uint32 {
	if h.locks == nil {
		return neighbors(h.row(s, lc))
	}
	h.locks[s].Lock()
	sc.nbuf = append(sc.nbuf[:0], neighbors(h.row(s, lc))...)
	h.locks[s].Unlock()
	return sc.nbuf
}

// Grow reserves room for n more vectors, so that adding them in several
// [HNSW.AddBatch] calls (to stay interruptible, say) copies the arrays
// once instead of growing them batch by batch.
func (h *HNSW) Grow(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reserve(n)
}

// reserve grows the per-slot arrays to hold n more slots exactly, so that a
// bulk load does not leave append's spare capacity (up to a quarter of the
// vector memory) behind.
func (h *HNSW) reserve(n int) {
	if n <= 0 {
		return
	}
	h.ids = slices.Grow(h.ids, n)
	h.levels = slices.Grow(h.levels, n)
	h.deleted = slices.Grow(h.deleted, n)
	h.upper = slices.Grow(h.upper, n)
	h.links0 = slices.Grow(h.links0, n*(h.m0+1))
	if h.opt.Quantize {
		h.codes = slices.Grow(h.codes, n*h.dim)
		h.qscale = slices.Grow(h.qscale, n)
	} else {
		h.vecs = slices.Grow(h.vecs, n*h.dim)
	}
}

// newSlot appends a slot to the per-slot arrays and returns it.
func (h *HNSW) newSlot() uint32 {
	s := uint32(len(h.ids))
	h.ids = append(h.ids, 0)
	h.levels = append(h.levels, 0)
	h.deleted = append(h.deleted, false)
	h.upper = append(h.upper, nil)
	h.links0 = append(h.links0, make([]uint32, h.m0+1)...)
	if h.opt.Quantize {
		h.codes = append(h.codes, make([]int8, h.dim)...)
		h.qscale = append(h.qscale, 0)
	} else {
		h.vecs = append(h.vecs, make([]float32, h.dim)...)
	}
	return s
}

// link adds a link from n to s on layer lc (d is their distance), pruning
// n's links with the heuristic when they overflow.
func (h *HNSW) link(n, s uint32, lc int, d float32, sc *scratch) {
	h.lock(n)
	defer h.unlock(n)
	row := h.row(n, lc)
	if row == nil {
		return
	}
	max := h.m
	if lc == 0 {
		max = h.m0
	}
	cnt := int(row[0])
	if slices.Contains(row[1:1+cnt], s) {
		return
	}
	if cnt < max {
		row[1+cnt] = s
		row[0]++
		return
	}
	vn := h.decode(n, &sc.dn)
	cs := append(sc.lbuf[:0], cand{d: d, slot: s})
	for _, c := range row[1 : 1+cnt] {
		cs = append(cs, cand{d: h.distTo(vn, c), slot: c})
	}
	sc.lbuf = cs
	slices.SortFunc(cs, cmpCand)
	sel := h.selectNeighbors(cs, max, sc.sel2[:0], &sc.dc)
	sc.sel2 = sel
	row[0] = uint32(len(sel))
	for i, c := range sel {
		row[1+i] = c.slot
	}
}

func cmpCand(a, b cand) int {
	if worse(a, b) {
		return 1
	}
	if worse(b, a) {
		return -1
	}
	return 0
}

// selectNeighbors is the HNSW heuristic: walking candidates nearest first,
// keep one only if it is nearer to the base than to every one already kept,
// which spreads links in different directions. cs must be sorted nearest
// first.
func (h *HNSW) selectNeighbors(cs []cand, m int, out []cand, buf *[]float32) []cand {
	out = out[:0]
	for _, c := range cs {
		if len(out) >= m {
			break
		}
		vc := h.decode(c.slot, buf)
		good := true
		for _, r := range out {
			if h.distTo(vc, r.slot) < c.d {
				good = false
				break
			}
		}
		if good {
			out = append(out, c)
		}
	}
	return out
}

// greedy walks layer lc from ep to the nearest node it can reach.
func (h *HNSW) greedy(sc *scratch, q []float32, ep cand, lc int) cand {
	for changed := true; changed; {
		changed = false
		for _, n := range h.neighborsOf(sc, ep.slot, lc) {
			if int(h.levels[n]) < lc {
				continue // a stale link (graphs saved by versions that reused slots)
			}
			if d := h.distTo(q, n); d < ep.d {
				ep, changed = cand{d: d, slot: n}, true
			}
		}
	}
	return ep
}

// searchLayer is the beam search on layer lc from ep, keeping the ef best
// admitted nodes in sc.top. For a query (self == noSlot), tombstones and
// nodes accept rejects are walked through but never admitted. While
// building, every node but self (the one being inserted) is admitted,
// tombstones included, as hnswlib does: links through tombstones keep the
// graph connected until it is rebuilt.
func (h *HNSW) searchLayer(sc *scratch, q []float32, ep cand, ef, lc int, self uint32, accept func(uint32) bool) {
	sc.reset(len(h.ids))
	visited, gen := sc.visited, sc.gen
	sc.cands = sc.cands[:0]
	sc.top = sc.top[:0]
	visited[ep.slot] = gen
	sc.cands.push(ep)
	lower := float32(math.Inf(1))
	if h.admitIn(ep.slot, self, accept) {
		sc.top.push(ep)
		lower = ep.d
	}
	dim := h.dim
	vecs := h.vecs
	batch := hasBatch(dim) && !h.opt.Quantize
	if batch && len(sc.dists) < h.m0 {
		sc.dists = make([]float32, h.m0)
	}
	for len(sc.cands) > 0 {
		c := sc.cands.pop()
		if c.d > lower && len(sc.top) >= ef {
			break
		}
		var nb []uint32
		if lc == 0 && h.locks == nil {
			i := int(c.slot) * (h.m0 + 1)
			nb = h.links0[i+1 : i+1+int(h.links0[i])]
		} else {
			nb = h.neighborsOf(sc, c.slot, lc)
		}
		if batch {
			// Gather the unvisited neighbours and ask for their first
			// cache lines, then compute four distances per kernel call:
			// the vectors' cache misses overlap instead of queueing.
			todo := sc.todo[:0]
			for _, n := range nb {
				if visited[n] == gen {
					continue
				}
				visited[n] = gen
				if lc > 0 && int(h.levels[n]) < lc {
					continue // a stale link (graphs saved by versions that reused slots)
				}
				prefetch(&vecs[int(n)*dim])
				todo = append(todo, n)
			}
			sc.todo = todo
			ds := sc.dists[:len(todo)]
			distMany(h.metric, q, vecs, dim, todo, ds)
			for j, n := range todo {
				d := ds[j]
				if len(sc.top) < ef || d < lower {
					sc.cands.push(cand{d: d, slot: n})
					if h.admitIn(n, self, accept) {
						sc.top.pushBounded(cand{d: d, slot: n}, ef)
						lower = sc.top[0].d
					}
				}
			}
			continue
		}
		for _, n := range nb {
			if visited[n] == gen {
				continue
			}
			visited[n] = gen
			if lc > 0 && int(h.levels[n]) < lc {
				continue // a stale link (graphs saved by versions that reused slots)
			}
			var d float32
			if h.opt.Quantize {
				d = h.distTo(q, n)
			} else {
				i := int(n) * dim
				d = h.dist(q, vecs[i:i+dim:i+dim])
			}
			if len(sc.top) < ef || d < lower {
				sc.cands.push(cand{d: d, slot: n})
				if h.admitIn(n, self, accept) {
					sc.top.pushBounded(cand{d: d, slot: n}, ef)
					lower = sc.top[0].d
				}
			}
		}
	}
}

// noSlot is the self of a query's searchLayer.
const noSlot = math.MaxUint32

func (h *HNSW) admitIn(s, self uint32, accept func(uint32) bool) bool {
	if self != noSlot {
		return s != self
	}
	return h.admit(s, accept)
}

func (h *HNSW) admit(s uint32, accept func(uint32) bool) bool {
	return !h.deleted[s] && (accept == nil || accept(h.ids[s]))
}

// Search returns up to k live vectors nearest to q that accept admits (all
// when accept is nil), best first, with the options' EfSearch. See
// [HNSW.SearchEf].
func (h *HNSW) Search(q []float32, k int, accept func(id uint32) bool) []Result {
	return h.SearchEf(q, k, 0, accept)
}

// SearchEf is [HNSW.Search] with candidate list size ef (0 means the
// options' EfSearch; raised to k when smaller). A larger ef raises recall
// and costs time. accept is applied while the graph is walked, so k results
// come back whenever k accepted vectors are reachable; when a sample
// estimates that fewer than ExactBelow of the vectors are accepted, the
// search is an exact scan of the accepted vectors instead. accept must not
// call back into h. It panics if len(q) != Dim().
func (h *HNSW) SearchEf(q []float32, k, ef int, accept func(id uint32) bool) []Result {
	checkDim("query", len(q), h.dim)
	if k <= 0 {
		return nil
	}
	if ef <= 0 {
		ef = h.opt.EfSearch
	}
	ef = max(ef, k)
	sc := h.getScratch()
	defer h.pool.Put(sc)
	q = prepare(h.metric, q, sc.q)
	if h.metric == Cosine {
		sc.q = q
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if !h.hasEntry || h.live == 0 {
		return nil
	}
	if accept != nil && h.opt.ExactBelow > 0 && h.selectivity(accept) < h.opt.ExactBelow {
		sc.top = sc.top[:0]
		for s := range h.ids {
			if h.admit(uint32(s), accept) {
				sc.top.pushBounded(cand{d: h.distTo(q, uint32(s)), slot: uint32(s)}, k)
			}
		}
		return h.results(sc, k)
	}
	ep := cand{d: h.distTo(q, h.entry), slot: h.entry}
	for lc := h.maxLevel; lc > 0; lc-- {
		ep = h.greedy(sc, q, ep, lc)
	}
	h.searchLayer(sc, q, ep, ef, 0, noSlot, accept)
	return h.results(sc, k)
}

// selectivity estimates the fraction of slots accept admits from an evenly
// spaced sample of up to 256 slots (tombstones count as rejected).
func (h *HNSW) selectivity(accept func(uint32) bool) float64 {
	n := len(h.ids)
	const samples = 256
	if n <= samples {
		hit := 0
		for s := range n {
			if h.admit(uint32(s), accept) {
				hit++
			}
		}
		return float64(hit) / float64(n)
	}
	hit := 0
	step := float64(n) / samples
	for i := range samples {
		if h.admit(uint32(float64(i)*step), accept) {
			hit++
		}
	}
	return float64(hit) / samples
}

// results turns the best k of sc.top into Results, best first.
func (h *HNSW) results(sc *scratch, k int) []Result {
	for len(sc.top) > k {
		sc.top.pop()
	}
	best := sc.top.sortedInto(sc.buf[:0])
	sc.buf = best
	out := make([]Result, len(best))
	for i, c := range best {
		out[i] = Result{ID: h.ids[c.slot], Score: score(h.metric, c.d)}
	}
	return out
}

// SearchIn returns the k vectors among ids nearest to q, best first, by an
// exact scan of those ids only. Unknown ids are skipped; duplicates count
// once. It panics if len(q) != Dim().
func (h *HNSW) SearchIn(q []float32, k int, ids []uint32) []Result {
	checkDim("query", len(q), h.dim)
	if k <= 0 || len(ids) == 0 {
		return nil
	}
	ids = uniqueIDs(ids)
	sc := h.getScratch()
	defer h.pool.Put(sc)
	q = prepare(h.metric, q, sc.q)
	if h.metric == Cosine {
		sc.q = q
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	sc.top = sc.top[:0]
	for _, id := range ids {
		if s, ok := h.slotOf[id]; ok {
			sc.top.pushBounded(cand{d: h.distTo(q, s), slot: s}, k)
		}
	}
	return h.results(sc, k)
}

// Vector returns a copy of the stored vector for id (normalized, for
// [Cosine]; decoded, and so approximate, for a quantized index) and whether
// id is present.
func (h *HNSW) Vector(id uint32) ([]float32, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	s, ok := h.slotOf[id]
	if !ok {
		return nil, false
	}
	var buf []float32
	return slices.Clone(h.decode(s, &buf)), true
}

// AppendVector appends the stored vector for id to dst, as [HNSW.Vector]
// returns it, and reports whether id is present (dst is returned unchanged
// when not). It saves an allocation per vector when copying many out.
func (h *HNSW) AppendVector(dst []float32, id uint32) ([]float32, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	s, ok := h.slotOf[id]
	if !ok {
		return dst, false
	}
	if !h.opt.Quantize {
		return append(dst, h.vec(s)...), true
	}
	n := len(dst)
	dst = slices.Grow(dst, h.dim)[:n+h.dim]
	buf := dst[n:n:len(dst)] // decode writes into it in place
	h.decode(s, &buf)
	return dst, true
}
