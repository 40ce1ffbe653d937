//go:build !linux

package use

// allocBig returns n zeroed bytes for the weights, and the function that frees them
// (nothing to do here: an ordinary Go slice).
func allocBig(n int) ([]byte, func()) { return make([]byte, n), func() {} }
