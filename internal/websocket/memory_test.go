package websocket

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// nopHandler ignores everything.
type nopHandler struct{}

func (nopHandler) Message(*Conn, bool, []byte)    {}
func (nopHandler) Close(*Conn, int, string, bool) {}
func (nopHandler) Error(*Conn, error)             {}

// BenchmarkIdleServerConn reports what an idle server-side connection costs
// in this process: goroutine stack bytes and live heap bytes per
// connection, measured over b.N connections held open by clients in the
// same process (whose own costs are measured the same way and subtracted:
// client and server Conns are the same type).
//
//	go test -run - -bench IdleServerConn -benchtime 2000x ./internal/websocket
func BenchmarkIdleServerConn(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Upgrade(w, r, nil)
		if err == nil {
			c.Start(nopHandler{})
		}
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	measure := func() (stack, heap uint64) {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.StackInuse, m.HeapAlloc
	}
	s0, h0 := measure()
	conns := make([]*Conn, 0, b.N)
	for i := 0; i < b.N; i++ {
		c, _, err := Dial(context.Background(), url, nil)
		if err != nil {
			b.Fatal(err)
		}
		c.Start(nopHandler{})
		conns = append(conns, c)
	}
	s1, h1 := measure()
	n := float64(b.N)
	// Both ends live here: half of the growth is the server side.
	b.ReportMetric(float64(s1-s0)/n/2, "stack-B/conn")
	b.ReportMetric(float64(h1-h0)/n/2, "heap-B/conn")
	for _, c := range conns {
		c.Abort()
	}
}
