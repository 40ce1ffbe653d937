package r2

import (
	"net/http"
	"testing"
	"time"
)

func TestHTTPMetadataHeaders(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	m := HTTPMetadata{ContentType: "image/png", ContentEncoding: "gzip", CacheControl: "no-cache", CacheExpiry: &exp}
	h := http.Header{}
	m.WriteHeader(h)
	if h.Get("Content-Type") != "image/png" || h.Get("Content-Encoding") != "gzip" || h.Get("Cache-Control") != "no-cache" ||
		h.Get("Expires") != "Wed, 02 Jan 2030 03:04:05 GMT" || h.Get("Content-Language") != "" {
		t.Fatalf("headers = %v", h)
	}
	back := HTTPMetadataFromHeader(h)
	if back.ContentType != m.ContentType || back.CacheExpiry == nil || !back.CacheExpiry.Equal(exp) {
		t.Fatalf("round trip = %+v", back)
	}
}

func TestConditionalFromHeader(t *testing.T) {
	if ConditionalFromHeader(http.Header{"X": {"y"}}) != nil {
		t.Fatal("conditional without headers")
	}
	up := time.Date(2024, 1, 1, 0, 0, 0, 700e6, time.UTC)
	o := &Object{ETag: "abc", Uploaded: up}
	h := http.Header{}
	h.Set("If-None-Match", `"x", "abc"`)
	if ConditionalFromHeader(h).Check(o) {
		t.Fatal("If-None-Match matched etag passed")
	}
	h = http.Header{}
	h.Set("If-Modified-Since", up.Format(http.TimeFormat))
	if ConditionalFromHeader(h).Check(o) {
		t.Fatal("not modified since its own upload second, yet passed")
	}
	h.Set("If-Modified-Since", "garbage")
	if ConditionalFromHeader(h) != nil {
		t.Fatal("garbage date used")
	}
}
