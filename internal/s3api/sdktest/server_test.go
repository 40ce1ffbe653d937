package sdktest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/r2/r2local"
	"github.com/zerostack/zerostack/internal/s3api"
)

// server is the S3 API over a temporary r2local store, on a random port.
type server struct {
	URL      string
	Store    *r2local.Store
	Settings *s3api.Settings
	Key      s3api.AccessKey
}

func startServer(t testing.TB) *server {
	t.Helper()
	dir := t.TempDir()
	st, err := r2local.Open(filepath.Join(dir, "r2"), r2local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := s3api.OpenSettings(filepath.Join(dir, "s3.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { set.Close() })
	key, err := set.CreateKey(context.Background(), "sdk", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	h := s3api.New(s3api.Options{Store: st, Multipart: st, Buckets: st, Credentials: set, Settings: set, Logger: slog.New(slog.DiscardHandler)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &server{URL: "http://" + ln.Addr().String(), Store: st, Settings: set, Key: key}
}

// pattern is a deterministic, seekable body of size bytes that holds no
// memory: byte i is a function of i. SDKs that sign payloads over plain
// HTTP read a body twice (hash, then send) and need to seek it.
type pattern struct {
	off, size int64
}

func patternByte(i int64) byte { return byte(i*31 + i>>9 + i>>17) }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.size {
		return 0, io.EOF
	}
	n := min(int64(len(b)), p.size-p.off)
	for i := range n {
		b[i] = patternByte(p.off + i)
	}
	p.off += n
	return int(n), nil
}

func (p *pattern) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += p.off
	case io.SeekEnd:
		off += p.size
	}
	p.off = off
	return off, nil
}

// checkPattern reads r to the end and reports whether it held exactly the
// pattern bytes [from, from+n).
func checkPattern(r io.Reader, from, n int64) (bool, error) {
	buf := make([]byte, 256<<10)
	pos := from
	for {
		m, err := r.Read(buf)
		for i := range m {
			if pos+int64(i) >= from+n || buf[i] != patternByte(pos+int64(i)) {
				return false, nil
			}
		}
		pos += int64(m)
		if err == io.EOF {
			return pos == from+n, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// heapWatch samples the heap until stopped and returns the peak growth.
func heapWatch() (stop func() uint64) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tk := time.NewTicker(5 * time.Millisecond)
		defer tk.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base.HeapAlloc && m.HeapAlloc-base.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc - base.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-tk.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}
