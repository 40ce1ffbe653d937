package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
)

// signedClient signs requests with SigV4 in headers, as SDKs do.
type signedClient struct {
	t    *testing.T
	base string
	key  AccessKey
	now  time.Time
	host string // Host header override
}

func (e *testEnv) client(t *testing.T, k AccessKey) *signedClient {
	return &signedClient{t: t, base: e.URL, key: k}
}

// build returns a signed request. hdr may set x-amz-content-sha256
// (default UNSIGNED-PAYLOAD); all x-amz-* headers are signed.
func (c *signedClient) build(method, path string, body io.Reader, hdr map[string]string) (*http.Request, []byte) {
	r, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.host != "" {
		r.Host = c.host
	}
	now := c.now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	amzDate := now.Format(amzDateFormat)
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Set("X-Amz-Content-Sha256", payloadUnsigned)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	signed := []string{"host"}
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") || lk == "content-md5" || lk == "content-type" {
			signed = append(signed, lk)
		}
	}
	slices.Sort(signed)
	cred := credential{c.key.ID, amzDate[:8], "auto", "s3"}
	key := signingKey(c.key.Secret, cred.date, cred.region, cred.service)
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
	cr := canonicalRequest(method, uriEncode(r.URL.Path, true), canonicalQuery(r.URL.RawQuery, ""), signed, value, r.Header.Get("X-Amz-Content-Sha256"))
	sig := hex.EncodeToString(hmacSHA256(key, stringToSign(amzDate, cred.scope(), cr)))
	r.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s,SignedHeaders=%s,Signature=%s", sigAlgorithm, c.key.ID, cred.scope(), strings.Join(signed, ";"), sig))
	return r, key
}

func (c *signedClient) do(method, path string, body []byte, hdr map[string]string) (*http.Response, string) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, _ := c.build(method, path, rd, hdr)
	return send(c.t, r)
}

func send(t *testing.T, r *http.Request) (*http.Response, string) {
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func wantStatus(t *testing.T, resp *http.Response, body string, status int, code string) {
	t.Helper()
	if resp.StatusCode != status || (code != "" && !strings.Contains(body, "<Code>"+code+"</Code>")) {
		t.Fatalf("%s %s: got %d %s, want %d %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, body, status, code)
	}
}

func TestAuthErrors(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.Store.CreateBucket(ctx, "alpha")
	e.Store.CreateBucket(ctx, "beta")
	c := e.client(t, e.Key)
	resp, body := c.do("PUT", "/alpha/k", []byte("v"), nil)
	wantStatus(t, resp, body, 200, "")

	resp, body = send(t, must(http.NewRequest("GET", e.URL+"/alpha/k", nil)))
	wantStatus(t, resp, body, 403, "AccessDenied") // unsigned reads see only public buckets
	resp, body = send(t, must(http.NewRequest("PUT", e.URL+"/alpha/k", strings.NewReader("x"))))
	wantStatus(t, resp, body, 403, "AccessDenied")
	e.Settings.SetPublic(ctx, "alpha", true)
	resp, body = send(t, must(http.NewRequest("GET", e.URL+"/alpha/k", nil)))
	wantStatus(t, resp, body, 200, "")
	e.Settings.SetPublic(ctx, "alpha", false)

	skewed := e.client(t, e.Key)
	skewed.now = time.Now().Add(-20 * time.Minute)
	resp, body = skewed.do("GET", "/alpha/k", nil, nil)
	wantStatus(t, resp, body, 403, "RequestTimeTooSkewed")

	wrong := e.client(t, AccessKey{ID: e.Key.ID, Secret: "not-the-secret"})
	resp, body = wrong.do("GET", "/alpha/k", nil, nil)
	wantStatus(t, resp, body, 403, "SignatureDoesNotMatch")

	ro, _ := e.Settings.CreateKey(ctx, "ro", nil, true)
	resp, body = e.client(t, ro).do("GET", "/alpha/k", nil, nil)
	wantStatus(t, resp, body, 200, "")
	resp, body = e.client(t, ro).do("PUT", "/alpha/k", []byte("x"), nil)
	wantStatus(t, resp, body, 403, "AccessDenied")
	resp, body = e.client(t, ro).do("DELETE", "/alpha/k", nil, nil)
	wantStatus(t, resp, body, 403, "AccessDenied")

	scoped, _ := e.Settings.CreateKey(ctx, "beta only", []string{"beta"}, false)
	sc := e.client(t, scoped)
	resp, body = sc.do("GET", "/alpha/k", nil, nil)
	wantStatus(t, resp, body, 403, "AccessDenied")
	resp, body = sc.do("PUT", "/beta/k", []byte("b"), nil)
	wantStatus(t, resp, body, 200, "")
	resp, body = sc.do("GET", "/", nil, nil)
	wantStatus(t, resp, body, 200, "")
	if !strings.Contains(body, "<Name>beta</Name>") || strings.Contains(body, "<Name>alpha</Name>") {
		t.Errorf("scoped ListBuckets: %s", body)
	}
	resp, body = sc.do("PUT", "/beta/copy", nil, map[string]string{"X-Amz-Copy-Source": "/alpha/k"})
	wantStatus(t, resp, body, 403, "AccessDenied")

	if err := e.Settings.RevokeKey(ctx, scoped.ID); err != nil {
		t.Fatal(err)
	}
	resp, body = sc.do("GET", "/beta/k", nil, nil)
	wantStatus(t, resp, body, 403, "InvalidAccessKeyId")

	resp, body = c.do("GET", "/alpha?acl", nil, nil)
	wantStatus(t, resp, body, 501, "NotImplemented")
	resp, body = c.do("GET", "/nosuchbucket/k", nil, nil)
	wantStatus(t, resp, body, 404, "NoSuchBucket")
	resp, body = c.do("GET", "/alpha/missing", nil, nil)
	wantStatus(t, resp, body, 404, "NoSuchKey")
	resp, body = c.do("DELETE", "/alpha", nil, nil)
	wantStatus(t, resp, body, 409, "BucketNotEmpty")
	resp, body = c.do("POST", "/alpha?delete", []byte("<Delete><Object><Key>"), nil)
	wantStatus(t, resp, body, 400, "MalformedXML")
	resp, body = c.do("GET", "/alpha/k", nil, map[string]string{"Range": "bytes=5-"})
	wantStatus(t, resp, body, 416, "InvalidRange")
	resp, body = c.do("PUT", "/alpha/k", []byte("new"), map[string]string{"If-Match": `"0123"`})
	wantStatus(t, resp, body, 412, "PreconditionFailed")
	resp, body = c.do("PUT", "/alpha/k2", []byte("body"), map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(md5.New().Sum(nil))})
	wantStatus(t, resp, body, 400, "BadDigest")
	if _, err := e.Store.Head(ctx, "alpha", "k2"); err == nil {
		t.Error("a put with a bad Content-MD5 stored the object")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestPresignLimits(t *testing.T) {
	e := newTestEnv(t)
	e.Store.CreateBucket(context.Background(), "pres")
	e.Store.Put(context.Background(), "pres", "k", strings.NewReader("v"), r2.PutOptions{})
	presign := func(expires time.Duration, at time.Time) string {
		amzDate := at.UTC().Format(amzDateFormat)
		cred := credential{e.Key.ID, amzDate[:8], "auto", "s3"}
		q := url.Values{}
		q.Set("X-Amz-Algorithm", sigAlgorithm)
		q.Set("X-Amz-Credential", e.Key.ID+"/"+cred.scope())
		q.Set("X-Amz-Date", amzDate)
		q.Set("X-Amz-Expires", strconv.Itoa(int(expires.Seconds())))
		q.Set("X-Amz-SignedHeaders", "host")
		raw := q.Encode()
		host := strings.TrimPrefix(e.URL, "http://")
		cr := canonicalRequest("GET", "/pres/k", canonicalQuery(raw, ""), []string{"host"}, func(string) string { return host }, payloadUnsigned)
		sig := hex.EncodeToString(hmacSHA256(signingKey(e.Key.Secret, cred.date, "auto", "s3"), stringToSign(amzDate, cred.scope(), cr)))
		return e.URL + "/pres/k?" + raw + "&X-Amz-Signature=" + sig
	}
	now := time.Now()
	resp, body := send(t, must(http.NewRequest("GET", presign(7*24*time.Hour, now), nil)))
	wantStatus(t, resp, body, 200, "")
	resp, body = send(t, must(http.NewRequest("GET", presign(7*24*time.Hour+time.Second, now), nil)))
	wantStatus(t, resp, body, 400, "AuthorizationQueryParametersError")
	resp, body = send(t, must(http.NewRequest("GET", presign(time.Hour, now.Add(-2*time.Hour)), nil)))
	wantStatus(t, resp, body, 403, "AccessDenied")
}

// encodeChunked encodes data as aws-chunked with chunk signatures (when
// key is set) and a crc32 trailer (when trailer is set).
func encodeChunked(data []byte, size int, key []byte, seed, amzDate, scope string, trailer string) []byte {
	var b bytes.Buffer
	prev := seed
	c := &chunkReader{key: key, amzDate: amzDate, scope: scope}
	for {
		n := min(size, len(data))
		chunk := data[:n]
		data = data[n:]
		if key != nil {
			c.prevSig = prev
			prev = c.chunkSignature(sha256Hex(string(chunk)))
			fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", n, prev)
		} else {
			fmt.Fprintf(&b, "%x\r\n", n)
		}
		if n == 0 {
			break
		}
		b.Write(chunk)
		b.WriteString("\r\n")
	}
	if trailer != "" {
		line := "x-amz-checksum-crc32:" + trailer
		b.WriteString(line + "\r\n")
		if key != nil {
			sts := "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + sha256Hex(line+"\n")
			b.WriteString("x-amz-trailer-signature:" + hex.EncodeToString(hmacSHA256(key, sts)) + "\r\n")
		}
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func TestChunkedUploads(t *testing.T) {
	e := newTestEnv(t)
	e.Store.CreateBucket(context.Background(), "chunks")
	data := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320,000 bytes
	crc := make([]byte, 4)
	sum := crc32.ChecksumIEEE(data)
	crc[0], crc[1], crc[2], crc[3] = byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum)
	goodCRC := base64.StdEncoding.EncodeToString(crc)
	badCRC := base64.StdEncoding.EncodeToString([]byte{1, 2, 3, 4})
	for _, tc := range []struct {
		mode, trailer string
		status        int
		code          string
	}{
		{payloadStreaming, "", 200, ""},
		{payloadStreamingTrailer, goodCRC, 200, ""},
		{payloadStreamingTrailer, badCRC, 400, "BadDigest"},
		{payloadStreamingUnsigned, goodCRC, 200, ""},
		{payloadStreamingUnsigned, badCRC, 400, "BadDigest"},
	} {
		t.Run(tc.mode+"/"+tc.trailer, func(t *testing.T) {
			key := "obj-" + tc.mode + tc.trailer
			hdr := map[string]string{"X-Amz-Content-Sha256": tc.mode, "X-Amz-Decoded-Content-Length": strconv.Itoa(len(data)), "Content-Encoding": "aws-chunked"}
			if tc.trailer != "" {
				hdr["X-Amz-Trailer"] = "x-amz-checksum-crc32"
			}
			c := e.client(t, e.Key)
			pr, pw := io.Pipe()
			r, skey := c.build("PUT", "/chunks/"+url.PathEscape(key), pr, hdr)
			var sig string
			if tc.mode != payloadStreamingUnsigned {
				sig = r.Header.Get("Authorization")[len(r.Header.Get("Authorization"))-64:]
			} else {
				skey = nil
			}
			amzDate := r.Header.Get("X-Amz-Date")
			body := encodeChunked(data, 65536, skey, sig, amzDate, amzDate[:8]+"/auto/s3/aws4_request", tc.trailer)
			r.ContentLength = int64(len(body))
			go func() { pw.Write(body); pw.Close() }()
			resp, rb := send(t, r)
			wantStatus(t, resp, rb, tc.status, tc.code)
			o, err := e.Store.Head(context.Background(), "chunks", key)
			if tc.status == 200 {
				if err != nil || o.Size != int64(len(data)) || o.HTTPMetadata.ContentEncoding != "" {
					t.Fatalf("stored %+v, %v", o, err)
				}
			} else if err == nil {
				t.Fatal("a failed upload stored the object")
			}
		})
	}
}

func TestVirtualHostAndCORS(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.Store.CreateBucket(ctx, "web")
	c := e.client(t, e.Key)
	c.host = "web.localhost:" + e.URL[strings.LastIndex(e.URL, ":")+1:]
	resp, body := c.do("PUT", "/index.html", []byte("<h1>hi</h1>"), map[string]string{"Content-Type": "text/html"})
	wantStatus(t, resp, body, 200, "")
	if _, err := e.Store.Head(ctx, "web", "index.html"); err != nil {
		t.Fatalf("virtual-host put: %v", err)
	}
	cors := `<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>` +
		`<AllowedHeader>x-custom</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule></CORSConfiguration>`
	resp, body = c.do("PUT", "/?cors", []byte(cors), nil)
	wantStatus(t, resp, body, 200, "")

	preflight := func(origin, method, headers string) *http.Response {
		r := must(http.NewRequest("OPTIONS", e.URL+"/web/index.html", nil))
		r.Header.Set("Origin", origin)
		r.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			r.Header.Set("Access-Control-Request-Headers", headers)
		}
		resp, _ := send(t, r)
		return resp
	}
	if resp := preflight("https://app.example.com", "GET", "X-Custom"); resp.StatusCode != 200 ||
		resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || resp.Header.Get("Access-Control-Max-Age") != "60" {
		t.Errorf("allowed preflight: %d %v", resp.StatusCode, resp.Header)
	}
	for _, bad := range [][3]string{{"https://evil.test", "GET", ""}, {"https://app.example.com", "PUT", ""}, {"https://app.example.com", "GET", "x-other"}} {
		if resp := preflight(bad[0], bad[1], bad[2]); resp.StatusCode != 403 {
			t.Errorf("preflight %v: %d, want 403", bad, resp.StatusCode)
		}
	}
	resp, _ = c.do("GET", "/index.html", nil, map[string]string{"Origin": "https://app.example.com"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || resp.Header.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Errorf("CORS headers on GET: %v", resp.Header)
	}
	resp, _ = c.do("GET", "/index.html", nil, map[string]string{"Origin": "https://evil.test"})
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS headers for a refused origin: %v", resp.Header)
	}
}

func TestPublicBucket(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.Store.CreateBucket(ctx, "pub")
	e.Store.Put(ctx, "pub", "a/b.txt", strings.NewReader("public bytes"), r2.PutOptions{HTTPMetadata: r2.HTTPMetadata{ContentType: "text/plain"}})
	srv := httpServer(t, &PublicHandler{Store: e.Store, Settings: e.Settings})
	get := func(method, path string, hdr map[string]string) (*http.Response, string) {
		r := must(http.NewRequest(method, srv+path, nil))
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		return send(t, r)
	}
	resp, _ := get("GET", "/pub/a/b.txt", nil)
	if resp.StatusCode != 404 {
		t.Fatalf("private bucket served: %d", resp.StatusCode)
	}
	if err := e.Settings.SetPublic(ctx, "pub", true); err != nil {
		t.Fatal(err)
	}
	resp, body := get("GET", "/pub/a/b.txt", nil)
	if resp.StatusCode != 200 || body != "public bytes" || resp.Header.Get("Content-Type") != "text/plain" {
		t.Fatalf("public get: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, body = get("GET", "/pub/a/b.txt", map[string]string{"Range": "bytes=7-"})
	if resp.StatusCode != 206 || body != "bytes" {
		t.Errorf("public range: %d %q", resp.StatusCode, body)
	}
	resp, _ = get("GET", "/pub/a/b.txt", map[string]string{"If-None-Match": resp.Header.Get("ETag")})
	if resp.StatusCode != 304 {
		t.Errorf("public conditional: %d", resp.StatusCode)
	}
	for _, m := range []string{"PUT", "DELETE"} {
		if resp, _ := get(m, "/pub/a/b.txt", nil); resp.StatusCode != 405 {
			t.Errorf("public %s: %d, want 405", m, resp.StatusCode)
		}
	}
	if resp, _ := get("GET", "/pub/", nil); resp.StatusCode != 404 {
		t.Errorf("public listing: %d, want 404", resp.StatusCode)
	}
	e.Settings.SetPublic(ctx, "pub", false)
	if resp, _ := get("GET", "/pub/a/b.txt", nil); resp.StatusCode != 404 {
		t.Errorf("disabled public bucket served: %d", resp.StatusCode)
	}
}

func TestLifecycleSweeper(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.Store.CreateBucket(ctx, "life")
	c := e.client(t, e.Key)
	lc := `<LifecycleConfiguration><Rule><ID>tmp</ID><Status>Enabled</Status><Filter><Prefix>tmp/</Prefix></Filter><Expiration><Days>1</Days></Expiration></Rule>` +
		`<Rule><ID>mpu</ID><Status>Enabled</Status><Filter><Prefix></Prefix></Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>` +
		`<Rule><ID>off</ID><Status>Disabled</Status><Filter><Prefix>keep/</Prefix></Filter><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`
	resp, body := c.do("PUT", "/life?lifecycle", []byte(lc), nil)
	wantStatus(t, resp, body, 200, "")
	resp, body = c.do("PUT", "/life?lifecycle", []byte(`<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule></LifecycleConfiguration>`), nil)
	wantStatus(t, resp, body, 400, "InvalidArgument")
	for _, k := range []string{"tmp/a", "tmp/b", "keep/a", "other"} {
		e.Store.Put(ctx, "life", k, strings.NewReader(k), r2.PutOptions{})
	}
	id, _ := e.Store.CreateMultipartUpload(ctx, "life", "big", r2.MultipartOptions{})
	now := time.Now()
	sw := &Sweeper{Store: e.Store, Multipart: e.Store, Settings: e.Settings, Now: func() time.Time { return now }}
	if d, a, err := sw.Sweep(ctx); err != nil || d != 0 || a != 0 {
		t.Fatalf("first sweep: %d deleted, %d aborted, %v", d, a, err)
	}
	now = now.Add(73 * time.Hour) // rules are due at the midnight after the days run out
	d, a, err := sw.Sweep(ctx)
	if err != nil || d != 2 || a != 1 {
		t.Fatalf("sweep after 73h: %d deleted, %d aborted, %v", d, a, err)
	}
	res, _ := e.Store.List(ctx, "life", r2.ListOptions{})
	var keys []string
	for _, o := range res.Objects {
		keys = append(keys, o.Key)
	}
	if !slices.Equal(keys, []string{"keep/a", "other"}) {
		t.Errorf("left %v", keys)
	}
	if _, err := e.Store.ListParts(ctx, "life", "big", id); err == nil {
		t.Error("upload not aborted")
	}
}

func TestListV1MarkerSkipsPrefix(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.Store.CreateBucket(ctx, "lst")
	for _, k := range []string{"a", "b/1", "b/2", "c"} {
		e.Store.Put(ctx, "lst", k, strings.NewReader(k), r2.PutOptions{})
	}
	c := e.client(t, e.Key)
	resp, body := c.do("GET", "/lst?delimiter=/&marker=b/", nil, nil)
	wantStatus(t, resp, body, 200, "")
	if strings.Contains(body, "<Prefix>b/</Prefix>") || !strings.Contains(body, "<Key>c</Key>") {
		t.Errorf("marker at a common prefix: %s", body)
	}
	// v2 pages of one entry each walk past a common prefix exactly once.
	var seen []string
	token := ""
	for range 10 {
		path := "/lst?list-type=2&delimiter=/&max-keys=1"
		if token != "" {
			path += "&continuation-token=" + url.QueryEscape(token)
		}
		resp, body := c.do("GET", path, nil, nil)
		wantStatus(t, resp, body, 200, "")
		var page listBucketResult
		if err := xml.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			seen = append(seen, o.Key)
		}
		for _, p := range page.CommonPrefixes {
			seen = append(seen, p.Prefix)
		}
		if !page.IsTruncated {
			break
		}
		token = page.NextToken
	}
	if !slices.Equal(seen, []string{"a", "b/", "c"}) {
		t.Errorf("v2 pages with a delimiter: %v", seen)
	}
	resp, body = c.do("GET", "/lst?list-type=2&max-keys=0", nil, nil)
	wantStatus(t, resp, body, 200, "")
	resp, body = c.do("GET", "/lst?list-type=2&continuation-token=bad!", nil, nil)
	wantStatus(t, resp, body, 400, "InvalidArgument")
}

func TestMetadataRoundTrip(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.Store.CreateBucket(ctx, "meta")
	c := e.client(t, e.Key)
	hdr := map[string]string{
		"Content-Type": "text/csv", "Cache-Control": "public, max-age=600", "Content-Disposition": `attachment; filename="a.csv"`,
		"Content-Encoding": "gzip", "Content-Language": "fr-CA", "Expires": "Wed, 01 Jan 2031 00:00:00 GMT",
		"X-Amz-Meta-Owner": "ana", "X-Amz-Meta-Empty": "", "X-Amz-Storage-Class": "STANDARD_IA",
	}
	resp, body := c.do("PUT", "/meta/a.csv", []byte("a,b\n"), hdr)
	wantStatus(t, resp, body, 200, "")
	o, err := e.Store.Head(ctx, "meta", "a.csv")
	if err != nil || o.HTTPMetadata.ContentEncoding != "gzip" || o.HTTPMetadata.CacheExpiry == nil || o.CustomMetadata["owner"] != "ana" || o.StorageClass != "InfrequentAccess" {
		t.Fatalf("stored %+v, %v", o, err)
	}
	for _, m := range []string{"GET", "HEAD"} {
		// (Accept-Encoding keeps Go's transport from gunzipping the body.)
		resp, _ := c.do(m, "/meta/a.csv", nil, map[string]string{"Accept-Encoding": "identity"})
		for k, v := range hdr {
			if k == "X-Amz-Meta-Empty" {
				continue
			}
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s %s = %q, want %q", m, k, got, v)
			}
		}
		if resp.Header.Get("Content-Length") != "4" || resp.Header.Get("ETag") != `"`+o.ETag+`"` {
			t.Errorf("%s: %v", m, resp.Header)
		}
	}
	// A worker's object (written through the binding) reads the same way.
	e.Store.Put(ctx, "meta", "from-binding", strings.NewReader("x"), r2.PutOptions{
		HTTPMetadata: r2.HTTPMetadata{ContentType: "image/png", ContentLanguage: "en"}, CustomMetadata: map[string]string{"Camel": "Case"}})
	resp, _ = c.do("GET", "/meta/from-binding", nil, nil)
	if resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("Content-Language") != "en" || resp.Header.Get("X-Amz-Meta-Camel") != "Case" {
		t.Errorf("binding object: %v", resp.Header)
	}
	// CopyObject with REPLACE takes the new headers; COPY keeps the old.
	resp, body = c.do("PUT", "/meta/b.csv", nil, map[string]string{"X-Amz-Copy-Source": "/meta/a.csv", "X-Amz-Copy-Source-If-Match": `"` + o.ETag + `"`})
	wantStatus(t, resp, body, 200, "")
	if b, _ := e.Store.Head(ctx, "meta", "b.csv"); b.HTTPMetadata.ContentLanguage != "fr-CA" || b.CustomMetadata["owner"] != "ana" {
		t.Errorf("COPY: %+v", b)
	}
	resp, body = c.do("PUT", "/meta/b.csv", nil, map[string]string{"X-Amz-Copy-Source": "meta/a.csv", "X-Amz-Metadata-Directive": "REPLACE", "Content-Type": "text/plain"})
	wantStatus(t, resp, body, 200, "")
	if b, _ := e.Store.Head(ctx, "meta", "b.csv"); b.HTTPMetadata.ContentType != "text/plain" || b.HTTPMetadata.ContentLanguage != "" || len(b.CustomMetadata) != 0 {
		t.Errorf("REPLACE: %+v", b)
	}
	resp, body = c.do("PUT", "/meta/c.csv", nil, map[string]string{"X-Amz-Copy-Source": "/meta/a.csv", "X-Amz-Copy-Source-If-None-Match": `"` + o.ETag + `"`})
	wantStatus(t, resp, body, 412, "PreconditionFailed")
}
