package pages

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkServeStatic measures the asset server's own work for a 10 KiB
// file (no network): what it adds to net/http's cost per request.
func BenchmarkServeStatic(b *testing.B) {
	dir := b.TempDir()
	writeFile := func(name, body string) {
		if err := osWriteFile(dir+"/"+name, body); err != nil {
			b.Fatal(err)
		}
	}
	writeFile("10k.js", strings.Repeat("x", 10240))
	srv, err := New(Options{Dir: dir, Pages: true})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/10k.js", nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		srv.ServeHTTP(w, r)
	}
}

func osWriteFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o644) }
