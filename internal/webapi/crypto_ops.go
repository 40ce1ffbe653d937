package webapi

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/binary"
	"hash"
	"math/big"

	"github.com/zerostack/zerostack/internal/v8"
)

func (cs *cryptoState) installOps(r *Runtime) {
	// cryptoSign(alg, hash, saltLength, sab, keyLen, dataLen) signs data
	// with key (raw for HMAC, else PKCS #8).
	cryptoFunc(r, "cryptoSign", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 3, 2)
		if err != nil {
			return nil, err
		}
		sig, err := cs.sign(cryptoAlgArg(c, 0), cryptoHashArg(c, 1), int(c.Int(2)), p[0], p[1])
		if err != nil {
			return nil, err
		}
		return cs.out(sig), nil
	})
	// cryptoVerify(alg, hash, saltLength, sab, keyLen, sigLen, dataLen)
	// reports whether sig is a valid signature of data under key (raw for
	// HMAC, else SPKI).
	cryptoFunc(r, "cryptoVerify", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 3, 3)
		if err != nil {
			return nil, err
		}
		return cs.verify(cryptoAlgArg(c, 0), cryptoHashArg(c, 1), int(c.Int(2)), p[0], p[1], p[2])
	})
	// cryptoCipher(alg, hash, encrypt, param, sab, keyLen, ivLen, aadLen,
	// dataLen) encrypts or decrypts data. param is the GCM tag length or the
	// CTR counter length in bits; iv is the CTR counter block or the OAEP
	// label.
	cryptoFunc(r, "cryptoCipher", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 4, 4)
		if err != nil {
			return nil, err
		}
		res, err := cs.cipher(cryptoAlgArg(c, 0), cryptoHashArg(c, 1), c.Bool(2), int(c.Int(3)), p[0], p[1], p[2], p[3])
		if err != nil {
			return nil, err
		}
		return cs.out(res), nil
	})
	// cryptoDerive(alg, hash, iterations, lengthBits, sab, keyLen, saltLen,
	// infoLen) derives bits: PBKDF2 and HKDF from a raw secret, ECDH and
	// X25519 from a PKCS #8 private key and the peer's SPKI public key (in
	// the salt slot), returning the whole shared secret.
	cryptoFunc(r, "cryptoDerive", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 4, 3)
		if err != nil {
			return nil, err
		}
		res, err := cs.derive(cryptoAlgArg(c, 0), cryptoHashArg(c, 1), int(c.Int(2)), int(c.Int(3)), p[0], p[1], p[2])
		if err != nil {
			return nil, err
		}
		return cs.out(res), nil
	})
}

func cryptoDigestOf(h crypto.Hash, data []byte) []byte {
	d := h.New()
	d.Write(data)
	return d.Sum(nil)
}

func cryptoOpErr(msg string) error { return cryptoErr("OperationError", msg) }

func (cs *cryptoState) sign(alg, hashName string, salt int, key, data []byte) ([]byte, error) {
	var h crypto.Hash
	if hashName != "" {
		var err error
		if h, err = cryptoHash(hashName); err != nil {
			return nil, err
		}
	}
	if alg == "HMAC" {
		m := hmac.New(h.New, key)
		m.Write(data)
		return m.Sum(nil), nil
	}
	k, err := cs.privateKey(key)
	if err != nil {
		return nil, err
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		var sig []byte
		if alg == "RSA-PSS" {
			if salt == 0 {
				sig, err = cryptoSignPSSNoSalt(k, h, cryptoDigestOf(h, data))
			} else {
				sig, err = rsa.SignPSS(rand.Reader, k, h, cryptoDigestOf(h, data), &rsa.PSSOptions{SaltLength: salt, Hash: h})
			}
		} else {
			sig, err = rsa.SignPKCS1v15(nil, k, h, cryptoDigestOf(h, data))
		}
		if err != nil {
			return nil, cryptoOpErr(err.Error())
		}
		return sig, nil
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, cryptoDigestOf(h, data))
		if err != nil {
			return nil, cryptoOpErr(err.Error())
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		sig := make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		return sig, nil
	case ed25519.PrivateKey:
		return ed25519.Sign(k, data), nil
	}
	return nil, cryptoErr("InvalidAccessError", "This key cannot sign.")
}

func (cs *cryptoState) verify(alg, hashName string, salt int, key, sig, data []byte) (bool, error) {
	var h crypto.Hash
	if hashName != "" {
		var err error
		if h, err = cryptoHash(hashName); err != nil {
			return false, err
		}
	}
	if alg == "HMAC" {
		m := hmac.New(h.New, key)
		m.Write(data)
		return hmac.Equal(m.Sum(nil), sig), nil
	}
	k, err := cs.publicKey(key)
	if err != nil {
		return false, err
	}
	switch k := k.(type) {
	case *rsa.PublicKey:
		if alg == "RSA-PSS" {
			if salt == 0 {
				return cryptoVerifyPSSNoSalt(k, h, cryptoDigestOf(h, data), sig), nil
			}
			return rsa.VerifyPSS(k, h, cryptoDigestOf(h, data), sig, &rsa.PSSOptions{SaltLength: salt, Hash: h}) == nil, nil
		}
		return rsa.VerifyPKCS1v15(k, h, cryptoDigestOf(h, data), sig) == nil, nil
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return false, nil
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k, cryptoDigestOf(h, data), r, s), nil
	case ed25519.PublicKey:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k, data, sig), nil
	}
	return false, cryptoErr("InvalidAccessError", "This key cannot verify.")
}

// cryptoPSSEncodeNoSalt is EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with an empty salt,
// for an encoded message of emBits bits.
func cryptoPSSEncodeNoSalt(h crypto.Hash, mHash []byte, emBits int) ([]byte, error) {
	hLen := h.Size()
	emLen := (emBits + 7) / 8
	if emLen < hLen+2 {
		return nil, cryptoOpErr("RSA key too small for the hash.")
	}
	d := h.New()
	d.Write(make([]byte, 8))
	d.Write(mHash)
	hh := d.Sum(nil)
	em := make([]byte, emLen)
	db := em[:emLen-hLen-1]
	db[len(db)-1] = 1
	cryptoMGF1XOR(db, h, hh)
	db[0] &= 0xff >> (8*emLen - emBits)
	copy(em[emLen-hLen-1:], hh)
	em[emLen-1] = 0xbc
	return em, nil
}

// cryptoMGF1XOR XORs out with MGF1(seed) (RFC 8017 §B.2.1).
func cryptoMGF1XOR(out []byte, h crypto.Hash, seed []byte) {
	var ctr [4]byte
	d := h.New()
	done := 0
	for done < len(out) {
		d.Reset()
		d.Write(seed)
		d.Write(ctr[:])
		for _, b := range d.Sum(nil) {
			if done == len(out) {
				break
			}
			out[done] ^= b
			done++
		}
		binary.BigEndian.PutUint32(ctr[:], binary.BigEndian.Uint32(ctr[:])+1)
	}
}

// cryptoSignPSSNoSalt signs with RSA-PSS and a zero-length salt, which Go's
// rsa.SignPSS cannot express (0 means "as long as possible" there). Go does
// not expose the raw RSA private operation either, so it is done here with
// math/big, blinded, and the result checked with the public exponent.
func cryptoSignPSSNoSalt(k *rsa.PrivateKey, h crypto.Hash, mHash []byte) ([]byte, error) {
	emBits := k.N.BitLen() - 1
	em, err := cryptoPSSEncodeNoSalt(h, mHash, emBits)
	if err != nil {
		return nil, err
	}
	m := new(big.Int).SetBytes(em)
	e := big.NewInt(int64(k.E))
	var r, rInv *big.Int
	for {
		r, err = rand.Int(rand.Reader, k.N)
		if err != nil {
			return nil, cryptoOpErr(err.Error())
		}
		if r.Sign() > 0 {
			if rInv = new(big.Int).ModInverse(r, k.N); rInv != nil {
				break
			}
		}
	}
	c := new(big.Int).Exp(r, e, k.N)
	c.Mul(c, m).Mod(c, k.N)
	s := new(big.Int).Exp(c, k.D, k.N)
	s.Mul(s, rInv).Mod(s, k.N)
	// Check the result before releasing it.
	if new(big.Int).Exp(s, e, k.N).Cmp(m) != 0 {
		return nil, cryptoOpErr("RSA signing failed.")
	}
	return s.FillBytes(make([]byte, k.Size())), nil
}

// cryptoVerifyPSSNoSalt verifies an RSA-PSS signature with a zero-length salt.
func cryptoVerifyPSSNoSalt(k *rsa.PublicKey, h crypto.Hash, mHash, sig []byte) bool {
	if len(sig) != k.Size() {
		return false
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(k.N) >= 0 {
		return false
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(k.E)), k.N)
	emBits := k.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	if m.BitLen() > emBits {
		return false
	}
	want, err := cryptoPSSEncodeNoSalt(h, mHash, emBits)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(m.FillBytes(make([]byte, emLen)), want) == 1
}

func (cs *cryptoState) cipher(alg, hashName string, enc bool, param int, key, iv, aad, data []byte) ([]byte, error) {
	if alg == "RSA-OAEP" {
		h, err := cryptoHash(hashName)
		if err != nil {
			return nil, err
		}
		if enc {
			k, err := cs.publicKey(key)
			if err != nil {
				return nil, err
			}
			pk, ok := k.(*rsa.PublicKey)
			if !ok {
				return nil, cryptoErr("InvalidAccessError", "Not an RSA public key.")
			}
			out, err := rsa.EncryptOAEP(h.New(), rand.Reader, pk, data, iv)
			if err != nil {
				return nil, cryptoOpErr(err.Error())
			}
			return out, nil
		}
		k, err := cs.privateKey(key)
		if err != nil {
			return nil, err
		}
		sk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, cryptoErr("InvalidAccessError", "Not an RSA private key.")
		}
		out, err := rsa.DecryptOAEP(h.New(), nil, sk, data, iv)
		if err != nil {
			return nil, cryptoOpErr("Decryption failed. This could be due to a ciphertext authentication failure, bad padding, incorrect CryptoKey, or another algorithm-specific reason.")
		}
		return out, nil
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, cryptoErr("DataError", "Invalid AES key length.")
	}
	switch alg {
	case "AES-GCM":
		return cryptoAESGCM(b, enc, param/8, iv, aad, data)
	case "AES-CBC":
		return cryptoAESCBC(b, enc, iv, data)
	case "AES-CTR":
		return cryptoAESCTR(b, param, iv, data)
	case "AES-KW":
		if enc {
			return cryptoKeyWrap(b, data)
		}
		return cryptoKeyUnwrap(b, data)
	}
	return nil, cryptoErr("NotSupportedError", "Unrecognized algorithm.")
}

// cryptoAESGCM seals or opens with a tagLen-byte tag. Go's GCM supports any nonce
// length with 16-byte tags; shorter tags are the truncated full tag, checked
// in constant time.
func cryptoAESGCM(b cipher.Block, enc bool, tagLen int, iv, aad, data []byte) ([]byte, error) {
	g, err := cipher.NewGCMWithNonceSize(b, len(iv))
	if err != nil {
		return nil, cryptoOpErr(err.Error())
	}
	if enc {
		out := g.Seal(nil, iv, data, aad)
		return out[:len(out)-16+tagLen], nil
	}
	if len(data) < tagLen {
		return nil, cryptoOpErr("The provided data is too small.")
	}
	if tagLen == 16 {
		out, err := g.Open(nil, iv, data, aad)
		if err != nil {
			return nil, cryptoOpErr("Decryption failed. This could be due to a ciphertext authentication failure, bad padding, incorrect CryptoKey, or another algorithm-specific reason.")
		}
		return out, nil
	}
	ct, tag := data[:len(data)-tagLen], data[len(data)-tagLen:]
	// GCM encryption is XOR with the key stream: sealing the ciphertext
	// yields the plaintext, and sealing that yields the full tag.
	pt := g.Seal(nil, iv, ct, nil)[:len(ct)]
	full := g.Seal(nil, iv, pt, aad)
	if subtle.ConstantTimeCompare(full[len(ct):len(ct)+tagLen], tag) != 1 {
		return nil, cryptoOpErr("Decryption failed. This could be due to a ciphertext authentication failure, bad padding, incorrect CryptoKey, or another algorithm-specific reason.")
	}
	return pt, nil
}

func cryptoAESCBC(b cipher.Block, enc bool, iv, data []byte) ([]byte, error) {
	if enc {
		pad := 16 - len(data)%16
		out := make([]byte, len(data)+pad)
		copy(out, data)
		for i := len(data); i < len(out); i++ {
			out[i] = byte(pad)
		}
		cipher.NewCBCEncrypter(b, iv).CryptBlocks(out, out)
		return out, nil
	}
	if len(data) == 0 || len(data)%16 != 0 {
		return nil, cryptoOpErr("Decryption failed. This could be due to a ciphertext authentication failure, bad padding, incorrect CryptoKey, or another algorithm-specific reason.")
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, data)
	// Check the PKCS #7 padding in constant time: a padding oracle must not
	// learn where the check failed.
	pad := int(out[len(out)-1])
	good := subtle.ConstantTimeLessOrEq(1, pad) & subtle.ConstantTimeLessOrEq(pad, 16)
	for i := 0; i < 16; i++ {
		inPad := subtle.ConstantTimeLessOrEq(i+1, pad)
		eq := subtle.ConstantTimeByteEq(out[len(out)-1-i], byte(pad))
		good &= inPad&eq | (1 ^ inPad)
	}
	if good != 1 {
		return nil, cryptoOpErr("Decryption failed. This could be due to a ciphertext authentication failure, bad padding, incorrect CryptoKey, or another algorithm-specific reason.")
	}
	return out[:len(out)-pad], nil
}

// cryptoAESCTR applies AES-CTR where only the low bits bits of the counter block
// count (and wrap); the rest of the block is a fixed nonce.
func cryptoAESCTR(b cipher.Block, bits int, counter, data []byte) ([]byte, error) {
	blocks := (len(data) + 15) / 16
	if bits < 63 && uint64(blocks) > uint64(1)<<bits {
		return nil, cryptoOpErr("Counter length would wrap around; the data is too long.")
	}
	hi := binary.BigEndian.Uint64(counter[:8])
	lo := binary.BigEndian.Uint64(counter[8:])
	var loMask, hiMask uint64
	switch {
	case bits >= 128:
		loMask, hiMask = ^uint64(0), ^uint64(0)
	case bits >= 64:
		loMask, hiMask = ^uint64(0), uint64(1)<<(bits-64)-1
	default:
		loMask = uint64(1)<<bits - 1
	}
	out := make([]byte, len(data))
	var ctr, ks [16]byte
	for off := 0; off < len(data); off += 16 {
		binary.BigEndian.PutUint64(ctr[:8], hi)
		binary.BigEndian.PutUint64(ctr[8:], lo)
		b.Encrypt(ks[:], ctr[:])
		end := min(off+16, len(data))
		subtle.XORBytes(out[off:end], data[off:end], ks[:end-off])
		nlo := lo&^loMask | (lo+1)&loMask
		if hiMask != 0 && (lo+1)&loMask == 0 {
			hi = hi&^hiMask | (hi+1)&hiMask
		}
		lo = nlo
	}
	return out, nil
}

var cryptoKWIV = [8]byte{0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6, 0xa6}

// cryptoKeyWrap is the AES key wrap of RFC 3394 §2.2.1.
func cryptoKeyWrap(b cipher.Block, p []byte) ([]byte, error) {
	if len(p) < 16 || len(p)%8 != 0 {
		return nil, cryptoOpErr("AES-KW requires the data to be a multiple of 8 bytes and at least 16 bytes long.")
	}
	n := len(p) / 8
	out := make([]byte, len(p)+8)
	copy(out[:8], cryptoKWIV[:])
	copy(out[8:], p)
	var buf [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			copy(buf[:8], out[:8])
			copy(buf[8:], out[8*i:8*i+8])
			b.Encrypt(buf[:], buf[:])
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(out[:8], binary.BigEndian.Uint64(buf[:8])^t)
			copy(out[8*i:], buf[8:])
		}
	}
	return out, nil
}

// cryptoKeyUnwrap is the AES key unwrap of RFC 3394 §2.2.2.
func cryptoKeyUnwrap(b cipher.Block, c []byte) ([]byte, error) {
	if len(c) < 24 || len(c)%8 != 0 {
		return nil, cryptoOpErr("AES-KW requires the data to be a multiple of 8 bytes and at least 24 bytes long.")
	}
	n := len(c)/8 - 1
	r := make([]byte, len(c))
	copy(r, c)
	var buf [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			t := uint64(n*j + i)
			binary.BigEndian.PutUint64(buf[:8], binary.BigEndian.Uint64(r[:8])^t)
			copy(buf[8:], r[8*i:8*i+8])
			b.Decrypt(buf[:], buf[:])
			copy(r[:8], buf[:8])
			copy(r[8*i:], buf[8:])
		}
	}
	if subtle.ConstantTimeCompare(r[:8], cryptoKWIV[:]) != 1 {
		return nil, cryptoOpErr("Decryption failed. This could be due to a ciphertext authentication failure, bad padding, incorrect CryptoKey, or another algorithm-specific reason.")
	}
	return r[8:], nil
}

func (cs *cryptoState) derive(alg, hashName string, iter, bits int, key, salt, info []byte) ([]byte, error) {
	switch alg {
	case "PBKDF2", "HKDF":
		h, err := cryptoHash(hashName)
		if err != nil {
			return nil, err
		}
		n := bits / 8
		if n == 0 {
			return []byte{}, nil
		}
		var out []byte
		if alg == "PBKDF2" {
			out, err = pbkdf2.Key(func() hash.Hash { return h.New() }, string(key), salt, iter, n)
		} else {
			out, err = hkdf.Key(func() hash.Hash { return h.New() }, key, salt, string(info), n)
		}
		if err != nil {
			return nil, cryptoOpErr(alg + " derivation failed: " + err.Error())
		}
		return out, nil
	case "ECDH", "X25519":
		k, err := cs.privateKey(key)
		if err != nil {
			return nil, err
		}
		p, err := cs.publicKey(salt)
		if err != nil {
			return nil, err
		}
		var sk *ecdh.PrivateKey
		var pk *ecdh.PublicKey
		switch k := k.(type) {
		case *ecdsa.PrivateKey:
			sk, err = k.ECDH()
		case *ecdh.PrivateKey:
			sk = k
		}
		if err == nil {
			switch p := p.(type) {
			case *ecdsa.PublicKey:
				pk, err = p.ECDH()
			case *ecdh.PublicKey:
				pk = p
			}
		}
		if err != nil || sk == nil || pk == nil || sk.Curve() != pk.Curve() {
			return nil, cryptoErr("InvalidAccessError", "Public key algorithm does not match the requested algorithm.")
		}
		out, err := sk.ECDH(pk)
		if err != nil {
			return nil, cryptoOpErr(err.Error())
		}
		return out, nil
	}
	return nil, cryptoErr("NotSupportedError", "Unrecognized algorithm.")
}
