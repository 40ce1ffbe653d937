package webapi

import (
	"crypto/pbkdf2"
	"hash"

	"github.com/zerostack/zerostack/internal/v8"
)

// Node.js compatibility (nodejs_compat) support: the host functions behind
// js/node.js, which hands the node:* modules of internal/worker their
// synchronous primitives. Node's crypto API is synchronous, so these run on
// the isolate thread like the Web Crypto functions of crypto.go; hashing
// itself reuses crypto_digest.go's cryptoHashUpdate and cryptoHashFinal.

// installNode defines the host functions of js/node.js.
func installNode(r *Runtime) {
	// nodePbkdf2(hash, sab, pwLen, saltLen, iterations, out, keylen)
	// derives keylen bytes with PBKDF2 from the password and salt packed in
	// sab (undefined: the scratch area) and writes them into the
	// SharedArrayBuffer out (keylen bytes long). hash is a
	// crypto_digest.go hash code (1-5).
	cryptoFunc(r, "nodePbkdf2", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 1, 2)
		if err != nil {
			return nil, err
		}
		iter := c.Int(4)
		if iter < 1 || iter > 1<<31-1 {
			return nil, &v8.RangeError{Msg: `The value of "iterations" is out of range.`}
		}
		code := c.Int(0)
		if code < 1 || code > 5 {
			return nil, &v8.TypeError{Msg: "Invalid digest"}
		}
		size := int(c.Int(6))
		if size < 0 || size > 1<<30 {
			return nil, &v8.RangeError{Msg: `The value of "keylen" is out of range.`}
		}
		key, err := pbkdf2.Key(func() hash.Hash { return cryptoNewStreamHash(code) }, string(p[0]), p[1], int(iter), size)
		if err != nil {
			return nil, &v8.RangeError{Msg: err.Error()}
		}
		return nil, c.Fill(5, key)
	})
}
