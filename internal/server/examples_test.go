package server

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// examplesDir is the repository's examples/ directory.
func examplesDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var npmMu sync.Mutex

// npmInstall installs an example's npm packages (as pinned by its
// package-lock.json) when node_modules is missing.
func npmInstall(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		return
	}
	npmMu.Lock()
	defer npmMu.Unlock()
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
		return
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}

// startExample serves examples/name on a free port.
func startExample(t *testing.T, name string, vars map[string]string) *Dev {
	t.Helper()
	dir := filepath.Join(examplesDir(t), name)
	npmInstall(t, dir)
	var mu sync.Mutex
	var console strings.Builder
	d, err := StartDev(DevOptions{
		Path:      dir,
		IP:        "127.0.0.1",
		Port:      -1,
		Vars:      vars,
		Isolates:  2,
		PersistTo: t.TempDir(),
		Console: func(level, msg string) {
			mu.Lock()
			console.WriteString(level + ": " + msg + "\n")
			mu.Unlock()
		},
	})
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d.Shutdown(ctx)
		if t.Failed() {
			mu.Lock()
			t.Logf("console of %s:\n%s", name, console.String())
			mu.Unlock()
		}
	})
	return d
}

type response struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url string, body string, header map[string]string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("not JSON: %q: %v", s, err)
	}
	return m
}

func TestExampleHello(t *testing.T) {
	d := startExample(t, "hello", nil)
	r := do(t, "GET", d.URL()+"/api/hello", "", nil)
	m := decodeJSON(t, r.body)
	if r.status != 200 || m["message"] != "Hello from the edge!" || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %v %v", r.status, m, r.header)
	}
	if ts, ok := m["timestamp"].(float64); !ok || ts < float64(time.Now().Add(-time.Minute).UnixMilli()) {
		t.Fatalf("bad timestamp %v", m["timestamp"])
	}
	if m["location"] != "Local" {
		t.Fatalf("location = %v, want request.cf.city", m["location"])
	}
	r = do(t, "GET", d.URL()+"/elsewhere", "", nil)
	if r.status != 404 || r.body != "Not Found" {
		t.Fatalf("got %d %q", r.status, r.body)
	}
}

func TestExampleHelloJS(t *testing.T) {
	d := startExample(t, "hello-js", nil)
	r := do(t, "GET", d.URL()+"/api/hello", "", nil)
	m := decodeJSON(t, r.body)
	if r.status != 200 || m["latency"] != "< 50ms worldwide" || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("got %d %v %v", r.status, m, r.header)
	}
}

func TestExampleHonoAPI(t *testing.T) {
	d := startExample(t, "hono-api", nil)
	applyMigrations(t, d, "DB")
	cases := []struct {
		method, path, body string
		status             int
		check              func(t *testing.T, r response)
	}{
		{"GET", "/", "", 200, func(t *testing.T, r response) {
			if r.body != "Hello Hono!" {
				t.Errorf("body %q", r.body)
			}
		}},
		{"GET", "/api/hello/world", "", 200, func(t *testing.T, r response) {
			if m := decodeJSON(t, r.body); m["message"] != "Hello, world!" {
				t.Errorf("body %v", m)
			}
			if r.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("no CORS header: %v", r.header)
			}
		}},
		{"GET", "/api/users/1", "", 404, func(t *testing.T, r response) {
			if m := decodeJSON(t, r.body); m["error"] != "User not found" {
				t.Errorf("body %v", m)
			}
		}},
		{"GET", "/api/boom", "", 500, func(t *testing.T, r response) {
			if m := decodeJSON(t, r.body); m["message"] != "Something broke" {
				t.Errorf("body %v", m)
			}
		}},
		{"GET", "/api/admin", "", 403, func(t *testing.T, r response) {
			if r.body != "Forbidden" {
				t.Errorf("body %q", r.body)
			}
		}},
		{"POST", "/api/validate", `{"email":"nope"}`, 400, func(t *testing.T, r response) {
			if m := decodeJSON(t, r.body); m["error"] != "Validation failed" {
				t.Errorf("body %v", m)
			}
		}},
		{"POST", "/api/validate", `{"email":"a@b.c"}`, 200, func(t *testing.T, r response) {
			if m := decodeJSON(t, r.body); m["email"] != "a@b.c" {
				t.Errorf("body %v", m)
			}
		}},
		{"GET", "/missing/page", "", 404, func(t *testing.T, r response) {
			if m := decodeJSON(t, r.body); m["error"] != "Not Found" || m["path"] != "/missing/page" {
				t.Errorf("body %v", m)
			}
		}},
		{"OPTIONS", "/api/hello/x", "", 204, func(t *testing.T, r response) {
			if !strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "GET") {
				t.Errorf("preflight headers %v", r.header)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.method+c.path, func(t *testing.T) {
			h := map[string]string{"Content-Type": "application/json"}
			if c.method == "OPTIONS" {
				h = map[string]string{"Origin": "http://example.com", "Access-Control-Request-Method": "GET"}
			}
			r := do(t, c.method, d.URL()+c.path, c.body, h)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %q", r.status, c.status, r.body)
			}
			c.check(t, r)
		})
	}
	t.Run("GET/api/users/1 after insert", func(t *testing.T) {
		d1Exec(t, d, "DB", "INSERT INTO users (email, name) VALUES ('ann@example.com', 'Ann')")
		r := do(t, "GET", d.URL()+"/api/users/1", "", nil)
		if m := decodeJSON(t, r.body); r.status != 200 || m["name"] != "Ann" || m["id"] != 1.0 {
			t.Fatalf("got %d %v", r.status, m)
		}
	})
}

func TestExampleStreaming(t *testing.T) {
	d := startExample(t, "streaming", nil)
	for _, path := range []string{"/?n=5&ms=20", "/stream?n=5&ms=20"} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(d.URL() + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Fatalf("content-type %q", ct)
			}
			if resp.ContentLength != -1 {
				t.Fatalf("response is not streamed: content-length %d", resp.ContentLength)
			}
			sc := bufio.NewScanner(resp.Body)
			var events []string
			for sc.Scan() {
				if line := sc.Text(); line != "" {
					events = append(events, line)
				}
			}
			if len(events) != 5 || events[0] != "data: Event 0" || events[4] != "data: Event 4" {
				t.Fatalf("events %q", events)
			}
		})
	}
}

func TestExampleCoalescing(t *testing.T) {
	d := startExample(t, "coalescing", nil)
	// One isolate would be simplest, but the pool has two: requests that
	// land on the same isolate share the in-flight promise. Send enough
	// concurrent requests that each isolate sees several.
	var wg sync.WaitGroup
	calls := make([]float64, 8)
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := do(t, "GET", d.URL()+"/", "", nil)
			m := decodeJSON(t, r.body)
			calls[i] = m["upstreamCalls"].(float64)
		}()
	}
	wg.Wait()
	for _, c := range calls {
		if c < 1 || c > 2 {
			t.Fatalf("upstream calls per response %v: want each isolate to fetch once", calls)
		}
	}
	// Within the 5 s window, later requests are served from the cache.
	r := do(t, "GET", d.URL()+"/", "", nil)
	if m := decodeJSON(t, r.body); m["upstreamCalls"].(float64) > 2 {
		t.Fatalf("cache not used: %v", m)
	}
}

// jwksServer serves an RSA and an EC key as a JWKS and signs tokens with
// them.
type jwksServer struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
	srv *httptest.Server
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func newJWKSServer(t *testing.T) *jwksServer {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	j := &jwksServer{rsa: rk, ec: ek}
	ecPub, err := ek.PublicKey.Bytes() // uncompressed point 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]any{"keys": []map[string]string{
		{"kty": "RSA", "kid": "rsa1", "alg": "RS256", "use": "sig", "n": b64(rk.N.Bytes()), "e": b64(big.NewInt(int64(rk.E)).Bytes())},
		{"kty": "EC", "kid": "ec1", "alg": "ES256", "use": "sig", "crv": "P-256", "x": b64(ecPub[1:33]), "y": b64(ecPub[33:])},
	}}
	j.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(keys)
	}))
	t.Cleanup(j.srv.Close)
	return j
}

func (j *jwksServer) token(t *testing.T, alg, iss string) string {
	kid := map[string]string{"RS256": "rsa1", "ES256": "ec1"}[alg]
	h, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT", "kid": kid})
	p, _ := json.Marshal(map[string]any{"sub": "user_42", "iss": iss, "exp": time.Now().Add(time.Hour).Unix()})
	input := b64(h) + "." + b64(p)
	sum := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch alg {
	case "RS256":
		sig, err = rsa.SignPKCS1v15(rand.Reader, j.rsa, crypto.SHA256, sum[:])
	case "ES256":
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, j.ec, sum[:])
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func TestExampleJWT(t *testing.T) {
	j := newJWKSServer(t)
	const iss = "https://your-app.clerk.accounts.dev"
	d := startExample(t, "jwt", map[string]string{"JWKS_URL": j.srv.URL + "/.well-known/jwks.json"})

	t.Run("hono/jwt", func(t *testing.T) {
		r := do(t, "POST", d.URL()+"/login", `{"user":"ada"}`, map[string]string{"Content-Type": "application/json"})
		if r.status != 200 {
			t.Fatalf("login: %d %q", r.status, r.body)
		}
		tok := decodeJSON(t, r.body)["token"].(string)
		r = do(t, "GET", d.URL()+"/api/me", "", map[string]string{"Authorization": "Bearer " + tok})
		if m := decodeJSON(t, r.body); r.status != 200 || m["sub"] != "ada" || m["role"] != "member" {
			t.Fatalf("me: %d %q", r.status, r.body)
		}
		r = do(t, "GET", d.URL()+"/api/me", "", map[string]string{"Authorization": "Bearer " + tok[:len(tok)-3] + "abc"})
		if r.status != 401 {
			t.Fatalf("tampered token: %d %q", r.status, r.body)
		}
		r = do(t, "GET", d.URL()+"/api/me", "", nil)
		if r.status != 401 {
			t.Fatalf("no token: %d %q", r.status, r.body)
		}
	})
	for _, path := range []string{"/clerk/me", "/subtle/me"} {
		for _, alg := range []string{"RS256", "ES256"} {
			t.Run(path+"/"+alg, func(t *testing.T) {
				tok := j.token(t, alg, iss)
				r := do(t, "GET", d.URL()+path, "", map[string]string{"Authorization": "Bearer " + tok})
				if m := decodeJSON(t, r.body); r.status != 200 || m["sub"] != "user_42" || m["alg"] != alg {
					t.Fatalf("valid token: %d %q", r.status, r.body)
				}
				bad := j.token(t, alg, "https://evil.example")
				if r := do(t, "GET", d.URL()+path, "", map[string]string{"Authorization": "Bearer " + bad}); r.status != 401 {
					t.Fatalf("wrong issuer: %d %q", r.status, r.body)
				}
				parts := strings.Split(tok, ".")
				forged := parts[0] + "." + b64([]byte(`{"sub":"admin","iss":"`+iss+`"}`)) + "." + parts[2]
				if r := do(t, "GET", d.URL()+path, "", map[string]string{"Authorization": "Bearer " + forged}); r.status != 401 {
					t.Fatalf("forged payload: %d %q", r.status, r.body)
				}
			})
		}
	}
}
