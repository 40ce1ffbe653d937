package r2local

import (
	"os"
	"syscall"
)

// plainFdatasync flushes f's data and the metadata needed to read it back
// (its size), but not its timestamps, as SQLite does for its own files on
// Linux: the WAL is mostly overwritten in place, so this saves a journal
// commit of the file system per sync.
func plainFdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			if err != nil {
				return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
			}
			return nil
		}
	}
}
