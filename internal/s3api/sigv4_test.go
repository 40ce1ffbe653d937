package s3api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The cases below are the worked examples of AWS's S3 Signature Version 4
// documentation ("Examples: Signature Calculations" for header
// authentication, query-string authentication and chunked uploads): the
// same key, time and requests, and the signatures AWS publishes.

const (
	exampleKeyID  = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var exampleTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

func exampleHandler(now time.Time) *Handler {
	return New(Options{Credentials: StaticCredentials{{ID: exampleKeyID, Secret: exampleSecret}}, Now: func() time.Time { return now }})
}

func TestSigningKey(t *testing.T) {
	// AWS's key-derivation example (IAM, 2012-02-15).
	got := fmt.Sprintf("%x", signingKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"))
	if want := "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"; got != want {
		t.Fatalf("signing key %s, want %s", got, want)
	}
}

func TestSigV4Examples(t *testing.T) {
	auth := func(signed, sig string) string {
		return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=" + signed + ",Signature=" + sig
	}
	tests := []struct {
		name    string
		method  string
		target  string
		headers map[string]string
		body    string
	}{
		{"GetObject", "GET", "/test.txt", map[string]string{
			"Range": "bytes=0-9", "X-Amz-Content-Sha256": emptySHA256, "X-Amz-Date": "20130524T000000Z",
			"Authorization": auth("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
		}, ""},
		{"PutObject", "PUT", "/test$file.text", map[string]string{
			"Date": "Fri, 24 May 2013 00:00:00 GMT", "X-Amz-Date": "20130524T000000Z", "X-Amz-Storage-Class": "REDUCED_REDUNDANCY",
			"X-Amz-Content-Sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
			"Authorization":        auth("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
		}, "Welcome to Amazon S3."},
		{"GetBucketLifecycle", "GET", "/?lifecycle", map[string]string{
			"X-Amz-Content-Sha256": emptySHA256, "X-Amz-Date": "20130524T000000Z",
			"Authorization": auth("host;x-amz-content-sha256;x-amz-date", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
		}, ""},
		{"ListObjects", "GET", "/?max-keys=2&prefix=J", map[string]string{
			"X-Amz-Content-Sha256": emptySHA256, "X-Amz-Date": "20130524T000000Z",
			"Authorization": auth("host;x-amz-content-sha256;x-amz-date", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
		}, ""},
		{"Presigned", "GET", "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", nil, ""},
	}
	for _, tc := range tests {
		newReq := func() *http.Request {
			r := httptest.NewRequest(tc.method, "http://examplebucket.s3.amazonaws.com"+tc.target, strings.NewReader(tc.body))
			if tc.body == "" {
				r.Body, r.ContentLength = http.NoBody, 0
			}
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			return r
		}
		t.Run(tc.name, func(t *testing.T) {
			r := newReq()
			if _, err := exampleHandler(exampleTime.Add(time.Minute)).authenticate(r); err != nil {
				t.Fatalf("authenticate: %v", err)
			}
			if b, err := io.ReadAll(r.Body); err != nil || string(b) != tc.body {
				t.Fatalf("body %q, %v", b, err)
			}
		})
		t.Run(tc.name+"/tampered", func(t *testing.T) {
			r := newReq()
			r.Header.Set("X-Zerostack-Unsigned", "ok") // unsigned headers do not matter
			if tc.headers != nil {
				r.Header.Set("X-Amz-Date", "20130524T000001Z")
			} else {
				r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "86400", "86401", 1)
			}
			if _, err := exampleHandler(exampleTime).authenticate(r); !errors.Is(err, ErrSignatureDoesNotMatch) {
				t.Fatalf("got %v, want SignatureDoesNotMatch", err)
			}
		})
	}
	t.Run("PutObject/body", func(t *testing.T) {
		r := httptest.NewRequest("PUT", "http://examplebucket.s3.amazonaws.com/test$file.text", strings.NewReader("Welcome to Amazon S4."))
		for k, v := range tests[1].headers {
			r.Header.Set(k, v)
		}
		if _, err := exampleHandler(exampleTime).authenticate(r); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(r.Body); !errors.Is(err, ErrContentSHA256Mismatch) {
			t.Fatalf("read: %v, want XAmzContentSHA256Mismatch", err)
		}
	})
	t.Run("Presigned/expired", func(t *testing.T) {
		r := httptest.NewRequest("GET", "http://examplebucket.s3.amazonaws.com"+tests[4].target, nil)
		if _, err := exampleHandler(exampleTime.Add(86401 * time.Second)).authenticate(r); err == nil || toS3(err).Code != "AccessDenied" {
			t.Fatalf("got %v, want AccessDenied", err)
		}
	})
	t.Run("Skewed", func(t *testing.T) {
		r := httptest.NewRequest("GET", "http://examplebucket.s3.amazonaws.com/test.txt", nil)
		for k, v := range tests[0].headers {
			r.Header.Set(k, v)
		}
		if _, err := exampleHandler(exampleTime.Add(16 * time.Minute)).authenticate(r); !errors.Is(err, ErrRequestTimeTooSkewed) {
			t.Fatalf("got %v, want RequestTimeTooSkewed", err)
		}
	})
}

// chunkedExample builds AWS's chunked-upload example: 66,560 bytes of 'a'
// in a 65,536-byte chunk, a 1,024-byte chunk and the final empty chunk.
func chunkedExample(sigs [3]string) []byte {
	var b bytes.Buffer
	for i, n := range []int{65536, 1024, 0} {
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n%s\r\n", n, sigs[i], strings.Repeat("a", n))
	}
	return b.Bytes()
}

func TestChunkedExample(t *testing.T) {
	sigs := [3]string{
		"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
		"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
		"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
	}
	newReq := func(body []byte) *http.Request {
		r := httptest.NewRequest("PUT", "http://s3.amazonaws.com/examplebucket/chunkObject.txt", bytes.NewReader(body))
		r.Header.Set("Content-Encoding", "aws-chunked")
		r.Header.Set("X-Amz-Date", "20130524T000000Z")
		r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
		r.Header.Set("X-Amz-Content-Sha256", payloadStreaming)
		r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
		r.Header.Set("Content-Length", "66824")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"+
			"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"+
			"Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
		return r
	}
	body := chunkedExample(sigs)
	if len(body) != 66824 {
		t.Fatalf("example body is %d bytes, want 66824", len(body))
	}
	r := newReq(body)
	if _, err := exampleHandler(exampleTime).authenticate(r); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r.Body)
	if err != nil || string(got) != strings.Repeat("a", 66560) {
		t.Fatalf("decoded %d bytes, %v", len(got), err)
	}
	bad := map[string][]byte{
		"tampered data":   bytes.Replace(bytes.Clone(body), []byte("aaaa"), []byte("aaab"), 1),
		"wrong signature": chunkedExample([3]string{sigs[0], sigs[2], sigs[1]}),
		"truncated":       body[:len(body)-90],
		"missing final":   body[:65536+1024+2*88],
	}
	for name, b := range bad {
		r := newReq(b)
		if _, err := exampleHandler(exampleTime).authenticate(r); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadAll(r.Body); err == nil {
			t.Errorf("%s: read succeeded", name)
		} else if e := toS3(err); e.Status != 400 && e.Status != 403 {
			t.Errorf("%s: %v (status %d)", name, err, e.Status)
		}
	}
}

func TestURIEncode(t *testing.T) {
	for in, want := range map[string]string{
		"/a b/c+d": "/a%20b/c%2Bd", "~._-": "~._-", "é": "%C3%A9", "a/b": "a/b", "$&=": "%24%26%3D",
	} {
		if got := uriEncode(in, true); got != want {
			t.Errorf("uriEncode(%q) = %q, want %q", in, got, want)
		}
	}
	if got := canonicalQuery("b=2&a=1&a=0&c&X-Amz-Signature=x&sp=a%20b+c", "X-Amz-Signature"); got != "a=0&a=1&b=2&c=&sp=a%20b%2Bc" {
		t.Errorf("canonicalQuery = %q", got)
	}
}
