package s3api

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/zerostack/zerostack/internal/r2"
)

const metaPrefix = "X-Amz-Meta-"

// smallBody is the size up to which GET bodies are sent from a buffer.
const smallBody = 32 << 10

var smallBufs = sync.Pool{New: func() any { b := make([]byte, smallBody); return &b }}

func (h *Handler) listBuckets(q *request) error {
	bs, err := h.buckets.ListBuckets(q.ctx)
	if err != nil {
		return err
	}
	res := listAllMyBucketsResult{NS: s3NS, Owner: theOwner, Buckets: []bucketItem{}}
	for _, b := range bs {
		if q.ak.Allows(b.Name, false) {
			res.Buckets = append(res.Buckets, bucketItem{Name: b.Name, CreationDate: s3Time(b.Created)})
		}
	}
	return writeXML(q.w, http.StatusOK, res)
}

func (h *Handler) createBucket(q *request) error {
	io.Copy(io.Discard, io.LimitReader(q.r.Body, maxXMLBody))
	if _, err := h.buckets.CreateBucket(q.ctx, q.bucket); err != nil {
		if errors.Is(err, r2.ErrBucketExists) {
			return &Error{409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it."}
		}
		return err
	}
	q.w.Header().Set("Location", "/"+q.bucket)
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteBucket(q *request) error {
	h.exists.drop(q.bucket)
	if err := h.buckets.DeleteBucket(q.ctx, q.bucket); err != nil {
		return err
	}
	if h.settings != nil {
		if err := h.settings.DeleteBucketConfig(q.ctx, q.bucket); err != nil {
			return err
		}
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

// storageClassToS3 maps R2's storage class names to S3's.
func storageClassToS3(c string) string {
	if c == "InfrequentAccess" {
		return "STANDARD_IA"
	}
	return "STANDARD"
}

func storageClassFromS3(c string) (string, error) {
	switch c {
	case "", "STANDARD":
		return "Standard", nil
	case "STANDARD_IA":
		return "InfrequentAccess", nil
	}
	return "", &Error{400, "InvalidStorageClass", "The storage class you specified is not valid"}
}

// objectMetadata reads the HTTP and custom metadata of a put or a
// multipart upload from the request headers.
func objectMetadata(hd http.Header) (r2.HTTPMetadata, map[string]string, error) {
	hm := r2.HTTPMetadataFromHeader(hd)
	// aws-chunked is a transfer detail, not part of the object.
	if hm.ContentEncoding != "" {
		var keep []string
		for _, e := range strings.Split(hm.ContentEncoding, ",") {
			if e = strings.TrimSpace(e); e != "" && !strings.EqualFold(e, "aws-chunked") {
				keep = append(keep, e)
			}
		}
		hm.ContentEncoding = strings.Join(keep, ",")
	}
	cm := map[string]string{}
	for k, vs := range hd {
		if name, ok := strings.CutPrefix(k, metaPrefix); ok && name != "" {
			cm[strings.ToLower(name)] = strings.Join(vs, ",")
		}
	}
	if err := r2.ValidateCustomMetadata(cm); err != nil {
		return hm, nil, err
	}
	return hm, cm, nil
}

// writeObjectHeaders sets the headers describing o on a GET or HEAD
// response.
func writeObjectHeaders(hd http.Header, o *r2.Object) {
	o.HTTPMetadata.WriteHeader(hd)
	if hd.Get("Content-Type") == "" {
		hd.Set("Content-Type", "application/octet-stream")
	}
	hd.Set("ETag", o.HTTPETag())
	hd.Set("Last-Modified", o.Uploaded.UTC().Format(http.TimeFormat))
	hd.Set("Accept-Ranges", "bytes")
	keys := make([]string, 0, len(o.CustomMetadata))
	for k := range o.CustomMetadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		hd["X-Amz-Meta-"+k] = []string{o.CustomMetadata[k]}
	}
	if sc := storageClassToS3(o.StorageClass); sc != "STANDARD" {
		hd.Set("X-Amz-Storage-Class", sc)
	}
}

// writeChecksums sets the x-amz-checksum-* headers of the full-object
// checksums the store kept (SHA-1 and SHA-256, when the writer sent them),
// for GetObject and HeadObject with x-amz-checksum-mode: ENABLED.
func writeChecksums(hd http.Header, o *r2.Object) {
	if o.Checksums.SHA256 != nil {
		hd.Set("X-Amz-Checksum-Sha256", encodeB64(o.Checksums.SHA256))
	}
	if o.Checksums.SHA1 != nil {
		hd.Set("X-Amz-Checksum-Sha1", encodeB64(o.Checksums.SHA1))
	}
}

var responseOverrides = [][2]string{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

// serveObject answers a GET or HEAD of bucket/key. It is shared by the S3
// API and public buckets.
func serveObject(w http.ResponseWriter, r *http.Request, store r2.Store, bucket, key string, query url.Values, head bool) error {
	opts := r2.GetOptions{OnlyIf: r2.ConditionalFromHeader(r.Header)}
	if rh := r.Header.Get("Range"); rh != "" {
		// An unparsable Range header is ignored, as HTTP requires.
		if rg, err := r2.ParseRangeHeader(rh); err == nil {
			opts.Range = rg
		}
	}
	res, err := store.Get(r.Context(), bucket, key, opts)
	if err != nil {
		if errors.Is(err, r2.ErrInvalidRange) {
			if o, herr := store.Head(r.Context(), bucket, key); herr == nil {
				w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(o.Size, 10))
			}
		}
		return err
	}
	if res.Body != nil {
		defer res.Body.Close()
	}
	o := &res.Object
	hd := w.Header()
	if res.PreconditionFailed {
		// If-Match or If-Unmodified-Since failing is 412; otherwise the
		// object was not modified (If-None-Match, If-Modified-Since).
		strong := &r2.Conditional{EtagMatches: opts.OnlyIf.EtagMatches, SecondsGranularity: true}
		if len(strong.EtagMatches) == 0 {
			strong.UploadedBefore = opts.OnlyIf.UploadedBefore
		}
		if !strong.Check(o) {
			return ErrPreconditionFailed
		}
		hd.Set("ETag", o.HTTPETag())
		hd.Set("Last-Modified", o.Uploaded.UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if res.Ranged && res.Length == 0 && o.Size > 0 {
		hd.Set("Content-Range", "bytes */"+strconv.FormatInt(o.Size, 10))
		return ErrInvalidRange
	}
	writeObjectHeaders(hd, o)
	for _, ov := range responseOverrides {
		if v := query.Get(ov[0]); v != "" {
			hd.Set(ov[1], v)
		}
	}
	if !res.Ranged && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		writeChecksums(hd, o)
	}
	hd.Set("Content-Length", strconv.FormatInt(res.Length, 10))
	status := http.StatusOK
	if res.Ranged {
		hd.Set("Content-Range", "bytes "+strconv.FormatInt(res.Offset, 10)+"-"+strconv.FormatInt(res.Offset+res.Length-1, 10)+"/"+strconv.FormatInt(o.Size, 10))
		status = http.StatusPartialContent
	}
	w.WriteHeader(status)
	if head {
		return nil
	}
	if res.Length <= smallBody {
		// One write for headers and body; sendfile would cost more
		// system calls than it saves.
		bp := smallBufs.Get().(*[]byte)
		defer smallBufs.Put(bp)
		n, err := io.ReadFull(res.Body, (*bp)[:res.Length])
		if err != nil {
			return nil // too late for an error response: the client sees a short body
		}
		w.Write((*bp)[:n])
		return nil
	}
	io.Copy(w, res.Body) // r2local bodies go out with sendfile; a failed write means the client went away
	return nil
}

func (h *Handler) getObject(q *request, query url.Values, head bool) error {
	if head && q.r.Header.Get("Range") == "" {
		// HEAD needs no body: avoid opening it.
		o, err := h.store.Head(q.ctx, q.bucket, q.key)
		if err != nil {
			return err
		}
		if c := r2.ConditionalFromHeader(q.r.Header); c != nil && !c.Check(&o) {
			return serveObject(q.w, q.r, h.store, q.bucket, q.key, query, head)
		}
		hd := q.w.Header()
		writeObjectHeaders(hd, &o)
		for _, ov := range responseOverrides {
			if v := query.Get(ov[0]); v != "" {
				hd.Set(ov[1], v)
			}
		}
		if strings.EqualFold(q.r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
			writeChecksums(hd, &o)
		}
		hd.Set("Content-Length", strconv.FormatInt(o.Size, 10))
		q.w.WriteHeader(http.StatusOK)
		return nil
	}
	return serveObject(q.w, q.r, h.store, q.bucket, q.key, query, head)
}

func (h *Handler) putObject(q *request) error {
	r := q.r
	if r.ContentLength < 0 && len(r.TransferEncoding) == 0 {
		return ErrMissingContentLength
	}
	if r.ContentLength > r2.MaxPutSize {
		return ErrEntityTooLarge
	}
	hm, cm, err := objectMetadata(r.Header)
	if err != nil {
		return err
	}
	class, err := storageClassFromS3(r.Header.Get("X-Amz-Storage-Class"))
	if err != nil {
		return err
	}
	bc, err := parseBodyChecks(r.Header)
	if err != nil {
		return err
	}
	opts := r2.PutOptions{
		HTTPMetadata: hm, CustomMetadata: cm, StorageClass: class, MD5: bc.md5,
		SHA1: bc.header["sha1"], SHA256: bc.header["sha256"],
		OnlyIf: r2.ConditionalFromHeader(r.Header),
	}
	body := bc.wrap(r.Body, false, "sha1", "sha256")
	o, err := h.store.Put(q.ctx, q.bucket, q.key, body, opts)
	if err != nil {
		return err
	}
	hd := q.w.Header()
	hd.Set("ETag", o.HTTPETag())
	for alg, v := range bc.header {
		hd.Set("X-Amz-Checksum-"+alg, encodeB64(v))
	}
	q.w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteObject(q *request) error {
	if err := h.store.Delete(q.ctx, q.bucket, q.key); err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) deleteObjects(q *request) error {
	var req deleteRequest
	if err := readXML(q.r.Body, &req); err != nil {
		return err
	}
	if len(req.Objects) > r2.MaxDeleteKeys {
		return ErrMalformedXML.With("The request must contain no more than %d keys.", r2.MaxDeleteKeys)
	}
	res := deleteResult{NS: s3NS}
	var keys []string
	for _, o := range req.Objects {
		if err := r2.ValidateKey(o.Key); err != nil {
			e := toS3(err)
			res.Errors = append(res.Errors, deleteErrorItem{Key: o.Key, Code: e.Code, Message: e.Message})
			continue
		}
		keys = append(keys, o.Key)
	}
	if len(keys) > 0 {
		if err := h.store.Delete(q.ctx, q.bucket, keys...); err != nil {
			e := toS3(err)
			for _, k := range keys {
				res.Errors = append(res.Errors, deleteErrorItem{Key: k, Code: e.Code, Message: e.Message})
			}
			keys = nil
		}
	}
	if !req.Quiet {
		for _, k := range keys {
			res.Deleted = append(res.Deleted, deletedItem{Key: k})
		}
	}
	return writeXML(q.w, http.StatusOK, res)
}

// copySource parses x-amz-copy-source: "[/]bucket/key[?versionId=…]",
// URL-encoded.
func copySource(v string) (bucket, key string, err error) {
	v, _, _ = strings.Cut(v, "?")
	dec, err := url.PathUnescape(v)
	if err != nil {
		return "", "", ErrInvalidArgument.With("Invalid copy source encoding")
	}
	dec = strings.TrimPrefix(dec, "/")
	bucket, key, ok := strings.Cut(dec, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", ErrInvalidArgument.With("Invalid copy source object key")
	}
	return bucket, key, nil
}

// copyConditional reads the x-amz-copy-source-if-* headers.
func copyConditional(hd http.Header) *r2.Conditional {
	src := http.Header{}
	for _, p := range [][2]string{{"X-Amz-Copy-Source-If-Match", "If-Match"}, {"X-Amz-Copy-Source-If-None-Match", "If-None-Match"},
		{"X-Amz-Copy-Source-If-Modified-Since", "If-Modified-Since"}, {"X-Amz-Copy-Source-If-Unmodified-Since", "If-Unmodified-Since"}} {
		if v := hd.Get(p[0]); v != "" {
			src.Set(p[1], v)
		}
	}
	return r2.ConditionalFromHeader(src)
}

func (h *Handler) checkSource(q *request, bucket string) error {
	if !q.ak.Allows(bucket, false) {
		return ErrAccessDenied
	}
	return h.requireBucket(q.ctx, bucket)
}

func (h *Handler) copyObject(q *request) error {
	r := q.r
	sb, sk, err := copySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	if err := h.checkSource(q, sb); err != nil {
		return err
	}
	opts := r2.CopyOptions{OnlyIf: copyConditional(r.Header), DestOnlyIf: r2.ConditionalFromHeader(r.Header)}
	directive := strings.ToUpper(r.Header.Get("X-Amz-Metadata-Directive"))
	switch directive {
	case "", "COPY":
	case "REPLACE":
		opts.ReplaceMetadata = true
		if opts.HTTPMetadata, opts.CustomMetadata, err = objectMetadata(r.Header); err != nil {
			return err
		}
	default:
		return ErrInvalidArgument.With("Unknown metadata directive.")
	}
	if sc := r.Header.Get("X-Amz-Storage-Class"); sc != "" {
		if opts.StorageClass, err = storageClassFromS3(sc); err != nil {
			return err
		}
	}
	if sb == q.bucket && sk == q.key && !opts.ReplaceMetadata && opts.StorageClass == "" {
		return ErrInvalidRequest.With("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	o, err := r2.Copy(q.ctx, h.store, sb, sk, q.bucket, q.key, opts)
	if err != nil {
		return err
	}
	return writeXML(q.w, http.StatusOK, copyResult{XMLName: xmlName("CopyObjectResult"), NS: s3NS, LastModified: s3Time(o.Uploaded), ETag: o.HTTPETag()})
}
