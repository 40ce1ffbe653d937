package kvlocal

import (
	"context"
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
