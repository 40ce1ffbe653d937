package s3api

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/zerostack/zerostack/internal/r2/r2local"
)

// testEnv is an S3 API server over a temporary r2local store.
type testEnv struct {
	URL      string
	Store    *r2local.Store
	Settings *Settings
	Key      AccessKey // read-write, all buckets
	Handler  *Handler
	Server   *httptest.Server
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	dir := t.TempDir()
	st, err := r2local.Open(filepath.Join(dir, "r2"), r2local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	set, err := OpenSettings(filepath.Join(dir, "s3.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { set.Close() })
	key, err := set.CreateKey(context.Background(), "test", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("S3API_DEBUG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	h := New(Options{Store: st, Multipart: st, Buckets: st, Credentials: set, Settings: set, Logger: log})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testEnv{URL: srv.URL, Store: st, Settings: set, Key: key, Handler: h, Server: srv}
}

func httpServer(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
