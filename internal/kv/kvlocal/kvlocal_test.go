package kvlocal

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/kv"
	"github.com/zerostack/zerostack/internal/kv/kvtest"
)

func TestConformance(t *testing.T) {
	kvtest.Run(t, func(t *testing.T, now func() time.Time) kv.Store {
		s, err := Open(filepath.Join(t.TempDir(), "kv.sqlite"), Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestSweepAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kv.sqlite")
	clock := kvtest.NewClock(time.Unix(1_800_000_000, 0))
	s, err := Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	ttl := int64(60)
	s.Put(ctx, "ns", "gone", strings.NewReader("x"), kv.PutOptions{ExpirationTTL: &ttl})
	s.Put(ctx, "ns", "kept", strings.NewReader("y"), kv.PutOptions{})
	clock.Advance(time.Minute)
	if n, err := s.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v", n, err)
	}
	s.Close()
	s, err = Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if e, err := s.Get(ctx, "ns", "kept"); err != nil || string(e.Value) != "y" {
		t.Fatalf("after reopen: %q, %v", e.Value, err)
	}
	if err := s.DB().IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkGet100B measures a Get of a 100-byte value (the KV goal
// is stated for this size).
func BenchmarkGet100B(b *testing.B) {
	ctx := context.Background()
	s, err := Open(filepath.Join(b.TempDir(), "kv.sqlite"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range 1000 {
		s.Put(ctx, "ns", fmt.Sprint("key-", i), strings.NewReader(strings.Repeat("v", 100)), kv.PutOptions{})
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.Get(ctx, "ns", fmt.Sprint("key-", i%1000)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkPut100B measures a Put of a 100-byte value.
func BenchmarkPut100B(b *testing.B) {
	ctx := context.Background()
	s, err := Open(filepath.Join(b.TempDir(), "kv.sqlite"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	v := strings.Repeat("v", 100)
	for i := 0; i < b.N; i++ {
		if err := s.Put(ctx, "ns", fmt.Sprint("key-", i%1000), strings.NewReader(v), kv.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
