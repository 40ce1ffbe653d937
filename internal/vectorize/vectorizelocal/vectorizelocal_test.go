package vectorizelocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/zerostack/zerostack/internal/vectorize"
	"github.com/zerostack/zerostack/internal/vectorize/vectorizetest"
)

func open(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(dir, "vectorize.sqlite"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	vectorizetest.Run(t, func(t *testing.T) vectorizetest.Backend {
		s := open(t, t.TempDir(), Options{})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestConformanceSelective runs the suite with a tiny exact threshold, so
// that filtered queries go through the accept-callback path and the
// sampled selectivity estimate instead of the small-index scan.
func TestConformanceSelective(t *testing.T) {
	vectorizetest.Run(t, func(t *testing.T) vectorizetest.Backend {
		s := open(t, t.TempDir(), Options{ExactThreshold: 2})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestModelSeeds(t *testing.T) {
	for seed := uint64(2); seed < 6; seed++ {
		for _, m := range []vectorize.Metric{vectorize.Cosine, vectorize.Euclidean, vectorize.DotProduct} {
			t.Run(fmt.Sprintf("%s/%d", m, seed), func(t *testing.T) {
				s := open(t, t.TempDir(), Options{ExactThreshold: 5})
				defer s.Close()
				vectorizetest.RunModel(t, s, m, seed, 0)
			})
		}
	}
}

// TestReopen checks that everything acknowledged is there after a reopen.
func TestReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir, Options{})
	if _, err := s.CreateIndex(ctx, "docs", "d", vectorize.IndexConfig{Dimensions: 2, Metric: vectorize.Cosine}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMetadataIndex(ctx, "docs", vectorize.MetadataIndex{PropertyName: "cat", IndexType: vectorize.MetaString}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, "docs", []vectorize.Vector{{ID: "a", Values: []float32{1, 0}, Namespace: "n", Metadata: json.RawMessage(`{"cat":"x"}`)}, {ID: "b", Values: []float32{0, 1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteByIDs(ctx, "docs", []string{"b"}); err != nil {
		t.Fatal(err)
	}
	mut, _ := s.Describe(ctx, "docs")
	s.Close()
	s = open(t, dir, Options{})
	defer s.Close()
	info, err := s.Describe(ctx, "docs")
	if err != nil || info.VectorCount != 1 || info.ProcessedUpToMutation != mut.ProcessedUpToMutation {
		t.Fatalf("after reopen: %+v %v", info, err)
	}
	res, err := s.Query(ctx, "docs", vectorize.Query{Vector: []float32{1, 0}, ReturnMetadata: vectorize.MetadataIndexed})
	if err != nil || res.Count != 1 || res.Matches[0].ID != "a" || string(res.Matches[0].Metadata) != `{"cat":"x"}` || res.Matches[0].Namespace != "n" {
		t.Fatalf("query after reopen: %+v %v", res, err)
	}
}

func TestMaxVectors(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir(), Options{MaxVectors: 3})
	defer s.Close()
	if _, err := s.CreateIndex(ctx, "small", "", vectorize.IndexConfig{Dimensions: 1, Metric: vectorize.Euclidean}); err != nil {
		t.Fatal(err)
	}
	vs := []vectorize.Vector{{ID: "a", Values: []float32{1}}, {ID: "b", Values: []float32{2}}, {ID: "c", Values: []float32{3}}}
	if _, err := s.Insert(ctx, "small", vs); err != nil {
		t.Fatal(err)
	}
	// Replacing existing vectors is fine at the limit; a new one is not.
	if _, err := s.Upsert(ctx, "small", vs[:1]); err != nil {
		t.Fatal(err)
	}
	_, err := s.Insert(ctx, "small", []vectorize.Vector{{ID: "d", Values: []float32{4}}})
	var ve *vectorize.Error
	if !errors.As(err, &ve) || ve.Code != vectorize.CodeIndexFull {
		t.Fatalf("insert beyond the limit: %v", err)
	}
}

// TestTwoProcesses writes through two stores on one file (as zerostack dev
// and the CLI do): each sees the other's writes, and interleaved writes
// never give two vectors the same slot.
func TestTwoProcesses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := open(t, dir, Options{}), open(t, dir, Options{})
	defer a.Close()
	defer b.Close()
	if _, err := a.CreateIndex(ctx, "shared", "", vectorize.IndexConfig{Dimensions: 2, Metric: vectorize.Euclidean}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for i := range 20 {
		s := a
		if i%2 == 1 {
			s = b
		}
		id := fmt.Sprint("v", i)
		ids[id] = true
		if _, err := s.Upsert(ctx, "shared", []vectorize.Vector{{ID: id, Values: []float32{float32(i), 0}}}); err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			if _, err := b.DeleteByIDs(ctx, "shared", []string{"v3"}); err != nil {
				t.Fatal(err)
			}
			delete(ids, "v3")
		}
	}
	for _, s := range []*Store{a, b} {
		res, err := s.Query(ctx, "shared", vectorize.Query{Vector: []float32{0, 0}, TopK: 100})
		if err != nil || res.Count != len(ids) {
			t.Fatalf("%d matches, want %d: %v", res.Count, len(ids), err)
		}
		for _, m := range res.Matches {
			var i int
			fmt.Sscanf(m.ID, "v%d", &i)
			if !ids[m.ID] || m.Score != float32(i) {
				t.Fatalf("match %+v", m)
			}
		}
	}
	// A fresh store agrees (slots in the file are consistent).
	c := open(t, dir, Options{})
	defer c.Close()
	res, err := c.Query(ctx, "shared", vectorize.Query{Vector: []float32{0, 0}, TopK: 100})
	if err != nil || res.Count != len(ids) {
		t.Fatalf("fresh store: %d matches, %v", res.Count, err)
	}
	if err := a.DeleteIndex(ctx, "shared"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Query(ctx, "shared", vectorize.Query{Vector: []float32{0, 0}}); !errors.Is(err, vectorize.ErrIndexNotFound) {
		t.Fatalf("query after another process deleted the index: %v", err)
	}
}
