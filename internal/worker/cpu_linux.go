package worker

import (
	"io"
	"syscall"
	"time"
	"unsafe"
)

func gettid() int { return syscall.Gettid() }

// threadCPU returns the CPU time consumed by the calling OS thread.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// threadCPUOf returns the CPU time consumed by thread tid of this process,
// through the per-thread CPU clock that Linux derives from a thread id
// (clockid = ~tid<<3 | CPUCLOCK_PERTHREAD | CPUCLOCK_SCHED).
func threadCPUOf(tid int) (time.Duration, bool) {
	var ts syscall.Timespec
	clock := (^uintptr(tid) << 3) | 4 | 2
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clock, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}

func newPipe() (*io.PipeReader, *io.PipeWriter) { return io.Pipe() }
