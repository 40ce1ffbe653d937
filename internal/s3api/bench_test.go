package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/r2/r2local"
)

// Benchmarks of the S3 API over r2local, driven by a Go client in the same
// process (the client's signing and copying share the machine with the
// server). bench/s3.sh runs them next to dd on the same file system.

var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}

func benchDo(b *testing.B, c *signedClient, method, path string, body []byte, n int64) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, _ := c.build(method, path, rd, nil)
	resp, err := benchClient.Do(r)
	if err != nil {
		b.Fatal(err)
	}
	got := drain(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || (n >= 0 && got != n) {
		b.Fatalf("%s %s: %d, %d bytes", method, path, resp.StatusCode, got)
	}
}

// drainBufs are the client's read buffers: 1 MiB, as dd's bs=1M that the
// GET figures are compared with. (io.Copy to io.Discard would read in
// 8 KiB pieces: io.Discard's ReadFrom uses its own small buffers.)
var drainBufs = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// drain reads r to the end and returns the bytes read.
func drain(r io.Reader) int64 {
	bp := drainBufs.Get().(*[]byte)
	defer drainBufs.Put(bp)
	var n int64
	for {
		m, err := r.Read(*bp)
		n += int64(m)
		if err != nil {
			return n
		}
	}
}

// fillRandom fills b with pseudo-random bytes (ChaCha8: crypto/rand spent
// ~0.7 s of CPU per 64 MiB here, in setup that the next round competes with).
func fillRandom(b []byte) { rand.NewChaCha8([32]byte{1}).Read(b) }

func benchEnv(b *testing.B) (*testEnv, *signedClient) {
	e := newTestEnv(b)
	if _, err := e.Store.CreateBucket(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
	return e, &signedClient{t: &testing.T{}, base: e.URL, key: e.Key}
}

func BenchmarkPut64MiB(b *testing.B) {
	_, c := benchEnv(b)
	data := make([]byte, 64<<20)
	fillRandom(data)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		benchDo(b, c, "PUT", fmt.Sprintf("/bench/big-%d", i%4), data, -1)
	}
}

func BenchmarkGet64MiB(b *testing.B) {
	_, c := benchEnv(b)
	data := make([]byte, 64<<20)
	fillRandom(data)
	benchDo(b, c, "PUT", "/bench/big", data, -1)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		benchDo(b, c, "GET", "/bench/big", nil, int64(len(data)))
	}
}

// benchSmall runs op from 32 concurrent clients and reports ops/s.
func benchSmall(b *testing.B, setup func(c *signedClient), op func(c *signedClient, i int64)) {
	_, c := benchEnv(b)
	setup(c)
	b.SetParallelism(max(1, 32/runtimeProcs()))
	var n atomic.Int64
	cpu0 := cpuTime()
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			op(c, n.Add(1))
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
	// CPU time of the process (client and server) per operation: on a
	// shared machine this holds up better than the wall clock.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-us/op")
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkPut1KiB(b *testing.B) {
	data := make([]byte, 1024)
	benchSmall(b, func(*signedClient) {}, func(c *signedClient, i int64) {
		benchDo(b, c, "PUT", fmt.Sprintf("/bench/small-%d", i%1000), data, -1)
	})
}

func BenchmarkGet1KiB(b *testing.B) {
	data := make([]byte, 1024)
	benchSmall(b, func(c *signedClient) {
		for i := range 100 {
			benchDo(b, c, "PUT", fmt.Sprintf("/bench/small-%d", i), data, -1)
		}
	}, func(c *signedClient, i int64) {
		benchDo(b, c, "GET", fmt.Sprintf("/bench/small-%d", i%100), nil, 1024)
	})
}

// BenchmarkPut64MiBConcurrent is BenchmarkPut64MiB with four clients
// uploading at once (as aws s3 cp and rclone upload a large file: several
// requests in flight), each to its own keys; the throughput is the total.
func BenchmarkPut64MiBConcurrent(b *testing.B) {
	_, c := benchEnv(b)
	data := make([]byte, 64<<20)
	fillRandom(data)
	b.SetBytes(int64(len(data)))
	var n atomic.Int64
	b.SetParallelism(max(1, 4/runtimeProcs()))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchDo(b, c, "PUT", fmt.Sprintf("/bench/big-%d", n.Add(1)%8), data, -1)
		}
	})
}

// BenchmarkPutCeiling64MiB is the ceiling BenchmarkPut64MiB is held to on
// the machine it runs on: the same client sends the same 64 MiB PUT to a
// server that stores nothing and only computes the MD5 that every
// single-part object's ETag is, with r2local's own copy (CopyHashing)
// writing to io.Discard instead of a file. bench/s3.sh prints it next to
// the disk's speed.
func BenchmarkPutCeiling64MiB(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := md5.New()
		r2local.CopyHashing(io.Discard, r.Body, []io.Writer{h})
		io.WriteString(w, hex.EncodeToString(h.Sum(nil)))
	}))
	defer srv.Close()
	data := make([]byte, 64<<20)
	fillRandom(data)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		resp, err := benchClient.Post(srv.URL, "application/octet-stream", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		drain(resp.Body)
		resp.Body.Close()
	}
}
