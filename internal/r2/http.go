package r2

import (
	"net/http"
	"strings"
	"time"
)

// WriteHeader sets the headers that R2's writeHttpMetadata sets:
// Content-Type, Content-Language, Content-Disposition, Content-Encoding,
// Cache-Control and Expires, for the fields that are not empty.
func (m HTTPMetadata) WriteHeader(h http.Header) {
	set := func(k, v string) {
		if v != "" {
			h.Set(k, v)
		}
	}
	set("Content-Type", m.ContentType)
	set("Content-Language", m.ContentLanguage)
	set("Content-Disposition", m.ContentDisposition)
	set("Content-Encoding", m.ContentEncoding)
	set("Cache-Control", m.CacheControl)
	if m.CacheExpiry != nil {
		h.Set("Expires", m.CacheExpiry.UTC().Format(http.TimeFormat))
	}
}

// HTTPMetadataFromHeader reads R2HTTPMetadata from headers, as R2's put does
// when httpMetadata is a Headers object. An unparsable Expires is ignored.
func HTTPMetadataFromHeader(h http.Header) HTTPMetadata {
	m := HTTPMetadata{
		ContentType:        h.Get("Content-Type"),
		ContentLanguage:    h.Get("Content-Language"),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentEncoding:    h.Get("Content-Encoding"),
		CacheControl:       h.Get("Cache-Control"),
	}
	if e := h.Get("Expires"); e != "" {
		if t, err := http.ParseTime(e); err == nil {
			m.CacheExpiry = &t
		}
	}
	return m
}

// ConditionalFromHeader reads an onlyIf condition from request headers
// (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since), as R2
// does when onlyIf is a Headers object. HTTP dates have second precision, so
// SecondsGranularity is set. It returns nil when no such header is present.
// Unparsable dates are ignored, as HTTP requires.
func ConditionalFromHeader(h http.Header) *Conditional {
	var c Conditional
	list := func(v string) []string {
		var out []string
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	c.EtagMatches = list(h.Get("If-Match"))
	c.EtagDoesNotMatch = list(h.Get("If-None-Match"))
	date := func(k string) *time.Time {
		if v := h.Get(k); v != "" {
			if t, err := http.ParseTime(v); err == nil {
				return &t
			}
		}
		return nil
	}
	c.UploadedAfter = date("If-Modified-Since")
	c.UploadedBefore = date("If-Unmodified-Since")
	if c.EtagMatches == nil && c.EtagDoesNotMatch == nil && c.UploadedAfter == nil && c.UploadedBefore == nil {
		return nil
	}
	c.SecondsGranularity = true
	return &c
}
