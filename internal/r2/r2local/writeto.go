package r2local

import "io"

// WriteTo copies the body to w. When w is an http.ResponseWriter over a
// TCP connection, io.Copy hands the underlying file reader to the
// connection's ReadFrom, so the kernel copies the bytes (sendfile).
func (b *fileBody) WriteTo(w io.Writer) (int64, error) { return io.Copy(w, b.Reader) }
