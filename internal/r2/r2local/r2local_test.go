package r2local

import (
	"context"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
	"github.com/zerostack/zerostack/internal/r2/r2test"
)

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	r2test.Run(t, func(t *testing.T) r2test.Backend { return open(t, t.TempDir()) })
}

// TestStaysInStateDir writes hostile keys and checks that every file the
// store created is inside its directory and named by generated ids only.
func TestStaysInStateDir(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	dir := filepath.Join(root, "state")
	s := open(t, dir)
	for _, k := range []string{"../outside", "../../etc/x", "/tmp/abs", "a/../../b", "nul\x00", "..", "x/"} {
		if _, err := s.Put(ctx, "b", k, strings.NewReader("x"), r2.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	ents, _ := os.ReadDir(root)
	if len(ents) != 1 || ents[0].Name() != "state" {
		t.Fatalf("files outside the state dir: %v", ents)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if strings.Contains(d.Name(), "outside") || strings.Contains(d.Name(), "abs") {
			t.Errorf("key leaked into a file name: %s", p)
		}
		return nil
	})
}

// TestGarbageCollection checks that Open removes blobs that no row references.
func TestGarbageCollection(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, Options{})
	s.Put(context.Background(), "b", "k", strings.NewReader("kept"), r2.PutOptions{})
	s.Close()
	orphan := filepath.Join(dir, "blobs", "ab", "ab00000000000000000000000000000000")
	os.MkdirAll(filepath.Dir(orphan), 0o755)
	os.WriteFile(orphan, []byte("junk"), 0o644)
	os.WriteFile(filepath.Join(dir, "tmp", "blob-123"), []byte("junk"), 0o644)
	young := filepath.Join(dir, "blobs", "cd", "cd00000000000000000000000000000000")
	os.MkdirAll(filepath.Dir(young), 0o755)
	os.WriteFile(young, []byte("in flight"), 0o644)
	past := time.Now().Add(-2 * time.Hour)
	os.Chtimes(orphan, past, past)
	os.Chtimes(filepath.Join(dir, "tmp", "blob-123"), past, past)
	s = open(t, dir)
	if _, err := os.Stat(young); err != nil {
		t.Fatal("a young unreferenced blob (a write in progress elsewhere) was removed")
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatal("orphan blob kept")
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(ents) != 0 {
		t.Fatal("temp file kept")
	}
	res, err := s.Get(context.Background(), "b", "k", r2.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "kept" {
		t.Fatalf("body = %q", b)
	}
}

type pattern struct{ n, left int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.left == 0 {
		return 0, io.EOF
	}
	n := int64(len(b))
	if n > p.left {
		n = p.left
	}
	for i := range b[:n] {
		b[i] = byte((p.n + int64(i)) * 31)
	}
	p.n += n
	p.left -= n
	return int(n), nil
}

// TestStreaming64MiB puts and gets a 64 MiB object and checks that the heap
// does not grow by anything near the object's size.
func TestStreaming64MiB(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 64 MiB")
	}
	ctx := context.Background()
	s := open(t, t.TempDir())
	const size = 64 << 20
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := uint64(0)
	track := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapAlloc)
	}
	want := sha256.New()
	io.Copy(want, &pattern{left: size})
	o, err := s.Put(ctx, "b", "big", &trackingReader{r: &pattern{left: size}, f: track}, r2.PutOptions{})
	if err != nil || o.Size != size {
		t.Fatalf("put = %+v, %v", o, err)
	}
	res, err := s.Get(ctx, "b", "big", r2.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := sha256.New()
	io.Copy(got, &trackingReader{r: res.Body, f: track})
	res.Body.Close()
	if string(got.Sum(nil)) != string(want.Sum(nil)) {
		t.Fatal("body differs")
	}
	runtime.ReadMemStats(&after)
	if peak > before.HeapAlloc+16<<20 {
		t.Fatalf("heap grew from %d to a peak of %d bytes while streaming 64 MiB", before.HeapAlloc, peak)
	}
}

type trackingReader struct {
	r     io.Reader
	f     func()
	calls int
}

func (t *trackingReader) Read(p []byte) (int, error) {
	t.calls++
	if t.calls%64 == 0 {
		t.f()
	}
	return t.r.Read(p)
}

// BenchmarkGet10KiB measures a Get of a 10 KiB object, body read fully.
func BenchmarkGet10KiB(b *testing.B) {
	ctx := context.Background()
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.Put(ctx, "b", "obj", strings.NewReader(strings.Repeat("x", 10<<10)), r2.PutOptions{})
	buf := make([]byte, 16<<10)
	b.SetBytes(10 << 10)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := s.Get(ctx, "b", "obj", r2.GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(res.Body, buf[:10<<10]); err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
	}
}
