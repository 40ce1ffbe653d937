package s3api

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/zerostack/zerostack/internal/r2"
)

// PublicHandler serves public buckets (`r2 bucket dev-url enable`)
// read-only and without credentials, as r2.dev URLs do: GET and HEAD of
// objects (ranges and conditional requests included) at
// <bucket>.<domain>/<key> or /<bucket>/<key>, with the bucket's CORS rules
// applied. Buckets that are not public, and listings, answer 404; other
// methods 405.
type PublicHandler struct {
	Store    r2.Store
	Settings *Settings
	// Domains are base host names for <bucket>.<domain> addressing (hosts
	// under "localhost" are always recognised).
	Domains []string
	Logger  *slog.Logger
}

func (p *PublicHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := p.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{domains: p.Domains, settings: p.Settings}
	bucket, key := h.route(r)
	if r.Method == http.MethodOptions {
		hh := &Handler{domains: p.Domains, settings: p.Settings, log: log}
		hh.preflight(w, r, bucket, key)
		return
	}
	public := false
	if bucket != "" && key != "" && !strings.HasSuffix(key, "/") {
		ok, err := p.Settings.IsPublic(r.Context(), bucket)
		if err != nil {
			writeError(w, r, log, bucket, key, err)
			return
		}
		public = ok
	}
	if !public {
		writeError(w, r, log, bucket, key, ErrNoSuchKey)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, r, log, bucket, key, ErrMethodNotAllowed)
		return
	}
	if r.Header.Get("Origin") != "" {
		h.applyCORS(&request{w: w, r: r, bucket: bucket, key: key, ctx: r.Context()})
	}
	if err := serveObject(w, r, p.Store, bucket, key, nil, r.Method == http.MethodHead); err != nil {
		writeError(w, r, log, bucket, key, err)
	}
}
