package webapi

// installCrypto defines the host functions of the crypto area (js/crypto.js).
func installCrypto(r *Runtime) {}
