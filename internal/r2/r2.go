// Package r2 is zerostack's Cloudflare R2 object storage service: the
// interfaces that the R2 binding, the CLI, and later the S3-compatible API
// call ([Store] for objects, [Multipart] for multipart uploads, [Buckets] for
// bucket management), R2's limits and error codes, conditional requests
// (onlyIf) and ranges. Bodies are streamed (io.Reader in, io.ReadCloser out);
// no method holds a whole object in memory. The embedded backend is r2local;
// r2test is the conformance suite.
package r2

import (
	"context"
	"io"
	"time"
)

// R2's limits.
const (
	MaxKeySize            = 1024                     // bytes of UTF-8
	MaxCustomMetadataSize = 2048                     // bytes, sum of keys and values
	MaxPutSize            = 5*1024*1024*1024 - 5<<20 // a single put: 5 GiB - 5 MiB
	MinPartSize           = 5 << 20                  // every part but the last
	MaxPartSize           = 5 * 1024 * 1024 * 1024   // 5 GiB
	MaxParts              = 10000                    // part numbers 1..10000
	MaxListLimit          = 1000                     // objects+prefixes per List page; also the default
	MaxDeleteKeys         = 1000                     // keys per Delete call
)

// HTTPMetadata is R2HTTPMetadata: headers stored with an object and
// written back by writeHttpMetadata.
type HTTPMetadata struct {
	ContentType        string     `json:"contentType,omitempty"`
	ContentLanguage    string     `json:"contentLanguage,omitempty"`
	ContentDisposition string     `json:"contentDisposition,omitempty"`
	ContentEncoding    string     `json:"contentEncoding,omitempty"`
	CacheControl       string     `json:"cacheControl,omitempty"`
	CacheExpiry        *time.Time `json:"cacheExpiry,omitempty"`
}

// Checksums are an object's digests (raw bytes). MD5 is always set for
// objects written by a single Put; the others only when the writer supplied
// them. Multipart objects have no MD5 checksum (their ETag is not an MD5).
type Checksums struct {
	MD5    []byte `json:"md5,omitempty"`
	SHA1   []byte `json:"sha1,omitempty"`
	SHA256 []byte `json:"sha256,omitempty"`
	SHA384 []byte `json:"sha384,omitempty"`
	SHA512 []byte `json:"sha512,omitempty"`
}

// Object is an object's metadata (R2Object).
type Object struct {
	Key     string
	Version string // random id, new on every write
	Size    int64
	// ETag is the hex MD5 of the body, or for a multipart object the hex MD5
	// of the concatenated binary part MD5s followed by "-<parts>".
	ETag           string
	Uploaded       time.Time // millisecond precision
	HTTPMetadata   HTTPMetadata
	CustomMetadata map[string]string // never nil
	Checksums      Checksums
	StorageClass   string // "Standard" or "InfrequentAccess"
}

// HTTPETag returns the quoted ETag, as sent in an ETag header.
func (o *Object) HTTPETag() string { return `"` + o.ETag + `"` }

// Conditional is R2Conditional (onlyIf). Zero fields are "not given".
type Conditional struct {
	EtagMatches      []string // If-Match; "*" matches any object
	EtagDoesNotMatch []string // If-None-Match; "*" matches any object
	UploadedBefore   *time.Time
	UploadedAfter    *time.Time
	// SecondsGranularity truncates times to seconds before comparing (as
	// HTTP dates do).
	SecondsGranularity bool
}

// Range is R2Range: Offset with optional Length, or Suffix (the last Suffix
// bytes). Nil pointers are "not given".
type Range struct {
	Offset *int64
	Length *int64
	Suffix *int64
}

// PutOptions are R2PutOptions.
type PutOptions struct {
	HTTPMetadata   HTTPMetadata
	CustomMetadata map[string]string
	// MD5, SHA1, SHA256, SHA384, SHA512 are expected digests; a mismatch
	// fails the put with ErrBadDigest and stores nothing.
	MD5, SHA1, SHA256, SHA384, SHA512 []byte
	OnlyIf                            *Conditional
	StorageClass                      string // "", "Standard" or "InfrequentAccess"
}

// GetOptions are R2GetOptions.
type GetOptions struct {
	OnlyIf *Conditional
	Range  *Range
}

// GetResult is the result of Get.
type GetResult struct {
	Object Object
	// Body streams the object (or its range); the caller must close it. It
	// is nil when PreconditionFailed: R2 then returns the object's metadata
	// without a body.
	Body               io.ReadCloser
	PreconditionFailed bool
	// Offset and Length are the byte range Body covers (the whole object
	// when no range was asked for).
	Offset, Length int64
	// Ranged is true when the caller asked for a range.
	Ranged bool
}

// ListOptions are R2ListOptions.
type ListOptions struct {
	Prefix     string
	Delimiter  string
	Cursor     string // opaque ListResult.Cursor of the previous page
	StartAfter string // list keys strictly after this one
	Limit      int    // 1..MaxListLimit; 0 means MaxListLimit
	// IncludeHTTPMetadata / IncludeCustomMetadata: include: ['httpMetadata',
	// 'customMetadata']. Without them listed objects have empty metadata.
	IncludeHTTPMetadata   bool
	IncludeCustomMetadata bool
}

// ListResult is R2Objects.
type ListResult struct {
	Objects           []Object
	DelimitedPrefixes []string
	Truncated         bool
	Cursor            string // "" unless Truncated
}

// Store is the object API of a set of buckets. Data operations do not require
// the bucket to have been created with [Buckets] (a binding's bucket_name
// simply names its objects). All methods are safe for concurrent use; a
// successful write is visible to every later call.
type Store interface {
	// Head returns an object's metadata, or an error matching ErrNoSuchKey.
	Head(ctx context.Context, bucket, key string) (Object, error)
	// Get returns the object and a body streaming it (or the range asked
	// for). A failed opts.OnlyIf gives a result with PreconditionFailed and
	// no body, not an error. Missing objects give ErrNoSuchKey; bad ranges
	// ErrInvalidRange.
	Get(ctx context.Context, bucket, key string, opts GetOptions) (*GetResult, error)
	// Put stores body (read to EOF) under key, replacing any object there.
	// The object is durable when Put returns. A failed opts.OnlyIf gives
	// ErrPreconditionFailed; digest mismatches ErrBadDigest; nothing is
	// stored on error.
	Put(ctx context.Context, bucket, key string, body io.Reader, opts PutOptions) (Object, error)
	// Delete removes up to MaxDeleteKeys keys; missing keys are not an error.
	Delete(ctx context.Context, bucket string, keys ...string) error
	// List lists objects in key byte order.
	List(ctx context.Context, bucket string, opts ListOptions) (ListResult, error)
}

// UploadedPart is R2UploadedPart.
type UploadedPart struct {
	PartNumber int
	ETag       string // hex MD5 of the part
}

// PartInfo describes a stored part of an unfinished multipart upload.
type PartInfo struct {
	PartNumber int
	ETag       string
	Size       int64
	Uploaded   time.Time
}

// UploadInfo describes an unfinished multipart upload.
type UploadInfo struct {
	Bucket, Key, UploadID string
	Initiated             time.Time
}

// MultipartOptions are R2MultipartOptions.
type MultipartOptions struct {
	HTTPMetadata   HTTPMetadata
	CustomMetadata map[string]string
	StorageClass   string
}

// Multipart is the multipart-upload API. Uploads are addressed by bucket,
// key and upload id; an unknown or finished upload gives ErrNoSuchUpload.
type Multipart interface {
	// CreateMultipartUpload starts an upload and returns its id.
	CreateMultipartUpload(ctx context.Context, bucket, key string, opts MultipartOptions) (string, error)
	// UploadPart stores part partNumber (1..MaxParts), replacing an earlier
	// part with the same number.
	UploadPart(ctx context.Context, bucket, key, uploadID string, partNumber int, body io.Reader) (UploadedPart, error)
	// CompleteMultipartUpload assembles the listed parts into the object.
	// Every part but the last must be at least MinPartSize bytes and all of
	// them the same size, and the last no larger (ErrEntityTooSmall,
	// ErrBadUpload); unknown parts or ETags give ErrInvalidPart.
	CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []UploadedPart) (Object, error)
	// AbortMultipartUpload discards an upload and its parts.
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	// ListParts returns the stored parts of an upload by part number.
	ListParts(ctx context.Context, bucket, key, uploadID string) ([]PartInfo, error)
	// ListMultipartUploads returns the unfinished uploads in bucket whose key has prefix.
	ListMultipartUploads(ctx context.Context, bucket, prefix string) ([]UploadInfo, error)
}

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name    string
	Created time.Time
}

// Buckets manages buckets (wrangler r2 bucket create|list|delete).
type Buckets interface {
	// CreateBucket creates a bucket; ErrInvalidBucketName, ErrBucketExists.
	CreateBucket(ctx context.Context, name string) (BucketInfo, error)
	// ListBuckets returns buckets by name.
	ListBuckets(ctx context.Context) ([]BucketInfo, error)
	// DeleteBucket deletes an empty bucket; ErrNoSuchBucket, ErrBucketNotEmpty.
	DeleteBucket(ctx context.Context, name string) error
}
