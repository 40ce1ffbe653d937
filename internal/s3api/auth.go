package s3api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AccessKey is an S3 access key and what it may do.
type AccessKey struct {
	ID     string // access key id (public)
	Secret string // secret access key
	Name   string // label shown by `r2 token list`
	// Buckets limits the key to these buckets; empty means all buckets.
	Buckets  []string
	ReadOnly bool
	Created  time.Time
}

// Allows reports whether the key may access bucket ("" for the bucket
// list), for writing when write is set.
func (k *AccessKey) Allows(bucket string, write bool) bool {
	if write && k.ReadOnly {
		return false
	}
	if len(k.Buckets) == 0 {
		return true
	}
	if bucket == "" {
		return !write
	}
	return slices.Contains(k.Buckets, bucket)
}

// AllBuckets reports whether the key is not limited to a list of buckets.
func (k *AccessKey) AllBuckets() bool { return len(k.Buckets) == 0 }

// ErrNoSuchAccessKey is returned by [Credentials.LookupKey] for an unknown
// (or revoked) access key id.
var ErrNoSuchAccessKey = errors.New("s3api: no such access key")

// Credentials looks up access keys. Implementations must be safe for
// concurrent use.
type Credentials interface {
	// LookupKey returns the key with the given id, or ErrNoSuchAccessKey.
	LookupKey(ctx context.Context, id string) (AccessKey, error)
}

// StaticCredentials is a fixed set of keys (for tests and embedding).
type StaticCredentials []AccessKey

// LookupKey implements Credentials.
func (s StaticCredentials) LookupKey(_ context.Context, id string) (AccessKey, error) {
	for _, k := range s {
		if k.ID == id {
			return k, nil
		}
	}
	return AccessKey{}, ErrNoSuchAccessKey
}

// errNoCredentials is authenticate's error for an unsigned request.
var errNoCredentials = &Error{403, "AccessDenied", "Access Denied"}

// authenticate verifies r's SigV4 signature and returns its key. On
// success r.Body is replaced by a reader that decodes aws-chunked bodies
// and verifies chunk signatures and the payload hash as it is read (a
// failure surfaces as a read error before EOF).
func (h *Handler) authenticate(r *http.Request) (AccessKey, error) {
	var s sigRequest
	var err error
	authz := r.Header.Get("Authorization")
	q := r.URL.Query()
	switch {
	case authz != "":
		if strings.HasPrefix(authz, "AWS ") {
			return AccessKey{}, ErrSignatureVersionNotSup
		}
		if s, err = parseAuthorization(authz); err != nil {
			return AccessKey{}, err
		}
		s.amzDate = r.Header.Get("X-Amz-Date")
		s.payloadHash = r.Header.Get("X-Amz-Content-Sha256")
		if s.payloadHash == "" {
			if r.ContentLength != 0 {
				return AccessKey{}, ErrInvalidRequest.With("Missing required header for this request: x-amz-content-sha256")
			}
			s.payloadHash = emptySHA256
		}
	case q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Signature"):
		if s, err = parsePresigned(q); err != nil {
			return AccessKey{}, err
		}
	case q.Has("Signature") && q.Has("AWSAccessKeyId"):
		return AccessKey{}, ErrSignatureVersionNotSup
	default:
		return AccessKey{}, errNoCredentials
	}
	if s.cred.service != "s3" {
		return AccessKey{}, ErrAuthorizationHeader.With("The authorization header is malformed; incorrect service %q. This endpoint belongs to \"s3\".", s.cred.service)
	}
	if s.amzDate == "" && !s.presigned {
		if d := r.Header.Get("Date"); d != "" {
			if t, err := http.ParseTime(d); err == nil {
				s.amzDate = t.UTC().Format(amzDateFormat)
			}
		}
	}
	t, err := time.Parse(amzDateFormat, s.amzDate)
	if err != nil {
		return AccessKey{}, ErrAccessDenied.With("AWS authentication requires a valid Date or x-amz-date header")
	}
	s.t = t
	if s.amzDate[:8] != s.cred.date {
		return AccessKey{}, ErrSignatureDoesNotMatch.With("The credential date %q does not match the request date %q.", s.cred.date, s.amzDate[:8])
	}
	now := h.now()
	if s.presigned {
		if now.Before(t.Add(-MaxClockSkew)) {
			return AccessKey{}, ErrAccessDenied.With("Request is not valid yet")
		}
		if now.After(t.Add(s.expires)) {
			return AccessKey{}, ErrExpiredPresign
		}
	} else if d := now.Sub(t); d > MaxClockSkew || d < -MaxClockSkew {
		return AccessKey{}, ErrRequestTimeTooSkewed
	}
	if !slices.Contains(s.signedHeaders, "host") {
		return AccessKey{}, ErrAccessDenied.With("Host must be a signed header")
	}
	key, err := h.lookupKey(r.Context(), s.cred.accessKey)
	if errors.Is(err, ErrNoSuchAccessKey) {
		return AccessKey{}, ErrInvalidAccessKeyID
	}
	if err != nil {
		return AccessKey{}, err
	}
	sk, ok := s.verify(r, key.Secret)
	if !ok {
		return AccessKey{}, ErrSignatureDoesNotMatch
	}
	if err := h.wrapBody(r, &s, sk); err != nil {
		return AccessKey{}, err
	}
	return key, nil
}

// wrapBody installs the payload decoder and verifier for the payload hash
// mode of a verified request.
func (h *Handler) wrapBody(r *http.Request, s *sigRequest, signingKey []byte) error {
	if r.ContentLength > 0 && r.Body != nil {
		// Answer "Expect: 100-continue" now that the request is
		// authenticated, as S3 does; Go would wait for the first body read,
		// and clients that stop waiting for the 100 (botocore waits one
		// second) then misread the interim response.
		r.Body.Read([]byte{})
	}
	if r.Body == nil || r.Body == http.NoBody {
		if s.payloadHash != emptySHA256 && s.payloadHash != payloadUnsigned && !strings.HasPrefix(s.payloadHash, "STREAMING-") && r.Method != http.MethodGet && r.Method != http.MethodHead {
			return ErrContentSHA256Mismatch
		}
		return nil
	}
	switch s.payloadHash {
	case payloadUnsigned:
		return nil
	case payloadStreaming, payloadStreamingTrailer, payloadStreamingUnsigned:
		dl := r.Header.Get("X-Amz-Decoded-Content-Length")
		n := int64(-1)
		if dl != "" {
			v, err := strconv.ParseInt(dl, 10, 64)
			if err != nil || v < 0 {
				return ErrInvalidArgument.With("Invalid x-amz-decoded-content-length")
			}
			n = v
		} else if s.payloadHash == payloadStreaming {
			return ErrMissingContentLength
		}
		cr := &chunkReader{
			src:      newLineReader(r.Body),
			body:     r.Body,
			signed:   s.payloadHash != payloadStreamingUnsigned,
			trailer:  s.payloadHash != payloadStreaming,
			key:      signingKey,
			amzDate:  s.amzDate,
			scope:    s.cred.scope(),
			prevSig:  s.signature,
			expected: n,
		}
		r.Body = cr
		r.ContentLength = n
		r.Header.Set("Content-Length", strconv.FormatInt(n, 10))
		return nil
	}
	if strings.HasPrefix(s.payloadHash, "STREAMING-") {
		return ErrNotImplemented.With("Payload signing mode %s is not supported.", s.payloadHash)
	}
	want, err := hex.DecodeString(s.payloadHash)
	if err != nil || len(want) != sha256.Size {
		return ErrInvalidArgument.With("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or a valid sha256 value.")
	}
	r.Body = &verifyReader{r: r.Body, c: r.Body, checks: []check{{h: sha256.New(), want: func() []byte { return want }, err: ErrContentSHA256Mismatch}}}
	return nil
}

// verifyReader hashes what it reads and, at EOF, compares the digests with
// the expected values; a mismatch is returned instead of io.EOF.
type verifyReader struct {
	r      io.Reader
	c      io.Closer
	checks []check
	done   error
}

type check struct {
	h interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
	want func() []byte // nil result: nothing to check (yet unknown values are read at EOF)
	err  *Error
}

func (v *verifyReader) Read(p []byte) (int, error) {
	if v.done != nil {
		return 0, v.done
	}
	n, err := v.r.Read(p)
	for _, c := range v.checks {
		c.h.Write(p[:n])
	}
	if err == io.EOF {
		for _, c := range v.checks {
			want := c.want()
			if want == nil {
				continue
			}
			if got := c.h.Sum(nil); string(got) != string(want) {
				v.done = c.err
				return n, c.err
			}
		}
		v.done = io.EOF
	}
	return n, err
}

func (v *verifyReader) Close() error {
	if v.c != nil {
		return v.c.Close()
	}
	return nil
}
