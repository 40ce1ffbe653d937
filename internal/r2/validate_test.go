package r2

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func i64(v int64) *int64 { return &v }

func TestRangeResolve(t *testing.T) {
	tests := []struct {
		r       *Range
		off, n  int64
		wantErr bool
	}{
		{nil, 0, 100, false},
		{&Range{Offset: i64(10)}, 10, 90, false},
		{&Range{Offset: i64(10), Length: i64(5)}, 10, 5, false},
		{&Range{Length: i64(5)}, 0, 5, false},
		{&Range{Offset: i64(90), Length: i64(50)}, 90, 10, false},
		{&Range{Offset: i64(100)}, 100, 0, false},
		{&Range{Offset: i64(101)}, 0, 0, true},
		{&Range{Offset: i64(-1)}, 0, 0, true},
		{&Range{Length: i64(-1)}, 0, 0, true},
		{&Range{Suffix: i64(10)}, 90, 10, false},
		{&Range{Suffix: i64(1000)}, 0, 100, false},
		{&Range{Suffix: i64(-1)}, 0, 0, true},
		{&Range{Suffix: i64(1), Offset: i64(1)}, 0, 0, true},
	}
	for i, tt := range tests {
		off, n, err := tt.r.Resolve(100)
		if (err != nil) != tt.wantErr || (!tt.wantErr && (off != tt.off || n != tt.n)) {
			t.Errorf("%d: got %d,%d,%v", i, off, n, err)
		}
		if err != nil && !errors.Is(err, ErrInvalidRange) {
			t.Errorf("%d: err %v", i, err)
		}
	}
}

func TestParseRangeHeader(t *testing.T) {
	good := map[string][2]int64{"bytes=0-99": {0, 100}, "bytes=100-": {100, 900}, "bytes=-20": {980, 20}, "bytes=5-5": {5, 1}}
	for h, want := range good {
		r, err := ParseRangeHeader(h)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		off, n, err := r.Resolve(1000)
		if err != nil || off != want[0] || n != want[1] {
			t.Errorf("%s = %d,%d,%v", h, off, n, err)
		}
	}
	for _, h := range []string{"", "bytes=", "bytes=-", "bytes=5-4", "bytes=a-b", "items=0-1", "bytes=0-1,2-3", "bytes=+1-2", "bytes=99999999999999999999-"} {
		if _, err := ParseRangeHeader(h); !errors.Is(err, ErrInvalidRange) {
			t.Errorf("%q accepted: %v", h, err)
		}
	}
}

func TestConditional(t *testing.T) {
	up := time.Date(2024, 5, 6, 7, 8, 9, 500e6, time.UTC)
	o := &Object{ETag: "abc", Uploaded: up}
	before, after := up.Add(-time.Hour), up.Add(time.Hour)
	tests := []struct {
		c    Conditional
		want bool
	}{
		{Conditional{}, true},
		{Conditional{EtagMatches: []string{`"abc"`}}, true},
		{Conditional{EtagMatches: []string{"x", "W/\"abc\""}}, true},
		{Conditional{EtagMatches: []string{"*"}}, true},
		{Conditional{EtagMatches: []string{"x"}}, false},
		{Conditional{EtagDoesNotMatch: []string{"abc"}}, false},
		{Conditional{EtagDoesNotMatch: []string{"x"}}, true},
		{Conditional{UploadedAfter: &before}, true},
		{Conditional{UploadedAfter: &after}, false},
		{Conditional{UploadedBefore: &after}, true},
		{Conditional{UploadedBefore: &before}, false},
		{Conditional{UploadedBefore: &before, EtagMatches: []string{"abc"}}, true},
		{Conditional{UploadedAfter: &after, EtagDoesNotMatch: []string{"x"}}, true},
		{Conditional{UploadedAfter: &up}, false},
		{Conditional{UploadedAfter: ptrTime(up.Truncate(time.Second)), SecondsGranularity: true}, false},
		{Conditional{UploadedAfter: ptrTime(up.Truncate(time.Second))}, true},
	}
	for i, tt := range tests {
		if got := tt.c.Check(o); got != tt.want {
			t.Errorf("%d: %+v = %v", i, tt.c, got)
		}
	}
	if (&Conditional{EtagMatches: []string{"*"}}).Check(nil) || !(&Conditional{EtagDoesNotMatch: []string{"*"}}).Check(nil) {
		t.Error("missing-object conditionals")
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestValidate(t *testing.T) {
	for _, k := range []string{"a", "../../etc/passwd", "a/b/", "nul\x00", strings.Repeat("k", 1024), "é/..\\"} {
		if err := ValidateKey(k); err != nil {
			t.Errorf("%q: %v", k, err)
		}
	}
	for _, k := range []string{"", strings.Repeat("k", 1025), "\xff"} {
		if err := ValidateKey(k); !errors.Is(err, ErrInvalidObjectName) {
			t.Errorf("%q accepted", k)
		}
	}
	for _, b := range []string{"ab", "-ab", "ab-", "AB1", "a_b", strings.Repeat("a", 64)} {
		if ValidateBucketName(b) == nil {
			t.Errorf("bucket %q accepted", b)
		}
	}
	if ValidateBucketName("my-bucket-1") != nil {
		t.Error("valid bucket refused")
	}
	if ValidateCustomMetadata(map[string]string{"k": strings.Repeat("v", 2047)}) != nil ||
		ValidateCustomMetadata(map[string]string{"k": strings.Repeat("v", 2048)}) == nil {
		t.Error("custom metadata limit")
	}
}

func FuzzParseRangeHeader(f *testing.F) {
	for _, s := range []string{"bytes=0-99", "bytes=-5", "bytes=5-", "bytes=9223372036854775807-", "bytes=0-9223372036854775807"} {
		f.Add(s, int64(100))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		r, err := ParseRangeHeader(h)
		if err != nil {
			return
		}
		off, n, err := r.Resolve(size)
		if err != nil {
			return
		}
		if off < 0 || n < 0 || off > size || off+n > size || off+n < off {
			t.Fatalf("%q on %d: offset %d length %d", h, size, off, n)
		}
	})
}

func FuzzCursor(f *testing.F) {
	f.Add("key", "YWtleQ")
	f.Add("", "!!")
	f.Fuzz(func(t *testing.T, key, cursor string) {
		if len(key) <= MaxKeySize {
			if k, excl, err := DecodeCursor(EncodeCursor(key)); err != nil || k != key || !excl {
				t.Fatalf("round trip %q: %q %v %v", key, k, excl, err)
			}
		}
		if k, _, err := DecodeCursor(cursor); err == nil && len(k) > MaxKeySize {
			t.Fatalf("oversized key from %q", cursor)
		}
	})
}

func FuzzValidateKey(f *testing.F) {
	f.Add("a/../b")
	f.Add("\x00")
	f.Fuzz(func(t *testing.T, key string) {
		err := ValidateKey(key)
		if err == nil && (key == "" || len(key) > MaxKeySize) {
			t.Fatalf("accepted %q", key)
		}
	})
}
