package r2local

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// fdatasync (through AIO where the kernel has it) returns once the sync is
// done, for many callers at once, and reports the kernel's errors.
func TestFdatasync(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			f, err := os.Create(filepath.Join(dir, "f"+string(rune('a'+i%26))+string(rune('a'+i/26))))
			if err != nil {
				errs <- err
				return
			}
			defer f.Close()
			for range 3 {
				if _, err := f.Write(bytes.Repeat([]byte{byte(i)}, 1<<16)); err != nil {
					errs <- err
					return
				}
				if err := fdatasync(f); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// A pipe cannot be synced: the error reaches the caller, whichever
	// path reported it.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if err := fdatasync(w); err == nil {
		t.Fatal("fdatasync of a pipe: no error")
	}
}

// A flushingFile syncs behind the writer and reports a failed background
// sync from Finish.
func TestFlushingFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "blob"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := newFlushingFile(f)
	chunk := bytes.Repeat([]byte{7}, 1<<20)
	for range 3*flushEvery>>20 + 1 {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(true); err != nil {
		t.Fatal(err)
	}
	if st, err := f.Stat(); err != nil || st.Size() != 3*flushEvery+1<<20 {
		t.Fatalf("size %v, %v", st.Size(), err)
	}

	// Writes to a pipe succeed (the reader drains it) but it cannot be
	// synced: the background sync's error comes back from Finish.
	r, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		buf := make([]byte, 1<<20)
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	}()
	w = newFlushingFile(pw)
	for range flushEvery>>20 + 1 {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish(false); err == nil {
		t.Fatal("Finish after a failed background sync: no error")
	}
	pw.Close()
}
