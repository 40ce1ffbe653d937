package r2local

import "os"

// flushEvery is how many bytes a blob file may hold unsynced before a
// background fdatasync starts on it.
//
// A put must not answer before its bytes are on the disk. Syncing only at
// the end makes the disk write the whole object after the last byte has
// arrived: ~50-65 ms of a 64 MiB put here, on a virtual disk whose flush
// costs grow with the data written since the last one (even writeback
// started early with sync_file_range, or O_DIRECT writes, left 35-48 ms for
// the final flush). Syncing every few MiB while the body is still streaming
// and being hashed overlaps the disk with the network and the CPU and
// leaves the put ~8-10 ms of final sync. 4, 8, 16 and 32 MiB measured
// alike within noise up to 16; 8 keeps the number of syncs per large
// object small. Objects smaller than this are synced once, as before.
const flushEvery = 8 << 20

// flushingFile writes to a blob file and keeps it synced behind the
// writer: after every flushEvery bytes it wakes a goroutine that
// fdatasyncs the file, without blocking the writes (a sync still running
// when the next one is due is followed by one more, covering both).
type flushingFile struct {
	f       *os.File
	pending int64 // bytes written since the last wake-up

	wake chan struct{} // capacity 1: a due sync
	done chan struct{} // closed when the syncing goroutine has exited
	err  error         // the first background fdatasync error (read after done)
}

// newFlushingFile starts keeping f synced; Finish must be called.
func newFlushingFile(f *os.File) *flushingFile {
	w := &flushingFile{f: f, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *flushingFile) loop() {
	defer close(w.done)
	for range w.wake {
		if err := fdatasync(w.f); err != nil && w.err == nil {
			w.err = err
		}
	}
}

// Write implements io.Writer.
func (w *flushingFile) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.pending += int64(n)
	if w.pending >= flushEvery {
		w.pending = 0
		select {
		case w.wake <- struct{}{}:
		default: // a sync is already due; it will cover these bytes too
		}
	}
	return n, err
}

// Finish stops the background syncs and, when sync is true, makes every
// byte written durable with a last fdatasync. It returns the first error of
// any sync. The file stays open.
func (w *flushingFile) Finish(sync bool) error {
	close(w.wake)
	<-w.done
	if w.err != nil {
		return w.err
	}
	if sync {
		return fdatasync(w.f)
	}
	return nil
}
