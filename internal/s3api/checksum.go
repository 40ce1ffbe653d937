package s3api

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strings"
)

// crc64NVME is the CRC-64/NVME table (reflected polynomial
// 0x9a6c9329ac4bc9b5; Go's crc64 applies the all-ones init and final xor).
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

// checksumAlgorithms are the x-amz-checksum-* algorithms S3 clients send.
var checksumAlgorithms = []string{"crc32", "crc32c", "crc64nvme", "sha1", "sha256"}

func newChecksum(alg string) hash.Hash {
	switch alg {
	case "crc32":
		return crc32.NewIEEE()
	case "crc32c":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "crc64nvme":
		return crc64.New(crc64NVME)
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	}
	return nil
}

// bodyChecks are the digests a request asks to verify.
type bodyChecks struct {
	md5    []byte            // Content-MD5, passed to the store when it verifies
	header map[string][]byte // x-amz-checksum-<alg> headers
	// trailer names the checksum algorithm announced in x-amz-trailer.
	trailer string
}

// parseBodyChecks reads Content-MD5, x-amz-checksum-* and x-amz-trailer.
func parseBodyChecks(h http.Header) (bodyChecks, error) {
	var bc bodyChecks
	if v := h.Get("Content-Md5"); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != md5.Size {
			return bc, ErrInvalidDigest
		}
		bc.md5 = b
	}
	for _, alg := range checksumAlgorithms {
		v := h.Get("X-Amz-Checksum-" + alg)
		if v == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != newChecksum(alg).Size() {
			return bc, ErrInvalidRequest.With("Value for x-amz-checksum-%s header is invalid.", alg)
		}
		if bc.header == nil {
			bc.header = map[string][]byte{}
		}
		bc.header[alg] = b
	}
	if t := strings.ToLower(strings.TrimSpace(h.Get("X-Amz-Trailer"))); t != "" {
		alg, ok := strings.CutPrefix(t, "x-amz-checksum-")
		if !ok || newChecksum(alg) == nil {
			return bc, ErrInvalidRequest.With("The value specified in the x-amz-trailer header is not supported")
		}
		bc.trailer = alg
	}
	return bc, nil
}

// wrap returns body wrapped in a verifier for the checks that the caller
// does not pass to the store (skip lists algorithms the store verifies).
// Trailer values are looked up when the body reaches EOF.
func (bc bodyChecks) wrap(body io.Reader, includeMD5 bool, skip ...string) io.Reader {
	var checks []check
	if includeMD5 && bc.md5 != nil {
		want := bc.md5
		checks = append(checks, check{h: md5.New(), want: func() []byte { return want }, err: ErrBadDigest})
	}
	for alg, want := range bc.header {
		if contains(skip, alg) {
			continue
		}
		checks = append(checks, check{h: newChecksum(alg), want: func() []byte { return want }, err: checksumMismatch(alg)})
	}
	if bc.trailer != "" && bc.header[bc.trailer] == nil {
		alg := bc.trailer
		tr, _ := body.(interface{ Trailers() map[string]string })
		checks = append(checks, check{h: newChecksum(alg), want: func() []byte {
			if tr == nil {
				return nil
			}
			v, ok := tr.Trailers()["x-amz-checksum-"+alg]
			if !ok {
				return []byte{} // announced but missing: never matches
			}
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return []byte{}
			}
			return b
		}, err: checksumMismatch(alg)})
	}
	if len(checks) == 0 {
		return body
	}
	return &verifyReader{r: body, checks: checks}
}

func checksumMismatch(alg string) *Error {
	return ErrBadDigest.With("The %s you specified did not match the calculated checksum.", strings.ToUpper(alg))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
