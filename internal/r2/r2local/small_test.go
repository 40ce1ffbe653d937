package r2local

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/zerostack/zerostack/internal/r2"
)

// TestSmallBodiesReadWhole checks the SmallBody threshold: bodies up to it
// (the whole object or the range asked for) come back in memory with the
// file already closed, so they survive the object's deletion and have
// Size and Bytes; larger ones stream from the file. Both give the same bytes.
func TestSmallBodiesReadWhole(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	data := make([]byte, SmallBody+1)
	for i := range data {
		data[i] = byte(i * 7)
	}
	if _, err := s.Put(ctx, "b", "big", bytes.NewReader(data), r2.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "b", "small", bytes.NewReader(data[:SmallBody]), r2.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	i64 := func(n int64) *int64 { return &n }
	for _, c := range []struct {
		name, key string
		rg        *r2.Range
		want      []byte
		inMemory  bool
	}{
		{"small whole", "small", nil, data[:SmallBody], true},
		{"small range", "small", &r2.Range{Offset: i64(10), Length: i64(5)}, data[10:15], true},
		{"small empty range", "small", &r2.Range{Offset: i64(SmallBody), Length: i64(0)}, []byte{}, true},
		{"big whole", "big", nil, data, false},
		{"big range of small size", "big", &r2.Range{Suffix: i64(100)}, data[len(data)-100:], true},
	} {
		res, err := s.Get(ctx, "b", c.key, r2.GetOptions{Range: c.rg})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if res.Length != int64(len(c.want)) {
			t.Errorf("%s: Length = %d, want %d", c.name, res.Length, len(c.want))
		}
		mem, ok := res.Body.(interface {
			Bytes() []byte
			Size() int64
		})
		if ok != c.inMemory {
			t.Errorf("%s: body in memory = %v, want %v", c.name, ok, c.inMemory)
		}
		if ok {
			if mem.Size() != int64(len(c.want)) || !bytes.Equal(mem.Bytes(), c.want) {
				t.Errorf("%s: Size %d, Bytes differ: %v", c.name, mem.Size(), !bytes.Equal(mem.Bytes(), c.want))
			}
		}
		got, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%s: read %d bytes, %v; want %d bytes", c.name, len(got), err, len(c.want))
		}
	}

	// A small body is a snapshot: deleting the object after Get does not
	// affect it.
	res, err := s.Get(ctx, "b", "small", r2.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "b", "small"); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(res.Body)
	if err != nil || !bytes.Equal(got, data[:SmallBody]) {
		t.Fatalf("body after delete: %d bytes, %v", len(got), err)
	}
}

// TestSmallBodyTruncatedBlob checks that a blob shorter than its metadata
// says (damaged behind the store's back) fails the Get instead of returning
// a short body.
func TestSmallBodyTruncatedBlob(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	s.inlineMax = 0 // a blob file
	if _, err := s.Put(ctx, "b", "k", bytes.NewReader(make([]byte, 1000)), r2.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	var blob string
	if err := s.DB().R.QueryRow("SELECT blob FROM r2_objects").Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(s.blobPath(blob), 500); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Get(ctx, "b", "k", r2.GetOptions{}); err == nil {
		res.Body.Close()
		t.Fatal("Get of a truncated blob succeeded")
	}
}

// TestBlobCache checks the small-blob cache: a second Get is served from
// memory (it works with the file gone), a replaced or deleted object is
// never served from it, and it keeps within its byte bound, evicting the
// least recently used blob first.
func TestBlobCache(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	s.inlineMax = 0 // blob files: inline bodies are not cached
	get := func(key string) string {
		t.Helper()
		res, err := s.Get(ctx, "b", key, r2.GetOptions{})
		if err != nil {
			t.Fatalf("get %s: %v", key, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	put := func(key, v string) {
		t.Helper()
		if _, err := s.Put(ctx, "b", key, bytes.NewReader([]byte(v)), r2.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	put("k", "v1")
	if got := get("k"); got != "v1" {
		t.Fatalf("get = %q", got)
	}
	var blob string
	if err := s.DB().R.QueryRow("SELECT blob FROM r2_objects").Scan(&blob); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(s.blobPath(blob), s.blobPath(blob)+".away"); err != nil {
		t.Fatal(err)
	}
	if got := get("k"); got != "v1" {
		t.Fatalf("cached get = %q", got)
	}
	os.Rename(s.blobPath(blob)+".away", s.blobPath(blob))
	put("k", "v2")
	if got := get("k"); got != "v2" {
		t.Fatalf("get after replace = %q", got)
	}
	if _, ok := s.small.get(blob); ok {
		t.Error("replaced blob still cached")
	}
	s.Delete(ctx, "b", "k")
	if _, err := s.Get(ctx, "b", "k", r2.GetOptions{}); !errors.Is(err, r2.ErrNoSuchKey) {
		t.Fatalf("get after delete: %v", err)
	}
	if s.small.size != 0 || len(s.small.m) != 0 || s.small.lru.Len() != 0 {
		t.Fatalf("cache after delete: %d bytes, %d entries", s.small.size, len(s.small.m))
	}

	c := newBlobCache(10)
	c.put("a", []byte("aaaa"))
	c.put("b", []byte("bbbb"))
	c.get("a") // b is now the least recently used
	c.put("c", []byte("cccc"))
	if _, ok := c.get("b"); ok {
		t.Error("b not evicted")
	}
	for _, id := range []string{"a", "c"} {
		if _, ok := c.get(id); !ok {
			t.Errorf("%s evicted", id)
		}
	}
	c.put("huge", make([]byte, 11))
	if _, ok := c.get("huge"); ok || c.size != 8 {
		t.Errorf("blob larger than the cache was cached (size %d)", c.size)
	}
}
