package webapi

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"

	"github.com/zerostack/zerostack/internal/v8"
)

// node:crypto's keys and signatures (createPrivateKey, createPublicKey,
// createSign, createVerify, sign, verify) for internal/worker/node/crypto.js.
// Keys cross to JavaScript once, normalized to DER (PKCS #8 for private
// keys, SPKI for public ones); each signature passes that DER back.

// nodeParseKey parses PEM or DER key material: a private key (PKCS #8,
// PKCS #1, SEC 1) or, unless wantPrivate, a public key (SPKI, PKCS #1, or
// an X.509 certificate's). A private key given where a public one is wanted
// yields its public half.
func nodeParseKey(b []byte, wantPrivate bool) (any, error) {
	der, typ := b, ""
	if blk, _ := pem.Decode(b); blk != nil {
		if _, enc := blk.Headers["Proc-Type"]; enc {
			return nil, &v8.TypeError{Msg: "Encrypted PEM keys are not supported: decrypt the key first (openssl pkey -in key.pem -out plain.pem)"}
		}
		der, typ = blk.Bytes, blk.Type
	}
	var priv any
	var err error
	switch typ {
	case "PRIVATE KEY":
		priv, err = x509.ParsePKCS8PrivateKey(der)
	case "RSA PRIVATE KEY":
		priv, err = x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		priv, err = x509.ParseECPrivateKey(der)
	case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
	case "":
		if priv, err = x509.ParsePKCS8PrivateKey(der); err != nil {
			if priv, err = x509.ParsePKCS1PrivateKey(der); err != nil {
				priv, err = x509.ParseECPrivateKey(der)
			}
		}
		if err != nil && !wantPrivate {
			priv, err = nil, nil
		}
	default:
		return nil, &v8.TypeError{Msg: fmt.Sprintf("Unsupported PEM type %q", typ)}
	}
	if err != nil {
		return nil, errors.New("Failed to parse private key")
	}
	if priv != nil {
		if wantPrivate {
			return priv, nil
		}
		return priv.(crypto.Signer).Public(), nil
	}
	if wantPrivate {
		return nil, errors.New("Failed to parse private key")
	}
	var pub any
	switch typ {
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(der)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(der); err == nil {
			pub = cert.PublicKey
		}
	default:
		if pub, err = x509.ParsePKIXPublicKey(der); err != nil {
			pub, err = x509.ParsePKCS1PublicKey(der)
		}
	}
	if err != nil {
		return nil, errors.New("Failed to parse public key")
	}
	return pub, nil
}

// nodeKeyInfo describes a key for KeyObject: "type|asymmetricKeyType|
// modulusLength|namedCurve", and returns its normalized DER.
func nodeKeyInfo(k any) (string, []byte, error) {
	var der []byte
	var err error
	kind := "public"
	switch k.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		kind = "private"
		der, err = x509.MarshalPKCS8PrivateKey(k)
	default:
		der, err = x509.MarshalPKIXPublicKey(k)
	}
	if err != nil {
		return "", nil, &v8.TypeError{Msg: "Unsupported key type"}
	}
	switch x := k.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("%s|rsa|%d|", kind, x.N.BitLen()), der, nil
	case *rsa.PublicKey:
		return fmt.Sprintf("%s|rsa|%d|", kind, x.N.BitLen()), der, nil
	case *ecdsa.PrivateKey:
		return kind + "|ec||" + nodeCurveName(x.Curve), der, nil
	case *ecdsa.PublicKey:
		return kind + "|ec||" + nodeCurveName(x.Curve), der, nil
	case ed25519.PrivateKey, ed25519.PublicKey:
		return kind + "|ed25519||", der, nil
	}
	return "", nil, &v8.TypeError{Msg: "Unsupported key type"}
}

// nodeCurveName is the OpenSSL name Node reports as namedCurve.
func nodeCurveName(c elliptic.Curve) string {
	switch c {
	case elliptic.P256():
		return "prime256v1"
	case elliptic.P384():
		return "secp384r1"
	case elliptic.P521():
		return "secp521r1"
	}
	return c.Params().Name
}

// Signature options, as js crypto.js passes them.
const (
	nodePadPKCS1 = 1 // RSA_PKCS1_PADDING
	nodePadPSS   = 6 // RSA_PKCS1_PSS_PADDING
	nodeDSADER   = 0 // dsaEncoding "der"
	nodeDSAP1363 = 1 // dsaEncoding "ieee-p1363"
)

func nodeHashOf(code int64) (crypto.Hash, error) {
	switch code {
	case 1:
		return crypto.SHA1, nil
	case 2:
		return crypto.SHA256, nil
	case 3:
		return crypto.SHA384, nil
	case 4:
		return crypto.SHA512, nil
	case 5:
		return crypto.MD5, nil
	}
	return 0, &v8.TypeError{Msg: "Invalid digest"}
}

func nodeDigest(h crypto.Hash, data []byte) []byte {
	w := h.New()
	w.Write(data)
	return w.Sum(nil)
}

func nodePSSOptions(h crypto.Hash, saltLen int64) *rsa.PSSOptions {
	o := &rsa.PSSOptions{Hash: h, SaltLength: int(saltLen)}
	switch saltLen {
	case -1: // RSA_PSS_SALTLEN_DIGEST
		o.SaltLength = rsa.PSSSaltLengthEqualsHash
	case -2: // RSA_PSS_SALTLEN_MAX_SIGN, Node's default for signing
		o.SaltLength = rsa.PSSSaltLengthAuto
	}
	return o
}

type nodeECDSASig struct{ R, S *big.Int }

// nodeSign signs data with the PKCS #8 key.
func nodeSign(hashCode int64, keyDER, data []byte, padding, saltLen, dsaEnc int64) ([]byte, error) {
	k, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return nil, errors.New("Failed to parse private key")
	}
	if ek, ok := k.(ed25519.PrivateKey); ok {
		return ed25519.Sign(ek, data), nil
	}
	h, err := nodeHashOf(hashCode)
	if err != nil {
		return nil, err
	}
	d := nodeDigest(h, data)
	switch key := k.(type) {
	case *rsa.PrivateKey:
		if padding == nodePadPSS {
			return rsa.SignPSS(rand.Reader, key, h, d, nodePSSOptions(h, saltLen))
		}
		return rsa.SignPKCS1v15(rand.Reader, key, h, d)
	case *ecdsa.PrivateKey:
		sig, err := ecdsa.SignASN1(rand.Reader, key, d)
		if err != nil || dsaEnc != nodeDSAP1363 {
			return sig, err
		}
		var rs nodeECDSASig
		if _, err := asn1.Unmarshal(sig, &rs); err != nil {
			return nil, err
		}
		n := (key.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*n)
		rs.R.FillBytes(out[:n])
		rs.S.FillBytes(out[n:])
		return out, nil
	}
	return nil, &v8.TypeError{Msg: "Unsupported key type"}
}

// nodeVerify checks sig over data with the SPKI (or, if private, PKCS #8)
// key.
func nodeVerify(hashCode int64, keyDER, data, sig []byte, private bool, padding, saltLen, dsaEnc int64) (bool, error) {
	var k any
	var err error
	if private {
		var p any
		if p, err = x509.ParsePKCS8PrivateKey(keyDER); err == nil {
			k = p.(crypto.Signer).Public()
		}
	} else {
		k, err = x509.ParsePKIXPublicKey(keyDER)
	}
	if err != nil {
		return false, errors.New("Failed to parse public key")
	}
	if ek, ok := k.(ed25519.PublicKey); ok {
		return ed25519.Verify(ek, data, sig), nil
	}
	h, err := nodeHashOf(hashCode)
	if err != nil {
		return false, err
	}
	d := nodeDigest(h, data)
	switch key := k.(type) {
	case *rsa.PublicKey:
		if padding == nodePadPSS {
			o := nodePSSOptions(h, saltLen)
			if saltLen == -2 {
				o.SaltLength = rsa.PSSSaltLengthAuto
			}
			return rsa.VerifyPSS(key, h, d, sig, o) == nil, nil
		}
		return rsa.VerifyPKCS1v15(key, h, d, sig) == nil, nil
	case *ecdsa.PublicKey:
		if dsaEnc == nodeDSAP1363 {
			n := (key.Curve.Params().BitSize + 7) / 8
			if len(sig) != 2*n {
				return false, nil
			}
			r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
			return ecdsa.Verify(key, d, r, s), nil
		}
		return ecdsa.VerifyASN1(key, d, sig), nil
	}
	return false, &v8.TypeError{Msg: "Unsupported key type"}
}

// installNodeKeys defines nodeKey, nodeSign and nodeVerify. Byte results
// wait in *pending for nodeZlibTake (the shared take function).
func installNodeKeys(r *Runtime, pending *[]byte) {
	// nodeKey(wantPrivate, sab, len) returns the key's description and
	// holds its DER.
	cryptoFunc(r, "nodeKey", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 1, 1)
		if err != nil {
			return nil, err
		}
		k, err := nodeParseKey(p[0], c.Bool(0))
		if err != nil {
			return nil, err
		}
		info, der, err := nodeKeyInfo(k)
		if err != nil {
			return nil, err
		}
		*pending = der
		return info + "|" + fmt.Sprint(len(der)), nil
	})
	// nodeSign(hash, sab, keyLen, dataLen, padding, saltLen, dsaEnc)
	// returns the signature's length and holds it.
	cryptoFunc(r, "nodeSign", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 1, 2)
		if err != nil {
			return nil, err
		}
		sig, err := nodeSign(c.Int(0), p[0], p[1], c.Int(4), c.Int(5), c.Int(6))
		if err != nil {
			return nil, err
		}
		*pending = sig
		return len(sig), nil
	})
	// nodeVerify(hash, sab, keyLen, dataLen, sigLen, private, padding,
	// saltLen, dsaEnc) reports whether the signature holds.
	cryptoFunc(r, "nodeVerify", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 1, 3)
		if err != nil {
			return nil, err
		}
		return nodeVerify(c.Int(0), p[0], p[1], p[2], c.Bool(5), c.Int(6), c.Int(7), c.Int(8))
	})
}
