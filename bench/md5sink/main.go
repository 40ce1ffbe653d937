// Command md5sink is the ceiling bench/bindings.sh holds zerostack's 64 MiB
// R2 put to: an HTTP server that stores nothing and only computes the MD5
// of each request body (on its own goroutine, overlapping the reads, as
// r2local does), the digest every single-part R2 object's ETag is. The
// same client sending the same body to it and to a worker shows how much
// of the put's time is the hash and the transfer on that machine, and how
// much is zerostack's storing.
//
//	md5sink -addr 127.0.0.1:18796
//
// Each request is answered with the body's length and MD5 in hex.
package main

import (
	"crypto/md5"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18796", "address to listen on")
	flag.Parse()
	err := http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, sum := hashPipelined(r.Body)
		fmt.Fprintf(w, "%d %x\n", n, sum)
	}))
	slog.Error("md5sink", "err", err)
	os.Exit(1)
}

// hashPipelined reads r to the end in 256 KiB pieces, hashing them on
// another goroutine, and returns the length and the MD5.
func hashPipelined(r io.Reader) (int64, []byte) {
	const nbuf = 4
	free := make(chan []byte, nbuf)
	for range nbuf {
		free <- make([]byte, 256<<10)
	}
	full := make(chan []byte, nbuf)
	h := md5.New()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range full {
			h.Write(p)
			free <- p[:cap(p)]
		}
	}()
	var n int64
	for {
		p := <-free
		m, err := r.Read(p)
		n += int64(m)
		if m > 0 {
			full <- p[:m]
		} else {
			free <- p
		}
		if err != nil {
			break
		}
	}
	close(full)
	<-done
	return n, h.Sum(nil)
}
