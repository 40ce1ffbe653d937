package webapi

import (
	"encoding/binary"

	"github.com/zerostack/zerostack/internal/v8"
)

// installURL defines the host functions of the url area (js/url.js):
//
//   - urlParse(input, base?) parses input against the optional base URL
//     string and returns the serialized URL, or undefined on failure (of
//     either). The component offsets of the result are left in the scratch
//     area (see putOffsets).
//   - urlSet(href, which, value) runs the setter which (setProtocol …
//     setHash) on the URL href (already serialized) and returns the new
//     href, offsets in the scratch area as for urlParse.
//   - urlOrigin(href) returns the serialized origin of href.
//
// It also installs the URLPattern canonicalizers (installURLPattern).
func installURL(r *Runtime) {
	installURLPattern(r)
	r.Func("urlParse", func(c *v8.Call) (any, error) {
		var base *urlRecord
		if !c.IsNullish(1) {
			if base = parseURL(c.String(1), nil); base == nil {
				return nil, nil
			}
		}
		u := parseURL(c.String(0), base)
		if u == nil {
			return nil, nil
		}
		href, o := u.serialize()
		putOffsets(r.Iso.Scratch(), &o)
		return href, nil
	})
	r.Func("urlSet", func(c *v8.Call) (any, error) {
		u := parseURL(c.String(0), nil)
		if u == nil {
			return nil, nil
		}
		u.set(int(c.Int(1)), c.String(2))
		href, o := u.serialize()
		putOffsets(r.Iso.Scratch(), &o)
		return href, nil
	})
	r.Func("urlOrigin", func(c *v8.Call) (any, error) {
		u := parseURL(c.String(0), nil)
		if u == nil {
			return "null", nil
		}
		return u.origin(), nil
	})
}

// putOffsets writes o into b as ten little-endian int32s, in field order;
// js/url.js reads them through an Int32Array over the scratch area.
func putOffsets(b []byte, o *urlOffsets) {
	vals := [10]int{o.schemeEnd, o.userStart, o.userEnd, o.passEnd, o.hostStart, o.hostEnd, o.port, o.pathStart, o.queryStart, o.fragStart}
	for i, v := range vals {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(int32(v)))
	}
}
