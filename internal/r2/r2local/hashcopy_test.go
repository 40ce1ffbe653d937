package r2local

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestCopyHashing checks that CopyHashing writes every byte to the file and
// to each hash, in order, across many buffer cycles and uneven reads, and
// that it reports read and write errors.
func TestCopyHashing(t *testing.T) {
	data := make([]byte, 5*copyBufSize+12345)
	for i := range data {
		data[i] = byte(i*131 + i>>9)
	}
	for _, name := range []string{"whole", "one byte", "half"} {
		var r io.Reader = bytes.NewReader(data)
		switch name {
		case "one byte":
			r = iotest.OneByteReader(bytes.NewReader(data[:100000]))
		case "half":
			r = iotest.HalfReader(bytes.NewReader(data))
		}
		want := data
		if name == "one byte" {
			want = data[:100000]
		}
		var f bytes.Buffer
		m, s := md5.New(), sha256.New()
		n, err := CopyHashing(&f, r, []io.Writer{m, s})
		if err != nil || n != int64(len(want)) || !bytes.Equal(f.Bytes(), want) {
			t.Fatalf("%s: copied %d, %v; file equal %v", name, n, err, bytes.Equal(f.Bytes(), want))
		}
		wm, ws := md5.Sum(want), sha256.Sum256(want)
		if !bytes.Equal(m.Sum(nil), wm[:]) || !bytes.Equal(s.Sum(nil), ws[:]) {
			t.Fatalf("%s: digests differ", name)
		}
	}

	boom := errors.New("boom")
	if _, err := CopyHashing(io.Discard, iotest.ErrReader(boom), []io.Writer{md5.New()}); err != boom {
		t.Errorf("read error: %v", err)
	}
	if _, err := CopyHashing(failWriter{boom}, bytes.NewReader(data), []io.Writer{md5.New()}); err != boom {
		t.Errorf("write error: %v", err)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }
