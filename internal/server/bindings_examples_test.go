package server

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/kv"
	"github.com/zerostack/zerostack/internal/r2"
)

// d1Binding returns the configuration of the D1 binding name.
func d1Binding(t *testing.T, d *Dev, name string) config.D1Database {
	t.Helper()
	for _, b := range d.Config().D1Databases {
		if b.Binding == name {
			return b
		}
	}
	t.Fatalf("no D1 binding %s", name)
	return config.D1Database{}
}

// applyMigrations applies the migrations of the D1 binding name to the
// server's local database, as `zerostack d1 migrations apply` does.
func applyMigrations(t *testing.T, d *Dev, name string) {
	t.Helper()
	b := d1Binding(t, d, name)
	ctx := context.Background()
	info, err := d.State().EnsureD1(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	db, err := d.State().D1().Open(ctx, info.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d1.ApplyMigrations(ctx, db, b.MigrationsDir, b.MigrationsTable); err != nil {
		t.Fatal(err)
	}
}

// d1Exec runs one statement on the local database of binding name.
func d1Exec(t *testing.T, d *Dev, name, sql string) d1.Result {
	t.Helper()
	ctx := context.Background()
	info, err := d.State().EnsureD1(ctx, d1Binding(t, d, name))
	if err != nil {
		t.Fatal(err)
	}
	db, err := d.State().D1().Open(ctx, info.UUID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Exec(ctx, d1.Statement{SQL: sql})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestExampleR2CRUD(t *testing.T) {
	d := startExample(t, "r2-crud", nil)
	u := d.URL()
	if r := do(t, "GET", u+"/docs/a.txt", "", nil); r.status != 404 || r.body != "Object Not Found" {
		t.Fatalf("missing: %d %q", r.status, r.body)
	}
	if r := do(t, "PUT", u+"/docs/a.txt", "hello r2", map[string]string{"Content-Type": "text/plain", "Cache-Control": "no-cache"}); r.status != 201 {
		t.Fatalf("put: %d %q", r.status, r.body)
	}
	r := do(t, "GET", u+"/docs/a.txt", "", nil)
	if r.status != 200 || r.body != "hello r2" || r.header.Get("Content-Type") != "text/plain" ||
		r.header.Get("Cache-Control") != "no-cache" || r.header.Get("Etag") != `"`+md5hex("hello r2")+`"` ||
		r.header.Get("Content-Length") != "8" {
		t.Fatalf("get: %d %q %v", r.status, r.body, r.header)
	}
	// A large body streams through (request body → R2 → response body).
	big := make([]byte, 8<<20)
	rand.Read(big)
	req, _ := http.NewRequest("PUT", u+"/big.bin", bytes.NewReader(big))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("put big: %v %v", err, resp)
	}
	resp.Body.Close()
	resp, err = http.Get(u + "/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, big) {
		t.Fatalf("big object: got %d bytes, want %d (equal %v)", len(got), len(big), bytes.Equal(got, big))
	}
	// The guide's DELETE answers new Response('Deleted', { status: 204 }),
	// which workerd refuses (a 204 cannot have a body) after the delete ran.
	if r := do(t, "DELETE", u+"/docs/a.txt", "", nil); r.status != 500 || !strings.Contains(r.body, "null body status") {
		t.Fatalf("delete: %d %q", r.status, r.body)
	}
	if r := do(t, "GET", u+"/docs/a.txt", "", nil); r.status != 404 {
		t.Fatalf("after delete: %d", r.status)
	}
	if r := do(t, "POST", u+"/x", "", nil); r.status != 405 {
		t.Fatalf("post: %d", r.status)
	}
}

func TestExampleKVBasics(t *testing.T) {
	d := startExample(t, "kv-basics", nil)
	r := do(t, "GET", d.URL()+"/", "", nil)
	m := decodeJSON(t, r.body)
	user, _ := m["user"].(map[string]any)
	keys, _ := m["keys"].([]any)
	if r.status != 200 || user["name"] != "John Doe" || keys == nil || len(keys) != 0 {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	// The write went to the namespace named by id in wrangler.toml.
	if _, err := d.State().KV().Get(context.Background(), "0f2ac74b498b48028cb68387c421e279", "user:123"); err == nil {
		t.Fatal("user:123 should have been deleted")
	}
}

func TestExampleKVSession(t *testing.T) {
	d := startExample(t, "kv-session", nil)
	u := d.URL()
	if r := do(t, "GET", u+"/me", "", nil); r.status != 401 || r.body != "Not authenticated" {
		t.Fatalf("anonymous: %d %q", r.status, r.body)
	}
	r := do(t, "POST", u+"/login", "", nil)
	cookie := r.header.Get("Set-Cookie")
	if r.status != 200 || !strings.HasPrefix(cookie, "session=") {
		t.Fatalf("login: %d %v", r.status, r.header)
	}
	sid := strings.TrimPrefix(strings.SplitN(cookie, ";", 2)[0], "session=")
	r = do(t, "GET", u+"/me", "", map[string]string{"Cookie": "session=" + sid})
	if m := decodeJSON(t, r.body); r.status != 200 || m["user"] != "user123" {
		t.Fatalf("session: %d %q", r.status, r.body)
	}
	// Sessions live 24 hours.
	l, err := d.State().KV().List(context.Background(), "5bd0a7b6a8de4b0d8c8d1e61e3a0a5a1", kvListPrefix("session:"))
	if err != nil || len(l.Keys) != 1 || l.Keys[0].Expiration == 0 {
		t.Fatalf("stored sessions: %v %+v", err, l)
	}
	if r := do(t, "GET", u+"/me", "", map[string]string{"Cookie": "session=forged"}); r.status != 401 {
		t.Fatalf("forged: %d", r.status)
	}
}

func TestExampleKVRateLimit(t *testing.T) {
	d := startExample(t, "kv-ratelimit", nil)
	// The dev server sets CF-Connecting-IP to the client's address, as
	// Cloudflare does, so every request here counts for 127.0.0.1.
	h := map[string]string{}
	for i := 1; i <= 100; i++ {
		r := do(t, "GET", d.URL()+"/", "", h)
		if r.status != 200 || r.header.Get("X-RateLimit-Remaining") != fmt.Sprint(100-i) {
			t.Fatalf("request %d: %d %q remaining %q", i, r.status, r.body, r.header.Get("X-RateLimit-Remaining"))
		}
	}
	r := do(t, "GET", d.URL()+"/", "", h)
	if r.status != 429 || r.body != "Rate limit exceeded" || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("101st request: %d %q %v", r.status, r.body, r.header)
	}
}

func TestExampleD1QuickStart(t *testing.T) {
	d := startExample(t, "d1-quickstart", nil)
	applyMigrations(t, d, "DB")
	d1Exec(t, d, "DB", "INSERT INTO users (id, email, name) VALUES (50, 'author@example.com', 'Author')")
	d1Exec(t, d, "DB", "INSERT INTO posts (user_id, title, published) VALUES (50, 'Draft', FALSE), (50, 'Hello', TRUE)")
	r := do(t, "GET", d.URL()+"/", "", nil)
	m := decodeJSON(t, r.body)
	user, _ := m["user"].(map[string]any)
	posts, _ := m["posts"].([]any)
	if r.status != 200 || user["id"] != 51.0 || user["name"] != "John Doe" || user["created_at"] == nil || len(posts) != 1 {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	if p := posts[0].(map[string]any); p["title"] != "Hello" || p["author_name"] != "Author" || p["published"] != 1.0 {
		t.Fatalf("post %v", p)
	}
	// The same email again violates the UNIQUE constraint: the worker throws.
	if r := do(t, "GET", d.URL()+"/", "", nil); r.status != 500 || !strings.Contains(r.body, "UNIQUE constraint failed: users.email") {
		t.Fatalf("second insert: %d %q", r.status, r.body)
	}
}

func TestExampleHonoUsers(t *testing.T) {
	d := startExample(t, "hono-users", nil)
	applyMigrations(t, d, "DB")
	u := d.URL() + "/api/users"
	js := map[string]string{"Content-Type": "application/json"}
	r := do(t, "POST", u, `{"email":"ann@example.com","name":"Ann"}`, js)
	m := decodeJSON(t, r.body)
	if r.status != 201 || m["id"] != 1.0 || m["role"] != "user" || m["email"] != "ann@example.com" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := do(t, "POST", u, `{"email":"ann@example.com","name":"Ann Again"}`, js); r.status != 409 || decodeJSON(t, r.body)["error"] != "Email already exists" {
		t.Fatalf("duplicate: %d %s", r.status, r.body)
	}
	r = do(t, "POST", u, `{"email":"not-an-email","name":"X"}`, js)
	if errs, _ := decodeJSON(t, r.body)["errors"].(map[string]any); r.status != 400 || errs["fieldErrors"] == nil {
		t.Fatalf("invalid: %d %s", r.status, r.body)
	}
	do(t, "POST", u, `{"email":"bob@example.com","name":"Bob","role":"admin"}`, js)
	r = do(t, "GET", u+"?search=bob", "", nil)
	m = decodeJSON(t, r.body)
	if users, _ := m["users"].([]any); r.status != 200 || len(users) != 1 || m["pagination"].(map[string]any)["total"] != 2.0 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r := do(t, "PATCH", u+"/2", `{"name":"Robert"}`, js); r.status != 200 || decodeJSON(t, r.body)["name"] != "Robert" {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	if r := do(t, "PATCH", u+"/99", `{"name":"Nobody"}`, js); r.status != 404 {
		t.Fatalf("patch missing: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", u+"/1", "", nil); r.status != 200 || decodeJSON(t, r.body)["name"] != "Ann" {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	if r := do(t, "DELETE", u+"/1", "", nil); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", u+"/1", "", nil); r.status != 404 {
		t.Fatalf("get deleted: %d %s", r.status, r.body)
	}
	r = do(t, "POST", u+"/validate", `{"email":"c@example.com","name":"Cy"}`, js)
	if r.status != 200 || decodeJSON(t, r.body)["valid"] != true {
		t.Fatalf("zod-validator: %d %s", r.status, r.body)
	}
	if r := do(t, "POST", u+"/validate", `{"email":"c","name":"C"}`, js); r.status != 400 {
		t.Fatalf("zod-validator invalid: %d %s", r.status, r.body)
	}
}

func TestExampleMultiBinding(t *testing.T) {
	d := startExample(t, "multi-binding", nil)
	applyMigrations(t, d, "DB")
	d1Exec(t, d, "DB", "INSERT INTO users (name, active) VALUES ('on', TRUE), ('off', FALSE)")
	r := do(t, "POST", d.URL()+"/", "file contents", nil)
	if r.status != 200 || decodeJSON(t, r.body)["success"] != true {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	ctx := context.Background()
	e, err := d.State().KV().Get(ctx, "c1b2a3d4e5f60718293a4b5c6d7e8f90", "active_users")
	if err != nil || !strings.Contains(string(e.Value), `"name":"on"`) || strings.Contains(string(e.Value), `"off"`) || e.Expiration == 0 {
		t.Fatalf("kv: %v %s", err, e.Value)
	}
	l, err := d.State().R2().List(ctx, "uploads", r2ListPrefix("uploads/"))
	if err != nil || len(l.Objects) != 1 || l.Objects[0].Size != int64(len("file contents")) {
		t.Fatalf("r2: %v %+v", err, l)
	}
	qs, err := d.State().Queues()
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := qs.Peek(ctx, "upload-jobs", 10)
	if err != nil || len(msgs) != 1 || msgs[0].ContentType != "v8" {
		t.Fatalf("queue: %v %+v", err, msgs)
	}
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func kvListPrefix(p string) kv.ListOptions { return kv.ListOptions{Prefix: p} }

func r2ListPrefix(p string) r2.ListOptions { return r2.ListOptions{Prefix: p} }
