package webapi

import (
	"unicode/utf8"
	"unsafe"

	"github.com/zerostack/zerostack/internal/v8"
)

// installEncoding defines the host functions of the encoding area
// (js/encoding.js), used for large inputs where Go plus V8's native UTF-8
// conversion beats a JavaScript loop:
//
//   - encUTF8(s) → n: the UTF-8 bytes of s (lone surrogates already replaced
//     by V8's conversion) are in the scratch area when n ≥ 0; otherwise they
//     are held and -n-1 is their length, to be fetched with encTake(sab).
//   - encTake(sab): copies the held bytes into sab and drops them.
//   - decUTF8(sab, n, fatal) → string: decodes the first n bytes of sab,
//     replacing invalid sequences with U+FFFD as the Encoding Standard does
//     (V8's decoder does so); with fatal, invalid input returns false.
func installEncoding(r *Runtime) {
	var held []byte
	r.Func("encUTF8", func(c *v8.Call) (any, error) {
		s := c.String(0)
		scr := r.Iso.Scratch()
		if len(s) <= len(scr) {
			return copy(scr, s), nil
		}
		held = []byte(s)
		return -len(held) - 1, nil
	})
	r.Func("encTake", func(c *v8.Call) (any, error) {
		b := held
		held = nil
		return nil, c.Fill(0, b)
	})
	r.Func("decUTF8", func(c *v8.Call) (any, error) {
		n := int(c.Int(1))
		var b []byte
		if n <= len(r.Iso.Scratch()) {
			b = r.Iso.Scratch()[:n]
		} else {
			var err error
			if b, err = c.Bytes(0, n); err != nil {
				return nil, err
			}
		}
		if c.Bool(2) && !utf8.Valid(b) {
			return false, nil
		}
		if n == 0 {
			return "", nil
		}
		// The string is only read by the conversion to a V8 string, which
		// copies it before the scratch area can change.
		return unsafe.String(&b[0], n), nil
	})
}
