package webapi

// installEncoding defines the host functions of the encoding area (js/encoding.js).
func installEncoding(r *Runtime) {}
