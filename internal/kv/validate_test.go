package kv

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func ptr(v int64) *int64 { return &v }

func TestResolvePut(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name    string
		key     string
		opts    PutOptions
		wantExp int64
		wantErr string
	}{
		{"plain", "k", PutOptions{}, 0, ""},
		{"empty key", "", PutOptions{}, 0, "kv: Key names must not be empty"},
		{"dot", ".", PutOptions{}, 0, `kv: Illegal key name ".". Please use a different name.`},
		{"dotdot", "..", PutOptions{}, 0, `kv: Illegal key name "..". Please use a different name.`},
		{"512 ok", strings.Repeat("a", 512), PutOptions{}, 0, ""},
		{"513", strings.Repeat("a", 513), PutOptions{}, 0, "kv: UTF-8 encoded length of 513 exceeds key length limit of 512."},
		{"ttl 60", "k", PutOptions{ExpirationTTL: ptr(60)}, 1_700_000_060, ""},
		{"ttl 59", "k", PutOptions{ExpirationTTL: ptr(59)}, 0, "kv: Invalid expiration_ttl of 59. Expiration TTL must be at least 60."},
		{"ttl 0", "k", PutOptions{ExpirationTTL: ptr(0)}, 0, "kv: Invalid expiration_ttl of 0. Please specify integer greater than 0."},
		{"ttl wins", "k", PutOptions{ExpirationTTL: ptr(100), Expiration: ptr(5)}, 1_700_000_100, ""},
		{"exp ok", "k", PutOptions{Expiration: ptr(1_700_000_060)}, 1_700_000_060, ""},
		{"exp soon", "k", PutOptions{Expiration: ptr(1_700_000_059)}, 0, "kv: Invalid expiration of 1700000059. Expiration times must be at least 60 seconds in the future."},
		{"exp past", "k", PutOptions{Expiration: ptr(1_700_000_000)}, 0, "kv: Invalid expiration of 1700000000. Please specify integer greater than the current number of seconds since the UNIX epoch."},
		{"metadata 1024", "k", PutOptions{Metadata: []byte(`"` + strings.Repeat("x", 1022) + `"`)}, 0, ""},
		{"metadata 1025", "k", PutOptions{Metadata: []byte(`"` + strings.Repeat("x", 1023) + `"`)}, 0, "kv: Metadata length of 1025 exceeds limit of 1024."},
		{"metadata bad json", "k", PutOptions{Metadata: []byte(`{`)}, 0, "kv: Metadata is not valid JSON."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exp, err := ResolvePut(tt.key, tt.opts, now)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrInvalid) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || exp != tt.wantExp {
				t.Fatalf("got %d, %v; want %d", exp, err, tt.wantExp)
			}
		})
	}
}

func TestResolveList(t *testing.T) {
	if l, _, err := ResolveList(ListOptions{}); l != 1000 || err != nil {
		t.Errorf("default limit = %d, %v", l, err)
	}
	if _, _, err := ResolveList(ListOptions{Limit: 1001}); err == nil {
		t.Error("limit 1001 accepted")
	}
	if _, _, err := ResolveList(ListOptions{Limit: -1}); err == nil {
		t.Error("limit -1 accepted")
	}
	if _, _, err := ResolveList(ListOptions{Prefix: strings.Repeat("p", 513)}); err == nil || err.Error() != "kv: UTF-8 encoded length of 513 exceeds key length limit of 512." {
		t.Errorf("long prefix: %v", err)
	}
	if err := ValidateCacheTTL(59); err == nil || ValidateCacheTTL(60) != nil {
		t.Error("cacheTtl")
	}
	if _, _, err := ResolveList(ListOptions{Cursor: "!!"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad cursor: %v", err)
	}
	_, after, err := ResolveList(ListOptions{Cursor: EncodeCursor("a\x00/..")})
	if err != nil || after != "a\x00/.." {
		t.Errorf("cursor round trip = %q, %v", after, err)
	}
}

func TestPrefixEnd(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "b", "a\xff": "b", "\xff\xff": "", "ab": "ac"} {
		if got := PrefixEnd(in); got != want {
			t.Errorf("PrefixEnd(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzValidateKey(f *testing.F) {
	for _, s := range []string{"", ".", "..", "a/b", "\x00", "\xff\xfe", strings.Repeat("é", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		err := ValidateKey("GET", key)
		ok := key != "" && key != "." && key != ".." && len(key) <= MaxKeySize
		if (err == nil) != ok {
			t.Fatalf("ValidateKey(%q) = %v", key, err)
		}
	})
}

func FuzzCursor(f *testing.F) {
	f.Add("", "")
	f.Add("key", "MWtleQ")
	f.Add("\xff\x00", "!!!")
	f.Fuzz(func(t *testing.T, key, cursor string) {
		if key != "" && len(key) <= MaxKeySize {
			got, err := DecodeCursor(EncodeCursor(key))
			if err != nil || got != key {
				t.Fatalf("round trip %q = %q, %v", key, got, err)
			}
		}
		if k, err := DecodeCursor(cursor); err == nil && len(k) > MaxKeySize {
			t.Fatalf("DecodeCursor(%q) returned an oversized key", cursor)
		} else if err != nil && !errorsIsInvalid(err) {
			t.Fatalf("DecodeCursor(%q) = %v, not ErrInvalid", cursor, err)
		}
	})
}

func errorsIsInvalid(err error) bool { return errors.Is(err, ErrInvalid) }
