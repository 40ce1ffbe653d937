package queueslocal

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/queues"
)

// BenchmarkCycle100 sends, leases and acknowledges a batch of 100
// messages: the store's share of one end-to-end queue batch.
func BenchmarkCycle100(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "q.sqlite"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	msgs := make([]queues.Message, 100)
	for i := range msgs {
		msgs[i] = queues.Message{Body: []byte(`{"seq":12345,"sentAt":0}`), ContentType: "json"}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Send(ctx, "q", msgs); err != nil {
			b.Fatal(err)
		}
		ds, err := s.Lease(ctx, "q", 100, time.Minute)
		if err != nil || len(ds) != 100 {
			b.Fatal(err, len(ds))
		}
		acks := make([]string, len(ds))
		for j, d := range ds {
			acks[j] = d.LeaseID
		}
		if err := s.Settle(ctx, "q", acks, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "msgs/s")
}
