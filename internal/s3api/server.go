package s3api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
)

// Options configures [New]. Store, Multipart, Buckets and Credentials are
// required; the rest is optional.
type Options struct {
	Store     r2.Store
	Multipart r2.Multipart
	Buckets   r2.Buckets
	// Credentials authenticates requests (normally a *Settings).
	Credentials Credentials
	// Settings holds bucket CORS and lifecycle configurations; nil answers
	// those operations with NotImplemented.
	Settings *Settings
	// Domains are the base host names for virtual-host-style addressing: a
	// request to <bucket>.<domain> addresses bucket. Hosts under
	// "localhost" are always recognised.
	Domains []string
	Logger  *slog.Logger
	// Now is the clock for signature checks; default time.Now.
	Now func() time.Time
}

// Handler is the S3-compatible API. It is safe for concurrent use.
type Handler struct {
	store    r2.Store
	mp       r2.Multipart
	buckets  r2.Buckets
	creds    Credentials
	settings *Settings
	domains  []string
	log      *slog.Logger
	now      func() time.Time
	keys     ttlCache[AccessKey]
	keysGen  atomic.Uint64
	exists   ttlCache[bool]
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler over the given stores.
func New(opts Options) *Handler {
	h := &Handler{
		store: opts.Store, mp: opts.Multipart, buckets: opts.Buckets, creds: opts.Credentials,
		settings: opts.Settings, domains: opts.Domains, log: opts.Logger, now: opts.Now,
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.creds == nil {
		h.creds = StaticCredentials(nil)
	}
	return h
}

// route returns the bucket and key a request addresses.
func (h *Handler) route(r *http.Request) (bucket, key string) {
	host := r.Host
	if hst, _, err := net.SplitHostPort(host); err == nil {
		host = hst
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	path := strings.TrimPrefix(r.URL.Path, "/")
	if b := virtualBucket(host, h.domains); b != "" {
		return b, path
	}
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

func virtualBucket(host string, domains []string) string {
	if net.ParseIP(host) != nil {
		return ""
	}
	for _, d := range append(domains, "localhost") {
		d = strings.ToLower(d)
		if b, ok := strings.CutSuffix(host, "."+d); ok && b != "" && !strings.Contains(b, ".") {
			return b
		}
	}
	return ""
}

// request is one S3 request being served.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	bucket string
	key    string
	ak     AccessKey
	ctx    context.Context
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key := h.route(r)
	w.Header().Set("x-amz-request-id", requestID())
	if r.Method == http.MethodOptions {
		h.preflight(w, r, bucket, key)
		return
	}
	if r.ContentLength == 0 && strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		// Go sends "100 Continue" only for requests with a body; S3 sends it
		// always, and botocore misreads the next response on a connection
		// whose 100-continue request got none.
		w.WriteHeader(http.StatusContinue)
	}
	ak, err := h.authenticate(r)
	if err == errNoCredentials && bucket != "" && h.settings != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		// Public buckets (r2 bucket dev-url enable) answer unsigned reads.
		if public, perr := h.settings.IsPublic(r.Context(), bucket); perr == nil && public {
			(&PublicHandler{Store: h.store, Settings: h.settings, Domains: h.domains, Logger: h.log}).ServeHTTP(w, r)
			return
		}
	}
	if err != nil {
		writeError(w, r, h.log, bucket, key, err)
		return
	}
	req := &request{w: w, r: r, bucket: bucket, key: key, ak: ak, ctx: r.Context()}
	if bucket != "" && r.Header.Get("Origin") != "" {
		h.applyCORS(req)
	}
	if err := h.dispatch(req); err != nil {
		writeError(w, r, h.log, bucket, key, err)
	}
}

// unsupported are sub-resources of operations this API does not implement.
var unsupported = []string{
	"acl", "policy", "policyStatus", "tagging", "versions", "versionId", "website", "replication", "encryption",
	"notification", "logging", "object-lock", "ownershipControls", "accelerate", "requestPayment", "analytics",
	"inventory", "metrics", "intelligent-tiering", "legal-hold", "retention", "torrent", "restore", "select",
	"attributes", "publicAccessBlock", "renameObject", "session",
}

func (h *Handler) dispatch(q *request) error {
	r := q.r
	query := r.URL.Query()
	for _, s := range unsupported {
		if query.Has(s) {
			if s == "versionId" && (query.Get("versionId") == "" || query.Get("versionId") == "null") {
				continue
			}
			return ErrNotImplemented.With("The %q operation is not implemented.", s)
		}
	}
	write := r.Method != http.MethodGet && r.Method != http.MethodHead
	if q.bucket == "" {
		if r.Method != http.MethodGet {
			return ErrMethodNotAllowed
		}
		return h.listBuckets(q)
	}
	if !q.ak.Allows(q.bucket, write) {
		return ErrAccessDenied
	}
	if q.key == "" {
		return h.bucketOp(q, query)
	}
	if err := h.requireBucket(q.ctx, q.bucket); err != nil {
		return err
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && query.Has("partNumber") {
		return ErrNotImplemented.With("Reading an object by part number is not implemented.")
	}
	switch r.Method {
	case http.MethodGet:
		if query.Has("uploadId") {
			return h.listParts(q, query)
		}
		return h.getObject(q, query, false)
	case http.MethodHead:
		return h.getObject(q, query, true)
	case http.MethodPut:
		if query.Has("uploadId") || query.Has("partNumber") {
			if r.Header.Get("X-Amz-Copy-Source") != "" {
				return h.uploadPartCopy(q, query)
			}
			return h.uploadPart(q, query)
		}
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			return h.copyObject(q)
		}
		return h.putObject(q)
	case http.MethodPost:
		if query.Has("uploads") {
			return h.createMultipart(q)
		}
		if query.Has("uploadId") {
			return h.completeMultipart(q, query)
		}
		return ErrNotImplemented
	case http.MethodDelete:
		if query.Has("uploadId") {
			return h.abortMultipart(q, query)
		}
		return h.deleteObject(q)
	}
	return ErrMethodNotAllowed
}

func (h *Handler) bucketOp(q *request, query map[string][]string) error {
	has := func(k string) bool { _, ok := query[k]; return ok }
	r := q.r
	switch r.Method {
	case http.MethodPut:
		switch {
		case has("cors"):
			return h.putCORS(q)
		case has("lifecycle"):
			return h.putLifecycle(q)
		case has("versioning"):
			return ErrNotImplemented
		}
		return h.createBucket(q)
	case http.MethodDelete:
		switch {
		case has("cors"):
			return h.deleteCORS(q)
		case has("lifecycle"):
			return h.deleteLifecycle(q)
		}
		return h.deleteBucket(q)
	case http.MethodHead:
		if err := h.requireBucket(q.ctx, q.bucket); err != nil {
			return err
		}
		q.w.WriteHeader(http.StatusOK)
		return nil
	case http.MethodGet:
		if err := h.requireBucket(q.ctx, q.bucket); err != nil {
			return err
		}
		switch {
		case has("location"):
			return writeXML(q.w, http.StatusOK, locationConstraint{Region: "auto"})
		case has("cors"):
			return h.getCORS(q)
		case has("lifecycle"):
			return h.getLifecycle(q)
		case has("versioning"):
			return writeXML(q.w, http.StatusOK, versioningConfiguration{})
		case has("uploads"):
			return h.listUploads(q, query)
		case url1(query, "list-type") == "2":
			return h.listObjectsV2(q, query)
		}
		return h.listObjectsV1(q, query)
	case http.MethodPost:
		if has("delete") {
			if err := h.requireBucket(q.ctx, q.bucket); err != nil {
				return err
			}
			return h.deleteObjects(q)
		}
		return ErrNotImplemented
	}
	return ErrMethodNotAllowed
}

func url1(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// requireBucket returns NoSuchBucket unless bucket was created or holds
// objects (a binding may write to a bucket nobody created).
func (h *Handler) requireBucket(ctx context.Context, bucket string) error {
	now := time.Now()
	if _, ok := h.exists.get(bucket, now); ok {
		return nil
	}
	if err := h.checkBucket(ctx, bucket); err != nil {
		return err
	}
	h.exists.put(bucket, true, now)
	return nil
}

func (h *Handler) checkBucket(ctx context.Context, bucket string) error {
	if bh, ok := h.buckets.(r2.BucketHeader); ok {
		_, err := bh.HeadBucket(ctx, bucket)
		if err == nil {
			return nil
		}
		if !errors.Is(err, r2.ErrNoSuchBucket) {
			return err
		}
	} else {
		bs, err := h.buckets.ListBuckets(ctx)
		if err != nil {
			return err
		}
		for _, b := range bs {
			if b.Name == bucket {
				return nil
			}
		}
	}
	if r2.ValidateBucketName(bucket) != nil {
		return ErrNoSuchBucket
	}
	res, err := h.store.List(ctx, bucket, r2.ListOptions{Limit: 1})
	if err != nil {
		return err
	}
	if len(res.Objects) == 0 && len(res.DelimitedPrefixes) == 0 {
		return ErrNoSuchBucket
	}
	return nil
}
