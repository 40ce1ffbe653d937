package webapi

// installCompression defines the host functions of the compression area (js/compression.js).
func installCompression(r *Runtime) {}
