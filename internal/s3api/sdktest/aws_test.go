package sdktest

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/zerostack/zerostack/internal/s3api"
)

// awsClient returns an SDK client for srv configured as R2's documentation
// configures it: region "auto", the endpoint, static keys, path-style.
// Shared config files are ignored so that the machine's ~/.aws plays no part.
func awsClient(t testing.TB, srv *server) *s3.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("auto"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(srv.Key.ID, srv.Key.Secret, "")),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithBaseEndpoint(srv.URL),
		config.WithLogger(logging.Nop{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// apiCode returns the S3 error code of an SDK error ("" if none).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus returns the HTTP status of an SDK error (0 if none).
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func wantCode(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded, want %d %s", what, status, code)
	}
	if httpStatus(err) != status || (code != "" && apiCode(err) != code) {
		t.Fatalf("%s: %v (status %d, code %q), want %d %s", what, err, httpStatus(err), apiCode(err), status, code)
	}
}

func md5ETag(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func readAll(t *testing.T, rc io.ReadCloser) string {
	t.Helper()
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAWSSDKBuckets covers ListBuckets, CreateBucket (twice), HeadBucket,
// GetBucketLocation and DeleteBucket (non-empty, then empty), and
// NotImplemented for operations R2 lacks.
func TestAWSSDKBuckets(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	c := awsClient(t, srv)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sdk-a")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sdk-a")})
	wantCode(t, "second CreateBucket", err, 409, "BucketAlreadyOwnedByYou")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sdk-b")}); err != nil {
		t.Fatal(err)
	}
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range lb.Buckets {
		names = append(names, aws.ToString(b.Name))
		if b.CreationDate == nil || time.Since(*b.CreationDate) > time.Minute {
			t.Errorf("bucket %s: creation date %v", aws.ToString(b.Name), b.CreationDate)
		}
	}
	if !slices.Equal(names, []string{"sdk-a", "sdk-b"}) {
		t.Fatalf("ListBuckets = %v", names)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("sdk-a")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("sdk-none")})
	wantCode(t, "HeadBucket of a missing bucket", err, 404, "")
	loc, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("sdk-a")})
	if err != nil || loc.LocationConstraint != "auto" {
		t.Fatalf("GetBucketLocation = %+v, %v", loc, err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-a"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	// Operations R2 does not implement answer NotImplemented, not something wrong.
	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("sdk-a")})
	wantCode(t, "GetBucketPolicy", err, 501, "NotImplemented")
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("sdk-a"), Key: aws.String("k")})
	wantCode(t, "GetObjectTagging", err, 501, "NotImplemented")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("sdk-a")})
	wantCode(t, "DeleteBucket of a non-empty bucket", err, 409, "BucketNotEmpty")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("sdk-a"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("sdk-a")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("sdk-a")})
	wantCode(t, "HeadBucket after DeleteBucket", err, 404, "")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-a"), Key: aws.String("k")})
	wantCode(t, "GetObject in a deleted bucket", err, 404, "NoSuchBucket")
}

// TestAWSSDKObjects covers PutObject with every metadata header, HeadObject,
// GetObject (ranges, the four conditional headers, response-* overrides),
// CopyObject (COPY and REPLACE directives, conditional copy), DeleteObject
// and DeleteObjects, and the Content-MD5 check.
func TestAWSSDKObjects(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	c := awsClient(t, srv)
	b := aws.String("objs")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	body := []byte("hello, zerostack S3 API")
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: b, Key: aws.String("dir/hello.txt"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/plain; charset=utf-8"), CacheControl: aws.String("max-age=60"),
		ContentDisposition: aws.String(`attachment; filename="h.txt"`), ContentEncoding: aws.String("identity"),
		ContentLanguage: aws.String("en"), Expires: aws.Time(expires),
		Metadata: map[string]string{"owner": "ada", "Mixed-Case": "Yes"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) != md5ETag(body) {
		t.Fatalf("PutObject ETag = %s, want %s", aws.ToString(put.ETag), md5ETag(body))
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("dir/hello.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(head.ContentLength) != int64(len(body)) || aws.ToString(head.ContentType) != "text/plain; charset=utf-8" ||
		aws.ToString(head.CacheControl) != "max-age=60" || aws.ToString(head.ContentDisposition) != `attachment; filename="h.txt"` ||
		aws.ToString(head.ContentEncoding) != "identity" || aws.ToString(head.ContentLanguage) != "en" ||
		head.ExpiresString == nil || !strings.Contains(*head.ExpiresString, "2030") ||
		head.Metadata["owner"] != "ada" || head.Metadata["mixed-case"] != "Yes" || aws.ToString(head.ETag) != md5ETag(body) {
		t.Fatalf("HeadObject = %+v (metadata %v)", head, head.Metadata)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("missing")})
	wantCode(t, "HeadObject of a missing key", err, 404, "")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("missing")})
	wantCode(t, "GetObject of a missing key", err, 404, "NoSuchKey")

	get := func(in *s3.GetObjectInput) (*s3.GetObjectOutput, string, error) {
		in.Bucket, in.Key = b, aws.String("dir/hello.txt")
		out, err := c.GetObject(ctx, in)
		if err != nil {
			return nil, "", err
		}
		return out, readAll(t, out.Body), nil
	}
	out, got, err := get(&s3.GetObjectInput{})
	if err != nil || got != string(body) || aws.ToString(out.ContentType) != "text/plain; charset=utf-8" {
		t.Fatalf("GetObject = %q, %v", got, err)
	}
	out, got, err = get(&s3.GetObjectInput{Range: aws.String("bytes=7-15")})
	if err != nil || got != string(body[7:16]) || aws.ToString(out.ContentRange) != fmt.Sprintf("bytes 7-15/%d", len(body)) {
		t.Fatalf("ranged GetObject = %q, %+v, %v", got, out, err)
	}
	if _, got, err = get(&s3.GetObjectInput{Range: aws.String("bytes=-4")}); err != nil || got != string(body[len(body)-4:]) {
		t.Fatalf("suffix range = %q, %v", got, err)
	}
	_, _, err = get(&s3.GetObjectInput{Range: aws.String("bytes=1000-")})
	wantCode(t, "unsatisfiable range", err, 416, "InvalidRange")
	if _, got, err = get(&s3.GetObjectInput{IfMatch: put.ETag}); err != nil || got != string(body) {
		t.Fatalf("If-Match current ETag: %q, %v", got, err)
	}
	_, _, err = get(&s3.GetObjectInput{IfMatch: aws.String(`"0123"`)})
	wantCode(t, "If-Match another ETag", err, 412, "PreconditionFailed")
	_, _, err = get(&s3.GetObjectInput{IfNoneMatch: put.ETag})
	wantCode(t, "If-None-Match current ETag", err, 304, "")
	if _, _, err = get(&s3.GetObjectInput{IfNoneMatch: aws.String(`"0123"`)}); err != nil {
		t.Fatalf("If-None-Match another ETag: %v", err)
	}
	_, _, err = get(&s3.GetObjectInput{IfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
	wantCode(t, "If-Modified-Since the future", err, 304, "")
	if _, _, err = get(&s3.GetObjectInput{IfModifiedSince: aws.Time(time.Now().Add(-time.Hour))}); err != nil {
		t.Fatalf("If-Modified-Since an hour ago: %v", err)
	}
	_, _, err = get(&s3.GetObjectInput{IfUnmodifiedSince: aws.Time(time.Now().Add(-time.Hour))})
	wantCode(t, "If-Unmodified-Since an hour ago", err, 412, "PreconditionFailed")
	out, _, err = get(&s3.GetObjectInput{
		ResponseContentType: aws.String("application/x-test"), ResponseContentDisposition: aws.String("inline"),
		ResponseCacheControl: aws.String("no-store"), ResponseContentLanguage: aws.String("fr"),
		ResponseContentEncoding: aws.String("gzip"), ResponseExpires: aws.Time(expires.Add(time.Hour)),
	})
	if err != nil || aws.ToString(out.ContentType) != "application/x-test" || aws.ToString(out.ContentDisposition) != "inline" ||
		aws.ToString(out.CacheControl) != "no-store" || aws.ToString(out.ContentLanguage) != "fr" || aws.ToString(out.ContentEncoding) != "gzip" {
		t.Fatalf("response-* overrides: %+v, %v", out, err)
	}

	// Content-MD5 is verified.
	bad := md5.Sum([]byte("other"))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("md5"), Body: strings.NewReader("data"),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(bad[:]))})
	wantCode(t, "PutObject with a wrong Content-MD5", err, 400, "BadDigest")
	// x-amz-checksum-* values are verified, and a good one is stored and
	// returned with x-amz-checksum-mode: ENABLED.
	badSum := sha256.Sum256([]byte("other"))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("sum"), Body: strings.NewReader("data"),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(badSum[:]))})
	wantCode(t, "PutObject with a wrong x-amz-checksum-sha256", err, 400, "BadDigest")
	goodSum := sha256.Sum256([]byte("data"))
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("sum"), Body: strings.NewReader("data"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256}); err != nil {
		t.Fatalf("PutObject with the SDK's SHA-256 checksum: %v", err)
	}
	hs, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("sum"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(hs.ChecksumSHA256) != base64.StdEncoding.EncodeToString(goodSum[:]) {
		t.Fatalf("HeadObject with checksum mode: %v, %v", aws.ToString(hs.ChecksumSHA256), err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("sum")}); err != nil {
		t.Fatal(err)
	}

	// CopyObject: metadata copied, then replaced; conditional copy.
	cp, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy1"), CopySource: aws.String("objs/dir/hello.txt")})
	if err != nil || aws.ToString(cp.CopyObjectResult.ETag) != md5ETag(body) {
		t.Fatalf("CopyObject = %+v, %v", cp, err)
	}
	h1, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("copy1")})
	if err != nil || h1.Metadata["owner"] != "ada" || aws.ToString(h1.ContentType) != "text/plain; charset=utf-8" {
		t.Fatalf("copy (COPY directive) = %+v, %v", h1, err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy2"), CopySource: aws.String("objs/dir/hello.txt"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("application/json"),
		Metadata: map[string]string{"new": "1"}}); err != nil {
		t.Fatal(err)
	}
	h2, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String("copy2")})
	if err != nil || h2.Metadata["new"] != "1" || h2.Metadata["owner"] != "" || aws.ToString(h2.ContentType) != "application/json" {
		t.Fatalf("copy (REPLACE directive) = %+v, %v", h2, err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy3"), CopySource: aws.String("objs/dir/hello.txt"),
		CopySourceIfMatch: aws.String(`"0123"`)})
	wantCode(t, "CopyObject with a failing x-amz-copy-source-if-match", err, 412, "PreconditionFailed")
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy3"), CopySource: aws.String("objs/dir/hello.txt"),
		CopySourceIfNoneMatch: aws.String(`"0123"`), CopySourceIfModifiedSince: aws.Time(time.Now().Add(-time.Hour))}); err != nil {
		t.Fatalf("conditional copy that should pass: %v", err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: b, Key: aws.String("copy4"), CopySource: aws.String("objs/missing")})
	wantCode(t, "CopyObject of a missing source", err, 404, "NoSuchKey")

	// DeleteObject (also of a missing key, which S3 answers 204) and DeleteObjects.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("copy1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("never-there")}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("copy2")}, {Key: aws.String("copy3")}, {Key: aws.String("never-there")},
	}}})
	if err != nil || len(del.Deleted) != 3 || len(del.Errors) != 0 {
		t.Fatalf("DeleteObjects = %+v, %v", del, err)
	}
	lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	if err != nil || len(lo.Contents) != 1 || aws.ToString(lo.Contents[0].Key) != "dir/hello.txt" {
		t.Fatalf("objects left: %+v, %v", lo, err)
	}
}

// TestAWSSDKList covers ListObjectsV2 (prefix, delimiter, max-keys with
// continuation tokens through the SDK's paginator, start-after,
// encoding-type=url) and ListObjects v1 (marker paging with a delimiter).
func TestAWSSDKList(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	c := awsClient(t, srv)
	b := aws.String("lists")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	keys := []string{"a/1", "a/2", "a/sub/3", "b/4", "c", "d e+f%", "z/5"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	pages := 0
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: b, MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, o := range page.Contents {
			all = append(all, aws.ToString(o.Key))
			if aws.ToInt64(o.Size) != int64(len(aws.ToString(o.Key))) || aws.ToString(o.ETag) != md5ETag([]byte(aws.ToString(o.Key))) {
				t.Errorf("%s: size %d, etag %s", aws.ToString(o.Key), aws.ToInt64(o.Size), aws.ToString(o.ETag))
			}
		}
	}
	if !slices.Equal(all, keys) || pages != 4 {
		t.Fatalf("paginated V2 listing = %v in %d pages", all, pages)
	}
	d, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	var prefixes, objs []string
	for _, cp := range d.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(cp.Prefix))
	}
	for _, o := range d.Contents {
		objs = append(objs, aws.ToString(o.Key))
	}
	if !slices.Equal(prefixes, []string{"a/", "b/", "z/"}) || !slices.Equal(objs, []string{"c", "d e+f%"}) {
		t.Fatalf("delimiter listing: prefixes %v, objects %v", prefixes, objs)
	}
	pd, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, Prefix: aws.String("a/"), Delimiter: aws.String("/")})
	if err != nil || len(pd.Contents) != 2 || len(pd.CommonPrefixes) != 1 || aws.ToString(pd.CommonPrefixes[0].Prefix) != "a/sub/" {
		t.Fatalf("prefix+delimiter listing: %+v, %v", pd, err)
	}
	sa, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, StartAfter: aws.String("b/4")})
	if err != nil || len(sa.Contents) != 3 || aws.ToString(sa.Contents[0].Key) != "c" {
		t.Fatalf("start-after listing: %+v, %v", sa, err)
	}
	enc, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, Prefix: aws.String("d"), EncodingType: types.EncodingTypeUrl})
	if err != nil || len(enc.Contents) != 1 {
		t.Fatalf("encoding-type=url listing: %+v, %v", enc, err)
	}
	if k, _ := url.QueryUnescape(aws.ToString(enc.Contents[0].Key)); k != "d e+f%" || aws.ToString(enc.Contents[0].Key) == k {
		t.Fatalf("encoding-type=url key = %q", aws.ToString(enc.Contents[0].Key))
	}
	// v1: marker paging over a delimited listing.
	var v1 []string
	marker := ""
	for range 10 {
		page, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: b, Delimiter: aws.String("/"), MaxKeys: aws.Int32(2), Marker: aws.String(marker)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			v1 = append(v1, aws.ToString(o.Key))
		}
		for _, cp := range page.CommonPrefixes {
			v1 = append(v1, aws.ToString(cp.Prefix))
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		marker = aws.ToString(page.NextMarker)
	}
	slices.Sort(v1)
	if !slices.Equal(v1, []string{"a/", "b/", "c", "d e+f%", "z/"}) {
		t.Fatalf("v1 listing with markers = %v", v1)
	}
}

// TestAWSSDKMultipart covers CreateMultipartUpload, UploadPart,
// UploadPartCopy (with a source range), ListParts, ListMultipartUploads,
// CompleteMultipartUpload (the md5-of-md5s-N ETag) and
// AbortMultipartUpload.
func TestAWSSDKMultipart(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	c := awsClient(t, srv)
	b := aws.String("mpart")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	const partSize = 5 << 20
	src := &pattern{size: partSize + 100}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("source"), Body: src}); err != nil {
		t.Fatal(err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("joined"),
		ContentType: aws.String("application/x-joined"), Metadata: map[string]string{"m": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("abandoned")})
	if err != nil {
		t.Fatal(err)
	}
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
	if err != nil || len(lu.Uploads) != 2 {
		t.Fatalf("ListMultipartUploads = %+v, %v", lu, err)
	}
	// Part 1: the pattern's first 5 MiB, uploaded; part 2: bytes [0, 5 MiB)
	// of "source" copied; part 3: 100 bytes uploaded.
	p1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("joined"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: &pattern{size: partSize}})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: b, Key: aws.String("joined"), UploadId: up.UploadId,
		PartNumber: aws.Int32(2), CopySource: aws.String("mpart/source"), CopySourceRange: aws.String(fmt.Sprintf("bytes=0-%d", partSize-1))})
	if err != nil {
		t.Fatal(err)
	}
	tail := []byte(strings.Repeat("t", 100))
	p3, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("joined"), UploadId: up.UploadId,
		PartNumber: aws.Int32(3), Body: bytes.NewReader(tail)})
	if err != nil {
		t.Fatal(err)
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: aws.String("joined"), UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != 3 || aws.ToInt64(lp.Parts[0].Size) != partSize || aws.ToInt64(lp.Parts[2].Size) != 100 ||
		aws.ToString(lp.Parts[1].ETag) != aws.ToString(p2.CopyPartResult.ETag) {
		t.Fatalf("ListParts = %+v, %v", lp, err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("joined"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: p1.ETag}, {PartNumber: aws.Int32(2), ETag: p2.CopyPartResult.ETag}, {PartNumber: aws.Int32(3), ETag: p3.ETag},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	var sums []byte
	for _, e := range []*string{p1.ETag, p2.CopyPartResult.ETag, p3.ETag} {
		b, _ := hex.DecodeString(strings.Trim(aws.ToString(e), `"`))
		sums = append(sums, b...)
	}
	want := md5.Sum(sums)
	if aws.ToString(done.ETag) != `"`+hex.EncodeToString(want[:])+`-3"` {
		t.Fatalf("multipart ETag = %s, want md5 of the part md5s, -3", aws.ToString(done.ETag))
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String("joined")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ContentType) != "application/x-joined" || out.Metadata["m"] != "v" || aws.ToInt64(out.ContentLength) != 2*partSize+100 {
		t.Fatalf("completed object: %+v", out)
	}
	for _, n := range []int64{partSize, partSize} {
		if ok, err := checkPattern(io.LimitReader(out.Body, n), 0, n); !ok || err != nil {
			t.Fatalf("completed object's parts 1 and 2 differ from the pattern (%v)", err)
		}
	}
	if rest := readAll(t, out.Body); rest != string(tail) {
		t.Fatalf("part 3 = %q", rest)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: aws.String("abandoned"), UploadId: other.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("abandoned"), UploadId: other.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantCode(t, "UploadPart to an aborted upload", err, 404, "NoSuchUpload")
	lu, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
	if err != nil || len(lu.Uploads) != 0 {
		t.Fatalf("uploads left: %+v, %v", lu, err)
	}
}

// TestAWSSDKBucketConfig covers Put/Get/DeleteBucketCors with the rules
// applied to a browser's preflight and GET, and
// Put/GetBucketLifecycleConfiguration with the sweeper applying an
// expiration rule and an abort-incomplete-multipart rule.
func TestAWSSDKBucketConfig(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	c := awsClient(t, srv)
	b := aws.String("cfg")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	wantCode(t, "GetBucketCors before any", err, 404, "NoSuchCORSConfiguration")
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{{
		AllowedOrigins: []string{"https://app.example"}, AllowedMethods: []string{"GET", "PUT"},
		AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600),
	}}}}); err != nil {
		t.Fatal(err)
	}
	gc, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	if err != nil || len(gc.CORSRules) != 1 || !slices.Equal(gc.CORSRules[0].AllowedMethods, []string{"GET", "PUT"}) || aws.ToInt32(gc.CORSRules[0].MaxAgeSeconds) != 600 {
		t.Fatalf("GetBucketCors = %+v, %v", gc, err)
	}
	pre, _ := http.NewRequest("OPTIONS", srv.URL+"/cfg/obj", nil)
	pre.Header.Set("Origin", "https://app.example")
	pre.Header.Set("Access-Control-Request-Method", "PUT")
	pre.Header.Set("Access-Control-Request-Headers", "content-type")
	resp, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || resp.Header.Get("Access-Control-Max-Age") != "600" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	pre.Header.Set("Origin", "https://evil.example")
	resp, err = http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("preflight from another origin: %d %v", resp.StatusCode, resp.Header)
	}
	if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	wantCode(t, "GetBucketCors after delete", err, 404, "NoSuchCORSConfiguration")

	// Lifecycle.
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b,
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: aws.String("expire-tmp"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
			{ID: aws.String("abort-uploads"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
				AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)}},
		}}}); err != nil {
		t.Fatal(err)
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	if err != nil || len(lc.Rules) != 2 || aws.ToString(lc.Rules[0].ID) != "expire-tmp" || aws.ToInt32(lc.Rules[0].Expiration.Days) != 1 ||
		aws.ToInt32(lc.Rules[1].AbortIncompleteMultipartUpload.DaysAfterInitiation) != 2 {
		t.Fatalf("GetBucketLifecycleConfiguration = %+v, %v", lc, err)
	}
	for _, k := range []string{"tmp/a", "keep/b"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("slow")}); err != nil {
		t.Fatal(err)
	}
	// Rules fall due at the UTC midnight after their days have run out (as
	// S3's do), so the sweeps are timed from the next midnight: an hour
	// after the first day (the object expires, the upload does not) and an
	// hour after the second (the upload is aborted), whatever the time of
	// day the test runs at.
	midnight := time.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	sweep := func(after time.Duration) (int, int) {
		at := time.Now()
		if after > 0 {
			at = midnight.Add(after)
		}
		sw := &s3api.Sweeper{Store: srv.Store, Multipart: srv.Store, Settings: srv.Settings, Now: func() time.Time { return at }}
		d, a, err := sw.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d, a
	}
	if d, a := sweep(0); d != 0 || a != 0 {
		t.Fatalf("sweep now deleted %d, aborted %d", d, a)
	}
	if d, a := sweep(25 * time.Hour); d != 1 || a != 0 {
		t.Fatalf("sweep a day and an hour after the next midnight deleted %d, aborted %d; want 1, 0", d, a)
	}
	if d, a := sweep(49 * time.Hour); d != 0 || a != 1 {
		t.Fatalf("sweep two days and an hour after the next midnight deleted %d, aborted %d; want 0, 1", d, a)
	}
	lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	if err != nil || len(lo.Contents) != 1 || aws.ToString(lo.Contents[0].Key) != "keep/b" {
		t.Fatalf("objects after the sweeps: %+v, %v", lo, err)
	}
	if _, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	wantCode(t, "GetBucketLifecycleConfiguration after delete", err, 404, "NoSuchLifecycleConfiguration")
}

// TestAWSSDKPresigned uploads with a presigned PUT URL and downloads with a
// presigned GET URL (plain net/http, no credentials), and checks that a
// tampered URL is refused.
func TestAWSSDKPresigned(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	c := awsClient(t, srv)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pre")}); err != nil {
		t.Fatal(err)
	}
	ps := s3.NewPresignClient(c)
	pput, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("pre"), Key: aws.String("up load.txt")}, s3.WithPresignExpires(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(pput.Method, pput.URL, strings.NewReader("presigned bytes"))
	for k, vs := range pput.SignedHeader {
		if !strings.EqualFold(k, "host") {
			req.Header[k] = vs
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %d", resp.StatusCode)
	}
	pget, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("pre"), Key: aws.String("up load.txt"),
		ResponseContentDisposition: aws.String("attachment")}, s3.WithPresignExpires(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(pget.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, resp.Body); resp.StatusCode != 200 || got != "presigned bytes" || resp.Header.Get("Content-Disposition") != "attachment" {
		t.Fatalf("presigned GET: %d %q %v", resp.StatusCode, got, resp.Header)
	}
	resp, err = http.Get(strings.Replace(pget.URL, "up%20load.txt", "other.txt", 1))
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp.Body); resp.StatusCode != 403 || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Fatalf("tampered presigned GET: %d %s", resp.StatusCode, body)
	}
}

// TestAWSSDKMultipart100MiB uploads a 100 MiB object in four 25 MiB parts
// through the SDK and reads it back, generating and checking the bytes on
// the fly: the heap (client and server share the process) must stay far
// below the object's size.
func TestAWSSDKMultipart100MiB(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	c := awsClient(t, srv)
	b, k := aws.String("big"), aws.String("100mib")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	const part, parts = 25 << 20, 4
	stop := heapWatch()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	var done []types.CompletedPart
	for n := range parts {
		// Each part is the pattern at its own offset in the object.
		body := io.NewSectionReader(patternAt{}, int64(n)*part, part)
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: k, UploadId: up.UploadId, PartNumber: aws.Int32(int32(n + 1)), Body: body})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(n + 1)), ETag: p.ETag})
	}
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: k, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil || !strings.HasSuffix(aws.ToString(out.ETag), `-4"`) {
		t.Fatalf("complete = %+v, %v", out, err)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := checkPattern(get.Body, 0, part*parts)
	get.Body.Close()
	peak := stop()
	if !ok || err != nil || aws.ToInt64(get.ContentLength) != part*parts {
		t.Fatalf("read back %d bytes: match %v, %v", aws.ToInt64(get.ContentLength), ok, err)
	}
	t.Logf("peak heap growth %.1f MiB for a %d MiB object", float64(peak)/(1<<20), part*parts>>20)
	if peak > 48<<20 {
		t.Errorf("heap grew by %.1f MiB: something holds object bytes in memory", float64(peak)/(1<<20))
	}
}

// patternAt is the pattern as an io.ReaderAt.
type patternAt struct{}

func (patternAt) ReadAt(b []byte, off int64) (int, error) {
	for i := range b {
		b[i] = patternByte(off + int64(i))
	}
	return len(b), nil
}
