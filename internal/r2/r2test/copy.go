package r2test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/r2"
)

// runCopy checks r2.Copy over a backend, and HeadBucket when the backend
// implements r2.BucketHeader.
func runCopy(t *testing.T, newBackend func(t *testing.T) Backend) {
	ctx := context.Background()
	t.Run("Copy", func(t *testing.T) {
		s := newBackend(t)
		src, err := s.Put(ctx, "src-bucket", "a", strings.NewReader("copy me"), r2.PutOptions{
			HTTPMetadata:   r2.HTTPMetadata{ContentType: "text/plain", CacheControl: "no-cache"},
			CustomMetadata: map[string]string{"k": "v"},
			SHA256:         sha256Of("copy me"),
		})
		if err != nil {
			t.Fatal(err)
		}
		o, err := r2.Copy(ctx, s, "src-bucket", "a", "dst-bucket", "b", r2.CopyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if o.ETag != src.ETag || o.HTTPMetadata.ContentType != "text/plain" || o.CustomMetadata["k"] != "v" || string(o.Checksums.SHA256) != string(src.Checksums.SHA256) {
			t.Fatalf("copy = %+v, source %+v", o, src)
		}
		res, err := s.Get(ctx, "dst-bucket", "b", r2.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != "copy me" {
			t.Fatalf("copied body %q", b)
		}
		// Replace metadata, copying onto the source itself.
		o, err = r2.Copy(ctx, s, "src-bucket", "a", "src-bucket", "a", r2.CopyOptions{ReplaceMetadata: true,
			HTTPMetadata: r2.HTTPMetadata{ContentType: "application/json"}, StorageClass: "InfrequentAccess"})
		if err != nil {
			t.Fatal(err)
		}
		h, err := s.Head(ctx, "src-bucket", "a")
		if err != nil || h.HTTPMetadata.ContentType != "application/json" || h.HTTPMetadata.CacheControl != "" || len(h.CustomMetadata) != 0 ||
			h.StorageClass != "InfrequentAccess" || h.ETag != src.ETag || h.Version == src.Version {
			t.Fatalf("replaced = %+v, %v", h, err)
		}
		// Conditions on the source and the destination.
		if _, err := r2.Copy(ctx, s, "src-bucket", "a", "dst-bucket", "c", r2.CopyOptions{OnlyIf: &r2.Conditional{EtagMatches: []string{"nope"}}}); !errors.Is(err, r2.ErrPreconditionFailed) {
			t.Fatalf("source condition: %v", err)
		}
		if _, err := r2.Copy(ctx, s, "src-bucket", "a", "dst-bucket", "b", r2.CopyOptions{DestOnlyIf: &r2.Conditional{EtagDoesNotMatch: []string{"*"}}}); !errors.Is(err, r2.ErrPreconditionFailed) {
			t.Fatalf("destination condition: %v", err)
		}
		if _, err := s.Head(ctx, "dst-bucket", "c"); !errors.Is(err, r2.ErrNoSuchKey) {
			t.Fatalf("failed copy stored an object: %v", err)
		}
		if _, err := r2.Copy(ctx, s, "src-bucket", "missing", "dst-bucket", "d", r2.CopyOptions{}); !errors.Is(err, r2.ErrNoSuchKey) {
			t.Fatalf("missing source: %v", err)
		}
	})
	t.Run("HeadBucket", func(t *testing.T) {
		s := newBackend(t)
		bh, ok := s.(r2.BucketHeader)
		if !ok {
			t.Skip("backend does not implement r2.BucketHeader")
		}
		if _, err := bh.HeadBucket(ctx, "nope"); !errors.Is(err, r2.ErrNoSuchBucket) {
			t.Fatalf("missing bucket: %v", err)
		}
		created, err := s.CreateBucket(ctx, "here")
		if err != nil {
			t.Fatal(err)
		}
		if b, err := bh.HeadBucket(ctx, "here"); err != nil || b.Name != "here" || !b.Created.Equal(created.Created) {
			t.Fatalf("head = %+v, %v; created %+v", b, err, created)
		}
	})
}

func sha256Of(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
