package s3api

import (
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestChecksumAlgorithms(t *testing.T) {
	// Check values of each algorithm for "123456789" (the CRC catalogue's
	// check input; SHA values from FIPS 180 implementations).
	want := map[string]string{
		"crc32":     "cbf43926",
		"crc32c":    "e3069283",
		"crc64nvme": "ae8b14860a799888",
		"sha1":      "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
		"sha256":    "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
	}
	for _, alg := range checksumAlgorithms {
		h := newChecksum(alg)
		io.WriteString(h, "123456789")
		if got := hex.EncodeToString(h.Sum(nil)); got != want[alg] {
			t.Errorf("%s = %s, want %s", alg, got, want[alg])
		}
	}
}

func TestBodyChecks(t *testing.T) {
	sum := func(alg, s string) string {
		h := newChecksum(alg)
		io.WriteString(h, s)
		return base64.StdEncoding.EncodeToString(h.Sum(nil))
	}
	for _, alg := range checksumAlgorithms {
		for _, body := range []string{"payload", "tampered"} {
			bc, err := parseBodyChecks(http.Header{http.CanonicalHeaderKey("X-Amz-Checksum-" + alg): {sum(alg, "payload")}})
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.ReadAll(bc.wrap(strings.NewReader(body), true))
			if (err == nil) != (body == "payload") {
				t.Errorf("%s over %q: %v", alg, body, err)
			}
		}
	}
	if _, err := parseBodyChecks(http.Header{"X-Amz-Checksum-Crc32": {"not base64!"}}); err == nil {
		t.Error("malformed checksum accepted")
	}
	if _, err := parseBodyChecks(http.Header{"Content-Md5": {"AAAA"}}); err == nil {
		t.Error("short Content-MD5 accepted")
	}
	if _, err := parseBodyChecks(http.Header{"X-Amz-Trailer": {"x-amz-checksum-md5"}}); err == nil {
		t.Error("unknown trailer accepted")
	}
}
