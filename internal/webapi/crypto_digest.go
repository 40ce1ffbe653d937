package webapi

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding"
	"hash"
	"hash/crc32"
	"hash/crc64"

	"github.com/zerostack/zerostack/internal/v8"
)

// crypto.DigestStream (a workerd extension) hashes incrementally. The hash
// state does not stay in Go: after each chunk Go returns the marshaled state
// (encoding.BinaryMarshaler, which every hash used here implements) and
// JavaScript passes it back with the next chunk, so an abandoned stream
// leaves nothing behind in Go.

// Hash codes past cryptoHashNames: the checksums DigestStream also offers.
const (
	cryptoCRC32     = 6
	cryptoCRC32C    = 7
	cryptoCRC64NVME = 8
)

var (
	cryptoCRC32CTable = crc32.MakeTable(crc32.Castagnoli)
	// CRC-64/NVME: polynomial 0xad93d23594c935a9, reflected (0x9a6c9329ac4bc9b5).
	cryptoCRC64NVMETable = crc64.MakeTable(0x9a6c9329ac4bc9b5)
)

// cryptoNewStreamHash returns a fresh hash for a DigestStream hash code.
func cryptoNewStreamHash(code int64) hash.Hash {
	switch code {
	case 1:
		return sha1.New()
	case 2:
		return sha256.New()
	case 3:
		return sha512.New384()
	case 4:
		return sha512.New()
	case 5:
		return md5.New()
	case cryptoCRC32:
		return crc32.NewIEEE()
	case cryptoCRC32C:
		return crc32.New(cryptoCRC32CTable)
	case cryptoCRC64NVME:
		return crc64.New(cryptoCRC64NVMETable)
	}
	return nil
}

// cryptoStreamHash restores the hash of code from its marshaled state.
func cryptoStreamHash(code int64, state []byte) (hash.Hash, error) {
	h := cryptoNewStreamHash(code)
	if h == nil {
		return nil, cryptoErr("NotSupportedError", "Unrecognized or unimplemented digest algorithm requested.")
	}
	if len(state) > 0 {
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
			return nil, cryptoErr("OperationError", "Invalid digest state.")
		}
	}
	return h, nil
}

func (cs *cryptoState) installDigestStream(r *Runtime) {
	// cryptoHashUpdate(code, sab, stateLen, dataLen) hashes data after the
	// state (empty: a fresh hash) and returns the new state.
	cryptoFunc(r, "cryptoHashUpdate", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 1, 2)
		if err != nil {
			return nil, err
		}
		h, err := cryptoStreamHash(c.Int(0), p[0])
		if err != nil {
			return nil, err
		}
		h.Write(p[1])
		state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil {
			return nil, cryptoErr("OperationError", err.Error())
		}
		return cs.out(state), nil
	})
	// cryptoHashFinal(code, sab, stateLen) returns the digest of the state.
	cryptoFunc(r, "cryptoHashFinal", func(c *v8.Call) (any, error) {
		p, err := cryptoArgs(c, 1, 1)
		if err != nil {
			return nil, err
		}
		h, err := cryptoStreamHash(c.Int(0), p[0])
		if err != nil {
			return nil, err
		}
		return cs.out(h.Sum(nil)), nil
	})
}
