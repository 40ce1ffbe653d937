//go:build !amd64

package use

// kernels lists the matrix-multiply kernels this CPU runs: the portable Go one.
func kernels() []kernel { return []kernel{goKernel} }
