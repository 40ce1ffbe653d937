//go:build linux && !(amd64 || arm64)

package r2local

import "os"

// fdatasync is plainFdatasync: the asynchronous path (aio_linux.go) is
// written for the little-endian 64-bit layout of struct iocb.
func fdatasync(f *os.File) error { return plainFdatasync(f) }
