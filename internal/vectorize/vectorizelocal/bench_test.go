package vectorizelocal

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/vectorize"
)

// BenchmarkInsert inserts batches of 1,000 vectors of 768 dimensions (with
// small metadata) straight into the store: the anchor for
// bench/vectorize-binding.sh. It reports vectors/s.
func BenchmarkInsert(b *testing.B) {
	s, err := Open(b.TempDir()+"/v.sqlite", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.CreateIndex(ctx, "bench", "", vectorize.IndexConfig{Dimensions: 768, Metric: vectorize.Cosine}); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 1))
	pool := make([][]float32, 1000)
	for i := range pool {
		pool[i] = make([]float32, 768)
		for j := range pool[i] {
			pool[i][j] = r.Float32()*2 - 1
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		vs := make([]vectorize.Vector, 1000)
		for i := range vs {
			vs[i] = vectorize.Vector{ID: fmt.Sprintf("%d-%d", n, i), Values: pool[i], Metadata: []byte(fmt.Sprintf(`{"batch":%d,"i":%d}`, n, i))}
		}
		if _, err := s.Insert(ctx, "bench", vs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "vectors/s")
}

// BenchmarkReopen measures a restart: opening the store and answering the
// first query of an index of VECTORIZE_BENCH_N vectors (default 20,000) of
// 384 dimensions, from the graph snapshot and without it (the graph is
// then rebuilt in the background while the first queries are served
// exactly). Building the index is not timed.
func BenchmarkReopen(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("VECTORIZE_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	const dim = 384
	dir := b.TempDir()
	ctx := context.Background()
	s, err := Open(dir+"/v.sqlite", Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.CreateIndex(ctx, "big", "", vectorize.IndexConfig{Dimensions: dim, Metric: vectorize.Cosine}); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	q := make([]float32, dim)
	for i := range q {
		q[i] = r.Float32()
	}
	for done := 0; done < n; done += 1000 {
		vs := make([]vectorize.Vector, min(1000, n-done))
		for i := range vs {
			v := make([]float32, dim)
			for j := range v {
				v[j] = r.Float32()*2 - 1
			}
			vs[i] = vectorize.Vector{ID: fmt.Sprint(done + i), Values: v}
		}
		if _, err := s.Insert(ctx, "big", vs); err != nil {
			b.Fatal(err)
		}
	}
	// Wait for the graph, then close (which writes the snapshot).
	vi, _ := s.load(ctx, "big")
	for {
		vi.mu.RLock()
		done := vi.hnsw != nil && vi.buf.Len() == 0 || n < 10_000 && vi.buf.Len() == 0
		vi.mu.RUnlock()
		if done {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Close()
	for _, snap := range []bool{true, false} {
		b.Run(fmt.Sprintf("n=%d/snapshot=%v", n, snap), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				s, err := Open(dir+"/v.sqlite", Options{NoSnapshots: !snap})
				if err != nil {
					b.Fatal(err)
				}
				res, err := s.Query(ctx, "big", vectorize.Query{Vector: q, TopK: 10})
				if err != nil || res.Count != 10 {
					b.Fatalf("%+v %v", res, err)
				}
				b.StopTimer()
				if snap {
					s.Close()
				} else {
					crash(s) // leave the snapshot alone for the next run
				}
				b.StartTimer()
			}
		})
	}
}
