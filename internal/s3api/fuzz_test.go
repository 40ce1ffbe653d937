package s3api

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
)

// s3Only fails unless err is nil or maps to an S3 client error (never an
// internal error).
func s3Only(t *testing.T, err error) {
	t.Helper()
	if err == nil || errors.Is(err, io.EOF) {
		return
	}
	if e := toS3(err); e.Status >= 500 {
		t.Fatalf("internal error: %v", err)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
	f.Add("AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,,=,Signature=")
	f.Fuzz(func(t *testing.T, v string) {
		s, err := parseAuthorization(v)
		s3Only(t, err)
		if err == nil && (len(s.signature) != 64 || s.cred.accessKey == "") {
			t.Fatalf("accepted %q as %+v", v, s)
		}
		// The full path: a request with this header never panics and
		// fails with an S3 error.
		r := httptest.NewRequest("GET", "http://h/b/k", nil)
		r.Header.Set("Authorization", v)
		r.Header.Set("X-Amz-Date", "20130524T000000Z")
		_, err = exampleHandler(exampleTime).authenticate(r)
		if err == nil {
			t.Fatalf("authenticated %q", v)
		}
		s3Only(t, err)
	})
}

func FuzzPresignedQuery(f *testing.F) {
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-1")
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest("GET", "http://examplebucket.s3.amazonaws.com/test.txt", nil)
		r.URL.RawQuery = q
		_, err := exampleHandler(exampleTime).authenticate(r)
		s3Only(t, err)
		_ = canonicalQuery(q, "X-Amz-Signature")
	})
}

func FuzzChunkReader(f *testing.F) {
	f.Add(chunkedExample([3]string{"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
		"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
		"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"})[65000:], false, true)
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"), true, false)
	f.Add([]byte("ffffffffffffffff\r\n"), false, false)
	f.Add([]byte("3;chunk-signature=zz\r\nabc\r\n"), false, true)
	f.Fuzz(func(t *testing.T, body []byte, trailer, signed bool) {
		c := &chunkReader{src: newLineReader(bytes.NewReader(body)), signed: signed, trailer: trailer,
			key: []byte("k"), amzDate: "20130524T000000Z", scope: "20130524/auto/s3/aws4_request", prevSig: strings.Repeat("0", 64), expected: -1}
		n, err := io.Copy(io.Discard, io.LimitReader(c, 1<<20))
		s3Only(t, err)
		if n > int64(len(body)) {
			t.Fatalf("decoded %d bytes from %d", n, len(body))
		}
		if err == nil && signed {
			t.Fatalf("forged chunk signatures accepted: %q", body)
		}
	})
}

func FuzzXMLBodies(f *testing.F) {
	f.Add(`<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>`)
	f.Add(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`)
	f.Add(`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`)
	f.Add(`<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule></LifecycleConfiguration>`)
	f.Add(`<!DOCTYPE x [<!ENTITY a "aaaa">]><Delete>&a;</Delete>`)
	f.Fuzz(func(t *testing.T, doc string) {
		var d deleteRequest
		s3Only(t, readXML(strings.NewReader(doc), &d))
		var c completeMultipartRequest
		s3Only(t, readXML(strings.NewReader(doc), &c))
		var cors CORSConfiguration
		if err := readXML(strings.NewReader(doc), &cors); err == nil {
			s3Only(t, cors.Validate())
			if cors.Validate() == nil {
				// A valid configuration survives storing and matching.
				out, err := xml.Marshal(cors)
				if err != nil {
					t.Fatal(err)
				}
				var back CORSConfiguration
				if err := xml.Unmarshal(out, &back); err != nil || back.Validate() != nil {
					t.Fatalf("stored CORS configuration does not reload: %v", err)
				}
				back.match("https://x", "GET", []string{"a"})
			}
		}
		var lc LifecycleConfiguration
		if err := readXML(strings.NewReader(doc), &lc); err == nil {
			s3Only(t, lc.Validate())
			for i := range lc.Rules {
				lc.Rules[i].prefix()
				lc.Rules[i].expirationDate()
			}
		}
	})
}

func FuzzRangeAndConditionals(f *testing.F) {
	f.Add("bytes=0-9", `"abc", W/"def"`, "Fri, 24 May 2013 00:00:00 GMT", int64(100))
	f.Add("bytes=-5", "*", "garbage", int64(3))
	f.Add("bytes=9223372036854775806-", "", "", int64(0))
	f.Fuzz(func(t *testing.T, rng, etags, date string, size int64) {
		if size < 0 {
			size = -size
		}
		if rg, err := r2.ParseRangeHeader(rng); err == nil {
			off, n, err := rg.Resolve(size)
			s3Only(t, err)
			if err == nil && (off < 0 || n < 0 || off+n > size) {
				t.Fatalf("range %q on %d bytes resolved to %d+%d", rng, size, off, n)
			}
		} else {
			s3Only(t, err)
		}
		h := http.Header{}
		h.Set("If-Match", etags)
		h.Set("If-None-Match", etags)
		h.Set("If-Modified-Since", date)
		h.Set("X-Amz-Copy-Source-If-Unmodified-Since", date)
		o := &r2.Object{ETag: "abc", Uploaded: time.Unix(1369353600, 0)}
		r2.ConditionalFromHeader(h).Check(o)
		copyConditional(h).Check(o)
		if _, _, err := copySource(etags); err != nil {
			s3Only(t, err)
		}
		if _, err := parseBodyChecks(http.Header{"Content-Md5": {etags}, "X-Amz-Checksum-Crc32": {date}, "X-Amz-Trailer": {rng}}); err != nil {
			s3Only(t, err)
		}
		_, _ = url.PathUnescape(rng)
	})
}
