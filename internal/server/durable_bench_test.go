package server

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
)

// BenchmarkDurablePut measures storage.put + response round trips through
// the bench worker (bench/durable), 16 clients, one isolate.
func BenchmarkDurablePut(b *testing.B) { benchDurable(b, "/put") }

// BenchmarkDurableHello is the same server's plain response, the anchor.
func BenchmarkDurableHello(b *testing.B) { benchDurable(b, "/hello") }

// BenchmarkDurableRPC is 100 sequential RPC calls per request.
func BenchmarkDurableRPC(b *testing.B) { benchDurable(b, "/rpc?n=100") }

func benchDurable(b *testing.B, path string) { benchDurableN(b, path, 1) }

// BenchmarkDurablePut2 is BenchmarkDurablePut with two isolates: about half
// of the calls cross isolates.
func BenchmarkDurablePut2(b *testing.B) { benchDurableN(b, "/put", 2) }

func benchDurableN(b *testing.B, path string, isolates int) {
	dir, _ := filepath.Abs("../../bench/durable")
	d, err := StartDev(DevOptions{Path: dir, IP: "127.0.0.1", Port: -1, Isolates: isolates, PersistTo: b.TempDir(), Console: func(string, string) {}})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Shutdown(context.Background())
	url := d.URL() + path
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	c := &http.Client{Transport: tr}
	get := func() {
		r, err := c.Get(url)
		if err != nil {
			b.Error(err)
			return
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			b.Errorf("status %d", r.StatusCode)
		}
	}
	get()
	b.ResetTimer()
	var wg sync.WaitGroup
	n := b.N
	ch := make(chan struct{}, n)
	for range n {
		ch <- struct{}{}
	}
	close(ch)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range ch {
				get()
			}
		}()
	}
	wg.Wait()
}
