// Package r2test is the conformance suite for R2 (Cloudflare R2) backends:
// every implementation runs [Run] in its tests.
package r2test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
)

// Backend is what the suite needs: objects, multipart uploads and buckets.
type Backend interface {
	r2.Store
	r2.Multipart
	r2.Buckets
}

// Run runs the suite against backends made by newBackend; each call must
// return a fresh, empty backend that is closed through t.Cleanup.
func Run(t *testing.T, newBackend func(t *testing.T) Backend) {
	ctx := context.Background()
	const bucket = "test-bucket"
	put := func(t *testing.T, s Backend, key, body string, o r2.PutOptions) r2.Object {
		t.Helper()
		obj, err := s.Put(ctx, bucket, key, strings.NewReader(body), o)
		if err != nil {
			t.Fatalf("put %q: %v", key, err)
		}
		return obj
	}
	read := func(t *testing.T, res *r2.GetResult) string {
		t.Helper()
		if res.Body == nil {
			t.Fatal("no body")
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	get := func(t *testing.T, s Backend, key string, o r2.GetOptions) *r2.GetResult {
		t.Helper()
		res, err := s.Get(ctx, bucket, key, o)
		if err != nil {
			t.Fatalf("get %q: %v", key, err)
		}
		return res
	}
	i64 := func(v int64) *int64 { return &v }

	runCopy(t, newBackend)

	t.Run("PutGetHead", func(t *testing.T) {
		s := newBackend(t)
		sum := md5.Sum([]byte("hello"))
		exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		hm := r2.HTTPMetadata{ContentType: "text/plain", ContentLanguage: "en", ContentDisposition: "inline", ContentEncoding: "identity", CacheControl: "max-age=60", CacheExpiry: &exp}
		o := put(t, s, "a.txt", "hello", r2.PutOptions{HTTPMetadata: hm, CustomMetadata: map[string]string{"k": "v"}})
		if o.Key != "a.txt" || o.Size != 5 || o.ETag != hex.EncodeToString(sum[:]) || o.HTTPETag() != `"`+o.ETag+`"` ||
			len(o.Version) == 0 || o.Uploaded.IsZero() || !bytes.Equal(o.Checksums.MD5, sum[:]) || o.StorageClass != "Standard" {
			t.Fatalf("put = %+v", o)
		}
		res := get(t, s, "a.txt", r2.GetOptions{})
		if read(t, res) != "hello" || res.Object.ETag != o.ETag || res.Object.Version != o.Version || res.Ranged || res.Length != 5 {
			t.Fatalf("get = %+v", res)
		}
		h, err := s.Head(ctx, bucket, "a.txt")
		if err != nil || h.HTTPMetadata.ContentType != "text/plain" || h.HTTPMetadata.CacheControl != "max-age=60" ||
			h.HTTPMetadata.CacheExpiry == nil || !h.HTTPMetadata.CacheExpiry.Equal(exp) || h.CustomMetadata["k"] != "v" || !h.Uploaded.Equal(o.Uploaded) {
			t.Fatalf("head = %+v, %v", h, err)
		}
		o2 := put(t, s, "a.txt", "", r2.PutOptions{})
		if o2.Version == o.Version || o2.Size != 0 || o2.ETag != "d41d8cd98f00b204e9800998ecf8427e" {
			t.Fatalf("overwrite = %+v", o2)
		}
		if body := read(t, get(t, s, "a.txt", r2.GetOptions{})); body != "" {
			t.Fatalf("empty body = %q", body)
		}
		if h, _ := s.Head(ctx, bucket, "a.txt"); h.HTTPMetadata.ContentType != "" || len(h.CustomMetadata) != 0 {
			t.Fatalf("overwrite kept metadata: %+v", h)
		}
		if _, err := s.Get(ctx, bucket, "missing", r2.GetOptions{}); !errors.Is(err, r2.ErrNoSuchKey) {
			t.Fatalf("get missing: %v", err)
		}
		if _, err := s.Head(ctx, "other-bucket", "a.txt"); !errors.Is(err, r2.ErrNoSuchKey) {
			t.Fatalf("buckets not isolated: %v", err)
		}
	})

	t.Run("OddKeys", func(t *testing.T) {
		s := newBackend(t)
		keys := []string{"../../escape", "/abs/path", "a/../b", "nul\x00byte", ".", "..", "dir/", "ключ/🙂", strings.Repeat("k", r2.MaxKeySize), "a\\b"}
		for i, k := range keys {
			put(t, s, k, fmt.Sprint(i), r2.PutOptions{})
		}
		for i, k := range keys {
			if body := read(t, get(t, s, k, r2.GetOptions{})); body != fmt.Sprint(i) {
				t.Fatalf("key %q = %q", k, body)
			}
		}
		for _, k := range []string{"", strings.Repeat("k", r2.MaxKeySize+1), "bad\xff"} {
			if _, err := s.Put(ctx, bucket, k, strings.NewReader("x"), r2.PutOptions{}); !errors.Is(err, r2.ErrInvalidObjectName) {
				t.Errorf("put %q: %v", k, err)
			}
		}
	})

	t.Run("Checksums", func(t *testing.T) {
		s := newBackend(t)
		sha := sha256.Sum256([]byte("data"))
		o, err := s.Put(ctx, bucket, "k", strings.NewReader("data"), r2.PutOptions{SHA256: sha[:]})
		if err != nil || !bytes.Equal(o.Checksums.SHA256, sha[:]) {
			t.Fatalf("sha256 put = %+v, %v", o.Checksums, err)
		}
		bad := md5.Sum([]byte("other"))
		_, err = s.Put(ctx, bucket, "k", strings.NewReader("data2"), r2.PutOptions{MD5: bad[:]})
		if !errors.Is(err, r2.ErrBadDigest) {
			t.Fatalf("bad md5: %v", err)
		}
		if body := read(t, get(t, s, "k", r2.GetOptions{})); body != "data" {
			t.Fatalf("bad digest replaced the object: %q", body)
		}
		if _, err := s.Put(ctx, bucket, "k", strings.NewReader("x"), r2.PutOptions{MD5: []byte{1}}); !errors.Is(err, r2.ErrInvalidArgument) {
			t.Fatalf("short md5: %v", err)
		}
		big := map[string]string{"k": strings.Repeat("v", r2.MaxCustomMetadataSize)}
		if _, err := s.Put(ctx, bucket, "m", strings.NewReader("x"), r2.PutOptions{CustomMetadata: big}); !errors.Is(err, r2.ErrMetadataTooLarge) {
			t.Fatalf("metadata too large: %v", err)
		}
	})

	t.Run("Conditionals", func(t *testing.T) {
		s := newBackend(t)
		o := put(t, s, "k", "v1", r2.PutOptions{})
		res := get(t, s, "k", r2.GetOptions{OnlyIf: &r2.Conditional{EtagMatches: []string{"nope"}}})
		if !res.PreconditionFailed || res.Body != nil || res.Object.ETag != o.ETag || res.Object.Size != 2 {
			t.Fatalf("failed precondition = %+v", res)
		}
		res = get(t, s, "k", r2.GetOptions{OnlyIf: &r2.Conditional{EtagDoesNotMatch: []string{o.HTTPETag()}}})
		if !res.PreconditionFailed || res.Body != nil {
			t.Fatalf("if-none-match = %+v", res)
		}
		before := o.Uploaded.Add(-time.Minute)
		res = get(t, s, "k", r2.GetOptions{OnlyIf: &r2.Conditional{EtagMatches: []string{o.ETag}, UploadedAfter: &before}})
		if res.PreconditionFailed || read(t, res) != "v1" {
			t.Fatalf("passing precondition = %+v", res)
		}
		after := o.Uploaded.Add(time.Minute)
		if res := get(t, s, "k", r2.GetOptions{OnlyIf: &r2.Conditional{UploadedAfter: &after}}); !res.PreconditionFailed {
			t.Fatal("uploadedAfter in the future passed")
		}
		// Conditional puts.
		if _, err := s.Put(ctx, bucket, "k", strings.NewReader("v2"), r2.PutOptions{OnlyIf: &r2.Conditional{EtagMatches: []string{"nope"}}}); !errors.Is(err, r2.ErrPreconditionFailed) {
			t.Fatalf("conditional put: %v", err)
		}
		if _, err := s.Put(ctx, bucket, "k", strings.NewReader("v2"), r2.PutOptions{OnlyIf: &r2.Conditional{EtagDoesNotMatch: []string{"*"}}}); !errors.Is(err, r2.ErrPreconditionFailed) {
			t.Fatalf("create-only put over existing: %v", err)
		}
		if _, err := s.Put(ctx, bucket, "new", strings.NewReader("n"), r2.PutOptions{OnlyIf: &r2.Conditional{EtagDoesNotMatch: []string{"*"}}}); err != nil {
			t.Fatalf("create-only put: %v", err)
		}
		put(t, s, "k", "v3", r2.PutOptions{OnlyIf: &r2.Conditional{EtagMatches: []string{o.ETag}}})
		if body := read(t, get(t, s, "k", r2.GetOptions{})); body != "v3" {
			t.Fatalf("body = %q", body)
		}
	})

	t.Run("Ranges", func(t *testing.T) {
		s := newBackend(t)
		put(t, s, "k", "0123456789", r2.PutOptions{})
		cases := []struct {
			r    r2.Range
			want string
			off  int64
		}{
			{r2.Range{Offset: i64(2), Length: i64(3)}, "234", 2},
			{r2.Range{Offset: i64(7)}, "789", 7},
			{r2.Range{Length: i64(2)}, "01", 0},
			{r2.Range{Suffix: i64(4)}, "6789", 6},
			{r2.Range{Offset: i64(8), Length: i64(100)}, "89", 8},
		}
		for _, c := range cases {
			res := get(t, s, "k", r2.GetOptions{Range: &c.r})
			if body := read(t, res); body != c.want || res.Offset != c.off || res.Length != int64(len(c.want)) || !res.Ranged || res.Object.Size != 10 {
				t.Errorf("range %+v = %q (%d,%d)", c.r, body, res.Offset, res.Length)
			}
		}
		if _, err := s.Get(ctx, bucket, "k", r2.GetOptions{Range: &r2.Range{Offset: i64(11)}}); !errors.Is(err, r2.ErrInvalidRange) {
			t.Fatalf("range past end: %v", err)
		}
		// A failed precondition wins over a range: no body.
		res := get(t, s, "k", r2.GetOptions{Range: &r2.Range{Offset: i64(1)}, OnlyIf: &r2.Conditional{EtagMatches: []string{"x"}}})
		if !res.PreconditionFailed || res.Body != nil {
			t.Fatal("range with failed precondition returned a body")
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := newBackend(t)
		for _, k := range []string{"a", "b", "c"} {
			put(t, s, k, k, r2.PutOptions{})
		}
		if err := s.Delete(ctx, bucket, "a"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, bucket, "b", "c", "missing"); err != nil {
			t.Fatal(err)
		}
		l, _ := s.List(ctx, bucket, r2.ListOptions{})
		if len(l.Objects) != 0 {
			t.Fatalf("left: %+v", l.Objects)
		}
		if _, err := s.Head(ctx, bucket, "a"); !errors.Is(err, r2.ErrNoSuchKey) {
			t.Fatal(err)
		}
		many := make([]string, r2.MaxDeleteKeys+1)
		for i := range many {
			many[i] = fmt.Sprint(i)
		}
		if err := s.Delete(ctx, bucket, many...); err == nil {
			t.Fatal("deleted 1001 keys")
		}
	})

	t.Run("List", func(t *testing.T) {
		s := newBackend(t)
		keys := []string{"a", "b/1", "b/2", "b/c/3", "c", "d/x", "e\xc3\xa9", "B"}
		for _, k := range keys {
			put(t, s, k, k, r2.PutOptions{HTTPMetadata: r2.HTTPMetadata{ContentType: "t"}, CustomMetadata: map[string]string{"m": k}})
		}
		l, err := s.List(ctx, bucket, r2.ListOptions{})
		if err != nil || len(l.Objects) != len(keys) || l.Truncated || l.Objects[0].Key != "B" || l.Objects[7].Key != "e\xc3\xa9" {
			t.Fatalf("list = %+v, %v", l, err)
		}
		if l.Objects[1].HTTPMetadata.ContentType != "" || len(l.Objects[1].CustomMetadata) != 0 || l.Objects[1].Size != 1 || l.Objects[1].ETag == "" {
			t.Fatalf("list without include = %+v", l.Objects[1])
		}
		l, _ = s.List(ctx, bucket, r2.ListOptions{IncludeHTTPMetadata: true, IncludeCustomMetadata: true, Prefix: "b/"})
		if len(l.Objects) != 3 || l.Objects[0].HTTPMetadata.ContentType != "t" || l.Objects[0].CustomMetadata["m"] != "b/1" {
			t.Fatalf("list with include = %+v", l.Objects)
		}
		l, _ = s.List(ctx, bucket, r2.ListOptions{Delimiter: "/"})
		if names(l.Objects) != "B,a,c,e\xc3\xa9" || strings.Join(l.DelimitedPrefixes, ",") != "b/,d/" || l.Truncated {
			t.Fatalf("delimited = %s %v", names(l.Objects), l.DelimitedPrefixes)
		}
		l, _ = s.List(ctx, bucket, r2.ListOptions{Delimiter: "/", Prefix: "b/"})
		if names(l.Objects) != "b/1,b/2" || strings.Join(l.DelimitedPrefixes, ",") != "b/c/" {
			t.Fatalf("delimited prefix = %s %v", names(l.Objects), l.DelimitedPrefixes)
		}
		// Paging with a delimiter: objects and prefixes both count.
		var got []string
		cursor := ""
		for range 10 {
			l, err = s.List(ctx, bucket, r2.ListOptions{Delimiter: "/", Limit: 2, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, names(l.Objects), strings.Join(l.DelimitedPrefixes, ","))
			if !l.Truncated {
				break
			}
			if l.Cursor == "" || len(l.Objects)+len(l.DelimitedPrefixes) != 2 {
				t.Fatalf("truncated page %+v", l)
			}
			cursor = l.Cursor
		}
		if strings.Join(got, "|") != "B,a||||c|b/,d/|e\xc3\xa9|" && strings.Join(got, "|") != "B,a||c|b/|e\xc3\xa9|d/" {
			t.Fatalf("delimited pages = %q", strings.Join(got, "|"))
		}
		// Paging without a delimiter.
		var all []string
		cursor = ""
		for {
			l, err = s.List(ctx, bucket, r2.ListOptions{Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, names(l.Objects))
			if !l.Truncated {
				if l.Cursor != "" {
					t.Fatalf("final page has cursor")
				}
				break
			}
			cursor = l.Cursor
		}
		if strings.Join(all, ",") != "B,a,b/1,b/2,b/c/3,c,d/x,e\xc3\xa9" {
			t.Fatalf("pages = %q", all)
		}
		l, _ = s.List(ctx, bucket, r2.ListOptions{StartAfter: "b/2", Limit: 2})
		if names(l.Objects) != "b/c/3,c" || !l.Truncated {
			t.Fatalf("startAfter = %s %v", names(l.Objects), l.Truncated)
		}
		l, _ = s.List(ctx, bucket, r2.ListOptions{Prefix: "c", Limit: 1})
		if names(l.Objects) != "c" || l.Truncated {
			t.Fatalf("exact page truncated: %+v", l)
		}
		for _, lim := range []int{-1, r2.MaxListLimit + 1} {
			if _, err := s.List(ctx, bucket, r2.ListOptions{Limit: lim}); !errors.Is(err, r2.ErrInvalidMaxKeys) {
				t.Errorf("limit %d: %v", lim, err)
			}
		}
		if _, err := s.List(ctx, bucket, r2.ListOptions{Cursor: "%%%"}); err == nil {
			t.Error("bad cursor accepted")
		}
	})

	t.Run("Multipart", func(t *testing.T) {
		s := newBackend(t)
		id, err := s.CreateMultipartUpload(ctx, bucket, "big", r2.MultipartOptions{HTTPMetadata: r2.HTTPMetadata{ContentType: "application/zip"}, CustomMetadata: map[string]string{"a": "b"}})
		if err != nil {
			t.Fatal(err)
		}
		part := func(n int, size int, fill byte) r2.UploadedPart {
			p, err := s.UploadPart(ctx, bucket, "big", id, n, bytes.NewReader(bytes.Repeat([]byte{fill}, size)))
			if err != nil {
				t.Fatalf("part %d: %v", n, err)
			}
			return p
		}
		p2 := part(2, r2.MinPartSize, 'b')
		p1 := part(1, r2.MinPartSize, 'a')
		p3 := part(3, 1000, 'c')
		sum := md5.Sum(bytes.Repeat([]byte{'c'}, 1000))
		if p3.PartNumber != 3 || p3.ETag != hex.EncodeToString(sum[:]) {
			t.Fatalf("part = %+v", p3)
		}
		ps, err := s.ListParts(ctx, bucket, "big", id)
		if err != nil || len(ps) != 3 || ps[0].PartNumber != 1 || ps[2].Size != 1000 {
			t.Fatalf("list parts = %+v, %v", ps, err)
		}
		ups, _ := s.ListMultipartUploads(ctx, bucket, "b")
		if len(ups) != 1 || ups[0].UploadID != id || ups[0].Key != "big" {
			t.Fatalf("uploads = %+v", ups)
		}
		if _, err := s.CompleteMultipartUpload(ctx, bucket, "big", id, []r2.UploadedPart{p1, {PartNumber: 2, ETag: "wrong"}, p3}); !errors.Is(err, r2.ErrInvalidPart) {
			t.Fatalf("wrong etag: %v", err)
		}
		if _, err := s.CompleteMultipartUpload(ctx, bucket, "big", id, []r2.UploadedPart{p1, {PartNumber: 9, ETag: p3.ETag}}); !errors.Is(err, r2.ErrInvalidPart) {
			t.Fatalf("missing part: %v", err)
		}
		o, err := s.CompleteMultipartUpload(ctx, bucket, "big", id, []r2.UploadedPart{{PartNumber: 2, ETag: `"` + p2.ETag + `"`}, p1, p3})
		if err != nil {
			t.Fatal(err)
		}
		mm := md5.New()
		for _, p := range []r2.UploadedPart{p1, p2, p3} {
			b, _ := hex.DecodeString(p.ETag)
			mm.Write(b)
		}
		if o.Size != 2*r2.MinPartSize+1000 || o.ETag != hex.EncodeToString(mm.Sum(nil))+"-3" || o.HTTPMetadata.ContentType != "application/zip" || o.CustomMetadata["a"] != "b" {
			t.Fatalf("completed = %+v", o)
		}
		res := get(t, s, "big", r2.GetOptions{Range: &r2.Range{Offset: i64(r2.MinPartSize - 2), Length: i64(4)}})
		if body := read(t, res); body != "aabb" {
			t.Fatalf("across parts = %q", body)
		}
		res = get(t, s, "big", r2.GetOptions{})
		h := md5.New()
		n, _ := io.Copy(h, res.Body)
		res.Body.Close()
		want := md5.New()
		want.Write(bytes.Repeat([]byte{'a'}, r2.MinPartSize))
		want.Write(bytes.Repeat([]byte{'b'}, r2.MinPartSize))
		want.Write(bytes.Repeat([]byte{'c'}, 1000))
		if n != o.Size || !bytes.Equal(h.Sum(nil), want.Sum(nil)) {
			t.Fatal("assembled body differs")
		}
		if _, err := s.UploadPart(ctx, bucket, "big", id, 4, strings.NewReader("x")); !errors.Is(err, r2.ErrNoSuchUpload) {
			t.Fatalf("part after complete: %v", err)
		}
		// Unequal parts, then abort.
		id2, _ := s.CreateMultipartUpload(ctx, bucket, "uneven", r2.MultipartOptions{})
		q1, _ := s.UploadPart(ctx, bucket, "uneven", id2, 1, bytes.NewReader(make([]byte, r2.MinPartSize)))
		q2, _ := s.UploadPart(ctx, bucket, "uneven", id2, 2, bytes.NewReader(make([]byte, r2.MinPartSize+1)))
		if _, err := s.CompleteMultipartUpload(ctx, bucket, "uneven", id2, []r2.UploadedPart{q1, q2}); !errors.Is(err, r2.ErrBadUpload) {
			t.Fatalf("larger last part: %v", err)
		}
		q3, _ := s.UploadPart(ctx, bucket, "uneven", id2, 3, strings.NewReader("small"))
		q4, _ := s.UploadPart(ctx, bucket, "uneven", id2, 4, strings.NewReader("small"))
		if _, err := s.CompleteMultipartUpload(ctx, bucket, "uneven", id2, []r2.UploadedPart{q4, q3}); !errors.Is(err, r2.ErrEntityTooSmall) {
			t.Fatalf("small non-trailing part: %v", err)
		}
		if _, err := s.UploadPart(ctx, bucket, "uneven", id2, 0, strings.NewReader("x")); !errors.Is(err, r2.ErrInvalidArgument) {
			t.Fatalf("part 0: %v", err)
		}
		if _, err := s.UploadPart(ctx, bucket, "other-key", id2, 1, strings.NewReader("x")); !errors.Is(err, r2.ErrNoSuchUpload) {
			t.Fatalf("wrong key: %v", err)
		}
		if err := s.AbortMultipartUpload(ctx, bucket, "uneven", id2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ListParts(ctx, bucket, "uneven", id2); !errors.Is(err, r2.ErrNoSuchUpload) {
			t.Fatalf("list parts after abort: %v", err)
		}
		if _, err := s.Head(ctx, bucket, "uneven"); !errors.Is(err, r2.ErrNoSuchKey) {
			t.Fatalf("aborted upload created an object: %v", err)
		}
		// A single small part is a valid upload.
		id3, _ := s.CreateMultipartUpload(ctx, bucket, "one", r2.MultipartOptions{})
		p, _ := s.UploadPart(ctx, bucket, "one", id3, 1, strings.NewReader("tiny"))
		if o, err := s.CompleteMultipartUpload(ctx, bucket, "one", id3, []r2.UploadedPart{p}); err != nil || o.Size != 4 || !strings.HasSuffix(o.ETag, "-1") {
			t.Fatalf("single part = %+v, %v", o, err)
		}
	})

	t.Run("Buckets", func(t *testing.T) {
		s := newBackend(t)
		if _, err := s.CreateBucket(ctx, "photos"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateBucket(ctx, "photos"); !errors.Is(err, r2.ErrBucketExists) {
			t.Fatalf("duplicate: %v", err)
		}
		if _, err := s.CreateBucket(ctx, "Bad_Name"); !errors.Is(err, r2.ErrInvalidBucketName) {
			t.Fatalf("bad name: %v", err)
		}
		s.CreateBucket(ctx, "archive")
		bs, err := s.ListBuckets(ctx)
		if err != nil || len(bs) != 2 || bs[0].Name != "archive" {
			t.Fatalf("list = %+v, %v", bs, err)
		}
		s.Put(ctx, "photos", "p.jpg", strings.NewReader("x"), r2.PutOptions{})
		if err := s.DeleteBucket(ctx, "photos"); !errors.Is(err, r2.ErrBucketNotEmpty) {
			t.Fatalf("delete non-empty: %v", err)
		}
		s.Delete(ctx, "photos", "p.jpg")
		if err := s.DeleteBucket(ctx, "photos"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteBucket(ctx, "photos"); !errors.Is(err, r2.ErrNoSuchBucket) {
			t.Fatalf("delete missing: %v", err)
		}
	})

	t.Run("ConcurrentOverwrite", func(t *testing.T) {
		s := newBackend(t)
		done := make(chan error, 2)
		go func() {
			for i := range 30 {
				if _, err := s.Put(ctx, bucket, "hot", strings.NewReader(strings.Repeat(fmt.Sprint(i%10), 1000)), r2.PutOptions{}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		go func() {
			for range 30 {
				res, err := s.Get(ctx, bucket, "hot", r2.GetOptions{})
				if errors.Is(err, r2.ErrNoSuchKey) {
					continue
				}
				if err != nil {
					done <- err
					return
				}
				b, err := io.ReadAll(res.Body)
				res.Body.Close()
				if err != nil || len(b) != 1000 || strings.Count(string(b), string(b[:1])) != 1000 {
					done <- fmt.Errorf("torn read: %d bytes, %v", len(b), err)
					return
				}
			}
			done <- nil
		}()
		for range 2 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
	})
}

func names(objs []r2.Object) string {
	var n []string
	for _, o := range objs {
		n = append(n, o.Key)
	}
	return strings.Join(n, ",")
}
