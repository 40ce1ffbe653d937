package binding

import (
	"bytes"
	"io"
	"strings"

	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
)

// body reads a value prepared by the prelude's bodyForHost, passed as
// arguments i (kind), i+1 and i+2: 0 none, 1 a string, 2 bytes in a
// SharedArrayBuffer (buffer, length), 3 a pipe that JavaScript fills
// (writer id), 4 a Go reader passed through untouched (reader id). The
// returned reader must be closed: closing a pipe stops the JavaScript side
// from waiting on writes nobody reads.
func body(rt *webapi.Runtime, c *v8.Call, i int) (io.ReadCloser, error) {
	switch c.Int(i) {
	case 0:
		return io.NopCloser(bytes.NewReader(nil)), nil
	case 1:
		return io.NopCloser(strings.NewReader(c.String(i + 1))), nil
	case 2:
		b, err := c.Bytes(i+1, int(c.Int(i+2)))
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	case 3, 4:
		rc, ok := rt.TakeReader(int(c.Int(i + 1)))
		if !ok {
			return nil, &v8.TypeError{Msg: "This ReadableStream is disturbed (has already been read from), and cannot be used as a body."}
		}
		return rc, nil
	}
	return nil, &v8.TypeError{Msg: "unsupported body"}
}
