package s3api

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Sign signs r in place with SigV4 in headers, as an S3 client does, with
// an UNSIGNED-PAYLOAD body: it sets X-Amz-Date, X-Amz-Content-Sha256 and
// Authorization, signing Host and every X-Amz-*, Content-Type and
// Content-MD5 header present. It is for tools and tests that talk to an S3
// API (this one included) without an SDK.
func Sign(r *http.Request, accessKeyID, secret, region string, t time.Time) {
	amzDate := t.UTC().Format(amzDateFormat)
	r.Header.Set("X-Amz-Date", amzDate)
	if r.Header.Get("X-Amz-Content-Sha256") == "" {
		r.Header.Set("X-Amz-Content-Sha256", payloadUnsigned)
	}
	signed := []string{"host"}
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") || lk == "content-md5" || lk == "content-type" {
			signed = append(signed, lk)
		}
	}
	slices.Sort(signed)
	cred := credential{accessKeyID, amzDate[:8], region, "s3"}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	value := func(h string) string {
		if h == "host" {
			return host
		}
		return canonicalHeaderValue(r.Header.Get(h))
	}
	cr := canonicalRequest(r.Method, uriEncode(r.URL.Path, true), canonicalQuery(r.URL.RawQuery, ""), signed, value, r.Header.Get("X-Amz-Content-Sha256"))
	key := signingKey(secret, cred.date, cred.region, cred.service)
	sig := hex.EncodeToString(hmacSHA256(key, stringToSign(amzDate, cred.scope(), cr)))
	r.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s,SignedHeaders=%s,Signature=%s", sigAlgorithm, accessKeyID, cred.scope(), strings.Join(signed, ";"), sig))
}
