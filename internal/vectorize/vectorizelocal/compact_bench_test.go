package vectorizelocal

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/vectorize"
)

// BenchmarkUpsertStormQueryLatency measures what a compaction costs the
// index's other callers: a 20,000 × 128 index with its graph built is
// re-upserted twice over (every vector rewritten, in batches of 500, the
// re-embedding pattern), which crosses a graph rebuild, while another
// goroutine queries it (topK 10) without pause. It reports the longest
// and 99th-percentile query latency and the longest upsert call, up to
// the point where the graph holds every vector again. Uses only the
// Store's methods and benchDrained, so the same file runs against older
// versions of the package. Run with -benchtime=1x.
func BenchmarkUpsertStormQueryLatency(b *testing.B) {
	const n, dim, batch = 20_000, 128, 500
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		s, err := Open(b.TempDir()+"/v.sqlite", Options{NoSnapshots: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.CreateIndex(ctx, "storm", "", vectorize.IndexConfig{Dimensions: dim, Metric: vectorize.Cosine}); err != nil {
			b.Fatal(err)
		}
		r := rand.New(rand.NewPCG(1, 2))
		vec := func() []float32 {
			v := make([]float32, dim)
			for i := range v {
				v[i] = float32(r.NormFloat64())
			}
			return v
		}
		upsert := func(from int) time.Duration {
			vs := make([]vectorize.Vector, batch)
			for i := range vs {
				vs[i] = vectorize.Vector{ID: fmt.Sprintf("v%05d", from+i), Values: vec()}
			}
			t0 := time.Now()
			if _, err := s.Upsert(ctx, "storm", vs); err != nil {
				b.Fatal(err)
			}
			return time.Since(t0)
		}
		for i := 0; i < n; i += batch {
			upsert(i)
		}
		benchDrained(b, s, "storm")
		queries := make([][]float32, 64)
		for i := range queries {
			queries[i] = vec()
		}
		b.StartTimer()

		stop := make(chan struct{})
		var lat []time.Duration
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				if _, err := s.Query(ctx, "storm", vectorize.Query{Vector: queries[i%len(queries)], TopK: 10}); err != nil {
					panic(err)
				}
				lat = append(lat, time.Since(t0))
			}
		}()
		var maxUp time.Duration
		start := time.Now()
		for range 2 {
			for i := 0; i < n; i += batch {
				maxUp = max(maxUp, upsert(i))
			}
		}
		benchDrained(b, s, "storm")
		total := time.Since(start)
		time.Sleep(2 * time.Second) // a rebuild started after the last drain swaps in meanwhile
		close(stop)
		wg.Wait()
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-query-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-query-ms")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-query-ms")
		b.ReportMetric(float64(len(lat)), "queries")
		b.ReportMetric(float64(maxUp.Microseconds())/1000, "max-upsert-ms")
		b.ReportMetric(total.Seconds(), "storm-s")
		s.Close()
		b.StartTimer()
	}
}

// benchDrained waits until every vector of index name is in its graph.
func benchDrained(b *testing.B, s *Store, name string) {
	vi, err := s.load(context.Background(), name)
	if err != nil {
		b.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
		vi.mu.RLock()
		done := vi.hnsw != nil && vi.buf.Len() == 0
		vi.mu.RUnlock()
		if done {
			return
		}
		if time.Now().After(deadline) {
			b.Fatal("graph not built in time")
		}
	}
}
