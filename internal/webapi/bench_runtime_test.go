package webapi

import (
	"runtime"
	"testing"
)

// BenchmarkRuntimeNew measures a new isolate with the prelude loaded (code
// cache warm).
func BenchmarkRuntimeNew(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	r, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	r.Close()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		r, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		r.Close()
	}
}
