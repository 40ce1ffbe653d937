package server

import "net/http"

// Unwrap exposes the connection under the access log's writer, so that a
// worker's 101 response can hijack it for a WebSocket
// (http.ResponseController follows Unwrap).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
