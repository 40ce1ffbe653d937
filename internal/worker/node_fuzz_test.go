package worker

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// FuzzNodeBufferEncodings sends bytes to a Worker that encodes them with
// Buffer (and hashes them with node:crypto) and checks every answer against
// Go's encoders, and that each encoding decodes back to the same bytes.
// The HTTP server's goroutines make coverage vary between runs, so the
// fuzzer finds many "new" inputs and spends its time minimising them: run
// it with -fuzzminimizetime 2s.
func FuzzNodeBufferEncodings(f *testing.F) {
	for _, seed := range [][]byte{nil, {0}, []byte("hello"), {0xff, 0xfe, 0x80, 0x7f}, bytes.Repeat([]byte{0xab, 0x01, 0x00}, 700), []byte("héllo ✓ 😀")} {
		f.Add(seed)
	}
	url := newNodeWorker(f, `import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
export default { async fetch(req) {
  const b = Buffer.from(await req.arrayBuffer());
  const out = {};
  const back = {};
  for (const enc of ["hex", "base64", "base64url", "latin1"]) {
    out[enc] = b.toString(enc);
    back[enc] = Buffer.from(out[enc], enc).equals(b);
  }
  out.utf16 = Buffer.from(b.toString("utf16le"), "utf16le").toString("hex");
  for (const alg of ["md5", "sha1", "sha256", "sha512"]) out[alg] = createHash(alg).update(b).digest("hex");
  out.hmac = createHmac("sha256", b).update(b).digest("hex");
  out.back = back;
  out.len = Buffer.byteLength(out.base64, "base64");
  return Response.json(out);
} };`, nil)
	client := &http.Client{Timeout: 10 * time.Second}
	f.Fuzz(func(t *testing.T, in []byte) {
		resp, err := client.Post(url, "application/octet-stream", bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var got struct {
			Hex, Base64, Base64url, Latin1, Utf16 string
			Md5, Sha1, Sha256, Sha512, Hmac       string
			Back                                  map[string]bool
			Len                                   int
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		runes := make([]rune, len(in))
		for i, c := range in {
			runes[i] = rune(c)
		}
		// UTF-16LE keeps whole code units: an odd last byte is dropped.
		units := make([]uint16, len(in)/2)
		for i := range units {
			units[i] = uint16(in[2*i]) | uint16(in[2*i+1])<<8
		}
		u16 := make([]byte, 0, len(units)*2)
		for _, u := range units {
			u16 = append(u16, byte(u), byte(u>>8))
		}
		m5, s1, s256, s512 := md5.Sum(in), sha1.Sum(in), sha256.Sum256(in), sha512.Sum512(in)
		mac := hmac.New(sha256.New, in)
		mac.Write(in)
		for _, c := range []struct{ name, got, want string }{
			{"hex", got.Hex, hex.EncodeToString(in)},
			{"base64", got.Base64, base64.StdEncoding.EncodeToString(in)},
			{"base64url", got.Base64url, base64.RawURLEncoding.EncodeToString(in)},
			{"latin1", got.Latin1, string(runes)},
			{"utf16le", got.Utf16, hex.EncodeToString(u16)},
			{"md5", got.Md5, hex.EncodeToString(m5[:])},
			{"sha1", got.Sha1, hex.EncodeToString(s1[:])},
			{"sha256", got.Sha256, hex.EncodeToString(s256[:])},
			{"sha512", got.Sha512, hex.EncodeToString(s512[:])},
			{"hmac", got.Hmac, hex.EncodeToString(mac.Sum(nil))},
		} {
			if c.got != c.want {
				t.Errorf("%s(%x) = %q, want %q", c.name, in, c.got, c.want)
			}
		}
		for enc, ok := range got.Back {
			if !ok {
				t.Errorf("%s of %x does not decode back", enc, in)
			}
		}
		if got.Len != len(in) {
			t.Errorf("byteLength(base64) = %d, want %d", got.Len, len(in))
		}
	})
}
