package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestExampleNodeCompat runs examples/node-compat through zerostack dev:
// nodejs_compat from wrangler.toml reaches the bundler (node:crypto,
// node:async_hooks, node:buffer, process.env from [vars]).
func TestExampleNodeCompat(t *testing.T) {
	d := startExample(t, "node-compat", nil)

	r := do(t, "GET", d.URL()+"/sign?timestamp=1700000000&folder=avatars", "", nil)
	sum := sha256.Sum256([]byte("folder=avatars&timestamp=1700000000cloudinary-secret"))
	if m := decodeJSON(t, r.body); r.status != 200 || m["signature"] != hex.EncodeToString(sum[:]) {
		t.Fatalf("sign: %d %s, want signature %x", r.status, r.body, sum)
	}

	payload := `{"type":"checkout.session.completed"}`
	mac := hmac.New(sha256.New, []byte("whsec_example"))
	mac.Write([]byte("1700000000." + payload))
	sig := "t=1700000000,v1=" + hex.EncodeToString(mac.Sum(nil))
	r = do(t, "POST", d.URL()+"/webhook", payload, map[string]string{"Stripe-Signature": sig})
	m := decodeJSON(t, r.body)
	if r.status != 200 || m["received"] != "checkout.session.completed" || m["sameRequest"] != true || !strings.HasSuffix(m["log"].(string), "] handled") || strings.Contains(m["log"].(string), "[none]") {
		t.Fatalf("webhook: %d %s", r.status, r.body)
	}
	r = do(t, "POST", d.URL()+"/webhook", payload, map[string]string{"Stripe-Signature": sig[:len(sig)-1] + "0"})
	if r.status != 400 || r.body != "Invalid signature" {
		t.Fatalf("bad signature: %d %s", r.status, r.body)
	}

	r = do(t, "POST", d.URL()+"/buffer", "héllo", nil)
	if m := decodeJSON(t, r.body); r.status != 200 || m["base64"] != "aMOpbGxv" || m["hex"] != "68c3a96c6c6f" || m["utf8"] != "héllo" || m["isBuffer"] != true {
		t.Fatalf("buffer: %d %s", r.status, r.body)
	}
}
