package sdktest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/cors"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/lifecycle"
)

// minioClient returns a minio-go client for srv, as R2's documentation
// configures it (region "auto", path-style through the endpoint).
func minioClient(t testing.TB, srv *server) *minio.Client {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(srv.Key.ID, srv.Key.Secret, ""),
		Secure:       false,
		Region:       "auto",
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func minioCode(err error) (int, string) {
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		return er.StatusCode, er.Code
	}
	return 0, ""
}

func wantMinio(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	s, c := minioCode(err)
	if err == nil || s != status || (code != "" && c != code) {
		t.Fatalf("%s: %v (status %d, code %q), want %d %s", what, err, s, c, status, code)
	}
}

// TestMinioBucketsAndObjects covers minio-go's bucket calls (MakeBucket,
// BucketExists, ListBuckets, GetBucketLocation, RemoveBucket) and object
// calls (PutObject with metadata, StatObject, GetObject with ranges and
// conditions, CopyObject with replaced metadata, RemoveObject,
// RemoveObjects, ListObjects v2 and v1).
func TestMinioBucketsAndObjects(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	c := minioClient(t, srv)
	if err := c.MakeBucket(ctx, "mio", minio.MakeBucketOptions{Region: "auto"}); err != nil {
		t.Fatal(err)
	}
	wantMinio(t, "second MakeBucket", c.MakeBucket(ctx, "mio", minio.MakeBucketOptions{}), 409, "BucketAlreadyOwnedByYou")
	if ok, err := c.BucketExists(ctx, "mio"); !ok || err != nil {
		t.Fatalf("BucketExists = %v, %v", ok, err)
	}
	if ok, err := c.BucketExists(ctx, "nope"); ok || err != nil {
		t.Fatalf("BucketExists of a missing bucket = %v, %v", ok, err)
	}
	bs, err := c.ListBuckets(ctx)
	if err != nil || len(bs) != 1 || bs[0].Name != "mio" {
		t.Fatalf("ListBuckets = %+v, %v", bs, err)
	}
	if loc, err := c.GetBucketLocation(ctx, "mio"); err != nil || loc != "auto" {
		t.Fatalf("GetBucketLocation = %q, %v", loc, err)
	}
	body := []byte("minio-go says hello")
	info, err := c.PutObject(ctx, "mio", "docs/a.txt", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{
		ContentType: "text/plain", CacheControl: "no-cache", ContentDisposition: "inline", ContentLanguage: "de",
		UserMetadata: map[string]string{"project": "zerostack"},
	})
	if err != nil || info.Size != int64(len(body)) || `"`+info.ETag+`"` != md5ETag(body) {
		t.Fatalf("PutObject = %+v, %v", info, err)
	}
	st, err := c.StatObject(ctx, "mio", "docs/a.txt", minio.StatObjectOptions{})
	if err != nil || st.ContentType != "text/plain" || st.UserMetadata["Project"] != "zerostack" || st.Size != int64(len(body)) ||
		st.Metadata.Get("Cache-Control") != "no-cache" || st.Metadata.Get("Content-Language") != "de" {
		t.Fatalf("StatObject = %+v, %v", st, err)
	}
	_, err = c.StatObject(ctx, "mio", "missing", minio.StatObjectOptions{})
	wantMinio(t, "StatObject of a missing key", err, 404, "NoSuchKey")

	get := func(opts minio.GetObjectOptions) (string, error) {
		o, err := c.GetObject(ctx, "mio", "docs/a.txt", opts)
		if err != nil {
			return "", err
		}
		defer o.Close()
		b, err := io.ReadAll(o)
		return string(b), err
	}
	var rg minio.GetObjectOptions
	rg.SetRange(7, 10)
	if got, err := get(rg); err != nil || got != string(body[7:11]) {
		t.Fatalf("ranged GetObject = %q, %v", got, err)
	}
	var match minio.GetObjectOptions
	match.SetMatchETag(st.ETag)
	if got, err := get(match); err != nil || got != string(body) {
		t.Fatalf("GetObject If-Match = %q, %v", got, err)
	}
	var nomatch minio.GetObjectOptions
	nomatch.SetMatchETag("0123")
	_, err = get(nomatch)
	wantMinio(t, "GetObject with a failing If-Match", err, 412, "PreconditionFailed")
	var unmod minio.GetObjectOptions
	unmod.SetUnmodified(time.Now().Add(-time.Hour))
	_, err = get(unmod)
	wantMinio(t, "GetObject with a failing If-Unmodified-Since", err, 412, "PreconditionFailed")
	var mod minio.GetObjectOptions
	mod.SetModified(time.Now().Add(-time.Hour))
	if got, err := get(mod); err != nil || got != string(body) {
		t.Fatalf("GetObject with a passing If-Modified-Since = %q, %v", got, err)
	}

	// CopyObject replacing the metadata.
	cp, err := c.CopyObject(ctx, minio.CopyDestOptions{Bucket: "mio", Object: "docs/b.txt", ReplaceMetadata: true,
		UserMetadata: map[string]string{"copied": "yes", "Content-Type": "text/markdown"}},
		minio.CopySrcOptions{Bucket: "mio", Object: "docs/a.txt", MatchETag: st.ETag})
	if err != nil || `"`+cp.ETag+`"` != md5ETag(body) {
		t.Fatalf("CopyObject = %+v, %v", cp, err)
	}
	st2, err := c.StatObject(ctx, "mio", "docs/b.txt", minio.StatObjectOptions{})
	if err != nil || st2.UserMetadata["Copied"] != "yes" || st2.UserMetadata["Project"] != "" || st2.ContentType != "text/markdown" {
		t.Fatalf("copy's metadata = %+v, %v", st2, err)
	}
	_, err = c.CopyObject(ctx, minio.CopyDestOptions{Bucket: "mio", Object: "docs/c.txt"},
		minio.CopySrcOptions{Bucket: "mio", Object: "docs/a.txt", MatchETag: "0123"})
	wantMinio(t, "conditional CopyObject", err, 412, "PreconditionFailed")

	for _, k := range []string{"docs/sub/c.txt", "top.txt", "z"} {
		// Unknown size: minio-go uploads it as a multipart upload of
		// PartSize buffers (its default for an unknown size is 512 MiB).
		if _, err := c.PutObject(ctx, "mio", k, strings.NewReader(k), -1, minio.PutObjectOptions{PartSize: 5 << 20}); err != nil {
			t.Fatalf("PutObject of unknown size: %v", err)
		}
	}
	list := func(opts minio.ListObjectsOptions) []string {
		var out []string
		for o := range c.ListObjects(ctx, "mio", opts) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			out = append(out, o.Key)
		}
		return out
	}
	all := []string{"docs/a.txt", "docs/b.txt", "docs/sub/c.txt", "top.txt", "z"}
	if got := list(minio.ListObjectsOptions{Recursive: true, MaxKeys: 2}); !slices.Equal(got, all) {
		t.Fatalf("ListObjects v2, 2 per page = %v", got)
	}
	if got := list(minio.ListObjectsOptions{Recursive: true, MaxKeys: 2, UseV1: true}); !slices.Equal(got, all) {
		t.Fatalf("ListObjects v1, 2 per page = %v", got)
	}
	if got := list(minio.ListObjectsOptions{Prefix: "docs/"}); !slices.Equal(got, []string{"docs/a.txt", "docs/b.txt", "docs/sub/"}) {
		t.Fatalf("ListObjects with a delimiter = %v", got)
	}
	if got := list(minio.ListObjectsOptions{Recursive: true, StartAfter: "docs/sub/c.txt"}); !slices.Equal(got, []string{"top.txt", "z"}) {
		t.Fatalf("ListObjects start-after = %v", got)
	}
	if err := c.RemoveObject(ctx, "mio", "z", minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	objs := make(chan minio.ObjectInfo, 4)
	for _, k := range []string{"docs/a.txt", "docs/b.txt", "docs/sub/c.txt", "top.txt"} {
		objs <- minio.ObjectInfo{Key: k}
	}
	close(objs)
	for e := range c.RemoveObjects(ctx, "mio", objs, minio.RemoveObjectsOptions{}) {
		t.Errorf("RemoveObjects: %s: %v", e.ObjectName, e.Err)
	}
	if got := list(minio.ListObjectsOptions{Recursive: true}); len(got) != 0 {
		t.Fatalf("objects left: %v", got)
	}
	if err := c.RemoveBucket(ctx, "mio"); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.BucketExists(ctx, "mio"); ok || err != nil {
		t.Fatalf("BucketExists after RemoveBucket = %v, %v", ok, err)
	}
}

// TestMinioMultipartAndConfig covers minio-go's automatic multipart upload
// (PutObject of 12 MiB with 5 MiB parts), ComposeObject (UploadPartCopy),
// the Core multipart calls (NewMultipartUpload, ListMultipartUploads,
// ListObjectParts, AbortMultipartUpload), bucket CORS and lifecycle
// configurations, and presigned GET and PUT URLs.
func TestMinioMultipartAndConfig(t *testing.T) {
	ctx := context.Background()
	srv := startServer(t)
	c := minioClient(t, srv)
	core := &minio.Core{Client: c}
	if err := c.MakeBucket(ctx, "mio-mp", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	const size = 12 << 20
	info, err := c.PutObject(ctx, "mio-mp", "big", &pattern{size: size}, size, minio.PutObjectOptions{PartSize: 5 << 20})
	if err != nil || info.Size != size || !strings.HasSuffix(info.ETag, "-3") {
		t.Fatalf("multipart PutObject = %+v, %v", info, err)
	}
	o, err := c.GetObject(ctx, "mio-mp", "big", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := checkPattern(o, 0, size); !ok || err != nil {
		t.Fatalf("multipart object reads back wrong (%v)", err)
	}
	o.Close()
	// ComposeObject copies both sources with UploadPartCopy.
	ci, err := c.ComposeObject(ctx, minio.CopyDestOptions{Bucket: "mio-mp", Object: "twice"},
		minio.CopySrcOptions{Bucket: "mio-mp", Object: "big"}, minio.CopySrcOptions{Bucket: "mio-mp", Object: "big"})
	if err != nil || ci.Size != 2*size {
		t.Fatalf("ComposeObject = %+v, %v", ci, err)
	}
	o, err = c.GetObject(ctx, "mio-mp", "twice", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if ok, err := checkPattern(io.LimitReader(o, size), 0, size); !ok || err != nil {
			t.Fatalf("composed object reads back wrong (%v)", err)
		}
	}
	o.Close()

	id, err := core.NewMultipartUpload(ctx, "mio-mp", "pending", minio.PutObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.PutObjectPart(ctx, "mio-mp", "pending", id, 1, strings.NewReader("part one"), 8, minio.PutObjectPartOptions{}); err != nil {
		t.Fatal(err)
	}
	lu, err := core.ListMultipartUploads(ctx, "mio-mp", "", "", "", "", 100)
	if err != nil || len(lu.Uploads) != 1 || lu.Uploads[0].UploadID != id || lu.Uploads[0].Key != "pending" {
		t.Fatalf("ListMultipartUploads = %+v, %v", lu, err)
	}
	lp, err := core.ListObjectParts(ctx, "mio-mp", "pending", id, 0, 100)
	if err != nil || len(lp.ObjectParts) != 1 || lp.ObjectParts[0].Size != 8 {
		t.Fatalf("ListObjectParts = %+v, %v", lp, err)
	}
	if err := core.AbortMultipartUpload(ctx, "mio-mp", "pending", id); err != nil {
		t.Fatal(err)
	}
	if lu, err := core.ListMultipartUploads(ctx, "mio-mp", "", "", "", "", 100); err != nil || len(lu.Uploads) != 0 {
		t.Fatalf("uploads after abort = %+v, %v", lu, err)
	}

	// CORS.
	if err := c.SetBucketCors(ctx, "mio-mp", &cors.Config{CORSRules: []cors.Rule{{
		AllowedOrigin: []string{"*"}, AllowedMethod: []string{"GET"}, MaxAgeSeconds: 30,
	}}}); err != nil {
		t.Fatal(err)
	}
	cc, err := c.GetBucketCors(ctx, "mio-mp")
	if err != nil || len(cc.CORSRules) != 1 || cc.CORSRules[0].MaxAgeSeconds != 30 {
		t.Fatalf("GetBucketCors = %+v, %v", cc, err)
	}
	// Lifecycle.
	lc := lifecycle.NewConfiguration()
	lc.Rules = []lifecycle.Rule{{ID: "expire", Status: "Enabled", RuleFilter: lifecycle.Filter{Prefix: "logs/"},
		Expiration: lifecycle.Expiration{Days: 7}}}
	if err := c.SetBucketLifecycle(ctx, "mio-mp", lc); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBucketLifecycle(ctx, "mio-mp")
	if err != nil || len(got.Rules) != 1 || got.Rules[0].ID != "expire" || got.Rules[0].Expiration.Days != 7 {
		t.Fatalf("GetBucketLifecycle = %+v, %v", got, err)
	}

	// Presigned PUT, then GET with a response override.
	pu, err := c.PresignedPutObject(ctx, "mio-mp", "shared.txt", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("PUT", pu.String(), strings.NewReader("via presigned PUT"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %d", resp.StatusCode)
	}
	gu, err := c.PresignedGetObject(ctx, "mio-mp", "shared.txt", time.Hour, url.Values{"response-content-type": {"text/x-shared"}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = http.Get(gu.String())
	if err != nil {
		t.Fatal(err)
	}
	if b := readAll(t, resp.Body); resp.StatusCode != 200 || b != "via presigned PUT" || resp.Header.Get("Content-Type") != "text/x-shared" {
		t.Fatalf("presigned GET: %d %q %v", resp.StatusCode, b, resp.Header)
	}
}
