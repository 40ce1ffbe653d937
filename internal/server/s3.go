package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/zerostack/zerostack/internal/r2"
	"github.com/zerostack/zerostack/internal/s3api"
)

// S3Options configures [StartS3].
type S3Options struct {
	// IP and Port to listen on; Port 0 or -1 picks a free port.
	IP   string
	Port int
	// Buckets are created if missing (the [[r2_buckets]] of the
	// configuration), so S3 clients see the buckets the worker uses.
	Buckets []string
	// Domains are base host names for virtual-host-style addressing
	// (<bucket>.<domain>); hosts under localhost always work.
	Domains []string
	// SweepInterval is how often lifecycle rules are applied; default 10
	// minutes.
	SweepInterval time.Duration
	Logger        *slog.Logger
}

// S3Server is the S3-compatible API of a [State]'s R2 buckets on its own
// listener, with the access keys and bucket settings of s3api.Settings (in
// the state directory) and the lifecycle sweeper. Unsigned reads of public
// buckets (`r2 bucket dev-url enable`) are served on the same listener.
type S3Server struct {
	settings *s3api.Settings
	srv      *http.Server
	ln       net.Listener
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// StartS3 serves st's R2 store over the S3 API. It returns once the
// listener accepts connections; Shutdown stops it (before st is closed).
func StartS3(st *State, opts S3Options) (*S3Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "s3")
	ctx, cancel := context.WithCancel(context.Background())
	for _, b := range opts.Buckets {
		if _, err := st.R2().CreateBucket(ctx, b); err != nil && !errors.Is(err, r2.ErrBucketExists) {
			cancel()
			return nil, fmt.Errorf("s3: bucket %s: %w", b, err)
		}
	}
	set, err := s3api.OpenSettings(s3api.SettingsPath(st.Dir()))
	if err != nil {
		cancel()
		return nil, err
	}
	port := max(opts.Port, 0)
	ln, err := net.Listen("tcp", net.JoinHostPort(opts.IP, strconv.Itoa(port)))
	if err != nil {
		cancel()
		set.Close()
		return nil, fmt.Errorf("s3: listen on %s:%d: %w (choose another with --s3-port)", opts.IP, port, err)
	}
	s := &S3Server{settings: set, ln: ln, cancel: cancel}
	h := s3api.New(s3api.Options{Store: st.R2(), Multipart: st.R2(), Buckets: st.R2(), Credentials: set, Settings: set, Domains: opts.Domains, Logger: log})
	s.srv = &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	interval := opts.SweepInterval
	if interval <= 0 {
		interval = 10 * time.Minute
	}
	sw := &s3api.Sweeper{Store: st.R2(), Multipart: st.R2(), Settings: set, Logger: log}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("s3: serve", "err", err)
		}
	}()
	go func() {
		defer s.wg.Done()
		sw.Run(ctx, interval)
	}()
	return s, nil
}

// Addr is the address the S3 API listens on.
func (s *S3Server) Addr() net.Addr { return s.ln.Addr() }

// URL is the S3 endpoint, e.g. http://127.0.0.1:9000.
func (s *S3Server) URL() string {
	a := s.ln.Addr().(*net.TCPAddr)
	host := a.IP.String()
	if a.IP.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(a.Port))
}

// Settings returns the access keys and bucket settings (open until
// Shutdown returns).
func (s *S3Server) Settings() *s3api.Settings { return s.settings }

// Shutdown stops accepting requests, waits for those in flight (until ctx
// ends), stops the sweeper and closes the settings database.
func (s *S3Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	s.cancel()
	s.wg.Wait()
	return errors.Join(err, s.settings.Close())
}

// startDevS3 starts the S3 API of a development server on ip and
// DevOptions.S3Port, creating the configuration's buckets.
func startDevS3(d *Dev, ip string) (*S3Server, error) {
	var buckets []string
	for _, b := range d.cfg.R2Buckets {
		buckets = append(buckets, R2BucketName(b))
	}
	return StartS3(d.state, S3Options{IP: ip, Port: d.opts.S3Port, Buckets: buckets, Logger: d.log})
}

// S3 returns the S3 API server, or nil when DevOptions.S3Port was 0.
func (d *Dev) S3() *S3Server { return d.s3 }
