// Command md5sink is the ceiling bench/bindings.sh holds zerostack's 64 MiB
// R2 put to: an HTTP server that stores nothing and only computes the MD5
// of each request body, the digest every single-part R2 object's ETag is,
// with the copy r2local stores bodies with (r2local.CopyHashing) writing to
// io.Discard instead of a file. The
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

	"github.com/zerostack/zerostack/internal/r2/r2local"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18796", "address to listen on")
	flag.Parse()
	err := http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := md5.New()
		n, err := r2local.CopyHashing(io.Discard, r.Body, []io.Writer{h})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "%d %x\n", n, h.Sum(nil))
	}))
	slog.Error("md5sink", "err", err)
	os.Exit(1)
}
