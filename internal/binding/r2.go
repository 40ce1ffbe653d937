package binding

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
)

// r2Error returns the error R2Bucket methods reject with:
// "<op>: <message> (<code>)", as Cloudflare's binding reports R2 errors.
func r2Error(op string, err error) error {
	var re *r2.Error
	if errors.As(err, &re) {
		return fmt.Errorf("%s: %s (%d)", op, re.Message, re.Code)
	}
	var te *v8.TypeError
	if errors.As(err, &te) {
		return err
	}
	return fmt.Errorf("%s: %v (%d)", op, err, r2.ErrInternal.Code)
}

// jsObject is R2Object as r2.js receives it. Times are milliseconds since
// the epoch; checksums are hex.
type jsObject struct {
	Key            string            `json:"key"`
	Version        string            `json:"version"`
	Size           int64             `json:"size"`
	ETag           string            `json:"etag"`
	Uploaded       int64             `json:"uploaded"`
	HTTPMetadata   jsHTTPMeta        `json:"httpMetadata"`
	CustomMetadata map[string]string `json:"customMetadata"`
	Checksums      jsChecksums       `json:"checksums"`
	StorageClass   string            `json:"storageClass"`
	Range          *jsRange          `json:"range,omitempty"`
	Body           int               `json:"body,omitempty"` // reader id of R2ObjectBody.body
	Mem            bool              `json:"mem,omitempty"`  // the body is a *memBody (r2ReadMem reads it)
}

type jsHTTPMeta struct {
	ContentType        string `json:"contentType,omitempty"`
	ContentLanguage    string `json:"contentLanguage,omitempty"`
	ContentDisposition string `json:"contentDisposition,omitempty"`
	ContentEncoding    string `json:"contentEncoding,omitempty"`
	CacheControl       string `json:"cacheControl,omitempty"`
	CacheExpiry        *int64 `json:"cacheExpiry,omitempty"`
}

type jsChecksums struct {
	MD5    string `json:"md5,omitempty"`
	SHA1   string `json:"sha1,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	SHA384 string `json:"sha384,omitempty"`
	SHA512 string `json:"sha512,omitempty"`
}

type jsRange struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

func toJSObject(o r2.Object) *jsObject {
	m := o.HTTPMetadata
	hm := jsHTTPMeta{ContentType: m.ContentType, ContentLanguage: m.ContentLanguage, ContentDisposition: m.ContentDisposition,
		ContentEncoding: m.ContentEncoding, CacheControl: m.CacheControl}
	if m.CacheExpiry != nil {
		ms := m.CacheExpiry.UnixMilli()
		hm.CacheExpiry = &ms
	}
	c := o.Checksums
	cs := jsChecksums{MD5: hex.EncodeToString(c.MD5), SHA1: hex.EncodeToString(c.SHA1), SHA256: hex.EncodeToString(c.SHA256),
		SHA384: hex.EncodeToString(c.SHA384), SHA512: hex.EncodeToString(c.SHA512)}
	cm := o.CustomMetadata
	if cm == nil {
		cm = map[string]string{}
	}
	return &jsObject{Key: o.Key, Version: o.Version, Size: o.Size, ETag: o.ETag, Uploaded: o.Uploaded.UnixMilli(),
		HTTPMetadata: hm, CustomMetadata: cm, Checksums: cs, StorageClass: o.StorageClass}
}

// appendJSON appends o as JSON, as encoding/json would write it (same
// fields, omitted when empty as the struct tags say) without its
// reflection: every R2 get and head returns one.
func (o *jsObject) appendJSON(b []byte) []byte {
	b = append(b, `{"key":`...)
	b = appendString(b, o.Key)
	b = append(b, `,"version":`...)
	b = appendString(b, o.Version)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, o.Size, 10)
	b = append(b, `,"etag":`...)
	b = appendString(b, o.ETag)
	b = append(b, `,"uploaded":`...)
	b = strconv.AppendInt(b, o.Uploaded, 10)
	b = append(b, `,"httpMetadata":{`...)
	sep := byte(0)
	field := func(name, v string) {
		if v == "" {
			return
		}
		if sep != 0 {
			b = append(b, sep)
		}
		sep = ','
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
		b = appendString(b, v)
	}
	m := &o.HTTPMetadata
	field("contentType", m.ContentType)
	field("contentLanguage", m.ContentLanguage)
	field("contentDisposition", m.ContentDisposition)
	field("contentEncoding", m.ContentEncoding)
	field("cacheControl", m.CacheControl)
	if m.CacheExpiry != nil {
		if sep != 0 {
			b = append(b, sep)
		}
		b = append(b, `"cacheExpiry":`...)
		b = strconv.AppendInt(b, *m.CacheExpiry, 10)
	}
	b = append(b, `},"customMetadata":{`...)
	keys := make([]string, 0, len(o.CustomMetadata))
	for k := range o.CustomMetadata {
		keys = append(keys, k)
	}
	sort.Strings(keys) // as encoding/json orders map keys
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, o.CustomMetadata[k])
	}
	b = append(b, `},"checksums":{`...)
	sep = 0
	c := &o.Checksums
	field("md5", c.MD5)
	field("sha1", c.SHA1)
	field("sha256", c.SHA256)
	field("sha384", c.SHA384)
	field("sha512", c.SHA512)
	b = append(b, `},"storageClass":`...)
	b = appendString(b, o.StorageClass)
	if o.Range != nil {
		b = append(b, `,"range":{"offset":`...)
		b = strconv.AppendInt(b, o.Range.Offset, 10)
		b = append(b, `,"length":`...)
		b = strconv.AppendInt(b, o.Range.Length, 10)
		b = append(b, '}')
	}
	if o.Body != 0 {
		b = append(b, `,"body":`...)
		b = strconv.AppendInt(b, int64(o.Body), 10)
	}
	if o.Mem {
		b = append(b, `,"mem":true`...)
	}
	return append(b, '}')
}

// objectResult is an R2Object for an asynchronous host function's result.
func objectResult(o *jsObject) (any, error) {
	return webapi.JSON(o.appendJSON(make([]byte, 0, 512))), nil
}

func jsonResult(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return webapi.JSON(b), nil
}

// jsConditional is onlyIf as r2.js sends it: the R2Conditional fields
// (dates in milliseconds), or the headers of a Headers object.
type jsConditional struct {
	EtagMatches        []string    `json:"etagMatches"`
	EtagDoesNotMatch   []string    `json:"etagDoesNotMatch"`
	UploadedBefore     *int64      `json:"uploadedBefore"`
	UploadedAfter      *int64      `json:"uploadedAfter"`
	SecondsGranularity bool        `json:"secondsGranularity"`
	Headers            [][2]string `json:"headers"`
}

func header(pairs [][2]string) http.Header {
	h := http.Header{}
	for _, p := range pairs {
		h.Add(p[0], p[1])
	}
	return h
}

func (c *jsConditional) conditional() *r2.Conditional {
	if c == nil {
		return nil
	}
	if c.Headers != nil {
		return r2.ConditionalFromHeader(header(c.Headers))
	}
	out := &r2.Conditional{EtagMatches: c.EtagMatches, EtagDoesNotMatch: c.EtagDoesNotMatch, SecondsGranularity: c.SecondsGranularity}
	if c.UploadedBefore != nil {
		t := time.UnixMilli(*c.UploadedBefore)
		out.UploadedBefore = &t
	}
	if c.UploadedAfter != nil {
		t := time.UnixMilli(*c.UploadedAfter)
		out.UploadedAfter = &t
	}
	return out
}

type jsHTTPMetadata struct {
	ContentType        string      `json:"contentType"`
	ContentLanguage    string      `json:"contentLanguage"`
	ContentDisposition string      `json:"contentDisposition"`
	ContentEncoding    string      `json:"contentEncoding"`
	CacheControl       string      `json:"cacheControl"`
	CacheExpiry        *int64      `json:"cacheExpiry"`
	Headers            [][2]string `json:"headers"`
}

func (m *jsHTTPMetadata) metadata() r2.HTTPMetadata {
	if m == nil {
		return r2.HTTPMetadata{}
	}
	if m.Headers != nil {
		return r2.HTTPMetadataFromHeader(header(m.Headers))
	}
	out := r2.HTTPMetadata{ContentType: m.ContentType, ContentLanguage: m.ContentLanguage,
		ContentDisposition: m.ContentDisposition, ContentEncoding: m.ContentEncoding, CacheControl: m.CacheControl}
	if m.CacheExpiry != nil {
		t := time.UnixMilli(*m.CacheExpiry).UTC()
		out.CacheExpiry = &t
	}
	return out
}

type jsPutOptions struct {
	HTTPMetadata   *jsHTTPMetadata   `json:"httpMetadata"`
	CustomMetadata map[string]string `json:"customMetadata"`
	OnlyIf         *jsConditional    `json:"onlyIf"`
	StorageClass   string            `json:"storageClass"`
	MD5            string            `json:"md5"`
	SHA1           string            `json:"sha1"`
	SHA256         string            `json:"sha256"`
	SHA384         string            `json:"sha384"`
	SHA512         string            `json:"sha512"`
}

type jsGetOptions struct {
	OnlyIf *jsConditional `json:"onlyIf"`
	Range  *struct {
		Offset *int64 `json:"offset"`
		Length *int64 `json:"length"`
		Suffix *int64 `json:"suffix"`
		Header string `json:"header"`
	} `json:"range"`
}

type jsListOptions struct {
	Prefix     string   `json:"prefix"`
	Delimiter  string   `json:"delimiter"`
	Cursor     string   `json:"cursor"`
	StartAfter string   `json:"startAfter"`
	Limit      *float64 `json:"limit"`
	Include    []string `json:"include"`
}

func decodeOpts(op, s string, v any) error {
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return &v8.TypeError{Msg: fmt.Sprintf("%s: invalid options: %v", op, err)}
	}
	return nil
}

func digest(name, h string) ([]byte, error) {
	if h == "" {
		return nil, nil
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return nil, &v8.TypeError{Msg: fmt.Sprintf("put: %s must be a hex string or ArrayBuffer", name)}
	}
	return b, nil
}

// lazyBody is an R2ObjectBody's body: the object's file is opened on the
// first Read, so a body that is never read holds no file descriptor. The
// object is re-read by ETag: if it was replaced in between, Read fails.
type lazyBody struct {
	size int64 // bytes the body will yield
	open func() (io.ReadCloser, error)
	rc   io.ReadCloser
	err  error
}

func (b *lazyBody) Read(p []byte) (int, error) {
	if b.rc == nil && b.err == nil {
		b.rc, b.err = b.open()
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.rc.Read(p)
}

// Size is the body's length, so that a response streaming it can send a
// Content-Length.
func (b *lazyBody) Size() int64 { return b.size }

// Stored implements worker.StoredBody: the body is read from the store's
// files, always ready, so a Response carrying it is copied with WriteTo.
func (b *lazyBody) Stored() {}

// WriteTo copies the rest of the body to w, through the store's own WriteTo
// (which hands a file to w's ReadFrom: sendfile to a socket) when it has one.
func (b *lazyBody) WriteTo(w io.Writer) (int64, error) {
	if b.rc == nil && b.err == nil {
		b.rc, b.err = b.open()
	}
	if b.err != nil {
		return 0, b.err
	}
	if wt, ok := b.rc.(io.WriterTo); ok {
		return wt.WriteTo(w)
	}
	return io.Copy(w, b.rc)
}

func (b *lazyBody) Close() error {
	if b.rc != nil {
		return b.rc.Close()
	}
	return nil
}

// lazyR2Body returns the body of bucket/key's bytes [off, off+n), opened on
// first read and only if the object still has this etag.
func lazyR2Body(store r2.Store, bucket, key, etag string, off, n int64) *lazyBody {
	return &lazyBody{size: n, open: func() (io.ReadCloser, error) {
		res, err := store.Get(context.Background(), bucket, key, r2.GetOptions{
			OnlyIf: &r2.Conditional{EtagMatches: []string{etag}},
			Range:  &r2.Range{Offset: &off, Length: &n},
		})
		switch {
		case err != nil:
			return nil, r2Error("get", err)
		case res.PreconditionFailed:
			return nil, fmt.Errorf("get: object %q was replaced before its body was read", key)
		}
		return res.Body, nil
	}}
}

// smallBody is the largest R2 get body read whole inside the r2Get call
// (one metadata lookup, the file opened and closed at once) instead of
// being opened lazily on first read; it matches r2local's threshold, so
// that the store has already read such a body into memory.
const smallBody = 64 << 10

// readSmall reads the n-byte body rc whole and closes it. A body that
// already holds its bytes in memory (one with Bytes, as r2local returns for
// small objects) is used without a copy.
func readSmall(rc io.ReadCloser, n int64) ([]byte, error) {
	defer rc.Close()
	if m, ok := rc.(interface{ Bytes() []byte }); ok && int64(len(m.Bytes())) == n {
		return m.Bytes(), nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, err
	}
	return b, nil
}

// memBody is an R2ObjectBody's body read whole into memory. Size gives the
// bytes left to read, so that a response streaming it sends a
// Content-Length; WriteTo hands the bytes to a writer in one call.
type memBody struct {
	b []byte
	r bytes.Reader
}

func newMemBody(b []byte) *memBody {
	m := &memBody{b: b}
	m.r.Reset(b)
	return m
}

// rest returns the bytes not read yet.
func (m *memBody) rest() []byte { return m.b[len(m.b)-m.r.Len():] }

// Remaining implements worker.InMemoryBody: a Response that carries the
// body sends these bytes with its head in one write.
func (m *memBody) Remaining() []byte { return m.rest() }

func (m *memBody) Read(p []byte) (int, error)         { return m.r.Read(p) }
func (m *memBody) Close() error                       { return nil }
func (m *memBody) Size() int64                        { return int64(m.r.Len()) }
func (m *memBody) WriteTo(w io.Writer) (int64, error) { return m.r.WriteTo(w) }

// installR2 defines the R2Bucket host functions:
//
//	r2Head(bucket, key)                      → JSON object | undefined (synchronous)
//	r2Get(bucket, key, optsJSON)             → JSON object with body reader id | undefined (synchronous)
//	r2ReadMem(id)                            → length of the body, copied to scratch (synchronous)
//	r2ReadMemText(id)                        → the body decoded as UTF-8 (synchronous)
//	r2Put(p, bucket, key, optsJSON, kind, a, b) → JSON object | undefined (onlyIf failed)
//	r2Delete(p, bucket, keysJSON)
//	r2List(p, bucket, optsJSON)              → JSON R2Objects
//	r2CreateUpload(p, bucket, key, optsJSON) → upload id
//	r2UploadPart(p, bucket, key, id, n, kind, a, b) → JSON {partNumber, etag}
//	r2Complete(p, bucket, key, id, partsJSON) → JSON object
//	r2Abort(p, bucket, key, id)
func (h *host) installR2(rt *webapi.Runtime) {
	store, mp := h.s.R2, h.s.R2Multipart
	// r2Head and r2Get are synchronous: a lookup in the local store is
	// quicker than handing it to a goroutine and its result back through
	// the event loop, so they run on the isolate's thread and return the
	// object (JSON text) as their value, or undefined when there is none.
	rt.Func("r2Head", func(c *v8.Call) (any, error) {
		bucket, key := c.String(0), c.String(1)
		if err := r2.ValidateKey(key); err != nil {
			return nil, r2Error("head", err)
		}
		o, err := store.Head(context.Background(), bucket, key)
		if errors.Is(err, r2.ErrNoSuchKey) {
			return nil, nil
		}
		if err != nil {
			return nil, r2Error("head", err)
		}
		return string(toJSObject(o).appendJSON(make([]byte, 0, 512))), nil
	})
	rt.Func("r2Get", func(c *v8.Call) (any, error) {
		bucket, key, optsJSON := c.String(0), c.String(1), c.String(2)
		var o jsGetOptions
		if err := decodeOpts("get", optsJSON, &o); err != nil {
			return nil, err
		}
		if err := r2.ValidateKey(key); err != nil {
			return nil, r2Error("get", err)
		}
		opts := r2.GetOptions{OnlyIf: o.OnlyIf.conditional()}
		if r := o.Range; r != nil {
			if r.Header != "" {
				rg, err := r2.ParseRangeHeader(r.Header)
				if err != nil {
					return nil, r2Error("get", err)
				}
				opts.Range = rg
			} else {
				opts.Range = &r2.Range{Offset: r.Offset, Length: r.Length, Suffix: r.Suffix}
			}
		}
		res, err := store.Get(context.Background(), bucket, key, opts)
		if errors.Is(err, r2.ErrNoSuchKey) {
			return nil, nil
		}
		if err != nil {
			return nil, r2Error("get", err)
		}
		obj := toJSObject(res.Object)
		if !res.PreconditionFailed { // else R2 returns the object without a body
			if opts.Range != nil {
				obj.Range = &jsRange{res.Offset, res.Length}
			}
			var body io.ReadCloser
			if res.Length <= smallBody {
				b, err := readSmall(res.Body, res.Length)
				if err != nil {
					return nil, r2Error("get", err)
				}
				body = newMemBody(b)
				obj.Mem = true
			} else {
				// Large bodies are opened again on first read, so that an
				// R2ObjectBody that is never read holds no file descriptor.
				res.Body.Close()
				body = lazyR2Body(store, bucket, key, res.Object.ETag, res.Offset, res.Length)
			}
			obj.Body = rt.AddReader(body)
		}
		return string(obj.appendJSON(make([]byte, 0, 512))), nil
	})
	// r2ReadMem(id) reads a body that r2Get read into memory (its object
	// says "mem") whole, synchronously: the bytes land in the scratch area
	// and the call returns their length. arrayBuffer()/text() of a small
	// object so cost one call instead of a trip through a goroutine.
	rt.Func("r2ReadMem", func(c *v8.Call) (any, error) {
		rc, ok := rt.TakeReader(int(c.Int(0)))
		if !ok {
			return nil, &v8.TypeError{Msg: "This ReadableStream is closed."}
		}
		defer rc.Close()
		m, ok := rc.(*memBody)
		if !ok || m.r.Len() > len(rt.Iso.Scratch()) {
			return nil, errors.New("get: internal error: body is not in memory")
		}
		return copy(rt.Iso.Scratch(), m.rest()), nil
	})
	// r2ReadMemText(id) is r2ReadMem for text(): the body comes back as a
	// string, decoded as Body.text() decodes (a leading BOM dropped,
	// invalid UTF-8 as U+FFFD, which V8 does making the string).
	rt.Func("r2ReadMemText", func(c *v8.Call) (any, error) {
		rc, ok := rt.TakeReader(int(c.Int(0)))
		if !ok {
			return nil, &v8.TypeError{Msg: "This ReadableStream is closed."}
		}
		defer rc.Close()
		m, ok := rc.(*memBody)
		if !ok {
			return nil, errors.New("get: internal error: body is not in memory")
		}
		return string(bytes.TrimPrefix(m.rest(), []byte("\xef\xbb\xbf"))), nil
	})
	rt.Async("r2Put", func(c *v8.Call) (webapi.Work, error) {
		bucket, key, optsJSON := c.String(1), c.String(2), c.String(3)
		rc, err := body(rt, c, 4)
		if err != nil {
			return nil, err
		}
		return func() (any, error) {
			defer rc.Close()
			var o jsPutOptions
			if err := decodeOpts("put", optsJSON, &o); err != nil {
				return nil, err
			}
			opts := r2.PutOptions{HTTPMetadata: o.HTTPMetadata.metadata(), CustomMetadata: o.CustomMetadata,
				OnlyIf: o.OnlyIf.conditional(), StorageClass: o.StorageClass}
			var err error
			for _, d := range []struct {
				name string
				hex  string
				dst  *[]byte
			}{{"md5", o.MD5, &opts.MD5}, {"sha1", o.SHA1, &opts.SHA1}, {"sha256", o.SHA256, &opts.SHA256},
				{"sha384", o.SHA384, &opts.SHA384}, {"sha512", o.SHA512, &opts.SHA512}} {
				if *d.dst, err = digest(d.name, d.hex); err != nil {
					return nil, err
				}
			}
			obj, err := store.Put(context.Background(), bucket, key, rc, opts)
			if errors.Is(err, r2.ErrPreconditionFailed) {
				return nil, nil
			}
			if err != nil {
				return nil, r2Error("put", err)
			}
			return objectResult(toJSObject(obj))
		}, nil
	})
	rt.Async("r2Delete", func(c *v8.Call) (webapi.Work, error) {
		bucket, keysJSON := c.String(1), c.String(2)
		return func() (any, error) {
			var keys []string
			if err := json.Unmarshal([]byte(keysJSON), &keys); err != nil {
				return nil, &v8.TypeError{Msg: "delete: keys must be strings"}
			}
			for _, k := range keys {
				if err := r2.ValidateKey(k); err != nil {
					return nil, r2Error("delete", err)
				}
			}
			if err := store.Delete(context.Background(), bucket, keys...); err != nil {
				return nil, r2Error("delete", err)
			}
			return nil, nil
		}, nil
	})
	rt.Async("r2List", func(c *v8.Call) (webapi.Work, error) {
		bucket, optsJSON := c.String(1), c.String(2)
		return func() (any, error) {
			var o jsListOptions
			if err := decodeOpts("list", optsJSON, &o); err != nil {
				return nil, err
			}
			opts := r2.ListOptions{Prefix: o.Prefix, Delimiter: o.Delimiter, Cursor: o.Cursor, StartAfter: o.StartAfter}
			if o.Limit != nil {
				l := *o.Limit
				if l != l || l < 1 || l > r2.MaxListLimit || l != float64(int(l)) {
					return nil, r2Error("list", r2.ErrInvalidMaxKeys)
				}
				opts.Limit = int(l)
			}
			for _, inc := range o.Include {
				switch inc {
				case "httpMetadata":
					opts.IncludeHTTPMetadata = true
				case "customMetadata":
					opts.IncludeCustomMetadata = true
				default:
					return nil, &v8.TypeError{Msg: fmt.Sprintf("list: unknown include %q", inc)}
				}
			}
			res, err := store.List(context.Background(), bucket, opts)
			if err != nil {
				return nil, r2Error("list", err)
			}
			out := struct {
				Objects           []*jsObject `json:"objects"`
				Truncated         bool        `json:"truncated"`
				Cursor            string      `json:"cursor,omitempty"`
				DelimitedPrefixes []string    `json:"delimitedPrefixes"`
			}{Objects: make([]*jsObject, 0, len(res.Objects)), Truncated: res.Truncated, Cursor: res.Cursor,
				DelimitedPrefixes: res.DelimitedPrefixes}
			if out.DelimitedPrefixes == nil {
				out.DelimitedPrefixes = []string{}
			}
			for _, ob := range res.Objects {
				out.Objects = append(out.Objects, toJSObject(ob))
			}
			return jsonResult(out)
		}, nil
	})
	rt.Async("r2CreateUpload", func(c *v8.Call) (webapi.Work, error) {
		bucket, key, optsJSON := c.String(1), c.String(2), c.String(3)
		return func() (any, error) {
			var o jsPutOptions
			if err := decodeOpts("createMultipartUpload", optsJSON, &o); err != nil {
				return nil, err
			}
			if err := r2.ValidateKey(key); err != nil {
				return nil, r2Error("createMultipartUpload", err)
			}
			id, err := mp.CreateMultipartUpload(context.Background(), bucket, key, r2.MultipartOptions{
				HTTPMetadata: o.HTTPMetadata.metadata(), CustomMetadata: o.CustomMetadata, StorageClass: o.StorageClass})
			if err != nil {
				return nil, r2Error("createMultipartUpload", err)
			}
			return id, nil
		}, nil
	})
	rt.Async("r2UploadPart", func(c *v8.Call) (webapi.Work, error) {
		bucket, key, id, n := c.String(1), c.String(2), c.String(3), c.Float(4)
		rc, err := body(rt, c, 5)
		if err != nil {
			return nil, err
		}
		return func() (any, error) {
			defer rc.Close()
			if n != float64(int(n)) || n < 1 || n > r2.MaxParts {
				return nil, r2Error("uploadPart", r2.ErrInvalidArgument.With("Part number must be between 1 and %d (inclusive).", r2.MaxParts))
			}
			p, err := mp.UploadPart(context.Background(), bucket, key, id, int(n), rc)
			if err != nil {
				return nil, r2Error("uploadPart", err)
			}
			return jsonResult(map[string]any{"partNumber": p.PartNumber, "etag": p.ETag})
		}, nil
	})
	rt.Async("r2Complete", func(c *v8.Call) (webapi.Work, error) {
		bucket, key, id, partsJSON := c.String(1), c.String(2), c.String(3), c.String(4)
		return func() (any, error) {
			var ps []struct {
				PartNumber int    `json:"partNumber"`
				ETag       string `json:"etag"`
			}
			if err := json.Unmarshal([]byte(partsJSON), &ps); err != nil {
				return nil, &v8.TypeError{Msg: "complete: parts must be an array of R2UploadedPart"}
			}
			parts := make([]r2.UploadedPart, len(ps))
			for i, p := range ps {
				parts[i] = r2.UploadedPart{PartNumber: p.PartNumber, ETag: p.ETag}
			}
			obj, err := mp.CompleteMultipartUpload(context.Background(), bucket, key, id, parts)
			if err != nil {
				return nil, r2Error("completeMultipartUpload", err)
			}
			return objectResult(toJSObject(obj))
		}, nil
	})
	rt.Async("r2Abort", func(c *v8.Call) (webapi.Work, error) {
		bucket, key, id := c.String(1), c.String(2), c.String(3)
		return func() (any, error) {
			if err := mp.AbortMultipartUpload(context.Background(), bucket, key, id); err != nil {
				return nil, r2Error("abortMultipartUpload", err)
			}
			return nil, nil
		}, nil
	})
}
