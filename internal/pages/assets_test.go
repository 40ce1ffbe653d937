package pages

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// site writes files (path → content) under a new directory.
func site(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		f := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var htmlSite = map[string]string{
	"index.html":        "root",
	"file.html":         "file",
	"folder/index.html": "folder",
	"both.html":         "both-file",
	"both/index.html":   "both-folder",
	"bin":               "binary",
	"blog/404.html":     "blog-404",
	"404.html":          "root-404",
	"a b.txt":           "spaced",
}

// TestHTMLHandling checks each html_handling mode against the outcomes
// Cloudflare documents for this layout (Workers static assets, "HTML
// handling" page): 200 with a file, or a 307 to the canonical path.
func TestHTMLHandling(t *testing.T) {
	dir := site(t, htmlSite)
	type want struct {
		status int
		body   string // or Location for redirects
	}
	cases := map[string]map[string]want{
		AutoTrailingSlash: {
			"/":                  {200, "root"},
			"/index.html":        {307, "/"},
			"/index":             {307, "/"},
			"/file":              {200, "file"},
			"/file.html":         {307, "/file"},
			"/file/":             {307, "/file"},
			"/folder":            {307, "/folder/"},
			"/folder/":           {200, "folder"},
			"/folder/index.html": {307, "/folder/"},
			"/folder/index":      {307, "/folder/"},
			"/both":              {200, "both-file"},
			"/both/":             {200, "both-folder"},
			"/both.html":         {307, "/both"},
			"/both/index.html":   {307, "/both/"},
			"/bin":               {200, "binary"},
			"/a%20b.txt":         {200, "spaced"},
			"/missing":           {404, "root-404"},
			"/blog/missing":      {404, "blog-404"},
			"/file.html?x=1":     {307, "/file?x=1"},
		},
		ForceTrailingSlash: {
			"/":            {200, "root"},
			"/file":        {307, "/file/"},
			"/file/":       {200, "file"},
			"/file.html":   {307, "/file/"},
			"/folder":      {307, "/folder/"},
			"/folder/":     {200, "folder"},
			"/both.html":   {200, "both-file"},
			"/both/":       {200, "both-folder"},
			"/index.html":  {307, "/"},
			"/bin":         {200, "binary"},
			"/missing/":    {404, "root-404"},
			"/folder/x/y/": {404, "root-404"},
		},
		DropTrailingSlash: {
			"/":                  {200, "root"},
			"/index.html":        {307, "/"},
			"/file":              {200, "file"},
			"/file/":             {307, "/file"},
			"/folder":            {200, "folder"},
			"/folder/":           {307, "/folder"},
			"/folder/index.html": {307, "/folder"},
			"/both":              {200, "both-file"},
			"/both/index.html":   {200, "both-folder"},
		},
		HTMLHandlingNone: {
			"/":                  {404, "root-404"},
			"/index.html":        {200, "root"},
			"/file":              {404, "root-404"},
			"/file.html":         {200, "file"},
			"/folder/index.html": {200, "folder"},
		},
	}
	for mode, paths := range cases {
		srv, err := New(Options{Dir: dir, HTMLHandling: mode, NotFoundHandling: NotFound404})
		if err != nil {
			t.Fatal(err)
		}
		for p, w := range paths {
			res := get(t, srv, "GET", p, nil)
			got := res.Body.String()
			if w.status >= 300 && w.status < 400 {
				got = res.Header().Get("Location")
			}
			if res.Code != w.status || got != w.body {
				t.Errorf("%s %s: %d %q, want %d %q", mode, p, res.Code, got, w.status, w.body)
			}
		}
	}
}

func TestNotFoundHandling(t *testing.T) {
	dir := site(t, map[string]string{"index.html": "app", "assets/app.js": "js", "docs/404.html": "docs-404"})
	spa, _ := New(Options{Dir: dir, NotFoundHandling: NotFoundSPA})
	if res := get(t, spa, "GET", "/some/route", nil); res.Code != 200 || res.Body.String() != "app" {
		t.Errorf("spa: %d %q", res.Code, res.Body.String())
	}
	nf, _ := New(Options{Dir: dir, NotFoundHandling: NotFound404})
	if res := get(t, nf, "GET", "/docs/x/y", nil); res.Code != 404 || res.Body.String() != "docs-404" {
		t.Errorf("404-page nested: %d %q", res.Code, res.Body.String())
	}
	if res := get(t, nf, "GET", "/x", nil); res.Code != 404 || res.Body.String() != "Not Found" {
		t.Errorf("404-page without a page: %d %q", res.Code, res.Body.String())
	}
	none, _ := New(Options{Dir: dir})
	if res := get(t, none, "GET", "/x", nil); res.Code != 404 {
		t.Errorf("none: %d", res.Code)
	}
	// Pages: no top-level 404.html means a single-page application.
	pg, _ := New(Options{Dir: dir, Pages: true})
	if res := get(t, pg, "GET", "/docs/zzz", nil); res.Code != 200 || res.Body.String() != "app" {
		t.Errorf("pages spa: %d %q", res.Code, res.Body.String())
	}
	dir2 := site(t, map[string]string{"index.html": "app", "404.html": "nf", "blog/404.html": "blog-nf", "about.html": "about"})
	pg2, _ := New(Options{Dir: dir2, Pages: true})
	if res := get(t, pg2, "GET", "/blog/zzz", nil); res.Code != 404 || res.Body.String() != "blog-nf" {
		t.Errorf("pages 404: %d %q", res.Code, res.Body.String())
	}
	if res := get(t, pg2, "GET", "/about.html", nil); res.Code != 308 || res.Header().Get("Location") != "/about" {
		t.Errorf("pages redirect: %d %q", res.Code, res.Header().Get("Location"))
	}
}

func TestCachingHeaders(t *testing.T) {
	body := strings.Repeat("body { color: red }\n", 100)
	dir := site(t, map[string]string{"style.css": body, "img.png": "\x89PNG....", "_headers": "/*.css\n  X-Css: yes\n"})
	srv, _ := New(Options{Dir: dir})
	res := get(t, srv, "GET", "/style.css", nil)
	etag := res.Header().Get("ETag")
	if res.Code != 200 || res.Body.String() != body || len(etag) != 34 || etag[0] != '"' {
		t.Fatalf("%d etag %q", res.Code, etag)
	}
	for k, v := range map[string]string{"Content-Type": "text/css; charset=utf-8", "Cache-Control": CacheControl, "X-Css": "yes", "Vary": "Accept-Encoding", "Content-Length": itoa(len(body))} {
		if got := res.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if res := get(t, srv, "GET", "/style.css", map[string]string{"If-None-Match": etag}); res.Code != 304 || res.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d", res.Code)
	}
	if res := get(t, srv, "GET", "/style.css", map[string]string{"If-None-Match": "W/" + etag}); res.Code != 304 {
		t.Errorf("weak If-None-Match: %d", res.Code)
	}
	if res := get(t, srv, "GET", "/style.css", map[string]string{"If-None-Match": `"other"`}); res.Code != 200 {
		t.Errorf("other If-None-Match: %d", res.Code)
	}
	res = get(t, srv, "GET", "/style.css", map[string]string{"Range": "bytes=5-9"})
	if res.Code != 206 || res.Body.String() != body[5:10] || res.Header().Get("Cache-Control") != "" {
		t.Errorf("Range: %d %q cache-control %q", res.Code, res.Body.String(), res.Header().Get("Cache-Control"))
	}
	res = get(t, srv, "GET", "/style.css", map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if res.Header().Get("Content-Encoding") != "br" || !strings.HasPrefix(res.Header().Get("ETag"), "W/") {
		t.Fatalf("br: %v", res.Header())
	}
	if b, _ := io.ReadAll(brotli.NewReader(res.Body)); string(b) != body {
		t.Errorf("br body differs")
	}
	res = get(t, srv, "GET", "/style.css", map[string]string{"Accept-Encoding": "gzip"})
	zr, err := gzip.NewReader(bytes.NewReader(res.Body.Bytes()))
	if err != nil || res.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %v %v", err, res.Header())
	}
	if b, _ := io.ReadAll(zr); string(b) != body {
		t.Errorf("gzip body differs")
	}
	if res := get(t, srv, "GET", "/style.css", map[string]string{"Accept-Encoding": "br;q=0, gzip;q=0"}); res.Header().Get("Content-Encoding") != "" {
		t.Errorf("q=0 still encoded")
	}
	res = get(t, srv, "GET", "/img.png", map[string]string{"Accept-Encoding": "gzip, br"})
	if res.Header().Get("Content-Encoding") != "" || res.Header().Get("Content-Type") != "image/png" {
		t.Errorf("png: %v", res.Header())
	}
	if res := get(t, srv, "HEAD", "/style.css", nil); res.Code != 200 || res.Body.Len() != 0 || res.Header().Get("Content-Length") != itoa(len(body)) {
		t.Errorf("HEAD: %d %d", res.Code, res.Body.Len())
	}
	if res := get(t, srv, "POST", "/style.css", nil); res.Code != 405 {
		t.Errorf("POST: %d", res.Code)
	}
	if res := get(t, srv, "GET", "/style.css", map[string]string{"Authorization": "Bearer x"}); res.Header().Get("Cache-Control") != "" {
		t.Errorf("Authorization: cache-control %q", res.Header().Get("Cache-Control"))
	}
}

func TestServerRedirectsAndReload(t *testing.T) {
	dir := site(t, map[string]string{
		"index.html":    "home",
		"users/id.html": "user page",
		"_redirects":    "/old /new 301\n/users/:id /users/id 200\n/go/* https://other.example/:splat 302\n",
		"_headers":      "/users/*\n  X-User: yes\n",
		"_worker.js":    "export default {}",
	})
	srv, err := New(Options{Dir: dir, Pages: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := get(t, srv, "GET", "/old?a=1", nil); res.Code != 301 || res.Header().Get("Location") != "/new?a=1" {
		t.Errorf("301: %d %q", res.Code, res.Header().Get("Location"))
	}
	// A rewrite to a path that html handling would redirect (such as
	// /users/id.html) answers with that redirect, as on Cloudflare, so
	// the rule names the canonical path.
	if res := get(t, srv, "GET", "/users/42", nil); res.Code != 200 || res.Body.String() != "user page" || res.Header().Get("X-User") != "yes" {
		t.Errorf("rewrite: %d %q %v", res.Code, res.Body.String(), res.Header())
	}
	if res := get(t, srv, "GET", "/go/a/b", nil); res.Code != 302 || res.Header().Get("Location") != "https://other.example/a/b" {
		t.Errorf("external: %d %q", res.Code, res.Header().Get("Location"))
	}
	for _, p := range []string{"/_redirects", "/_headers", "/_worker.js"} {
		if res := get(t, srv, "GET", p, nil); res.Body.String() != "home" {
			t.Errorf("%s served: %d %q", p, res.Code, res.Body.String())
		}
	}
	if srv.Changed() {
		t.Error("Changed before any change")
	}
	os.WriteFile(filepath.Join(dir, "new.html"), []byte("fresh"), 0o644)
	if !srv.Changed() {
		t.Fatal("Changed did not notice a new file")
	}
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	if res := get(t, srv, "GET", "/new", nil); res.Body.String() != "fresh" {
		t.Errorf("after reload: %d %q", res.Code, res.Body.String())
	}
}

func TestLinks(t *testing.T) {
	dir := site(t, map[string]string{"index.html": "home", "real/a.txt": "a"})
	for name, target := range map[string]string{"file.txt": "real/a.txt", "dirlink": "real", "loop": ".", "dangling": "nowhere"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if res := get(t, srv, "GET", "/file.txt", nil); res.Code != 200 || res.Body.String() != "a" {
		t.Errorf("link to a file: %d %q", res.Code, res.Body.String())
	}
	if res := get(t, srv, "GET", "/dirlink/a.txt", nil); res.Code != 404 {
		t.Errorf("link to a directory followed: %d", res.Code)
	}
}

func TestAssetsIgnore(t *testing.T) {
	dir := site(t, map[string]string{
		".assetsignore":      "# not uploaded\n*.map\n!keep.map\n/secret/\ndrafts/**\n",
		"index.html":         "home",
		"app.js.map":         "map",
		"keep.map":           "kept",
		"secret/key.txt":     "key",
		"docs/secret/ok.txt": "ok",
		"drafts/a/b.html":    "draft",
	})
	srv, err := New(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]int{"/app.js.map": 404, "/keep.map": 200, "/secret/key.txt": 404, "/docs/secret/ok.txt": 200, "/drafts/a/b": 404, "/.assetsignore": 404, "/": 200} {
		if res := get(t, srv, "GET", p, nil); res.Code != want {
			t.Errorf("%s: %d, want %d", p, res.Code, want)
		}
	}
}

func TestMatches(t *testing.T) {
	dir := site(t, map[string]string{"index.html": "home", "about.html": "about", "_redirects": "/r /about 302\n"})
	srv, _ := New(Options{Dir: dir, NotFoundHandling: NotFoundSPA})
	for p, want := range map[string]bool{"/": true, "/about": true, "/about.html": true, "/r": true, "/api/x": false} {
		if got := srv.Matches(httptest.NewRequest("GET", p, nil)); got != want {
			t.Errorf("Matches(%s) = %v, want %v", p, got, want)
		}
	}
}
