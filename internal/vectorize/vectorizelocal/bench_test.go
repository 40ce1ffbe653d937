package vectorizelocal

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

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
