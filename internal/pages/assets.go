package pages

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/zerostack/zerostack/internal/httpx"
)

// html_handling values (Workers static assets; Pages behaves as
// auto-trailing-slash).
const (
	AutoTrailingSlash  = "auto-trailing-slash"
	ForceTrailingSlash = "force-trailing-slash"
	DropTrailingSlash  = "drop-trailing-slash"
	HTMLHandlingNone   = "none"
)

// not_found_handling values.
const (
	NotFoundNone = "none"
	NotFound404  = "404-page"
	NotFoundSPA  = "single-page-application"
)

// CacheControl is what Cloudflare's asset server sends with every asset
// (unless the request has Authorization or Range): browsers revalidate with
// the ETag each time.
const CacheControl = "public, max-age=0, must-revalidate"

// maxMemFile is the largest file kept in memory; larger files are read
// from disk on each request (still never through the JavaScript runtime).
const maxMemFile = 8 << 20

// Options configure a [Server].
type Options struct {
	// Dir is the directory served.
	Dir string
	// Pages selects Cloudflare Pages behaviour: html handling as
	// auto-trailing-slash with 308 redirects, not-found handling decided by
	// the presence of a top-level 404.html (404-page when it exists, else
	// single-page-application), and the Pages build files (_worker.js,
	// _routes.json, functions/) are never served. Otherwise the Workers
	// [assets] behaviour: 307 redirects and the handling options below.
	Pages bool
	// HTMLHandling is html_handling ("": auto-trailing-slash).
	HTMLHandling string
	// NotFoundHandling is not_found_handling ("": none).
	NotFoundHandling string
	// Logger receives warnings about _headers and _redirects lines that
	// were ignored, and reload errors; nil discards them.
	Logger *slog.Logger
}

// Server serves a directory of static assets as Cloudflare's asset server
// does. Files up to 8 MiB are held in memory (gzip and brotli variants are
// made once, on first request); _headers and _redirects in the directory's
// root apply, and files that .assetsignore names (gitignore syntax) are not
// served. It is safe for concurrent use; [Server.Reload] swaps in a new
// snapshot atomically.
type Server struct {
	opts Options
	log  *slog.Logger
	snap atomic.Pointer[snapshot]
	mu   sync.Mutex // serializes reloads
	// ignore holds the rules of .assetsignore, read at each reload.
	ignore atomic.Pointer[[]ignoreRule]
}

// ignoreRule is one line of .assetsignore (gitignore syntax: "*", "?",
// "**", a leading "/" or an inner "/" anchors to the root, a trailing "/"
// matches directories only, "!" re-includes).
type ignoreRule struct {
	re      *regexp.Regexp
	dirOnly bool
	negate  bool
}

// parseIgnore reads .assetsignore, which lists files of the assets
// directory that are not uploaded (wrangler reads it with gitignore rules).
func parseIgnore(text string) []ignoreRule {
	var out []ignoreRule
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " \r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{}
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimSuffix(line, "/")
		}
		anchored := strings.Contains(line, "/")
		line = strings.TrimPrefix(line, "/")
		var b strings.Builder
		if !anchored {
			b.WriteString("(?:.*/)?")
		}
		for i := 0; i < len(line); i++ {
			switch c := line[i]; {
			case strings.HasPrefix(line[i:], "**/"):
				b.WriteString("(?:.*/)?")
				i += 2
			case strings.HasPrefix(line[i:], "**"):
				b.WriteString(".*")
				i++
			case c == '*':
				b.WriteString("[^/]*")
			case c == '?':
				b.WriteString("[^/]")
			default:
				b.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		re, err := regexp.Compile("^" + b.String() + "$")
		if err != nil {
			continue
		}
		r.re = re
		out = append(out, r)
	}
	return out
}

// matchIgnore applies the rules to a slash path relative to the root (the
// last matching rule decides).
func matchIgnore(rules []ignoreRule, rel string, dir bool) bool {
	ignored := false
	for _, r := range rules {
		if r.dirOnly && !dir {
			continue
		}
		if r.re.MatchString(rel) {
			ignored = !r.negate
		}
	}
	return ignored
}

type snapshot struct {
	files     map[string]*asset // decoded path → asset
	headers   *Headers
	redirects *Redirects
	notFound  string // effective not_found_handling
	sig       uint64
}

type asset struct {
	name     string // decoded URL path
	file     string // on disk; data is nil for large files
	data     []byte
	size     int64
	etag     string   // the hash, without quotes
	strong   []string // `"hash"`
	weak     []string // `W/"hash"`
	ctype    []string
	compress bool

	once   sync.Once
	gz, br []byte
	// Content-Length values of data, gz and br.
	dataLen, gzLen, brLen []string
}

// New loads dir and returns its server. The directory must exist.
func New(o Options) (*Server, error) {
	if o.HTMLHandling == "" {
		o.HTMLHandling = AutoTrailingSlash
	}
	if o.NotFoundHandling == "" {
		o.NotFoundHandling = NotFoundNone
	}
	switch o.HTMLHandling {
	case AutoTrailingSlash, ForceTrailingSlash, DropTrailingSlash, HTMLHandlingNone:
	default:
		return nil, fmt.Errorf("assets: html_handling %q is not one of auto-trailing-slash, force-trailing-slash, drop-trailing-slash, none", o.HTMLHandling)
	}
	switch o.NotFoundHandling {
	case NotFoundNone, NotFound404, NotFoundSPA:
	default:
		return nil, fmt.Errorf("assets: not_found_handling %q is not one of none, 404-page, single-page-application", o.NotFoundHandling)
	}
	s := &Server{opts: o, log: o.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	st, err := os.Stat(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("assets: %w (check the directory named by pages_build_output_dir, [assets] directory or the pages dev argument)", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("assets: %s is not a directory", o.Dir)
	}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir is the directory served.
func (s *Server) Dir() string { return s.opts.Dir }

// ignored reports whether a file (slash path relative to the root) is
// never served: Pages' build inputs and wrangler's default ignores.
func (s *Server) ignored(rel string, dir bool) bool {
	if rules := s.ignore.Load(); rules != nil && matchIgnore(*rules, rel, dir) {
		return true
	}
	base := path.Base(rel)
	switch base {
	case ".DS_Store", ".git", "node_modules", ".wrangler", ".zerostack":
		return true
	}
	switch rel {
	case "_headers", "_redirects", ".assetsignore":
		return true
	}
	if s.opts.Pages {
		switch rel {
		case "_worker.js", "_routes.json", "functions":
			return true
		}
	}
	return false
}

// signature summarizes the directory's files (names, sizes, times) so that
// a watcher can tell when to reload.
func (s *Server) signature() (uint64, error) {
	h := fnv.New64a()
	err := filepath.WalkDir(s.opts.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.opts.Dir, p)
		rel = filepath.ToSlash(rel)
		if rel != "." && d.IsDir() && s.ignored(rel, true) && rel != "_worker.js" {
			return fs.SkipDir
		}
		if d.IsDir() {
			return nil // files say what changed; a directory's time also moves for ignored entries
		}
		info, err := d.Info()
		if err != nil {
			return nil // vanished meanwhile
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", rel, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	return h.Sum64(), err
}

// Reload reads the directory again and swaps the new files in; requests
// in flight finish with the old ones.
func (s *Server) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, err := os.ReadFile(filepath.Join(s.opts.Dir, ".assetsignore")); err == nil {
		rules := parseIgnore(string(b))
		s.ignore.Store(&rules)
	} else {
		s.ignore.Store(nil)
	}
	sig, err := s.signature()
	if err != nil {
		return fmt.Errorf("assets: %w", err)
	}
	sn := &snapshot{files: map[string]*asset{}, sig: sig}
	old := s.snap.Load()
	err = filepath.WalkDir(s.opts.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.opts.Dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if s.ignored(rel, d.IsDir()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// A link to a file is served as that file; links to
			// directories are not followed (they could loop), and a
			// dangling link is skipped.
			if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
				s.log.Warn("assets: skipping a link that is not to a file", "path", p)
				return nil
			}
		}
		a, err := loadAsset(p, "/"+rel)
		if err != nil {
			return err
		}
		if old != nil {
			if prev := old.files[a.name]; prev != nil && prev.etag == a.etag && prev.file == a.file {
				a = prev // unchanged: keep its compressed variants
			}
		}
		sn.files[a.name] = a
		return nil
	})
	if err != nil {
		return fmt.Errorf("assets: %w", err)
	}
	if b, err := os.ReadFile(filepath.Join(s.opts.Dir, "_headers")); err == nil {
		h, invalid := ParseHeaders(string(b))
		sn.headers = h
		for _, inv := range invalid {
			s.log.Warn("_headers: ignored "+inv.String(), "file", filepath.Join(s.opts.Dir, "_headers"))
		}
	}
	if b, err := os.ReadFile(filepath.Join(s.opts.Dir, "_redirects")); err == nil {
		r, invalid := ParseRedirects(string(b), RedirectOptions{HTMLHandling: s.opts.HTMLHandling})
		sn.redirects = r
		for _, inv := range invalid {
			s.log.Warn("_redirects: ignored "+inv.String(), "file", filepath.Join(s.opts.Dir, "_redirects"))
		}
	}
	sn.notFound = s.opts.NotFoundHandling
	if s.opts.Pages {
		// Cloudflare Pages: a top-level 404.html selects 404 pages (the
		// nearest one up the tree); without it the site is taken for a
		// single-page application.
		if sn.files["/404.html"] != nil {
			sn.notFound = NotFound404
		} else {
			sn.notFound = NotFoundSPA
		}
	}
	s.snap.Store(sn)
	return nil
}

// Changed reports whether the directory differs from the loaded snapshot.
func (s *Server) Changed() bool {
	sig, err := s.signature()
	return err == nil && sig != s.snap.Load().sig
}

// Watch polls the directory every interval and reloads on change until
// stop is closed (development servers).
func (s *Server) Watch(stop <-chan struct{}, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if s.Changed() {
			if err := s.Reload(); err != nil {
				s.log.Error("assets: reload failed; still serving the previous files", "err", err)
			} else {
				s.log.Info("assets reloaded", "dir", s.opts.Dir)
			}
		}
	}
}

func loadAsset(file, name string) (*asset, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	a := &asset{name: name, file: file, size: st.Size()}
	h := sha256.New()
	if st.Size() <= maxMemFile {
		a.data, err = io.ReadAll(f)
		if err != nil {
			return nil, err
		}
		a.size = int64(len(a.data))
		h.Write(a.data)
	} else if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	// Cloudflare's asset ETags are a content hash of 32 hex digits; the
	// extension takes part, as in wrangler's hash (same bytes with another
	// type are another asset).
	io.WriteString(h, path.Ext(name))
	a.etag = hex.EncodeToString(h.Sum(nil))[:32]
	a.dataLen = []string{itoa(int(a.size))}
	a.strong = []string{`"` + a.etag + `"`}
	a.weak = []string{`W/"` + a.etag + `"`}
	ct := contentType(name)
	a.ctype = []string{ct}
	a.compress = compressible(ct) && a.data != nil && a.size >= 256
	return a, nil
}

// contentType is the Content-Type Cloudflare's asset server sends for a
// file name (text types with charset=utf-8).
func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".html", ".htm":
		return "text/html; charset=utf-8"
	case ".js", ".mjs", ".cjs":
		return "application/javascript"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".wasm":
		return "application/wasm"
	case ".webmanifest":
		return "application/manifest+json"
	case ".xml":
		return "application/xml"
	case ".ico":
		return "image/x-icon"
	case ".md":
		return "text/markdown; charset=utf-8"
	case ".woff2":
		return "font/woff2"
	case ".woff":
		return "font/woff"
	case ".webp":
		return "image/webp"
	case ".avif":
		return "image/avif"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	switch {
	case strings.HasPrefix(ct, "text/"):
		return true
	case ct == "application/javascript", ct == "application/json", ct == "application/xml",
		ct == "image/svg+xml", ct == "application/wasm", ct == "application/manifest+json",
		ct == "image/x-icon", strings.HasSuffix(ct, "+json"), strings.HasSuffix(ct, "+xml"):
		return true
	}
	return false
}

// variants makes the compressed bodies once; a variant not smaller than the
// original is dropped.
func (a *asset) variants() {
	a.once.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		zw.Write(a.data)
		zw.Close()
		if b.Len() < len(a.data) {
			a.gz = bytes.Clone(b.Bytes())
			a.gzLen = []string{itoa(len(a.gz))}
		}
		b.Reset()
		bw := brotli.NewWriterLevel(&b, 9)
		bw.Write(a.data)
		bw.Close()
		if b.Len() < len(a.data) {
			a.br = bytes.Clone(b.Bytes())
			a.brLen = []string{itoa(len(a.br))}
		}
	})
}

// intent is what a request resolves to: an asset with its status (200, or
// 404 for a not-found page), or a redirect to a canonical path.
type intent struct {
	asset    *asset
	status   int
	redirect string
}

// Matches reports whether the asset server has an answer for r other than
// its not-found handling: an asset, a canonicalizing redirect, or a
// _redirects rule. Workers with [assets] get the requests it does not
// match. See also [Server.MatchesNavigation].
func (s *Server) Matches(r *http.Request) bool {
	sn := s.snap.Load()
	host, p := r.Host, r.URL.EscapedPath()
	if rule, _ := sn.redirects.Match(host, p); rule != nil && rule.Status != 200 {
		return true
	} else if rule != nil {
		to, _ := url.Parse(rule.To)
		if to != nil {
			p = to.EscapedPath()
		}
	}
	in := s.intentFor(sn, decodePath(p), false, NotFoundNone)
	return in != nil
}

// MatchesNavigation is [Server.Matches] for a browser navigation
// (Sec-Fetch-Mode: navigate) when the Worker's compatibility date enables
// assets_navigation_prefers_asset_serving (2025-04-01 and later): the
// not-found handling counts as an answer too, so a single-page application
// gets its index.html for any path without waking the Worker.
func (s *Server) MatchesNavigation(r *http.Request) bool {
	if s.Matches(r) {
		return true
	}
	sn := s.snap.Load()
	return s.intentFor(sn, decodePath(r.URL.EscapedPath()), false, sn.notFound) != nil
}

// ServeHTTP answers r from the assets: _redirects first, then the file the
// path resolves to under the html handling, then the not-found handling;
// _headers rules apply to every response. Methods other than GET and HEAD
// get 405 for paths that resolve to an asset.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sn := s.snap.Load()
	host := r.Host
	p := r.URL.EscapedPath()
	if p == "" {
		p = "/"
	}
	search := ""
	if r.URL.RawQuery != "" {
		search = "?" + r.URL.RawQuery
	}
	hdr := w.Header()
	if rule, to := sn.redirects.Match(host, p); rule != nil {
		if rule.Status == 200 {
			if u, err := url.Parse(to); err == nil {
				p = u.EscapedPath()
				if p == "" {
					p = "/"
				}
			}
		} else {
			reqURL := &url.URL{Scheme: "https", Host: host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
			hdr.Set("Location", Location(reqURL, to))
			sn.headers.Apply(hdr, host, r.URL.EscapedPath())
			w.WriteHeader(rule.Status)
			return
		}
	}
	decoded := decodePath(p)
	in := s.intentFor(sn, decoded, false, sn.notFound)
	if in == nil {
		// A miss, after a 200 rewrite or not, is a plain 404 (Cloudflare's
		// asset worker answers both with 404 when no worker takes them).
		sn.headers.Apply(hdr, host, r.URL.EscapedPath())
		hdr.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "Not Found")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	dest := decoded
	if in.redirect != "" {
		dest = in.redirect
	}
	enc := encodePath(dest)
	if (enc != p && in.asset != nil) || in.redirect != "" {
		hdr.Set("Location", enc+search)
		sn.headers.Apply(hdr, host, r.URL.EscapedPath())
		w.WriteHeader(s.redirectStatus())
		return
	}
	s.serveAsset(w, r, sn, in.asset, in.status)
}

func (s *Server) redirectStatus() int {
	if s.opts.Pages {
		return http.StatusPermanentRedirect // Pages' asset server: 308
	}
	return http.StatusTemporaryRedirect // Workers assets: 307
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request, sn *snapshot, a *asset, status int) {
	hdr := w.Header()
	hdr["Content-Type"] = a.ctype
	hdr["Etag"] = a.strong
	_, rangeReq := r.Header["Range"]
	if _, auth := r.Header["Authorization"]; !auth && !rangeReq {
		hdr["Cache-Control"] = cacheControl
	}
	var body []byte = a.data
	encoding := ""
	if a.compress && !rangeReq {
		hdr["Vary"] = varyAE
		if ae := r.Header.Get("Accept-Encoding"); ae != "" {
			a.variants()
			switch {
			case a.br != nil && acceptsEncoding(ae, "br"):
				body, encoding = a.br, "br"
			case a.gz != nil && acceptsEncoding(ae, "gzip"):
				body, encoding = a.gz, "gzip"
			}
		}
	}
	if encoding != "" {
		hdr["Content-Encoding"] = []string{encoding}
		hdr["Etag"] = a.weak // a compressed body is another representation
	}
	sn.headers.Apply(hdr, r.Host, r.URL.EscapedPath())
	if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == a.strong[0] || inm == a.weak[0]) {
		delete(hdr, "Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if a.data == nil { // a large file, from disk
		f, err := os.Open(a.file)
		if err != nil {
			http.Error(w, "asset unavailable: "+err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		if status == http.StatusOK {
			http.ServeContent(w, r, "", time.Time{}, f)
			return
		}
		hdr.Set("Content-Length", fmt.Sprint(a.size))
		w.WriteHeader(status)
		if r.Method != http.MethodHead {
			io.Copy(w, f)
		}
		return
	}
	if rangeReq && status == http.StatusOK {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
		return
	}
	hdr["Content-Length"] = a.length(encoding)
	// Head and body in one write (net/http alone makes two for a body
	// over its 4 KiB buffer): see package httpx.
	httpx.WriteFull(w, r, status, body)
}

// length is the Content-Length header value of the asset's body in an
// encoding ("", "gzip" or "br"), made once: handlers never change a
// header value slice in place.
func (a *asset) length(encoding string) []string {
	switch encoding {
	case "gzip":
		return a.gzLen
	case "br":
		return a.brLen
	}
	return a.dataLen
}

var (
	cacheControl = []string{CacheControl}
	varyAE       = []string{"Accept-Encoding"}
)

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// acceptsEncoding reports whether an Accept-Encoding value accepts enc
// (listed without q=0).
func acceptsEncoding(ae, enc string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) {
			continue
		}
		params = strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if params == "q=0" || params == "q=0.0" || params == "q=0.00" || params == "q=0.000" {
			return false
		}
		return true
	}
	return false
}

// decodePath decodes each segment as decodeURIComponent would (keeping a
// segment that fails) and collapses repeated slashes, as Cloudflare does.
func decodePath(p string) string {
	if strings.IndexByte(p, '%') < 0 && !strings.Contains(p, "//") {
		return p // the common case, without allocating
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.IndexByte(s, '%') < 0 {
			continue
		}
		if d, err := url.PathUnescape(s); err == nil {
			segs[i] = d
		}
	}
	out := strings.Join(segs, "/")
	for strings.Contains(out, "//") {
		out = strings.ReplaceAll(out, "//", "/")
	}
	return out
}

// encodePath encodes each segment as encodeURIComponent does: the
// canonical form Cloudflare redirects to.
func encodePath(p string) string {
	i := 0
	for i < len(p) && uriSafe(p[i]) {
		i++
	}
	if i == len(p) {
		return p // nothing to encode, without allocating
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if uriSafe(c) {
			b.WriteByte(c)
			continue
		}
		const hexd = "0123456789ABCDEF"
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

// uriSafe reports whether encodeURIComponent leaves c as it is (or c is
// the path separator).
func uriSafe(c byte) bool {
	return c == '/' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("-_.!~*'()", c) >= 0
}

var errNoAsset = errors.New("no asset")

// Asset returns the bytes of the file at a decoded URL path (for tests and
// tools); large files are read from disk.
func (s *Server) Asset(p string) ([]byte, error) {
	a := s.snap.Load().files[p]
	if a == nil {
		return nil, errNoAsset
	}
	if a.data != nil {
		return a.data, nil
	}
	return os.ReadFile(a.file)
}
