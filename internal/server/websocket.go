package server

import (
	"bufio"
	"net"
	"net/http"
)

// Unwrap exposes the connection under the access log's writer
// (http.ResponseController follows Unwrap).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Hijack takes the connection over for a worker's 101 response (a
// WebSocket) and records 101 for the access log, since no WriteHeader call
// tells it.
func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(s.ResponseWriter).Hijack()
	if err == nil {
		s.status = http.StatusSwitchingProtocols
	}
	return c, rw, err
}
