package s3api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Signature Version 4 constants.
const (
	sigAlgorithm    = "AWS4-HMAC-SHA256"
	amzDateFormat   = "20060102T150405Z"
	scopeDateFormat = "20060102"

	payloadUnsigned          = "UNSIGNED-PAYLOAD"
	payloadStreaming         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	payloadStreamingTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	payloadStreamingUnsigned = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	emptySHA256              = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

	// MaxPresignExpiry is the longest X-Amz-Expires a presigned URL may have.
	MaxPresignExpiry = 7 * 24 * time.Hour
	// MaxClockSkew is how far a request's signing time may be from the
	// server's clock.
	MaxClockSkew = 15 * time.Minute
)

// uriEncode encodes s as SigV4 does: unreserved characters (A-Z a-z 0-9
// - _ . ~) stay, every other byte becomes %XX with upper-case hex; '/'
// stays when keepSlash is set.
func uriEncode(s string, keepSlash bool) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}

// canonicalQuery returns the canonical query string of a raw query:
// parameters decoded and re-encoded with uriEncode, sorted by name then
// value, a parameter without '=' getting an empty value. Parameters named
// in skip are left out.
func canonicalQuery(raw string, skip string) string {
	if raw == "" {
		return ""
	}
	type kv struct{ k, v string }
	var ps []kv
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.PathUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.PathUnescape(v); err == nil {
			v = dv
		}
		if k == skip {
			continue
		}
		ps = append(ps, kv{uriEncode(k, false), uriEncode(v, false)})
	}
	slices.SortFunc(ps, func(a, b kv) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// canonicalHeaderValue trims a header value and collapses runs of spaces.
func canonicalHeaderValue(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") && !strings.ContainsAny(v, "\t\n") {
		return v
	}
	return strings.Join(strings.Fields(v), " ")
}

// headerValue returns the canonical value of a signed header of r. Go's
// server moves Host, Content-Length and Transfer-Encoding out of r.Header;
// they are rebuilt here.
func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		return r.Host
	case "content-length":
		if v := r.Header.Get("Content-Length"); v != "" {
			return v
		}
		if r.ContentLength >= 0 {
			return strconv.FormatInt(r.ContentLength, 10)
		}
		return ""
	case "transfer-encoding":
		if len(r.TransferEncoding) > 0 {
			return strings.Join(r.TransferEncoding, ",")
		}
	}
	vs := r.Header.Values(name)
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = canonicalHeaderValue(v)
	}
	return strings.Join(out, ",")
}

// canonicalRequest builds SigV4's canonical request. headers are the
// signed header names (lower case, sorted) and values their canonical
// values.
func canonicalRequest(method, uri, query string, headers []string, value func(string) string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	for _, h := range headers {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(value(h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(headers, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signingKey derives SigV4's signing key for a secret and scope. Keys are
// remembered (a scope changes once a day), saving four HMACs per request;
// the returned slice is shared and must not be modified.
func signingKey(secret, date, region, service string) []byte {
	id := secret + "\x00" + date + "\x00" + region + "\x00" + service
	signingKeys.Lock()
	k, ok := signingKeys.m[id]
	signingKeys.Unlock()
	if ok {
		return k
	}
	k = hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "aws4_request")
	signingKeys.Lock()
	if signingKeys.m == nil || len(signingKeys.m) >= 1024 {
		signingKeys.m = map[string][]byte{} // old dates and revoked secrets age out
	}
	signingKeys.m[id] = k
	signingKeys.Unlock()
	return k
}

// signingKeys caches derived signing keys by secret and scope.
var signingKeys struct {
	sync.Mutex
	m map[string][]byte
}

// stringToSign builds the string to sign for a canonical request.
func stringToSign(amzDate, scope, canonical string) string {
	return sigAlgorithm + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonical)
}

// signatureEqual compares two hex signatures in constant time.
func signatureEqual(a, b string) bool {
	return hmac.Equal([]byte(a), []byte(b))
}

// credential is a parsed SigV4 credential scope:
// <key>/<yyyymmdd>/<region>/<service>/aws4_request.
type credential struct {
	accessKey, date, region, service string
}

func (c credential) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/aws4_request"
}

func parseCredential(v string) (credential, bool) {
	parts := strings.Split(v, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" || len(parts[1]) != 8 || parts[2] == "" {
		return credential{}, false
	}
	if _, err := time.Parse(scopeDateFormat, parts[1]); err != nil {
		return credential{}, false
	}
	return credential{parts[0], parts[1], parts[2], parts[3]}, true
}

// sigRequest is a request's SigV4 authentication, parsed from the
// Authorization header or a presigned URL's query.
type sigRequest struct {
	cred          credential
	signedHeaders []string
	signature     string
	amzDate       string // as sent (yyyymmddThhmmssZ)
	t             time.Time
	presigned     bool
	expires       time.Duration // presigned only
	payloadHash   string        // x-amz-content-sha256 or UNSIGNED-PAYLOAD
}

// parseAuthorization parses an "AWS4-HMAC-SHA256 Credential=…,
// SignedHeaders=…, Signature=…" header value.
func parseAuthorization(v string) (sigRequest, error) {
	rest, ok := strings.CutPrefix(v, sigAlgorithm+" ")
	if !ok {
		return sigRequest{}, ErrSignatureVersionNotSup
	}
	var s sigRequest
	var haveCred bool
	for _, f := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok {
			return sigRequest{}, ErrAuthorizationHeader
		}
		switch k {
		case "Credential":
			s.cred, haveCred = parseCredential(val)
			if !haveCred {
				return sigRequest{}, ErrAuthorizationHeader.With("The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
			}
		case "SignedHeaders":
			s.signedHeaders = strings.Split(val, ";")
		case "Signature":
			s.signature = val
		}
	}
	if !haveCred || len(s.signedHeaders) == 0 || s.signedHeaders[0] == "" || len(s.signature) != 64 {
		return sigRequest{}, ErrAuthorizationHeader
	}
	return s, nil
}

// parsePresigned parses a presigned URL's X-Amz-* query parameters.
func parsePresigned(q url.Values) (sigRequest, error) {
	if q.Get("X-Amz-Algorithm") != sigAlgorithm {
		return sigRequest{}, ErrAuthorizationQuery.With("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	var s sigRequest
	var ok bool
	if s.cred, ok = parseCredential(q.Get("X-Amz-Credential")); !ok {
		return sigRequest{}, ErrAuthorizationQuery
	}
	s.presigned = true
	s.amzDate = q.Get("X-Amz-Date")
	s.signature = q.Get("X-Amz-Signature")
	sh := q.Get("X-Amz-SignedHeaders")
	if sh == "" || len(s.signature) != 64 {
		return sigRequest{}, ErrAuthorizationQuery.With("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
	}
	s.signedHeaders = strings.Split(sh, ";")
	exp, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	if err != nil || exp < 0 {
		return sigRequest{}, ErrAuthorizationQuery.With("X-Amz-Expires should be a number")
	}
	if time.Duration(exp)*time.Second > MaxPresignExpiry {
		return sigRequest{}, ErrAuthorizationQuery.With("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	s.expires = time.Duration(exp) * time.Second
	s.payloadHash = payloadUnsigned
	if v := q.Get("X-Amz-Content-Sha256"); v != "" {
		s.payloadHash = v
	}
	return s, nil
}

// canonicalURIs returns the canonical URIs to try for r: the decoded path
// re-encoded as SigV4 does (what SDKs sign), then the path as sent when it
// differs.
func canonicalURIs(r *http.Request) []string {
	p := r.URL.Path
	if p == "" {
		p = "/"
	}
	a := uriEncode(p, true)
	b := r.URL.EscapedPath()
	if b == "" {
		b = "/"
	}
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// verify computes the signature of r under s's scope with the given secret,
// trying each canonical URI, and reports whether one matches s.signature
// (compared in constant time). It also returns the signing key, which
// chunk signatures use.
func (s *sigRequest) verify(r *http.Request, secret string) (key []byte, ok bool) {
	headers := slices.Clone(s.signedHeaders)
	slices.Sort(headers)
	query := r.URL.RawQuery
	skip := ""
	if s.presigned {
		skip = "X-Amz-Signature"
	}
	cq := canonicalQuery(query, skip)
	key = signingKey(secret, s.cred.date, s.cred.region, s.cred.service)
	value := func(h string) string { return headerValue(r, h) }
	for _, uri := range canonicalURIs(r) {
		cr := canonicalRequest(r.Method, uri, cq, headers, value, s.payloadHash)
		sig := hex.EncodeToString(hmacSHA256(key, stringToSign(s.amzDate, s.cred.scope(), cr)))
		if signatureEqual(sig, s.signature) {
			return key, true
		}
	}
	return key, false
}
