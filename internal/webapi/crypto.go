package webapi

import (
	"bytes"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"errors"

	"github.com/zerostack/zerostack/internal/v8"
)

// The crypto area (js/crypto.js) implements the Web Crypto API over the host
// functions defined here. Every host function is synchronous, as workerd's
// implementation is, so that the CPU time of a crypto operation is accounted
// to the request that asked for it; js/crypto.js wraps the results in
// already-settled promises.
//
// Key material lives in JavaScript: a CryptoKey holds its bytes in a private
// field (raw bytes for secret keys, PKCS #8 DER for private keys, SPKI DER for
// public keys) and passes them to every operation. The key's lifetime is
// therefore the CryptoKey's, freed by V8's garbage collector with nothing to
// release in Go. Parsing DER on every operation would be slow for RSA, so Go
// keeps a small cache of parsed keys keyed by their DER bytes, bounded at
// cryptoKeyCacheMax entries per kind: a long-running isolate that imports
// many keys evicts old entries instead of growing.
//
// Byte arguments arrive packed one after another in one SharedArrayBuffer
// (or in the scratch area, passed as undefined, when they fit) with their
// lengths as separate integer arguments. Byte results are written to the
// scratch area and the host function returns their length; a result too
// large for the scratch area is held until JavaScript collects it with
// host.cryptoTake(sab), and the host function returns its length negated.
// Algorithm and hash names cross as small integers (cryptoAlgNames,
// cryptoHashNames). Failures come back as values (see cryptoFunc).

// cryptoKeyCacheMax bounds each parsed-key cache of a Runtime.
const cryptoKeyCacheMax = 64

// cryptoState is the crypto area's per-Runtime state.
type cryptoState struct {
	r       *Runtime
	pending []byte
	priv    map[string]any
	pub     map[string]any
}

// cryptoErr returns an error that js/crypto.js throws as a DOMException named
// name.
func cryptoErr(name, msg string) error { return &v8.DOMError{Name: name, Msg: msg} }

// cryptoFunc defines a crypto host function. Errors it returns as
// *v8.DOMError or *v8.TypeError reach JavaScript as a string result
// "\x00Name\x00message" that js/crypto.js turns into the exception (v8's
// error path cannot throw a DOMException, which is not a native Error);
// other errors are thrown as usual.
func cryptoFunc(r *Runtime, name string, fn v8.HostFunc) {
	r.Func(name, func(c *v8.Call) (any, error) {
		res, err := fn(c)
		if err != nil {
			var de *v8.DOMError
			var te *v8.TypeError
			switch {
			case errors.As(err, &de):
				return "\x00" + de.Name + "\x00" + de.Msg, nil
			case errors.As(err, &te):
				return "\x00TypeError\x00" + te.Msg, nil
			}
		}
		return res, err
	})
}

// cryptoStateHook, when set (by tests), is called with each Runtime's crypto
// state.
var cryptoStateHook func(*cryptoState)

// installCrypto defines the host functions of the crypto area (js/crypto.js).
func installCrypto(r *Runtime) {
	cs := &cryptoState{r: r, priv: map[string]any{}, pub: map[string]any{}}
	if cryptoStateHook != nil {
		cryptoStateHook(cs)
	}
	cryptoFunc(r, "cryptoTake", func(c *v8.Call) (any, error) {
		b := cs.pending
		cs.pending = nil
		return nil, c.Fill(0, b)
	})
	// cryptoRandom(n) fills the first n bytes of the scratch area with
	// random bytes.
	cryptoFunc(r, "cryptoRandom", func(c *v8.Call) (any, error) {
		s := r.Iso.Scratch()
		n := int(c.Int(0))
		if n < 0 || n > len(s) {
			return nil, &v8.RangeError{Msg: "crypto: bad length"}
		}
		rand.Read(s[:n])
		return nil, nil
	})
	// cryptoUUID() returns a random (version 4) UUID.
	cryptoFunc(r, "cryptoUUID", func(c *v8.Call) (any, error) {
		var u [16]byte
		rand.Read(u[:])
		u[6] = u[6]&0x0f | 0x40
		u[8] = u[8]&0x3f | 0x80
		var s [36]byte
		hex.Encode(s[0:8], u[0:4])
		s[8] = '-'
		hex.Encode(s[9:13], u[4:6])
		s[13] = '-'
		hex.Encode(s[14:18], u[6:8])
		s[18] = '-'
		hex.Encode(s[19:23], u[8:10])
		s[23] = '-'
		hex.Encode(s[24:], u[10:])
		return string(s[:]), nil
	})
	// cryptoDigest(hash, sab, n) digests the n bytes.
	cryptoFunc(r, "cryptoDigest", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 1, 1)
		if err != nil {
			return nil, err
		}
		data := p[0]
		var sum []byte
		switch cryptoHashArg(c, 0) {
		case "SHA-1":
			s := sha1.Sum(data)
			sum = s[:]
		case "SHA-256":
			s := sha256.Sum256(data)
			sum = s[:]
		case "SHA-384":
			s := sha512.Sum384(data)
			sum = s[:]
		case "SHA-512":
			s := sha512.Sum512(data)
			sum = s[:]
		case "MD5":
			s := md5.Sum(data)
			sum = s[:]
		default:
			return nil, cryptoErr("NotSupportedError", "Unrecognized or unimplemented digest algorithm requested.")
		}
		return cs.out(sum), nil
	})
	cs.installKeys(r)
	cs.installOps(r)
	cs.installDigestStream(r)
}

// out delivers a byte result as described above and returns what the host
// function returns to JavaScript.
func (cs *cryptoState) out(b []byte) int {
	s := cs.r.Iso.Scratch()
	if len(b) <= len(s) {
		copy(s, b)
		return len(b)
	}
	cs.pending = b
	return -len(b)
}

// cryptoArgs reads the packed byte arguments: argument n is the buffer (undefined
// for the scratch area) and the arguments after it the lengths of the parts.
func cryptoArgs(c *v8.Call, n, parts int) ([][]byte, error) {
	lens := make([]int, parts)
	total := 0
	for i := range lens {
		l := int(c.Int(n + 1 + i))
		if l < 0 {
			return nil, &v8.RangeError{Msg: "crypto: bad length"}
		}
		lens[i] = l
		total += l
	}
	var b []byte
	if c.IsNullish(n) {
		// The bytes are in the scratch area, which Go reads directly.
		s := c.Isolate().Scratch()
		if total > len(s) {
			return nil, &v8.RangeError{Msg: "crypto: bad length"}
		}
		b = bytes.Clone(s[:total])
	} else {
		var err error
		if b, err = c.Bytes(n, total); err != nil {
			return nil, err
		}
	}
	out := make([][]byte, parts)
	for i, l := range lens {
		out[i] = b[:l:l]
		b = b[l:]
	}
	return out, nil
}

// Algorithm and hash names cross from JavaScript as indexes into these
// tables (cheaper than strings); js/crypto.js has the same lists.
var (
	cryptoAlgNames  = [...]string{"", "HMAC", "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA", "Ed25519", "NODE-ED25519", "AES-GCM", "AES-CBC", "AES-CTR", "AES-KW", "RSA-OAEP", "PBKDF2", "HKDF", "ECDH", "X25519"}
	cryptoHashNames = [...]string{"", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "MD5"}
)

// cryptoAlgArg returns the algorithm name that argument n indexes ("" if none).
func cryptoAlgArg(c *v8.Call, n int) string {
	if i := c.Int(n); i > 0 && i < int64(len(cryptoAlgNames)) {
		return cryptoAlgNames[i]
	}
	return ""
}

// cryptoHashArg returns the hash name that argument n indexes ("" if none).
func cryptoHashArg(c *v8.Call, n int) string {
	if i := c.Int(n); i > 0 && i < int64(len(cryptoHashNames)) {
		return cryptoHashNames[i]
	}
	return ""
}

// cryptoHash maps a normalized WebCrypto hash name to its crypto.Hash.
func cryptoHash(name string) (crypto.Hash, error) {
	switch name {
	case "SHA-1":
		return crypto.SHA1, nil
	case "SHA-256":
		return crypto.SHA256, nil
	case "SHA-384":
		return crypto.SHA384, nil
	case "SHA-512":
		return crypto.SHA512, nil
	}
	return 0, cryptoErr("NotSupportedError", "Unrecognized or unimplemented digest algorithm requested.")
}

// privateKey parses PKCS #8 DER through the cache.
func (cs *cryptoState) privateKey(der []byte) (any, error) {
	if k, ok := cs.priv[string(der)]; ok {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, cryptoErr("DataError", "Invalid PKCS8 input.")
	}
	cs.keepPrivate(der, k)
	return k, nil
}

func (cs *cryptoState) keepPrivate(der []byte, k any) {
	if len(cs.priv) >= cryptoKeyCacheMax {
		for s := range cs.priv {
			delete(cs.priv, s)
			break
		}
	}
	cs.priv[string(der)] = k
}

// publicKey parses SPKI DER through the cache.
func (cs *cryptoState) publicKey(der []byte) (any, error) {
	if k, ok := cs.pub[string(der)]; ok {
		return k, nil
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, cryptoErr("DataError", "Invalid SPKI input.")
	}
	cs.keepPublic(der, k)
	return k, nil
}

func (cs *cryptoState) keepPublic(der []byte, k any) {
	if len(cs.pub) >= cryptoKeyCacheMax {
		for s := range cs.pub {
			delete(cs.pub, s)
			break
		}
	}
	cs.pub[string(der)] = k
}
