package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/zerostack/zerostack/internal/queues"
)

// APIServer serves the subset of Cloudflare's v4 REST API that zerostack
// dev offers (base URL http://<ip>:<port>/client/v4): for now the Queues
// messages API used by HTTP pull consumers (see [queues.PullHandler]).
type APIServer struct {
	srv *http.Server
	ln  net.Listener
}

// URL is the API's base URL, as clients set CLOUDFLARE_API_BASE_URL.
func (a *APIServer) URL() string { return "http://" + a.ln.Addr().String() + "/client/v4" }

// Shutdown stops the server.
func (a *APIServer) Shutdown(ctx context.Context) error { return a.srv.Shutdown(ctx) }

// startDevAPI serves the API on DevOptions.APIPort of ip.
func startDevAPI(d *Dev, ip string) (*APIServer, error) {
	port := d.opts.APIPort
	if port < 0 {
		port = 0
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("api: listen on %s:%d: %w (choose another with --api-port)", ip, port, err)
	}
	store, err := d.state.Queues()
	if err != nil {
		ln.Close()
		return nil, err
	}
	h := &queues.PullHandler{
		Store: store,
		Token: d.opts.APIToken,
		Sent:  d.state.notifyQueue,
		Log:   d.log,
		Consumer: func(queue string) (queues.ConsumerConfig, bool) {
			for _, c := range d.cfg.Queues.Consumers {
				if c.Queue == queue {
					return ConsumerConfig(c), true
				}
			}
			return queues.ConsumerConfig{}, false
		},
	}
	a := &APIServer{srv: &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}, ln: ln}
	go func() {
		if err := a.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("api: serve", "err", err)
		}
	}()
	return a, nil
}

// API returns the REST API server, or nil when DevOptions.APIPort was 0.
func (d *Dev) API() *APIServer { return d.api }
