package vectorizelocal

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/vectorize"
	"github.com/zerostack/zerostack/internal/vectorize/index"
)

// compactFixture is an index of dim-8 Euclidean vectors whose graph is
// rebuilt from 50 tombstones on, with the vectors the test expects live.
type compactFixture struct {
	t    *testing.T
	s    *Store
	name string
	r    *rand.Rand
	live map[string][]float32
}

func newCompactFixture(t *testing.T, dir string) *compactFixture {
	s := open(t, dir, Options{HNSWThreshold: 20, DrainBatch: 16, HNSW: exhaustive})
	s.compactMin = 50
	f := &compactFixture{t: t, s: s, name: "churn", r: rand.New(rand.NewPCG(3, 3)), live: map[string][]float32{}}
	if _, err := s.CreateIndex(context.Background(), f.name, "", vectorize.IndexConfig{Dimensions: 8, Metric: vectorize.Euclidean}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *compactFixture) vec() []float32 {
	v := make([]float32, 8)
	for i := range v {
		v[i] = float32(f.r.NormFloat64())
	}
	return v
}

func (f *compactFixture) upsert(ids ...string) {
	f.t.Helper()
	vs := make([]vectorize.Vector, len(ids))
	for i, id := range ids {
		vs[i] = vectorize.Vector{ID: id, Values: f.vec()}
	}
	if _, err := f.s.Upsert(context.Background(), f.name, vs); err != nil {
		f.t.Fatal(err)
	}
	for _, v := range vs {
		f.live[v.ID] = v.Values
	}
}

func (f *compactFixture) delete(ids ...string) {
	f.t.Helper()
	if _, err := f.s.DeleteByIDs(context.Background(), f.name, ids); err != nil {
		f.t.Fatal(err)
	}
	for _, id := range ids {
		delete(f.live, id)
	}
}

// check looks every live vector up by its own values (it must come back,
// as it is its own nearest neighbour) and fails on any match that is not
// live (a deleted vector, or a replaced one with its old values' score).
func (f *compactFixture) check(when string) {
	f.t.Helper()
	ctx := context.Background()
	info, err := f.s.Describe(ctx, f.name)
	if err != nil || info.VectorCount != len(f.live) {
		f.t.Fatalf("%s: Describe %+v %v, want %d vectors", when, info, err, len(f.live))
	}
	for id, v := range f.live {
		res, err := f.s.Query(ctx, f.name, vectorize.Query{Vector: v, TopK: 5})
		if err != nil {
			f.t.Fatal(err)
		}
		found := false
		for _, m := range res.Matches {
			lv, ok := f.live[m.ID]
			if !ok {
				f.t.Fatalf("%s: deleted vector %s returned", when, m.ID)
			}
			if want := vectorize.Score(vectorize.Euclidean, v, lv); math.Abs(float64(m.Score-want)) > 1e-4 {
				f.t.Fatalf("%s: %s scored %v, want %v (stale values)", when, m.ID, m.Score, want)
			}
			found = found || m.ID == id
		}
		if !found {
			f.t.Fatalf("%s: live vector %s not found (%d live)", when, id, len(f.live))
		}
	}
}

func (f *compactFixture) graph() *index.HNSW {
	vi, err := f.s.load(context.Background(), f.name)
	if err != nil {
		f.t.Fatal(err)
	}
	vi.mu.RLock()
	defer vi.mu.RUnlock()
	return vi.hnsw
}

// within runs fn and panics (failing the test binary with a message
// instead of hanging until its timeout) if it has not returned after a
// minute: fn must not wait for the held rebuild. A deadlock detector, not
// a speed check; fn runs on the test goroutine so that it may call Fatal.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	watchdog := time.AfterFunc(time.Minute, func() {
		panic(what + " did not complete while the graph rebuild was held")
	})
	defer watchdog.Stop()
	fn()
}

// holdRebuilds makes s's rebuilds wait in the test hook: started receives
// once per rebuild, and each waits until release is closed (or Close).
func holdRebuilds(s *Store) (started chan string, release chan struct{}) {
	started, release = make(chan string, 8), make(chan struct{})
	s.rebuildHook = func(name string, stop <-chan struct{}) {
		started <- name
		select {
		case <-release:
		case <-stop:
		}
	}
	return started, release
}

func waitStarted(t *testing.T, started chan string) {
	t.Helper()
	select {
	case <-started:
	case <-time.After(time.Minute):
		t.Fatal("no graph rebuild started")
	}
}

// TestRebuildServesMeanwhile holds a graph rebuild after it copied the live
// vectors and checks that queries and writes on the index complete
// meanwhile; once released, the new graph holds every live vector,
// including those written during the rebuild, and none deleted or
// replaced then comes back.
func TestRebuildServesMeanwhile(t *testing.T) {
	f := newCompactFixture(t, t.TempDir())
	defer f.s.Close()
	started, release := holdRebuilds(f.s)
	var ids []string
	for i := range 300 {
		ids = append(ids, fmt.Sprintf("v%03d", i))
	}
	f.upsert(ids...)
	waitDrained(t, f.s, f.name)
	old := f.graph()
	f.delete(ids[:160]...) // 160 tombstones, 140 live: a rebuild is due
	waitStarted(t, started)

	within(t, "a query", func() { f.check("during the rebuild") })
	within(t, "writes", func() {
		f.upsert("n0", "n1", "n2", "n3", "n4", "n5") // new
		f.upsert(ids[160:180]...)                    // replaced (their copies were taken)
		f.delete(ids[180:200]...)                    // deleted (ditto)
		f.delete("n0", "n1")                         // written and deleted during the rebuild
		f.upsert(ids[0:10]...)                       // deleted before, back again
		f.upsert("n2")                               // written twice
		f.check("after writes during the rebuild")
	})
	if g := f.graph(); g != old {
		t.Fatal("the graph was replaced while its rebuild was held")
	}
	close(release)
	for deadline := time.Now().Add(time.Minute); f.graph() == old; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the rebuilt graph was not swapped in")
		}
	}
	vi := waitDrained(t, f.s, f.name)
	f.check("after the swap")
	g := f.graph()
	vi.mu.RLock()
	inMain := 0
	for _, st := range vi.slots {
		if st.inMain {
			inMain++
		}
	}
	vi.mu.RUnlock()
	// The 160 tombstones are gone: only the 40 copies rewritten or
	// deleted during the rebuild are left in the new graph.
	if g.Len() != len(f.live) || inMain != len(f.live) || g.Tombstones() != 40 {
		t.Fatalf("new graph: %d live (%d in main), %d tombstones; want %d live, 40 tombstones", g.Len(), inMain, g.Tombstones(), len(f.live))
	}
}

// TestCloseDuringRebuild closes the store while a rebuild is held: Close
// returns (abandoning it) and writes a snapshot of the old graph, and the
// reopened index has every vector, serves from that snapshot and rebuilds
// it in turn.
func TestCloseDuringRebuild(t *testing.T) {
	dir := t.TempDir()
	f := newCompactFixture(t, dir)
	started, _ := holdRebuilds(f.s)
	var ids []string
	for i := range 300 {
		ids = append(ids, fmt.Sprintf("v%03d", i))
	}
	f.upsert(ids...)
	waitDrained(t, f.s, f.name)
	f.delete(ids[:160]...)
	waitStarted(t, started)
	within(t, "Close", func() {
		if err := f.s.Close(); err != nil {
			t.Error(err)
		}
	})
	if _, err := os.Stat(filepath.Join(dir, "snapshots", f.name+".hnsw")); err != nil {
		t.Fatalf("no snapshot after close: %v", err)
	}

	f.s = open(t, dir, Options{HNSWThreshold: 20, DrainBatch: 16, HNSW: exhaustive})
	f.s.compactMin = 50
	defer f.s.Close()
	vi, err := f.s.load(context.Background(), f.name)
	if err != nil {
		t.Fatal(err)
	}
	vi.mu.RLock()
	fromSnap := vi.snapSeq == vi.seq && vi.buf.Len() == 0
	vi.mu.RUnlock()
	if !fromSnap {
		t.Fatal("reopen did not load the snapshot written at Close")
	}
	f.check("after reopening")
	for deadline := time.Now().Add(time.Minute); f.graph().Tombstones() != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the reopened graph was not rebuilt")
		}
	}
	f.check("after the rebuild on reopening")
}

// TestChurnAcrossRebuilds replays batched upserts (mostly of ids already
// present) and deletes over a small id range, so that the graph is rebuilt
// in the background many times, and after every step looks up every live
// vector and checks that nothing deleted or stale comes back.
func TestChurnAcrossRebuilds(t *testing.T) {
	f := newCompactFixture(t, t.TempDir())
	defer f.s.Close()
	graphs := map[*index.HNSW]bool{}
	for step := range 250 {
		if f.r.IntN(3) < 2 {
			seen := map[string]bool{}
			var ids []string
			for range 10 {
				id := fmt.Sprintf("v%03d", f.r.IntN(90))
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			f.upsert(ids...)
		} else {
			f.delete(fmt.Sprintf("v%03d", f.r.IntN(90)), fmt.Sprintf("v%03d", f.r.IntN(90)))
		}
		f.check(fmt.Sprintf("step %d", step))
		if step%5 == 4 {
			waitDrained(t, f.s, f.name) // let rebuilds and drains catch up now and then
			f.check(fmt.Sprintf("step %d, drained", step))
		}
		graphs[f.graph()] = true
	}
	if len(graphs) < 4 {
		t.Fatalf("%d graphs seen: the churn crossed fewer than 3 rebuilds", len(graphs))
	}
}
