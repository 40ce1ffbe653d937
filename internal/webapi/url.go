package webapi

// installURL defines the host functions of the url area (js/url.js).
func installURL(r *Runtime) {}
