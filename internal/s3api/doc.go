// Package s3api serves zerostack's R2 buckets (Cloudflare R2) through an
// S3-compatible HTTP API, as Cloudflare does at
// <account>.r2.cloudflarestorage.com, so that aws-cli, rclone, s3cmd and the
// AWS SDKs read and write the same objects as the R2 binding.
//
// # Surface
//
// [Handler] is an http.Handler over an [r2.Store], [r2.Multipart] and
// [r2.Buckets]. It accepts path-style (/bucket/key) and virtual-host-style
// (bucket.<domain>/key) addressing and any region string ("auto" is what R2
// documents). It implements the bucket operations (ListBuckets,
// CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation, bucket CORS and
// lifecycle configuration), the object operations (Put, Get, Head, Delete,
// DeleteObjects, CopyObject, ListObjects v1 and v2) and multipart uploads
// (including UploadPartCopy, ListParts and ListMultipartUploads). Any other
// operation answers NotImplemented.
//
// # Authentication
//
// Every request but a CORS preflight must be signed with AWS Signature
// Version 4, in the Authorization header or as a presigned URL (expiry at
// most seven days). Payloads may be signed, UNSIGNED-PAYLOAD, or aws-chunked
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, its -TRAILER form and
// STREAMING-UNSIGNED-PAYLOAD-TRAILER); chunk and trailer signatures are
// verified as the body streams. Signatures are compared in constant time.
// Access keys come from a [Credentials] source, normally [Settings], which
// `zerostack r2 token` manages; a key is scoped to all buckets or a list of
// them, read-only or read-write.
//
// # Integrity and streaming
//
// Bodies stream from the connection to the store and back; no handler holds
// a whole object in memory. Content-MD5, x-amz-checksum-* (in headers or
// trailers) and a signed x-amz-content-sha256 are checked as the body is
// read: a mismatch makes the read fail before the store commits, so nothing
// is stored.
//
// # Errors
//
// Every failure is answered with S3's XML error document by one function
// (writeError); r2 errors map through their Name and Status.
//
// # State
//
// [Settings] (SQLite, r2/s3.sqlite in the state directory; see
// [SettingsPath]) holds access keys and per-bucket CORS, lifecycle and
// public-access settings. The Handler caches keys and bucket existence for
// a second: a key revoked by another process stops working within that
// time, one revoked through the same Settings at once.
//
// # Background work and public buckets
//
// [Sweeper] applies stored lifecycle rules (expiration by days or date,
// abort of incomplete multipart uploads). Buckets made public (`r2 bucket
// dev-url enable`) are served read-only without credentials, as r2.dev
// URLs are: by [PublicHandler] on a listener of its own, and by [Handler]
// for unsigned GET and HEAD requests.
//
// # Clients
//
// [Sign] signs a request as an S3 client does, for tools and tests without
// an SDK.
package s3api
