//go:build linux && (amd64 || arm64)

package r2local

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// The AIO path is taken where the kernel has it, and its eventfd stays
// non-blocking: a blocking one would tie up a P in read, which is what the
// AIO path exists to avoid.
func TestAIOEventfdStaysNonBlocking(t *testing.T) {
	a := sharedAIO()
	if a == nil {
		t.Skip("no AIO context on this kernel: fdatasync is synchronous (covered by TestFdatasync)")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("x")
	for range 3 {
		if err := a.fdatasync(f); err != nil {
			t.Fatalf("aio fdatasync: %v", err)
		}
	}
	flags, err := unix.FcntlInt(uintptr(a.efdNo), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if flags&unix.O_NONBLOCK == 0 {
		t.Fatal("the AIO eventfd became blocking")
	}
}
