package websocket

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// Opcodes of RFC 6455 §5.2.
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xA
)

// Close codes of RFC 6455 §7.4.1 that this package sends or reports.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	CloseProtocolError   = 1002
	CloseNoStatus        = 1005 // reported when a Close frame carries no code; never sent
	CloseAbnormal        = 1006 // reported when the connection drops without a Close frame; never sent
	CloseInvalidPayload  = 1007
	CloseMessageTooBig   = 1009
	CloseInternalError   = 1011
	maxControlPayload    = 125
	maxFrameHeaderLength = 14
)

// ProtocolError is a violation of RFC 6455 by the peer. Code is the close
// code this side sends before dropping the connection.
type ProtocolError struct {
	Code int
	Msg  string
}

func (e *ProtocolError) Error() string { return "websocket: " + e.Msg }

func protoErr(code int, format string, args ...any) error {
	return &ProtocolError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// frameHeader is a parsed frame header.
type frameHeader struct {
	fin    bool
	op     byte
	masked bool
	mask   [4]byte
	length int64
}

// readFrameHeader reads one frame header from r into h, using buf (at
// least maxFrameHeaderLength bytes) as scratch, and checks it against the
// rules that do not depend on the message in progress: reserved bits clear
// (no extension is ever negotiated), a known opcode, control frames final
// and at most 125 bytes, a minimal 63-bit length, and masking as the role
// requires (frames from clients are masked, frames from servers are not).
func readFrameHeader(r io.Reader, buf []byte, fromClient bool) (frameHeader, error) {
	var h frameHeader
	if _, err := io.ReadFull(r, buf[:2]); err != nil {
		return h, err
	}
	b0, b1 := buf[0], buf[1]
	h.fin = b0&0x80 != 0
	if b0&0x70 != 0 {
		return h, protoErr(CloseProtocolError, "reserved bits set in a frame without a negotiated extension")
	}
	h.op = b0 & 0x0f
	switch h.op {
	case opContinuation, opText, opBinary, opClose, opPing, opPong:
	default:
		return h, protoErr(CloseProtocolError, "unknown opcode %#x", h.op)
	}
	h.masked = b1&0x80 != 0
	if h.masked != fromClient {
		if fromClient {
			return h, protoErr(CloseProtocolError, "a frame from the client is not masked")
		}
		return h, protoErr(CloseProtocolError, "a frame from the server is masked")
	}
	n := int64(b1 & 0x7f)
	extra := 0
	switch n {
	case 126:
		extra = 2
	case 127:
		extra = 8
	}
	if h.masked {
		extra += 4
	}
	if extra > 0 {
		if _, err := io.ReadFull(r, buf[2:2+extra]); err != nil {
			return h, unexpected(err)
		}
	}
	p := buf[2:]
	switch n {
	case 126:
		n = int64(binary.BigEndian.Uint16(p))
		if n < 126 {
			return h, protoErr(CloseProtocolError, "a frame length is not minimally encoded")
		}
		p = p[2:]
	case 127:
		u := binary.BigEndian.Uint64(p)
		if u>>63 != 0 {
			return h, protoErr(CloseProtocolError, "a frame length has its most significant bit set")
		}
		if u < 1<<16 {
			return h, protoErr(CloseProtocolError, "a frame length is not minimally encoded")
		}
		n = int64(u)
		p = p[8:]
	}
	if h.masked {
		copy(h.mask[:], p[:4])
	}
	h.length = n
	if h.op >= opClose {
		if !h.fin {
			return h, protoErr(CloseProtocolError, "a control frame is fragmented")
		}
		if n > maxControlPayload {
			return h, protoErr(CloseProtocolError, "a control frame carries more than 125 bytes")
		}
	}
	return h, nil
}

// unexpected turns io.EOF in the middle of a frame into
// io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// maskBytes XORs b with the mask, starting at position pos of the mask,
// and returns the position after b.
func maskBytes(mask [4]byte, pos int, b []byte) int {
	// Eight bytes at a time, then the tail.
	if len(b) >= 16 {
		var m8 [8]byte
		for i := range m8 {
			m8[i] = mask[(pos+i)&3]
		}
		k := binary.LittleEndian.Uint64(m8[:])
		i := 0
		for ; i+8 <= len(b); i += 8 {
			binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])^k)
		}
		pos += i
		b = b[i:]
	}
	for i := range b {
		b[i] ^= mask[pos&3]
		pos++
	}
	return pos & 3
}

// appendFrameHeader appends the header of a final frame with opcode op and
// an n-byte payload. When mask is not nil the frame is masked with it.
func appendFrameHeader(dst []byte, op byte, n int, mask *[4]byte) []byte {
	b1 := byte(0)
	if mask != nil {
		b1 = 0x80
	}
	dst = append(dst, 0x80|op)
	switch {
	case n < 126:
		dst = append(dst, b1|byte(n))
	case n < 1<<16:
		dst = append(dst, b1|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	if mask != nil {
		dst = append(dst, mask[:]...)
	}
	return dst
}

// parseClose reads a Close frame's payload: the code (CloseNoStatus when
// empty) and the reason. It rejects a one-byte body, codes that may not
// appear on the wire (RFC 6455 §7.4) and a reason that is not UTF-8.
func parseClose(p []byte) (int, string, error) {
	switch len(p) {
	case 0:
		return CloseNoStatus, "", nil
	case 1:
		return 0, "", protoErr(CloseProtocolError, "a close frame has a one-byte body")
	}
	code := int(binary.BigEndian.Uint16(p))
	if !ValidCloseCode(code) {
		return 0, "", protoErr(CloseProtocolError, "invalid close code %d", code)
	}
	reason := p[2:]
	if !utf8.Valid(reason) {
		return 0, "", protoErr(CloseInvalidPayload, "a close reason is not valid UTF-8")
	}
	return code, string(reason), nil
}

// ValidCloseCode reports whether code may be sent in a Close frame: 1000-1003,
// 1007-1014 and 3000-4999 (RFC 6455 §7.4 and the IANA registry).
func ValidCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// closePayload is the body of a Close frame; CloseNoStatus gives an empty
// body.
func closePayload(code int, reason string) []byte {
	if code == CloseNoStatus || code == 0 {
		return nil
	}
	b := make([]byte, 2, 2+len(reason))
	binary.BigEndian.PutUint16(b, uint16(code))
	return append(b, reason...)
}

var errClosed = errors.New("websocket: the connection is closed")
