package binding_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/vectorize"
	"github.com/zerostack/zerostack/internal/vectorize/vectorizelocal"
	"github.com/zerostack/zerostack/internal/worker"
)

// TestVectorizeBinding runs each test of testdata/vectorize.js in its own
// request against a worker with VectorizeIndex bindings.
func TestVectorizeBinding(t *testing.T) {
	dir := t.TempDir()
	store, err := vectorizelocal.Open(filepath.Join(dir, "vectorize.sqlite"), vectorizelocal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.CreateIndex(context.Background(), "vec", "", vectorize.IndexConfig{Dimensions: 3, Metric: vectorize.Cosine}); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("testdata/vectorize.js")
	if err != nil {
		t.Fatal(err)
	}
	entry := filepath.Join(dir, "index.js")
	os.WriteFile(entry, src, 0o644)
	b, err := worker.MakeBundle(worker.BundleOptions{Entry: entry, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	w, err := worker.New(worker.Config{
		Name: "vectorize-test", Bundle: b, Dev: true, Isolates: 1,
		Extensions: []worker.Extension{binding.VectorizeExtension(store, nil)},
		Bindings: []worker.Binding{
			binding.Vectorize("VEC", "vec", ""),
			binding.Vectorize("ALL", "vec", "all"),
			binding.Vectorize("MISSING", "missing", ""),
			binding.Vectorize("LAZY", "lazy", ""),
		},
		Console: func(level, msg string) { t.Log(level, msg) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	srv := httptest.NewServer(w)
	defer srv.Close()
	for _, name := range []string{"insertQuery", "upsert", "errors", "returnDefault", "lazyCreate"} {
		t.Run(name, func(t *testing.T) {
			resp, err := http.Get(srv.URL + "/" + name)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
		})
	}
}
