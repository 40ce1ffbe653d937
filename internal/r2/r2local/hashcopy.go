package r2local

import "io"

// copyBufSize is the size of each of the buffers copyHashing cycles through.
const copyBufSize = 256 << 10

// copyHashing copies r to f until EOF and writes the same bytes, in order,
// to each hash in hs. The hashes run on another goroutine, overlapping with
// reading r and writing f (MD5 alone is slower than a page-cache write), so
// the copy takes about as long as the slower of the two rather than their
// sum. It returns the bytes copied and the first read or write error; the
// hashes have seen every byte written to f when it returns.
func copyHashing(f io.Writer, r io.Reader, hs []io.Writer) (int64, error) {
	if len(hs) == 0 {
		return io.CopyBuffer(f, r, make([]byte, copyBufSize))
	}
	const nbuf = 3
	free := make(chan []byte, nbuf)
	for range nbuf {
		free <- make([]byte, copyBufSize)
	}
	full := make(chan []byte, nbuf)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range full {
			for _, h := range hs {
				h.Write(b) // hash.Hash writes never fail
			}
			free <- b[:cap(b)]
		}
	}()
	var n int64
	var err error
	for {
		b := <-free
		m, rerr := r.Read(b)
		if m > 0 {
			if _, werr := f.Write(b[:m]); werr != nil {
				err = werr
				break
			}
			n += int64(m)
			full <- b[:m]
		} else {
			free <- b
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
	}
	close(full)
	<-done
	return n, err
}
