package r2

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ValidateKey checks an object key: 1..MaxKeySize bytes of valid UTF-8.
// Keys are never used as file names, so "..", "/" and NUL are ordinary
// characters.
func ValidateKey(key string) error {
	if key == "" || len(key) > MaxKeySize || !utf8.ValidString(key) {
		return ErrInvalidObjectName
	}
	return nil
}

var bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// ValidateBucketName checks R2's bucket naming rules: 3-63 characters of
// lowercase letters, digits and hyphens, starting and ending with a letter or
// digit.
func ValidateBucketName(name string) error {
	if !bucketRE.MatchString(name) {
		return ErrInvalidBucketName
	}
	return nil
}

// ValidateCustomMetadata checks the total size of custom metadata.
func ValidateCustomMetadata(m map[string]string) error {
	n := 0
	for k, v := range m {
		n += len(k) + len(v)
	}
	if n > MaxCustomMetadataSize {
		return ErrMetadataTooLarge
	}
	return nil
}

// ValidateStorageClass checks a storage class and returns its canonical
// form ("" becomes "Standard").
func ValidateStorageClass(s string) (string, error) {
	switch s {
	case "", "Standard":
		return "Standard", nil
	case "InfrequentAccess":
		return s, nil
	}
	return "", ErrInvalidArgument.With("Invalid storage class %q", s)
}

func etagMatches(etag string, list []string) bool {
	for _, e := range list {
		e = strings.TrimSpace(e)
		e = strings.TrimPrefix(e, "W/")
		if e == "*" || strings.Trim(e, `"`) == etag {
			return true
		}
	}
	return false
}

// Check evaluates the conditional against an object (nil when the object
// does not exist), following RFC 9110 §13.2.2's precedence: an If-Match
// (EtagMatches) that holds makes UploadedBefore irrelevant, and an
// If-None-Match that holds makes UploadedAfter irrelevant.
func (c *Conditional) Check(o *Object) bool {
	if c == nil {
		return true
	}
	if o == nil {
		return len(c.EtagMatches) == 0 && c.UploadedAfter == nil
	}
	trunc := func(t time.Time) time.Time {
		if c.SecondsGranularity {
			return t.Truncate(time.Second)
		}
		return t
	}
	up := trunc(o.Uploaded)
	if len(c.EtagMatches) > 0 {
		if !etagMatches(o.ETag, c.EtagMatches) {
			return false
		}
	} else if c.UploadedBefore != nil && !up.Before(trunc(*c.UploadedBefore)) {
		return false
	}
	if len(c.EtagDoesNotMatch) > 0 {
		if etagMatches(o.ETag, c.EtagDoesNotMatch) {
			return false
		}
	} else if c.UploadedAfter != nil && !up.After(trunc(*c.UploadedAfter)) {
		return false
	}
	return true
}

// Resolve returns the byte range [offset, offset+length) that r selects in
// an object of the given size, or ErrInvalidRange. A nil r selects the whole
// object.
func (r *Range) Resolve(size int64) (offset, length int64, err error) {
	if r == nil {
		return 0, size, nil
	}
	if r.Suffix != nil {
		if r.Offset != nil || r.Length != nil || *r.Suffix < 0 {
			return 0, 0, ErrInvalidRange
		}
		n := min(*r.Suffix, size)
		return size - n, n, nil
	}
	if r.Offset != nil {
		offset = *r.Offset
	}
	if offset < 0 || offset > size {
		return 0, 0, ErrInvalidRange
	}
	length = size - offset
	if r.Length != nil {
		if *r.Length < 0 {
			return 0, 0, ErrInvalidRange
		}
		length = min(*r.Length, length)
	}
	return offset, length, nil
}

// ParseRangeHeader parses a single-range HTTP Range header value
// ("bytes=0-99", "bytes=100-", "bytes=-20") into a Range. Multiple ranges
// and other units give ErrInvalidRange.
func ParseRangeHeader(h string) (*Range, error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil, ErrInvalidRange
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil, ErrInvalidRange
	}
	num := func(s string) (int64, bool) {
		if s == "" || len(s) > 19 || strings.TrimLeft(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	if first == "" {
		n, ok := num(last)
		if !ok {
			return nil, ErrInvalidRange
		}
		return &Range{Suffix: &n}, nil
	}
	a, ok := num(first)
	if !ok {
		return nil, ErrInvalidRange
	}
	if last == "" {
		return &Range{Offset: &a}, nil
	}
	b, ok := num(last)
	if !ok || b < a || b == 1<<63-1 {
		return nil, ErrInvalidRange
	}
	l := b - a + 1
	return &Range{Offset: &a, Length: &l}, nil
}

// Cursors are "a"+key (continue after key) or "g"+key (continue at key or
// later), base64url-encoded.

// EncodeCursor returns a cursor that continues strictly after key.
func EncodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("a" + key))
}

// EncodeCursorAt returns a cursor that continues at key (inclusive).
func EncodeCursorAt(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("g" + key))
}

// DecodeCursor decodes a cursor into a start key and whether that key is
// itself excluded. Malformed cursors give ErrInvalidArgument.
func DecodeCursor(c string) (start string, exclusive bool, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 1 || len(b) > MaxKeySize+1 || (b[0] != 'a' && b[0] != 'g') {
		return "", false, ErrInvalidArgument.With("Invalid cursor")
	}
	return string(b[1:]), b[0] == 'a', nil
}

// PrefixEnd returns the smallest string greater than every string with the
// given prefix, or "" when there is none.
func PrefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}
