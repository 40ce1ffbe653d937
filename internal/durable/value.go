package durable

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"time"
)

// The runtime stores key-value API values as a structured serialization
// (internal/binding/js/durable.js): a tag byte per value, big-endian
// lengths and float64 numbers. DecodeValue reads it for inspection (the
// CLI); the runtime itself reads values in JavaScript.
const (
	tagUndefined = iota
	tagNull
	tagTrue
	tagFalse
	tagNumber
	tagString
	tagBigInt
	tagDate
	tagRegExp
	tagArrayBuffer
	tagView
	tagArray
	tagObject
	tagMap
	tagSet
	tagHole
	tagRef
	tagError
)

// ErrBadValue is returned by DecodeValue for bytes that are not a stored
// value.
var ErrBadValue = errors.New("durable: malformed stored value")

// DecodeValue turns a stored value into something encoding/json can print:
// objects as map[string]any, arrays as []any, and the types JSON lacks as
// one-key objects: {"$date": RFC 3339}, {"$bigint": digits}, {"$bytes":
// base64}, {"$map": [[k, v], …]}, {"$set": […]}, {"$regexp": "/src/flags"},
// {"$error": "Name: message"}, {"$undefined": true}; a repeated reference
// as {"$ref": n}.
func DecodeValue(b []byte) (any, error) {
	d := &decoder{b: b}
	v := d.value(0)
	if d.err != nil {
		return nil, d.err
	}
	return v, nil
}

type decoder struct {
	b    []byte
	p    int
	refs int
	err  error
}

func (d *decoder) need(n int) bool {
	if d.err != nil || n < 0 || d.p+n > len(d.b) {
		d.err = ErrBadValue
		return false
	}
	return true
}

func (d *decoder) u32() int {
	if !d.need(4) {
		return 0
	}
	v := binary.BigEndian.Uint32(d.b[d.p:])
	d.p += 4
	return int(v)
}

func (d *decoder) f64() float64 {
	if !d.need(8) {
		return 0
	}
	v := math.Float64frombits(binary.BigEndian.Uint64(d.b[d.p:]))
	d.p += 8
	return v
}

func (d *decoder) bytes() []byte {
	n := d.u32()
	if !d.need(n) {
		return nil
	}
	v := d.b[d.p : d.p+n]
	d.p += n
	return v
}

func (d *decoder) str() string { return string(d.bytes()) }

func num(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return map[string]any{"$number": fmtFloat(f)}
	}
	return f
}

func fmtFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case f > 0:
		return "Infinity"
	}
	return "-Infinity"
}

func (d *decoder) value(depth int) any {
	if depth > 1000 || !d.need(1) {
		d.err = ErrBadValue
		return nil
	}
	t := d.b[d.p]
	d.p++
	switch t {
	case tagUndefined:
		return map[string]any{"$undefined": true}
	case tagNull:
		return nil
	case tagTrue:
		return true
	case tagFalse:
		return false
	case tagNumber:
		return num(d.f64())
	case tagString:
		return d.str()
	case tagBigInt:
		return map[string]any{"$bigint": d.str()}
	case tagRef:
		return map[string]any{"$ref": d.u32()}
	}
	d.refs++
	switch t {
	case tagDate:
		ms := d.f64()
		return map[string]any{"$date": time.UnixMilli(int64(ms)).UTC().Format(time.RFC3339Nano)}
	case tagRegExp:
		src := d.str()
		return map[string]any{"$regexp": "/" + src + "/" + d.str()}
	case tagArrayBuffer:
		return map[string]any{"$bytes": base64.StdEncoding.EncodeToString(d.bytes())}
	case tagView:
		kind := d.str()
		return map[string]any{"$bytes": base64.StdEncoding.EncodeToString(d.bytes()), "$view": kind}
	case tagArray, tagSet:
		n := d.u32()
		if !d.need(min(n, 1)) {
			return nil
		}
		out := make([]any, 0, min(n, 1024))
		for i := 0; i < n && d.err == nil; i++ {
			if t == tagArray && d.p < len(d.b) && d.b[d.p] == tagHole {
				d.p++
				out = append(out, nil)
				continue
			}
			out = append(out, d.value(depth+1))
		}
		if t == tagSet {
			return map[string]any{"$set": out}
		}
		return out
	case tagObject:
		n := d.u32()
		out := map[string]any{}
		for i := 0; i < n && d.err == nil; i++ {
			k := d.str()
			out[k] = d.value(depth + 1)
		}
		return out
	case tagMap:
		n := d.u32()
		out := make([]any, 0, min(n, 1024))
		for i := 0; i < n && d.err == nil; i++ {
			k := d.value(depth + 1)
			out = append(out, []any{k, d.value(depth + 1)})
		}
		return map[string]any{"$map": out}
	case tagError:
		name := d.str()
		msg := d.str()
		d.str()
		return map[string]any{"$error": name + ": " + msg}
	}
	d.err = ErrBadValue
	return nil
}
