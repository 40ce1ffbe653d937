package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/config/wrangler"
)

// Defaults of `zerostack serve` (see DESIGN.md: serve listens on :80 and
// :443, as a production web server does; dev keeps wrangler's 8787).
const (
	// DefaultServeHTTP is the Workers listener when neither [serve] http
	// nor --http names one.
	DefaultServeHTTP = ":80"
	// DefaultServeHTTPS is the TLS listener when a certificate is
	// configured and no address is.
	DefaultServeHTTPS = ":443"
	// DefaultShutdownTimeout is how long a stopping server waits for
	// requests and queue batches in flight.
	DefaultShutdownTimeout = 30 * time.Second
	// MaxCPUMillis is the highest limits.cpu_ms Cloudflare accepts
	// (5 minutes, Workers Paid, since the 2025-03-25 changelog "Run Workers
	// for up to 5 minutes of CPU-time"); serve refuses more. Without
	// cpu_ms a request gets 30 s, Cloudflare's default on Workers Paid
	// (worker.DefaultCPULimit); the Free plan's 10 ms is not a useful
	// default on one's own hardware.
	MaxCPUMillis = 300_000
	// MaxHeaderBytes is Cloudflare's limit on a request's headers (128 KB
	// in total, Workers limits page); larger ones get 431.
	MaxHeaderBytes = 128 << 10
	// AddrOff as an address turns a listener off (http = "off" serves
	// HTTPS only).
	AddrOff = "off"
)

// ServeConfig is the [serve] section of zerostack.toml: what `zerostack
// serve` listens on and which projects it serves. Every field is optional;
// the flags of `zerostack serve` override each one. Paths are made absolute
// relative to the file.
//
//	[serve]
//	projects = ["api", "site/wrangler.toml"] # Workers/Pages projects (dirs or config files)
//	env = "production"                       # [env.NAME] of every project
//	http = ":80"                             # Workers listener; "off" with https serves HTTPS only
//	https = ":443"                           # TLS listener, needs cert and key
//	cert = "/etc/zerostack/cert.pem"
//	key = "/etc/zerostack/key.pem"
//	s3 = ":9000"                             # S3 API of the R2 buckets (off when unset)
//	api = "127.0.0.1:8788"                   # REST API: Queues pull consumers (off when unset)
//	api_token_env = "ZEROSTACK_API_TOKEN"    # bearer token of the REST API, from the environment
//	state_dir = "/var/lib/zerostack"         # KV, D1, R2, … data
//	domains = ["example.com"]                # <worker>.example.com reaches a worker by name
//	s3_domains = ["s3.example.com"]          # <bucket>.s3.example.com on the S3 listener
//	default = "api"                          # worker for requests no route matches
//	log_format = "json"                      # json | text
//	log_level = "info"                       # debug | info | warn | error
//	shutdown_timeout = "30s"
//	isolates = 4                             # per worker (default: one per two CPUs)
//	access_log = false                       # no "request" line per request (default true)
type ServeConfig struct {
	File      string
	Projects  []string
	Env       string
	HTTP      string
	HTTPS     string
	Cert, Key string
	S3        string
	API       string
	// APITokenEnv names the environment variable holding the REST API's
	// bearer token (the token itself never sits in the file).
	APITokenEnv string
	StateDir    string
	Domains     []string
	S3Domains   []string
	Default     string
	LogFormat   string
	LogLevel    string
	Shutdown    time.Duration
	Isolates    int
	// AccessLog is access_log: nil when unset (the default logs requests).
	AccessLog *bool
}

// LoadServeConfig reads the [serve] section of the zerostack.toml at file.
// Keys outside [serve] belong to other parts of zerostack ([ai]) and are
// ignored here. Errors are [*config.Error]s with the file, line and column
// of each problem (joined when there are several).
func LoadServeConfig(file string) (*ServeConfig, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("serve config: %w", err)
	}
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	return ParseServeConfig(file, data)
}

// ParseServeConfig parses the text of a zerostack.toml named file (used for
// messages and to resolve relative paths).
func ParseServeConfig(file string, data []byte) (*ServeConfig, error) {
	root, err := wrangler.ParseTOML(data)
	if err != nil {
		var se *wrangler.SyntaxError
		if errors.As(err, &se) {
			return nil, &config.Error{File: file, Line: se.Line, Col: se.Col, Msg: se.Msg}
		}
		return nil, &config.Error{File: file, Msg: err.Error()}
	}
	c := &ServeConfig{File: file}
	m := root.Get("serve")
	if m == nil {
		return c, nil
	}
	p := &serveParser{file: file}
	p.parse(m, c)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return c, nil
}

type serveParser struct {
	file string
	errs []error
}

func (p *serveParser) errorf(pos wrangler.Pos, format string, args ...any) {
	p.errs = append(p.errs, &config.Error{File: p.file, Line: pos.Line, Col: pos.Col, Msg: fmt.Sprintf(format, args...)})
}

func (p *serveParser) str(m wrangler.Member) (string, bool) {
	if m.Value.Kind != wrangler.String {
		p.errorf(m.Pos, "serve.%s: expected a string, got %s", m.Key, m.Value.Kind)
		return "", false
	}
	return m.Value.Str, true
}

func (p *serveParser) strs(m wrangler.Member) []string {
	if m.Value.Kind != wrangler.Array {
		p.errorf(m.Pos, "serve.%s: expected an array of strings, got %s", m.Key, m.Value.Kind)
		return nil
	}
	var out []string
	for i, e := range m.Value.Elems {
		if e.Kind != wrangler.String {
			pos := e.Pos
			if pos.Line == 0 {
				pos = m.Pos
			}
			p.errorf(pos, "serve.%s[%d]: expected a string, got %s", m.Key, i, e.Kind)
			continue
		}
		out = append(out, e.Str)
	}
	return out
}

// addr checks a listen address ("host:port", ":port"); a bare port is
// accepted as ":port".
func (p *serveParser) addr(m wrangler.Member) string {
	s, ok := p.str(m)
	if !ok {
		return ""
	}
	a, err := NormalizeAddr(s)
	if err != nil {
		p.errorf(m.Pos, "serve.%s: %v", m.Key, err)
	}
	return a
}

func (p *serveParser) path(m wrangler.Member) string {
	s, ok := p.str(m)
	if !ok || s == "" {
		return s
	}
	return resolvePath(s, filepath.Dir(p.file))
}

var serveKeys = []string{"projects", "env", "http", "https", "cert", "key", "s3", "api", "api_token_env", "state_dir",
	"domains", "s3_domains", "default", "log_format", "log_level", "shutdown_timeout", "isolates", "access_log"}

func (p *serveParser) parse(m *wrangler.Member, c *ServeConfig) {
	if m.Value.Kind != wrangler.Object {
		p.errorf(m.Pos, "serve: expected a table, got %s", m.Value.Kind)
		return
	}
	for _, f := range m.Value.Members {
		switch f.Key {
		case "projects":
			for _, s := range p.strs(f) {
				c.Projects = append(c.Projects, resolvePath(s, filepath.Dir(p.file)))
			}
		case "env":
			c.Env, _ = p.str(f)
		case "http":
			c.HTTP = p.addr(f)
		case "https":
			c.HTTPS = p.addr(f)
		case "s3":
			c.S3 = p.addr(f)
		case "api":
			c.API = p.addr(f)
		case "cert":
			c.Cert = p.path(f)
		case "key":
			c.Key = p.path(f)
		case "api_token_env":
			c.APITokenEnv, _ = p.str(f)
		case "state_dir":
			c.StateDir = p.path(f)
		case "domains", "s3_domains":
			for _, d := range p.strs(f) {
				d = strings.ToLower(strings.Trim(d, "."))
				if d == "" || strings.ContainsAny(d, "/*: ") {
					p.errorf(f.Pos, "serve.%s: %q is not a host name (write e.g. \"example.com\")", f.Key, d)
					continue
				}
				if f.Key == "domains" {
					c.Domains = append(c.Domains, d)
				} else {
					c.S3Domains = append(c.S3Domains, d)
				}
			}
		case "default":
			c.Default, _ = p.str(f)
		case "log_format":
			if s, ok := p.str(f); ok {
				if s != "json" && s != "text" {
					p.errorf(f.Pos, "serve.log_format: %q is not json or text", s)
				}
				c.LogFormat = s
			}
		case "log_level":
			if s, ok := p.str(f); ok {
				switch strings.ToLower(s) {
				case "debug", "info", "warn", "error", "none":
				default:
					p.errorf(f.Pos, "serve.log_level: %q is not debug, info, warn, error or none", s)
				}
				c.LogLevel = s
			}
		case "shutdown_timeout":
			if s, ok := p.str(f); ok {
				d, err := time.ParseDuration(s)
				if err != nil || d <= 0 {
					p.errorf(f.Pos, "serve.shutdown_timeout: %q is not a positive duration (write e.g. \"30s\")", s)
				}
				c.Shutdown = d
			}
		case "access_log":
			if f.Value.Kind != wrangler.Bool {
				p.errorf(f.Pos, "serve.access_log: expected true or false, got %s", f.Value.Kind)
				continue
			}
			v := f.Value.Bool
			c.AccessLog = &v
		case "isolates":
			if f.Value.Kind != wrangler.Int || f.Value.Int < 1 || f.Value.Int > 256 {
				p.errorf(f.Pos, "serve.isolates: expected an integer from 1 to 256")
				continue
			}
			c.Isolates = int(f.Value.Int)
		default:
			p.errorf(f.Pos, "serve: unknown key %q (known: %s)", f.Key, strings.Join(serveKeys, ", "))
		}
	}
	if (c.Cert == "") != (c.Key == "") {
		p.errorf(m.Pos, "serve: cert and key go together: set both (PEM files) to serve HTTPS, or neither")
	}
}

// NormalizeAddr checks a listen address and returns it in host:port form:
// "8080" becomes ":8080"; "localhost:9000" and "[::1]:80" stay as they are;
// [AddrOff] ("off") turns a listener off.
func NormalizeAddr(s string) (string, error) {
	if s == "" || s == AddrOff {
		return s, nil
	}
	if _, err := strconv.Atoi(s); err == nil {
		s = ":" + s
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return s, fmt.Errorf("%q is not a listen address (write host:port or :port, e.g. \":8080\")", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return s, fmt.Errorf("%q: port must be a number from 0 to 65535", s)
	}
	return s, nil
}

// resolvePath resolves ~ and a path relative to base.
func resolvePath(p, base string) string {
	if strings.HasPrefix(p, "~/") {
		if h, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(h, p[2:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return p
}
