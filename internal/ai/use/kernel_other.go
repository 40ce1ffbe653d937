//go:build !amd64 && !arm64

package use

// kernels lists the matrix-multiply kernels this CPU runs: the portable Go one.
func kernels() []kernel { return []kernel{goKernel} }

// dot returns a·b (len(b) >= len(a)).
func dot(a, b []float32) float32 { return dotGo(a, b) }

// axpy adds alpha·x to y (len(y) >= len(x)).
func axpy(alpha float32, x, y []float32) { axpyGo(alpha, x, y) }
