package s3api

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// heapWatch samples the heap in use until stopped and returns the peak
// above the starting level.
func heapWatch() (stop func() uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > base && ms.HeapInuse-base > peak.Load() {
				peak.Store(ms.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// TestMultipart100MiBStreams uploads a 100 MiB object in 20 parts and
// reads it back, generating and checking the bytes on the fly: the heap of
// the process (client and server) must stay far below the object's size.
func TestMultipart100MiBStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 300 MiB to disk")
	}
	e := newTestEnv(t)
	e.Store.CreateBucket(context.Background(), "stream")
	c := e.client(t, e.Key)
	const part, parts = 5 << 20, 20
	stop := heapWatch()
	resp, body := c.do("POST", "/stream/big?uploads", nil, nil)
	wantStatus(t, resp, body, 200, "")
	var init initiateMultipartResult
	xml.Unmarshal([]byte(body), &init)
	src := rand.NewChaCha8([32]byte{1})
	whole := md5.New()
	var partSums []byte
	var complete strings.Builder
	complete.WriteString("<CompleteMultipartUpload>")
	for n := 1; n <= parts; n++ {
		ps := md5.New()
		r, _ := c.build("PUT", fmt.Sprintf("/stream/big?partNumber=%d&uploadId=%s", n, init.UploadID),
			io.TeeReader(io.LimitReader(src, part), io.MultiWriter(whole, ps)), nil)
		r.ContentLength = part
		resp, body := send(t, r)
		wantStatus(t, resp, body, 200, "")
		partSums = append(partSums, ps.Sum(nil)...)
		fmt.Fprintf(&complete, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", n, resp.Header.Get("ETag"))
	}
	complete.WriteString("</CompleteMultipartUpload>")
	resp, body = c.do("POST", "/stream/big?uploadId="+init.UploadID, []byte(complete.String()), nil)
	wantStatus(t, resp, body, 200, "")
	want := md5.Sum(partSums)
	if !strings.Contains(body, hex.EncodeToString(want[:])+"-20") {
		t.Fatalf("complete: %s", body)
	}
	r, _ := c.build("GET", "/stream/big", nil, nil)
	gresp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	got := md5.New()
	n, err := io.Copy(got, gresp.Body)
	gresp.Body.Close()
	peak := stop()
	if err != nil || n != part*parts || string(got.Sum(nil)) != string(whole.Sum(nil)) {
		t.Fatalf("read back %d bytes, %v; md5 match %v", n, err, string(got.Sum(nil)) == string(whole.Sum(nil)))
	}
	t.Logf("peak heap growth %.1f MiB for a %d MiB object", float64(peak)/(1<<20), part*parts>>20)
	if peak > 32<<20 {
		t.Errorf("heap grew by %.1f MiB: something holds object bytes in memory", float64(peak)/(1<<20))
	}
}
