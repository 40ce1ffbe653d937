package webapi

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"

	"github.com/zerostack/zerostack/internal/v8"
)

// Key kinds, as js/crypto.js names them: the family of an algorithm's keys.
//   - "oct": secret keys (HMAC, AES, PBKDF2, HKDF), held as raw bytes;
//   - "rsa", "ec", "ed25519", "x25519": asymmetric keys, held as PKCS #8
//     (private) or SPKI (public) DER.

// cryptoKeyInfo describes an imported key to JavaScript.
type cryptoKeyInfo struct {
	Type string `json:"t"`             // "secret", "private" or "public"
	N    int    `json:"n"`             // length of the key bytes returned
	Bits int    `json:"bits,omitzero"` // RSA modulus length
	E    int    `json:"e,omitzero"`    // RSA public exponent
	Crv  string `json:"crv,omitempty"` // EC named curve
}

// cryptoJWK is the key material part of a JSON Web Key (RFC 7517, 7518, 8037).
type cryptoJWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	K   string `json:"k,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	D   string `json:"d,omitempty"`
	P   string `json:"p,omitempty"`
	Q   string `json:"q,omitempty"`
	DP  string `json:"dp,omitempty"`
	DQ  string `json:"dq,omitempty"`
	QI  string `json:"qi,omitempty"`
}

var cryptoB64u = base64.RawURLEncoding

// cryptoUnb64 decodes a base64url JWK member (padding tolerated).
func cryptoUnb64(s, field string) ([]byte, error) {
	b, err := cryptoB64u.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, cryptoErr("DataError", "Invalid base64url in JSON Web Key field \""+field+"\".")
	}
	return b, nil
}

func cryptoCurve(name string) elliptic.Curve {
	switch name {
	case "P-256":
		return elliptic.P256()
	case "P-384":
		return elliptic.P384()
	case "P-521":
		return elliptic.P521()
	}
	return nil
}

func (cs *cryptoState) installKeys(r *Runtime) {
	// cryptoImport(kind, format, curve, sab, n, jwk) imports key data (the
	// n bytes, or for format "jwk" the JSON text jwk) and returns a JSON
	// cryptoKeyInfo; the key bytes are delivered as by out.
	cryptoFunc(r, "cryptoImport", func(c *v8.Call) (any, error) {
		var data []byte
		if c.String(1) == "jwk" {
			data = []byte(c.String(5))
		} else {
			p, err := cryptoArgs(c, 3, 1)
			if err != nil {
				return nil, err
			}
			data = p[0]
		}
		info, key, err := cs.importKey(c.String(0), c.String(1), c.String(2), data)
		if err != nil {
			return nil, err
		}
		info.N = cs.out(key)
		j, _ := json.Marshal(info)
		return string(j), nil
	})
	// cryptoExportRaw(kind, sab, n) returns the raw form of an SPKI public
	// key.
	cryptoFunc(r, "cryptoExportRaw", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 1, 1)
		if err != nil {
			return nil, err
		}
		k, err := cs.publicKey(p[0])
		if err != nil {
			return nil, err
		}
		raw, err := cryptoRawPublic(k)
		if err != nil {
			return nil, err
		}
		return cs.out(raw), nil
	})
	// cryptoExportJwk(kind, type, sab, n) returns the key material members
	// of the key's JWK as JSON text.
	cryptoFunc(r, "cryptoExportJwk", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 2, 1)
		if err != nil {
			return nil, err
		}
		j, err := cs.exportJWK(c.String(0), c.String(1), p[0])
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(j)
		return string(b), nil
	})
	// cryptoGenerate(kind, curve, bits, sab, n) generates a private key and
	// returns it as PKCS #8; the n bytes are the RSA public exponent.
	cryptoFunc(r, "cryptoGenerate", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 3, 1)
		if err != nil {
			return nil, err
		}
		var k any
		switch c.String(0) {
		case "rsa":
			e := new(big.Int).SetBytes(p[0])
			if !e.IsInt64() || e.Int64() != 65537 {
				return nil, cryptoErr("OperationError", "The \"publicExponent\" must be 65537.")
			}
			bits := int(c.Int(2))
			if bits < 1024 || bits > 16384 {
				return nil, cryptoErr("OperationError", "The modulus length must be between 1024 and 16384 bits.")
			}
			k, err = rsa.GenerateKey(rand.Reader, bits)
		case "ec":
			curve := cryptoCurve(c.String(1))
			if curve == nil {
				return nil, cryptoErr("NotSupportedError", "Unsupported namedCurve \""+c.String(1)+"\".")
			}
			k, err = ecdsa.GenerateKey(curve, rand.Reader)
		case "ed25519":
			_, k, err = ed25519.GenerateKey(rand.Reader)
		case "x25519":
			k, err = ecdh.X25519().GenerateKey(rand.Reader)
		default:
			return nil, cryptoErr("NotSupportedError", "Unsupported key type.")
		}
		if err != nil {
			return nil, cryptoErr("OperationError", err.Error())
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			return nil, cryptoErr("OperationError", err.Error())
		}
		cs.keepPrivate(der, k)
		return cs.out(der), nil
	})
	// cryptoPublic(sab, n) returns the SPKI public key of a PKCS #8 private
	// key.
	cryptoFunc(r, "cryptoPublic", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 0, 1)
		if err != nil {
			return nil, err
		}
		k, err := cs.privateKey(p[0])
		if err != nil {
			return nil, err
		}
		pk := cryptoPublicOf(k)
		der, err := x509.MarshalPKIXPublicKey(pk)
		if err != nil {
			return nil, cryptoErr("OperationError", err.Error())
		}
		cs.keepPublic(der, pk)
		return cs.out(der), nil
	})
}

// cryptoPublicOf returns the public half of a parsed private key.
func cryptoPublicOf(k any) any {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return &k.PublicKey
	case *ecdsa.PrivateKey:
		return &k.PublicKey
	case ed25519.PrivateKey:
		return k.Public()
	case *ecdh.PrivateKey:
		return k.PublicKey()
	}
	return nil
}

// cryptoRawPublic returns the raw encoding of a public key: the uncompressed point
// for EC keys, the 32 bytes for Ed25519 and X25519.
func cryptoRawPublic(k any) ([]byte, error) {
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		return k.Bytes()
	case ed25519.PublicKey:
		return k, nil
	case *ecdh.PublicKey:
		return k.Bytes(), nil
	}
	return nil, cryptoErr("InvalidAccessError", "Raw export of this key is not supported.")
}

// importKey parses key data of the given kind and format and returns the
// key's description and its canonical bytes.
func (cs *cryptoState) importKey(kind, format, curve string, data []byte) (cryptoKeyInfo, []byte, error) {
	var j *cryptoJWK
	if format == "jwk" {
		j = new(cryptoJWK)
		if err := json.Unmarshal(data, j); err != nil {
			return cryptoKeyInfo{}, nil, cryptoErr("DataError", "Invalid JSON Web Key.")
		}
	}
	var priv, pub any
	switch format {
	case "raw":
		switch kind {
		case "oct":
			return cryptoKeyInfo{Type: "secret"}, data, nil
		case "ec":
			c := cryptoCurve(curve)
			if c == nil {
				return cryptoKeyInfo{}, nil, cryptoErr("NotSupportedError", "Unsupported namedCurve \""+curve+"\".")
			}
			k, err := ecdsa.ParseUncompressedPublicKey(c, data)
			if err != nil && len(data) > 0 && (data[0] == 2 || data[0] == 3) {
				if x, y := elliptic.UnmarshalCompressed(c, data); x != nil {
					k, err = &ecdsa.PublicKey{Curve: c, X: x, Y: y}, nil
				}
			}
			if err != nil {
				return cryptoKeyInfo{}, nil, cryptoErr("DataError", "Invalid raw EC public key.")
			}
			pub = k
		case "ed25519":
			if len(data) != ed25519.PublicKeySize {
				return cryptoKeyInfo{}, nil, cryptoErr("DataError", "Ed25519 raw keys must be exactly 32-bytes (provided "+strconv.Itoa(len(data))+").")
			}
			pub = ed25519.PublicKey(bytes.Clone(data))
		case "x25519":
			k, err := ecdh.X25519().NewPublicKey(data)
			if err != nil {
				return cryptoKeyInfo{}, nil, cryptoErr("DataError", "X25519 raw keys must be exactly 32-bytes (provided "+strconv.Itoa(len(data))+").")
			}
			pub = k
		default:
			return cryptoKeyInfo{}, nil, cryptoErr("NotSupportedError", "Unrecognized key import format \"raw\".")
		}
	case "spki":
		k, err := x509.ParsePKIXPublicKey(data)
		if err != nil {
			return cryptoKeyInfo{}, nil, cryptoErr("DataError", "Invalid SPKI input.")
		}
		pub = k
	case "pkcs8":
		k, err := x509.ParsePKCS8PrivateKey(data)
		if err != nil {
			return cryptoKeyInfo{}, nil, cryptoErr("DataError", "Invalid PKCS8 input.")
		}
		priv = k
	case "jwk":
		if kind == "oct" {
			if j.Kty != "oct" {
				return cryptoKeyInfo{}, nil, cryptoErr("DataError", "JSON Web Key \"kty\" must be \"oct\".")
			}
			if j.K == "" {
				return cryptoKeyInfo{}, nil, cryptoErr("DataError", "Missing field \"k\" in JSON Web Key.")
			}
			k, err := cryptoUnb64(j.K, "k")
			if err != nil {
				return cryptoKeyInfo{}, nil, err
			}
			return cryptoKeyInfo{Type: "secret"}, k, nil
		}
		var err error
		priv, pub, err = cryptoParseJWK(kind, curve, j)
		if err != nil {
			return cryptoKeyInfo{}, nil, err
		}
	default:
		return cryptoKeyInfo{}, nil, cryptoErr("NotSupportedError", "Unrecognized key import format \""+format+"\".")
	}
	// Check that the key is of the kind the algorithm wants.
	var k any = pub
	if priv != nil {
		k = cryptoPublicOf(priv)
	}
	info := cryptoKeyInfo{Type: "public"}
	if priv != nil {
		info.Type = "private"
	}
	ok := false
	switch k := k.(type) {
	case *rsa.PublicKey:
		ok = kind == "rsa"
		info.Bits, info.E = k.N.BitLen(), k.E
	case *ecdsa.PublicKey:
		ok = kind == "ec"
		info.Crv = k.Curve.Params().Name
		if ok && info.Crv != curve {
			return cryptoKeyInfo{}, nil, cryptoErr("DataError", "Key curve \""+info.Crv+"\" does not match the requested namedCurve \""+curve+"\".")
		}
	case ed25519.PublicKey:
		ok = kind == "ed25519"
	case *ecdh.PublicKey:
		ok = kind == "x25519" && k.Curve() == ecdh.X25519()
	}
	if !ok {
		return cryptoKeyInfo{}, nil, cryptoErr("DataError", "The key data is not a key of the requested algorithm.")
	}
	if priv != nil {
		der, err := x509.MarshalPKCS8PrivateKey(priv)
		if err != nil {
			return cryptoKeyInfo{}, nil, cryptoErr("DataError", err.Error())
		}
		cs.keepPrivate(der, priv)
		return info, der, nil
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return cryptoKeyInfo{}, nil, cryptoErr("DataError", err.Error())
	}
	cs.keepPublic(der, pub)
	return info, der, nil
}

// cryptoParseJWK builds an asymmetric key from its JWK; exactly one of priv and
// pub is set.
func cryptoParseJWK(kind, curve string, j *cryptoJWK) (priv, pub any, err error) {
	need := func(s, field string) ([]byte, error) {
		if s == "" {
			return nil, cryptoErr("DataError", "Missing field \""+field+"\" in JSON Web Key.")
		}
		return cryptoUnb64(s, field)
	}
	switch kind {
	case "rsa":
		if j.Kty != "RSA" {
			return nil, nil, cryptoErr("DataError", "JSON Web Key \"kty\" must be \"RSA\".")
		}
		n, err := need(j.N, "n")
		if err != nil {
			return nil, nil, err
		}
		e, err := need(j.E, "e")
		if err != nil {
			return nil, nil, err
		}
		eb := new(big.Int).SetBytes(e)
		if !eb.IsInt64() || eb.Int64() < 3 || eb.Int64() > 1<<31-1 {
			return nil, nil, cryptoErr("DataError", "Invalid RSA public exponent.")
		}
		pk := rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(eb.Int64())}
		if j.D == "" {
			return nil, &pk, nil
		}
		var v [6][]byte
		for i, f := range [...][2]string{{j.D, "d"}, {j.P, "p"}, {j.Q, "q"}, {j.DP, "dp"}, {j.DQ, "dq"}, {j.QI, "qi"}} {
			if v[i], err = need(f[0], f[1]); err != nil {
				return nil, nil, err
			}
		}
		sk := &rsa.PrivateKey{
			PublicKey: pk,
			D:         new(big.Int).SetBytes(v[0]),
			Primes:    []*big.Int{new(big.Int).SetBytes(v[1]), new(big.Int).SetBytes(v[2])},
		}
		if err := sk.Validate(); err != nil {
			return nil, nil, cryptoErr("DataError", "Invalid RSA private key.")
		}
		sk.Precompute()
		if sk.Precomputed.Dp.Cmp(new(big.Int).SetBytes(v[3])) != 0 ||
			sk.Precomputed.Dq.Cmp(new(big.Int).SetBytes(v[4])) != 0 ||
			sk.Precomputed.Qinv.Cmp(new(big.Int).SetBytes(v[5])) != 0 {
			return nil, nil, cryptoErr("DataError", "Invalid RSA private key.")
		}
		return sk, nil, nil
	case "ec":
		if j.Kty != "EC" {
			return nil, nil, cryptoErr("DataError", "JSON Web Key \"kty\" must be \"EC\".")
		}
		if j.Crv != curve {
			return nil, nil, cryptoErr("DataError", "JSON Web Key \"crv\" \""+j.Crv+"\" does not match the requested namedCurve \""+curve+"\".")
		}
		c := cryptoCurve(curve)
		if c == nil {
			return nil, nil, cryptoErr("NotSupportedError", "Unsupported namedCurve \""+curve+"\".")
		}
		size := (c.Params().BitSize + 7) / 8
		x, err := need(j.X, "x")
		if err != nil {
			return nil, nil, err
		}
		y, err := need(j.Y, "y")
		if err != nil {
			return nil, nil, err
		}
		if len(x) != size || len(y) != size {
			return nil, nil, cryptoErr("DataError", "Invalid EC point in JSON Web Key.")
		}
		pt := append(append([]byte{4}, x...), y...)
		pk, err := ecdsa.ParseUncompressedPublicKey(c, pt)
		if err != nil {
			return nil, nil, cryptoErr("DataError", "Invalid EC point in JSON Web Key.")
		}
		if j.D == "" {
			return nil, pk, nil
		}
		d, err := cryptoUnb64(j.D, "d")
		if err != nil {
			return nil, nil, err
		}
		sk, err := ecdsa.ParseRawPrivateKey(c, d)
		if err != nil || !sk.PublicKey.Equal(pk) {
			return nil, nil, cryptoErr("DataError", "Invalid EC private key in JSON Web Key.")
		}
		return sk, nil, nil
	case "ed25519", "x25519":
		want := "Ed25519"
		if kind == "x25519" {
			want = "X25519"
		}
		if j.Kty != "OKP" {
			return nil, nil, cryptoErr("DataError", "JSON Web Key \"kty\" must be \"OKP\".")
		}
		if j.Crv != want {
			return nil, nil, cryptoErr("DataError", "JSON Web Key \"crv\" must be \""+want+"\".")
		}
		x, err := need(j.X, "x")
		if err != nil {
			return nil, nil, err
		}
		if len(x) != 32 {
			return nil, nil, cryptoErr("DataError", "Invalid "+want+" key in JSON Web Key.")
		}
		var d []byte
		if j.D != "" {
			if d, err = cryptoUnb64(j.D, "d"); err != nil {
				return nil, nil, err
			}
			if len(d) != 32 {
				return nil, nil, cryptoErr("DataError", "Invalid "+want+" key in JSON Web Key.")
			}
		}
		if kind == "ed25519" {
			if d == nil {
				return nil, ed25519.PublicKey(x), nil
			}
			sk := ed25519.NewKeyFromSeed(d)
			if !bytes.Equal(sk[32:], x) {
				return nil, nil, cryptoErr("DataError", "Invalid Ed25519 key in JSON Web Key.")
			}
			return sk, nil, nil
		}
		if d == nil {
			pk, err := ecdh.X25519().NewPublicKey(x)
			if err != nil {
				return nil, nil, cryptoErr("DataError", "Invalid X25519 key in JSON Web Key.")
			}
			return nil, pk, nil
		}
		sk, err := ecdh.X25519().NewPrivateKey(d)
		if err != nil || !bytes.Equal(sk.PublicKey().Bytes(), x) {
			return nil, nil, cryptoErr("DataError", "Invalid X25519 key in JSON Web Key.")
		}
		return sk, nil, nil
	}
	return nil, nil, cryptoErr("NotSupportedError", "Unrecognized key import format \"jwk\".")
}

// exportJWK returns the key material members of a key's JWK.
func (cs *cryptoState) exportJWK(kind, typ string, data []byte) (*cryptoJWK, error) {
	if kind == "oct" {
		return &cryptoJWK{Kty: "oct", K: cryptoB64u.EncodeToString(data)}, nil
	}
	var k any
	var err error
	if typ == "private" {
		k, err = cs.privateKey(data)
	} else {
		k, err = cs.publicKey(data)
	}
	if err != nil {
		return nil, err
	}
	e := cryptoB64u.EncodeToString
	switch k := k.(type) {
	case *rsa.PublicKey:
		return &cryptoJWK{Kty: "RSA", N: e(k.N.Bytes()), E: e(big.NewInt(int64(k.E)).Bytes())}, nil
	case *rsa.PrivateKey:
		if len(k.Primes) != 2 {
			return nil, cryptoErr("OperationError", "Multi-prime RSA keys cannot be exported.")
		}
		k.Precompute()
		return &cryptoJWK{Kty: "RSA", N: e(k.N.Bytes()), E: e(big.NewInt(int64(k.E)).Bytes()),
			D: e(k.D.Bytes()), P: e(k.Primes[0].Bytes()), Q: e(k.Primes[1].Bytes()),
			DP: e(k.Precomputed.Dp.Bytes()), DQ: e(k.Precomputed.Dq.Bytes()), QI: e(k.Precomputed.Qinv.Bytes())}, nil
	case *ecdsa.PublicKey:
		return cryptoECJWK(k, nil)
	case *ecdsa.PrivateKey:
		d, err := k.Bytes()
		if err != nil {
			return nil, cryptoErr("OperationError", err.Error())
		}
		return cryptoECJWK(&k.PublicKey, d)
	case ed25519.PublicKey:
		return &cryptoJWK{Kty: "OKP", Crv: "Ed25519", X: e(k)}, nil
	case ed25519.PrivateKey:
		return &cryptoJWK{Kty: "OKP", Crv: "Ed25519", X: e(k[32:]), D: e(k.Seed())}, nil
	case *ecdh.PublicKey:
		return &cryptoJWK{Kty: "OKP", Crv: "X25519", X: e(k.Bytes())}, nil
	case *ecdh.PrivateKey:
		return &cryptoJWK{Kty: "OKP", Crv: "X25519", X: e(k.PublicKey().Bytes()), D: e(k.Bytes())}, nil
	}
	return nil, cryptoErr("NotSupportedError", "Unsupported key type for JWK export.")
}

func cryptoECJWK(k *ecdsa.PublicKey, d []byte) (*cryptoJWK, error) {
	pt, err := k.Bytes()
	if err != nil {
		return nil, cryptoErr("OperationError", err.Error())
	}
	size := (len(pt) - 1) / 2
	j := &cryptoJWK{Kty: "EC", Crv: k.Curve.Params().Name, X: cryptoB64u.EncodeToString(pt[1 : 1+size]), Y: cryptoB64u.EncodeToString(pt[1+size:])}
	if d != nil {
		j.D = cryptoB64u.EncodeToString(d)
	}
	return j, nil
}
