package webapi

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

// FuzzNodeZlib: every compression decompresses back to its input, and
// decompressing arbitrary bytes fails cleanly or succeeds, never panics.
func FuzzNodeZlib(f *testing.F) {
	for _, s := range [][]byte{nil, []byte("hello"), bytes.Repeat([]byte("ab"), 5000), {0x1f, 0x8b, 8, 0}, {0x78, 0x9c, 3, 0}} {
		f.Add(s, int8(-1))
	}
	f.Fuzz(func(t *testing.T, in []byte, level int8) {
		lvl := (int(level)%11+11)%11 - 1 // -1..9
		for _, pair := range [][2]int64{{nodeGzip, nodeGunzip}, {nodeDeflate, nodeInflate}, {nodeDeflateRaw, nodeInflateRaw}, {nodeGzip, nodeUnzip}, {nodeDeflate, nodeUnzip}} {
			c, err := nodeZlibRun(pair[0], lvl, in)
			if err != nil {
				t.Fatalf("compress %d level %d: %v", pair[0], lvl, err)
			}
			d, err := nodeZlibRun(pair[1], -1, c)
			if err != nil || !bytes.Equal(d, in) {
				t.Fatalf("op %d/%d level %d: round trip gave %q, %v", pair[0], pair[1], lvl, d, err)
			}
		}
		for _, op := range []int64{nodeGunzip, nodeInflate, nodeInflateRaw, nodeUnzip} {
			nodeZlibRun(op, -1, in)
		}
	})
}

func TestNodeZlibErrors(t *testing.T) {
	for _, c := range []struct {
		op   int64
		in   string
		want string
	}{
		{nodeGunzip, "not gzip", "incorrect header check\x00Z_DATA_ERROR"},
		{nodeInflate, "xx", "incorrect header check\x00Z_DATA_ERROR"},
		{nodeGunzip, "\x1f\x8b\x08\x00", "unexpected end of file\x00Z_BUF_ERROR"},
	} {
		_, err := nodeZlibRun(c.op, -1, []byte(c.in))
		if err == nil || err.Error() != c.want {
			t.Errorf("%d %q: %v, want %q", c.op, c.in, err, c.want)
		}
	}
	if _, err := nodeZlibRun(nodeGzip, 12, nil); err == nil {
		t.Error("level 12 accepted")
	}
}

// FuzzNodeParseKey: key material of any shape parses or fails with an
// error, never panics; what parses describes itself, and signing (private)
// or verifying (public) with it does not panic.
func FuzzNodeParseKey(f *testing.F) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	pub, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), true)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), false)
	f.Add(der, false)
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"), true)
	f.Fuzz(func(t *testing.T, in []byte, private bool) {
		key, err := nodeParseKey(in, private)
		if err != nil {
			return
		}
		info, der, err := nodeKeyInfo(key)
		if err != nil {
			return
		}
		// Signing may fail (an RSA key too small for the digest); it must
		// not panic.
		if strings.HasPrefix(info, "private|") {
			nodeSign(2, der, []byte("x"), nodePadPKCS1, -2, nodeDSADER)
		} else {
			nodeVerify(2, der, []byte("x"), []byte("sig"), false, nodePadPKCS1, -2, nodeDSADER)
		}
	})
}
