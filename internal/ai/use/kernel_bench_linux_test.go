package use

import (
	"runtime"
	"syscall"
	"testing"
)

// BenchmarkLinear measures the matrix multiply of layer 1's first FFN matrix for 16
// texts of 27 tokens, in GFLOP/s of wall time and of the thread's CPU time (the latter
// holds up on a shared machine).
func BenchmarkLinear(b *testing.B) {
	for _, kern := range kernels() {
		b.Run(kern.name, func(b *testing.B) { benchLinear(b, kern) })
	}
}

func benchLinear(b *testing.B, kern kernel) {
	const rows, k, n = 432, 512, 1536
	l := randomLinear(kern, k, n)
	x := make([]float32, rows*k)
	dst := make([]float32, rows*n)
	var r0, r1 syscall.Rusage
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	syscall.Getrusage(syscall.RUSAGE_THREAD, &r0)
	for b.Loop() {
		l.apply(1, dst, x, rows, nil, false)
	}
	syscall.Getrusage(syscall.RUSAGE_THREAD, &r1)
	cpu := float64(r1.Utime.Nano()-r0.Utime.Nano()) / 1e9
	flops := float64(2*rows*k*n) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(flops/cpu/1e9, "GFLOP/cpu-s")
}
