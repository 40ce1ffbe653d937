package webapi

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Shared keys of the cross-check tests, generated once when first used.
var (
	cryptoTestRSA = sync.OnceValue(cryptoMustRSA)
	cryptoTestEC  = sync.OnceValue(cryptoMustEC)
	cryptoB64     = base64.RawURLEncoding.EncodeToString
	cryptoQuote   = func(s string) string { b, _ := json.Marshal(s); return string(b) }
	cryptoJSON    = func(v any) string { b, _ := json.Marshal(v); return string(b) }
)

func cryptoMustRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func cryptoMustEC() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// cryptoJWTSign returns a compact JWS of claims signed with key (RS256 or ES256).
func cryptoJWTSign(t testing.TB, alg, kid string, key crypto.Signer, claims any) string {
	t.Helper()
	head := cryptoB64([]byte(cryptoJSON(map[string]string{"alg": alg, "typ": "JWT", "kid": kid})))
	body := cryptoB64([]byte(cryptoJSON(claims)))
	sum := sha256.Sum256([]byte(head + "." + body))
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		var err error
		if sig, err = rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:]); err != nil {
			t.Fatal(err)
		}
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	return head + "." + body + "." + cryptoB64(sig)
}

// cryptoJWKS is the JWKS document of the test keys, shaped as Clerk and Auth0
// publish theirs (with kid, use, alg and members WebCrypto ignores).
func cryptoJWKS() string {
	pt, _ := cryptoTestEC().PublicKey.Bytes()
	return cryptoJSON(map[string]any{"keys": []map[string]any{
		{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "rsa-1",
			"n": cryptoB64(cryptoTestRSA().N.Bytes()), "e": cryptoB64(big.NewInt(int64(cryptoTestRSA().E)).Bytes()),
			"x5t": "ignored"},
		{"kty": "EC", "use": "sig", "alg": "ES256", "kid": "ec-1", "crv": "P-256",
			"x": cryptoB64(pt[1:33]), "y": cryptoB64(pt[33:])},
	}})
}

// cryptoJWTVerifierJS is the verification pattern of the Workers guides: pick the
// JWK by kid, import it, verify the signature over "header.payload".
const cryptoJWTVerifierJS = `
const b64d = (s) => {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const out = [];
  let bits = 0, n = 0;
  for (const c of s) { n = (n << 6) | A.indexOf(c); bits += 6; if (bits >= 8) { bits -= 8; out.push((n >> bits) & 255); } }
  return new Uint8Array(out);
};
const ascii = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
async function verifyJwt(token, jwks) {
  const [h, p, s] = token.split(".");
  const header = JSON.parse(String.fromCharCode(...b64d(h)));
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  const params = header.alg === "RS256"
    ? [{ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }]
    : [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: { name: "SHA-256" } }];
  const key = await crypto.subtle.importKey("jwk", jwk, params[0], false, ["verify"]);
  if (!(await crypto.subtle.verify(params[1], key, b64d(s), ascii(h + "." + p)))) return null;
  return JSON.parse(String.fromCharCode(...b64d(p)));
}
`

func TestCryptoJWTAgainstJWKS(t *testing.T) {
	claims := map[string]any{"sub": "user_123", "iss": "https://clerk.example.com", "exp": 2000000000}
	rs := cryptoJWTSign(t, "RS256", "rsa-1", cryptoTestRSA(), claims)
	es := cryptoJWTSign(t, "ES256", "ec-1", cryptoTestEC(), claims)
	tamper := func(tok string) string {
		parts := strings.Split(tok, ".")
		parts[1] = cryptoB64([]byte(`{"sub":"admin"}`))
		return strings.Join(parts, ".")
	}
	src := cryptoJWTVerifierJS + fmt.Sprintf(`
const JWKS = %s;
test("RS256 token verifies", async () => {
  const c = await verifyJwt(%s, JWKS);
  assertEquals(c && c.sub, "user_123");
});
test("ES256 token verifies", async () => {
  const c = await verifyJwt(%s, JWKS);
  assertEquals(c && c.sub, "user_123");
});
test("tampered RS256 token fails", async () => { assertEquals(await verifyJwt(%s, JWKS), null); });
test("tampered ES256 token fails", async () => { assertEquals(await verifyJwt(%s, JWKS), null); });
test("JWK alg must match the import algorithm", async () => {
  const e = await crypto.subtle.importKey("jwk", JWKS.keys[0], { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]).then(() => null, (e) => e);
  assertEquals(e && e.name, "DataError");
});
`, cryptoJWKS(), cryptoQuote(rs), cryptoQuote(es), cryptoQuote(tamper(rs)), cryptoQuote(tamper(es)))
	cryptoCheckJS(t, src)
}

// TestCryptoCrossCheck signs in Go and verifies in JavaScript, and signs in
// JavaScript and verifies in Go, with the same keys.
func TestCryptoCrossCheck(t *testing.T) {
	msg := []byte("cross-check message")
	sum := sha256.Sum256(msg)
	rsaPKCS8, _ := x509.MarshalPKCS8PrivateKey(cryptoTestRSA())
	ecPKCS8, _ := x509.MarshalPKCS8PrivateKey(cryptoTestEC())
	rsaSPKI, _ := x509.MarshalPKIXPublicKey(&cryptoTestRSA().PublicKey)
	ecSPKI, _ := x509.MarshalPKIXPublicKey(&cryptoTestEC().PublicKey)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	edPKCS8, _ := x509.MarshalPKCS8PrivateKey(edPriv)

	rsaSig, _ := rsa.SignPKCS1v15(nil, cryptoTestRSA(), crypto.SHA256, sum[:])
	pssSig, _ := rsa.SignPSS(rand.Reader, cryptoTestRSA(), crypto.SHA256, sum[:], &rsa.PSSOptions{SaltLength: 32})
	r, s, _ := ecdsa.Sign(rand.Reader, cryptoTestEC(), sum[:])
	ecSig := make([]byte, 64)
	r.FillBytes(ecSig[:32])
	s.FillBytes(ecSig[32:])
	edSig := ed25519.Sign(edPriv, msg)

	src := fmt.Sprintf(`
const unhex = (s) => new Uint8Array(s.match(/../g).map((x) => parseInt(x, 16)));
const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const msg = Uint8Array.from(%s, (c) => c.charCodeAt(0));
const rsaAlg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
const pssAlg = { name: "RSA-PSS", hash: "SHA-256" };
const ecAlg = { name: "ECDSA", namedCurve: "P-256" };
test("Go signatures verify in JS", async () => {
  const rsaPub = await crypto.subtle.importKey("spki", unhex(%q), rsaAlg, false, ["verify"]);
  assert(await crypto.subtle.verify(rsaAlg, rsaPub, unhex(%q), msg), "RSASSA");
  const pssPub = await crypto.subtle.importKey("spki", unhex(%q), pssAlg, false, ["verify"]);
  assert(await crypto.subtle.verify({ name: "RSA-PSS", saltLength: 32 }, pssPub, unhex(%q), msg), "PSS");
  const ecPub = await crypto.subtle.importKey("spki", unhex(%q), ecAlg, false, ["verify"]);
  assert(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, ecPub, unhex(%q), msg), "ECDSA");
  const edPub = await crypto.subtle.importKey("raw", unhex(%q), "Ed25519", false, ["verify"]);
  assert(await crypto.subtle.verify("Ed25519", edPub, unhex(%q), msg), "Ed25519");
});
test("JS signatures for Go", async () => {
  const rsa = await crypto.subtle.importKey("pkcs8", unhex(%q), rsaAlg, false, ["sign"]);
  const pss = await crypto.subtle.importKey("pkcs8", unhex(%q), pssAlg, false, ["sign"]);
  const ec = await crypto.subtle.importKey("pkcs8", unhex(%q), ecAlg, false, ["sign"]);
  const ed = await crypto.subtle.importKey("pkcs8", unhex(%q), "Ed25519", false, ["sign"]);
  console.log("SIG rsa " + hex(await crypto.subtle.sign(rsaAlg, rsa, msg)));
  console.log("SIG pss " + hex(await crypto.subtle.sign({ name: "RSA-PSS", saltLength: 32 }, pss, msg)));
  console.log("SIG ec " + hex(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec, msg)));
  console.log("SIG ed " + hex(await crypto.subtle.sign("Ed25519", ed, msg)));
});
`, cryptoQuote(string(msg)),
		hex.EncodeToString(rsaSPKI), hex.EncodeToString(rsaSig),
		hex.EncodeToString(rsaSPKI), hex.EncodeToString(pssSig),
		hex.EncodeToString(ecSPKI), hex.EncodeToString(ecSig),
		hex.EncodeToString(edPub), hex.EncodeToString(edSig),
		hex.EncodeToString(rsaPKCS8), hex.EncodeToString(rsaPKCS8),
		hex.EncodeToString(ecPKCS8), hex.EncodeToString(edPKCS8))
	logs := cryptoCheckJS(t, src)
	sigs := map[string][]byte{}
	for _, line := range strings.Split(logs, "\n") {
		if rest, ok := strings.CutPrefix(line, "log: SIG "); ok {
			name, h, _ := strings.Cut(rest, " ")
			sigs[name], _ = hex.DecodeString(h)
		}
	}
	if err := rsa.VerifyPKCS1v15(&cryptoTestRSA().PublicKey, crypto.SHA256, sum[:], sigs["rsa"]); err != nil {
		t.Errorf("RSASSA signature from JS: %v", err)
	}
	if err := rsa.VerifyPSS(&cryptoTestRSA().PublicKey, crypto.SHA256, sum[:], sigs["pss"], &rsa.PSSOptions{SaltLength: 32}); err != nil {
		t.Errorf("RSA-PSS signature from JS: %v", err)
	}
	if e := sigs["ec"]; len(e) != 64 || !ecdsa.Verify(&cryptoTestEC().PublicKey, sum[:], new(big.Int).SetBytes(e[:32]), new(big.Int).SetBytes(e[32:])) {
		t.Errorf("ECDSA signature from JS does not verify: %x", e)
	}
	if !ed25519.Verify(edPub, msg, sigs["ed"]) {
		t.Errorf("Ed25519 signature from JS does not verify")
	}
}

// cryptoCheckJS runs a harness-format script and fails t for each failed test; it
// returns the console output.
func cryptoCheckJS(t *testing.T, src string) string {
	t.Helper()
	res, logs := runJSFile(t, t.Name()+".js", src)
	if len(res) == 0 {
		t.Fatalf("no tests ran\n%s", logs)
	}
	for _, r := range res {
		if !r.ok {
			t.Errorf("%s: %s", r.name, r.err)
		}
	}
	return logs
}

// TestCryptoKeyCacheBounded imports many distinct keys in one isolate and
// checks that Go's parsed-key caches stay bounded.
func TestCryptoKeyCacheBounded(t *testing.T) {
	var states []*cryptoState
	cryptoStateHook = func(cs *cryptoState) { states = append(states, cs) }
	defer func() { cryptoStateHook = nil }()
	src := `
test("import 200 key pairs", async () => {
  const alg = { name: "ECDSA", hash: "SHA-256" };
  const first = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const firstSig = await crypto.subtle.sign(alg, first.privateKey, new Uint8Array(2));
  for (let i = 0; i < 200; i++) {
    const kp = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
    const pub = await crypto.subtle.importKey("spki", await crypto.subtle.exportKey("spki", kp.publicKey), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, kp.privateKey, new Uint8Array(1));
    assert(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, pub, sig, new Uint8Array(1)));
  }
  // The first keys were evicted from Go's cache long ago; they still work.
  assert(await crypto.subtle.verify(alg, first.publicKey, firstSig, new Uint8Array(2)));
  assert(await crypto.subtle.verify(alg, first.publicKey, await crypto.subtle.sign(alg, first.privateKey, new Uint8Array(3)), new Uint8Array(3)));
});
`
	cryptoCheckJS(t, src)
	if len(states) != 1 {
		t.Fatalf("hook saw %d runtimes", len(states))
	}
	cs := states[0]
	if len(cs.priv) > cryptoKeyCacheMax || len(cs.pub) > cryptoKeyCacheMax {
		t.Errorf("caches hold %d private and %d public keys, want at most %d", len(cs.priv), len(cs.pub), cryptoKeyCacheMax)
	}
}

// BenchmarkCryptoJWTVerify measures the guide's pattern per request: import
// the JWK, verify an RS256 or ES256 signature.
func BenchmarkCryptoJWTVerify(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			var key crypto.Signer = cryptoTestRSA()
			kid := "rsa-1"
			if alg == "ES256" {
				key, kid = cryptoTestEC(), "ec-1"
			}
			tok := cryptoJWTSign(b, alg, kid, key, map[string]any{"sub": "u"})
			cryptoBenchJS(b, cryptoJWTVerifierJS+fmt.Sprintf(`
const JWKS = %s;
globalThis.__bench = () => verifyJwt(%s, JWKS).then((c) => { if (!c) throw new Error("bad"); });
`, cryptoJWKS(), cryptoQuote(tok)))
		})
	}
}

// BenchmarkCryptoDigest measures SHA-256 of 1 KiB.
func BenchmarkCryptoDigest(b *testing.B) {
	cryptoBenchJS(b, `const d = new Uint8Array(1024);
globalThis.__bench = () => crypto.subtle.digest("SHA-256", d);`)
}

// cryptoBenchJS runs globalThis.__bench (which returns a promise) b.N times in a
// fresh Runtime.
func cryptoBenchJS(b *testing.B, src string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		r, err := New(Options{})
		if err != nil {
			b.Error(err)
			return
		}
		defer r.Close()
		s, err := r.Iso.Compile("globalThis.test = () => {};"+src, "bench.js", nil)
		if err != nil {
			b.Error(err)
			return
		}
		v, err := s.Run()
		if err != nil {
			b.Error(err)
			return
		}
		v.Release()
		fn, err := r.Iso.Global("__bench")
		if err != nil {
			b.Error(err)
			return
		}
		defer fn.Release()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			v, err := fn.Call()
			if err != nil {
				b.Error(err)
				return
			}
			v.Release()
			r.Iso.Microtasks()
			r.Iso.EndTask()
		}
	}()
	<-done
}
