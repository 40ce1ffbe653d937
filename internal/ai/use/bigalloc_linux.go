package use

import "golang.org/x/sys/unix"

// allocBig returns n zeroed bytes for the weights, and the function that frees them.
// On Linux they come from an anonymous mapping advised to use transparent huge pages:
// touching 27 MB of fresh 4 KiB pages cost 130-300 ms of CPU in page faults on the
// development VM, against 3-40 ms with huge pages. Elsewhere, or if mapping fails, it is
// an ordinary Go slice (and free does nothing).
func allocBig(n int) ([]byte, func()) {
	if n <= 0 {
		return nil, func() {}
	}
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n), func() {}
	}
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE) // advice only: without it the pages are small
	return b, func() { _ = unix.Munmap(b) }
}
