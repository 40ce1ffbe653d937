//go:build linux && (amd64 || arm64)

package r2local

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fdatasync flushes f's data (plainFdatasync's contract) without holding
// one of the Go scheduler's Ps while the disk works.
//
// A blocking system call keeps its P until the runtime's monitor notices
// and hands the P to another thread, which can take up to 10 ms when the
// monitor has backed off. With GOMAXPROCS = 2, each sync of a large put
// (flushingFile syncs every 8 MiB, ~5-10 ms each) so left the hashing and
// the network to one P: a 64 MiB put took 15-20% longer than with the syncs
// on spare Ps (bench/README.md). So the sync is submitted through Linux AIO
// (IOCB_CMD_FDSYNC, run by the kernel's workqueue since Linux 4.18), and
// the caller waits for its completion on an eventfd through Go's network
// poller, which parks the goroutine and frees its P. Where AIO is missing
// or refuses the request (old kernels, some file systems, sandboxes), the
// sync is an ordinary fdatasync.
func fdatasync(f *os.File) error {
	a := sharedAIO()
	if a == nil {
		return plainFdatasync(f)
	}
	err := a.fdatasync(f)
	if errors.Is(err, errAIOUnavailable) || errors.Is(err, syscall.EINVAL) {
		// Not submitted, or the file system refused the asynchronous
		// form of the sync: sync the ordinary way (which reports its own
		// error, if any).
		return plainFdatasync(f)
	}
	if err != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
	}
	return nil
}

// errAIOUnavailable means the request could not be submitted; nothing was
// started and the caller syncs synchronously instead.
var errAIOUnavailable = errors.New("aio unavailable")

// sharedAIO is the process's AIO context, set up on first use; nil when the
// kernel does not provide one.
var sharedAIO = sync.OnceValue(func() *aioSync {
	a, err := newAIOSync(256)
	if err != nil {
		return nil
	}
	return a
})

// iocb is the kernel's struct iocb on little-endian 64-bit systems.
type iocb struct {
	data     uint64
	key      uint32
	rwFlags  int32
	opcode   uint16
	reqprio  int16
	fildes   uint32
	buf      uint64
	nbytes   uint64
	offset   int64
	reserved uint64
	flags    uint32
	resfd    uint32
}

// ioEvent is the kernel's struct io_event.
type ioEvent struct {
	data uint64
	obj  uint64
	res  int64
	res2 int64
}

const (
	iocbCmdFdsync = 3      // IOCB_CMD_FDSYNC
	iocbFlagResfd = 1 << 0 // IOCB_FLAG_RESFD: signal the eventfd on completion
)

// aioSync submits fdatasync requests to one AIO context and delivers their
// results: a goroutine waits on the context's eventfd (in the network
// poller, holding no P), reaps the completed events and answers their
// callers by request id.
type aioSync struct {
	ctx   uintptr  // aio_context_t
	efd   *os.File // non-blocking eventfd, registered with the poller
	efdNo uint32   // its descriptor, for the iocbs

	mu      sync.Mutex
	next    uint64
	waiting map[uint64]chan error

	events [64]ioEvent // used by loop only (heap: the struct is)
}

func newAIOSync(depth int) (*aioSync, error) {
	a := &aioSync{waiting: map[uint64]chan error{}}
	if _, _, e := unix.Syscall(unix.SYS_IO_SETUP, uintptr(depth), uintptr(unsafe.Pointer(&a.ctx)), 0); e != 0 {
		return nil, fmt.Errorf("io_setup: %w", e)
	}
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Syscall(unix.SYS_IO_DESTROY, a.ctx, 0, 0)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	a.efd, a.efdNo = os.NewFile(uintptr(fd), "aio-eventfd"), uint32(fd)
	go a.loop()
	return a, nil
}

// fdatasync submits an fdatasync of f and waits for its result.
func (a *aioSync) fdatasync(f *os.File) error {
	done := make(chan error, 1)
	a.mu.Lock()
	a.next++
	id := a.next
	a.waiting[id] = done
	a.mu.Unlock()
	// The kernel copies the iocb during io_submit; it need not outlive
	// the call.
	cb := &iocb{data: id, opcode: iocbCmdFdsync, fildes: uint32(f.Fd()), flags: iocbFlagResfd, resfd: a.efdNo}
	cbs := [1]*iocb{cb}
	for {
		n, _, e := unix.Syscall(unix.SYS_IO_SUBMIT, a.ctx, 1, uintptr(unsafe.Pointer(&cbs[0])))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 || n != 1 {
			a.mu.Lock()
			delete(a.waiting, id)
			a.mu.Unlock()
			return errAIOUnavailable
		}
		break
	}
	err := <-done
	// f must stay open until the kernel is done with its descriptor.
	runtime.KeepAlive(f)
	return err
}

// loop reaps completions whenever the eventfd counts some.
func (a *aioSync) loop() {
	var cnt [8]byte
	var zero unix.Timespec
	for {
		if _, err := a.efd.Read(cnt[:]); err != nil {
			// The eventfd is never closed; a read error would be a bug.
			// Fail whatever waits rather than leave it hanging.
			a.failAll(fmt.Errorf("aio eventfd: %w", err))
			return
		}
		for {
			n, _, e := unix.Syscall6(unix.SYS_IO_GETEVENTS, a.ctx, 0, uintptr(len(a.events)),
				uintptr(unsafe.Pointer(&a.events[0])), uintptr(unsafe.Pointer(&zero)), 0)
			if e == syscall.EINTR {
				continue
			}
			if e != 0 || n == 0 {
				break
			}
			a.mu.Lock()
			for _, ev := range a.events[:n] {
				if done, ok := a.waiting[ev.data]; ok {
					delete(a.waiting, ev.data)
					var err error
					if ev.res < 0 {
						err = syscall.Errno(-ev.res)
					}
					done <- err
				}
			}
			a.mu.Unlock()
		}
	}
}

func (a *aioSync) failAll(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, done := range a.waiting {
		delete(a.waiting, id)
		done <- err
	}
}
