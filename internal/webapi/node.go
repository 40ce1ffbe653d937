package webapi

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/pbkdf2"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/zerostack/zerostack/internal/v8"
)

// Node.js compatibility (nodejs_compat) support: the host functions behind
// js/node.js, which hands the node:* modules of internal/worker their
// synchronous primitives. Node's crypto API is synchronous, so these run on
// the isolate thread like the Web Crypto functions of crypto.go; hashing
// itself reuses crypto_digest.go's cryptoHashUpdate and cryptoHashFinal.

// installNode defines the host functions of js/node.js.
func installNode(r *Runtime) {
	installNodeZlib(r)
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

// Operations of nodeZlib, as internal/worker/node/zlib.js numbers them.
const (
	nodeGzip = iota
	nodeGunzip
	nodeDeflate
	nodeInflate
	nodeDeflateRaw
	nodeInflateRaw
	nodeUnzip // gzip or zlib framing, detected from the header
)

// nodeZlibErr is a zlib failure as Node reports it: the message zlib
// gives, with the code (Z_DATA_ERROR, Z_BUF_ERROR) after a NUL.
func nodeZlibErr(err error) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &v8.TypeError{Msg: "unexpected end of file\x00Z_BUF_ERROR"}
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, zlib.ErrHeader):
		return &v8.TypeError{Msg: "incorrect header check\x00Z_DATA_ERROR"}
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, zlib.ErrChecksum):
		return &v8.TypeError{Msg: "incorrect data check\x00Z_DATA_ERROR"}
	}
	return &v8.TypeError{Msg: "invalid compressed data\x00Z_DATA_ERROR"}
}

// nodeZlibRun compresses or decompresses in with op at level (-1: the
// default).
func nodeZlibRun(op int64, level int, in []byte) ([]byte, error) {
	var out bytes.Buffer
	var w io.WriteCloser
	var err error
	switch op {
	case nodeGzip:
		var gw *gzip.Writer
		if gw, err = gzip.NewWriterLevel(&out, level); err == nil {
			gw.Header.OS = 3 // Unix, as zlib writes it on Linux (Go's default is 255, unknown)
			w = gw
		}
	case nodeDeflate:
		w, err = zlib.NewWriterLevel(&out, level)
	case nodeDeflateRaw:
		w, err = flate.NewWriter(&out, level)
	case nodeGunzip, nodeInflate, nodeInflateRaw, nodeUnzip:
		var r io.ReadCloser
		src := bytes.NewReader(in)
		// zlib rejects a wrong magic number before it needs a whole header;
		// Go would report the short header first.
		if len(in) >= 2 {
			gz := in[0] == 0x1f && in[1] == 0x8b
			zl := in[0]&0x0f == 8 && (uint16(in[0])<<8|uint16(in[1]))%31 == 0
			if (op == nodeGunzip && !gz) || (op == nodeInflate && !zl) || (op == nodeUnzip && !gz && !zl) {
				return nil, nodeZlibErr(gzip.ErrHeader)
			}
		}
		switch {
		case op == nodeGunzip || (op == nodeUnzip && len(in) >= 2 && in[0] == 0x1f && in[1] == 0x8b):
			var gr *gzip.Reader
			if gr, err = gzip.NewReader(src); err == nil {
				gr.Multistream(true)
				r = gr
			}
		case op == nodeInflateRaw:
			r = flate.NewReader(src)
		default:
			r, err = zlib.NewReader(src)
		}
		if err != nil {
			return nil, nodeZlibErr(err)
		}
		if _, err := io.Copy(&out, r); err != nil {
			return nil, nodeZlibErr(err)
		}
		if err := r.Close(); err != nil {
			return nil, nodeZlibErr(err)
		}
		return out.Bytes(), nil
	default:
		return nil, &v8.TypeError{Msg: "zlib: unknown operation"}
	}
	if err != nil {
		return nil, &v8.RangeError{Msg: fmt.Sprintf(`The value of "options.level" is out of range. It must be >= -1 and <= 9. Received %d`, level)}
	}
	w.Write(in)
	w.Close()
	return out.Bytes(), nil
}

// installNodeZlib defines nodeZlib(op, level, sab, len), which returns the
// result's length and holds the result for nodeZlibTake(sab) to copy into a
// SharedArrayBuffer of that length. Errors come back as cryptoFunc's
// "\x00Name\x00message" strings.
func installNodeZlib(r *Runtime) {
	var pending []byte
	installNodeKeys(r, &pending) // node_keys.go: its results use nodeZlibTake too
	cryptoFunc(r, "nodeZlib", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 2, 1)
		if err != nil {
			return nil, err
		}
		out, err := nodeZlibRun(c.Int(0), int(c.Int(1)), p[0])
		if err != nil {
			return nil, err
		}
		pending = out
		return len(out), nil
	})
	cryptoFunc(r, "nodeZlibTake", func(c *v8.Call) (any, error) {
		b := pending
		pending = nil
		return nil, c.Fill(0, b)
	})
}
