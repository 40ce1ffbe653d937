package kv

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// ValidateKey checks a key as Cloudflare does for operation op (GET, PUT,
// DELETE): not empty, not "." or "..", at most MaxKeySize bytes.
func ValidateKey(op, key string) error {
	switch {
	case key == "":
		return invalid(op, 400, "Key names must not be empty")
	case key == "." || key == "..":
		return invalid(op, 400, "Illegal key name %q. Please use a different name.", key)
	case len(key) > MaxKeySize:
		return invalid(op, 414, "UTF-8 encoded length of %d exceeds key length limit of %d.", len(key), MaxKeySize)
	}
	return nil
}

// ValidateBulkGet checks the keys of a bulk get.
func ValidateBulkGet(keys []string) error {
	if len(keys) > MaxBulkGet {
		return invalid("GET", 400, "You can request a maximum of %d keys", MaxBulkGet)
	}
	for _, k := range keys {
		if err := ValidateKey("GET", k); err != nil {
			return err
		}
	}
	return nil
}

// ResolvePut validates key and opts at time now and returns the absolute
// expiration (seconds since the epoch, 0 for none).
func ResolvePut(key string, opts PutOptions, now time.Time) (expiration int64, err error) {
	if err := ValidateKey("PUT", key); err != nil {
		return 0, err
	}
	sec := now.Unix()
	switch {
	case opts.ExpirationTTL != nil:
		ttl := *opts.ExpirationTTL
		if ttl <= 0 {
			return 0, invalid("PUT", 400, "Invalid expiration_ttl of %d. Please specify integer greater than 0.", ttl)
		}
		if ttl < MinExpirationTTL {
			return 0, invalid("PUT", 400, "Invalid expiration_ttl of %d. Expiration TTL must be at least %d.", ttl, MinExpirationTTL)
		}
		expiration = sec + ttl
	case opts.Expiration != nil:
		exp := *opts.Expiration
		if exp <= sec {
			return 0, invalid("PUT", 400, "Invalid expiration of %d. Please specify integer greater than the current number of seconds since the UNIX epoch.", exp)
		}
		if exp < sec+MinExpirationTTL {
			return 0, invalid("PUT", 400, "Invalid expiration of %d. Expiration times must be at least %d seconds in the future.", exp, MinExpirationTTL)
		}
		expiration = exp
	}
	if opts.Metadata != nil {
		if len(opts.Metadata) > MaxMetadataSize {
			return 0, invalid("PUT", 413, "Metadata length of %d exceeds limit of %d.", len(opts.Metadata), MaxMetadataSize)
		}
		if !json.Valid(opts.Metadata) {
			return 0, invalid("PUT", 400, "Metadata is not valid JSON.")
		}
	}
	return expiration, nil
}

// ValidateCacheTTL checks get's cacheTtl option (accepted and otherwise
// ignored: a single node has no edge caches).
func ValidateCacheTTL(ttl int64) error {
	if ttl < MinExpirationTTL {
		return invalid("GET", 400, "Invalid cache_ttl of %d. Cache TTL must be at least %d.", ttl, MinExpirationTTL)
	}
	return nil
}

// ErrValueTooLarge returns the validation error for a value of n bytes.
func ErrValueTooLarge(n int64) error {
	return invalid("PUT", 413, "Value length of %d exceeds limit of %d.", n, MaxValueSize)
}

// ResolveList validates opts and returns the effective limit and the key
// after which to start ("" when starting from the beginning).
func ResolveList(opts ListOptions) (limit int, after string, err error) {
	limit = opts.Limit
	switch {
	case limit == 0:
		limit = MaxListLimit
	case limit < 0:
		return 0, "", invalid("LIST", 400, "Invalid key_count_limit of %d. Please specify an integer greater than 0.", limit)
	case limit > MaxListLimit:
		return 0, "", invalid("LIST", 400, "Invalid key_count_limit of %d. Please specify an integer less than %d.", limit, MaxListLimit)
	}
	if len(opts.Prefix) > MaxKeySize {
		return 0, "", invalid("LIST", 414, "UTF-8 encoded length of %d exceeds key length limit of %d.", len(opts.Prefix), MaxKeySize)
	}
	if opts.Cursor != "" {
		after, err = DecodeCursor(opts.Cursor)
		if err != nil {
			return 0, "", err
		}
	}
	return limit, after, nil
}

// cursorVersion prefixes every cursor so the format can change later.
const cursorVersion = "1"

// EncodeCursor returns the opaque cursor that resumes a listing after key.
func EncodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorVersion + key))
}

// DecodeCursor is the inverse of EncodeCursor; a malformed cursor gives a
// *ValidationError.
func DecodeCursor(cursor string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) < 2 || string(b[:1]) != cursorVersion || len(b)-1 > MaxKeySize {
		return "", invalid("LIST", 400, "Invalid cursor %s", fmt.Sprintf("%q", truncate(cursor, 64)))
	}
	return string(b[1:]), nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// PrefixEnd returns the smallest byte string greater than every string with
// the given prefix, or "" when there is none (prefix empty or all 0xff).
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
