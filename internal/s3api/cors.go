package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// CORSConfiguration is a bucket's CORS configuration (S3's document).
type CORSConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	Rules   []CORSRule `xml:"CORSRule"`
}

// CORSRule is one rule of a [CORSConfiguration].
type CORSRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds"`
}

// Validate checks S3's rules: 1..100 rules, each with an origin and a
// method of GET, PUT, POST, DELETE or HEAD, origins and headers with at
// most one '*'.
func (c *CORSConfiguration) Validate() error {
	if len(c.Rules) == 0 || len(c.Rules) > 100 {
		return ErrMalformedXML
	}
	for _, r := range c.Rules {
		if len(r.AllowedOrigins) == 0 || len(r.AllowedMethods) == 0 {
			return ErrMalformedXML
		}
		for _, m := range r.AllowedMethods {
			switch m {
			case "GET", "PUT", "POST", "DELETE", "HEAD":
			default:
				return ErrInvalidRequest.With("Found unsupported HTTP method in CORS config. Unsupported method is %s", m)
			}
		}
		for _, o := range append(append([]string{}, r.AllowedOrigins...), r.AllowedHeaders...) {
			if strings.Count(o, "*") > 1 {
				return ErrInvalidRequest.With("%s can not have more than one wildcard.", o)
			}
		}
	}
	return nil
}

// wildMatch matches s against a pattern with at most one '*'.
func wildMatch(pattern, s string) bool {
	pre, post, ok := strings.Cut(pattern, "*")
	if !ok {
		return pattern == s
	}
	return len(s) >= len(pre)+len(post) && strings.HasPrefix(s, pre) && strings.HasSuffix(s, post)
}

// match returns the first rule allowing origin, method and the requested
// headers, or nil.
func (c *CORSConfiguration) match(origin, method string, headers []string) *CORSRule {
	for i := range c.Rules {
		r := &c.Rules[i]
		okOrigin := false
		for _, o := range r.AllowedOrigins {
			if wildMatch(o, origin) {
				okOrigin = true
				break
			}
		}
		if !okOrigin || !contains(r.AllowedMethods, method) {
			continue
		}
		okHeaders := true
		for _, h := range headers {
			found := false
			for _, a := range r.AllowedHeaders {
				if wildMatch(strings.ToLower(a), h) {
					found = true
					break
				}
			}
			if !found {
				okHeaders = false
				break
			}
		}
		if okHeaders {
			return r
		}
	}
	return nil
}

func (h *Handler) loadCORS(q *request) (*CORSConfiguration, error) {
	if h.settings == nil {
		return nil, nil
	}
	doc, err := h.settings.BucketConfig(q.ctx, q.bucket, ConfigCORS)
	if err != nil || doc == nil {
		return nil, err
	}
	var c CORSConfiguration
	if err := xml.Unmarshal(doc, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func allowOrigin(r *CORSRule, origin string) string {
	if contains(r.AllowedOrigins, "*") {
		return "*"
	}
	return origin
}

// preflight answers a CORS preflight (OPTIONS) request; it needs no
// credentials.
func (h *Handler) preflight(w http.ResponseWriter, r *http.Request, bucket, key string) {
	q := &request{w: w, r: r, bucket: bucket, key: key, ctx: r.Context()}
	origin, method := r.Header.Get("Origin"), r.Header.Get("Access-Control-Request-Method")
	if origin == "" || method == "" || bucket == "" {
		writeError(w, r, h.log, bucket, key, ErrInvalidRequest.With("Insufficient information. Origin request header needed."))
		return
	}
	var reqHeaders []string
	for _, v := range r.Header.Values("Access-Control-Request-Headers") {
		for _, x := range strings.Split(v, ",") {
			if x = strings.ToLower(strings.TrimSpace(x)); x != "" {
				reqHeaders = append(reqHeaders, x)
			}
		}
	}
	c, err := h.loadCORS(q)
	if err != nil {
		writeError(w, r, h.log, bucket, key, err)
		return
	}
	var rule *CORSRule
	if c != nil {
		rule = c.match(origin, method, reqHeaders)
	}
	if rule == nil {
		writeError(w, r, h.log, bucket, key, ErrCORSForbidden)
		return
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", allowOrigin(rule, origin))
	hd.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(reqHeaders) > 0 {
		hd.Set("Access-Control-Allow-Headers", strings.Join(reqHeaders, ", "))
	}
	if len(rule.ExposeHeaders) > 0 {
		hd.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds != nil {
		hd.Set("Access-Control-Max-Age", strconv.Itoa(*rule.MaxAgeSeconds))
	}
	hd.Add("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	w.WriteHeader(http.StatusOK)
}

// applyCORS sets the CORS response headers of an actual request whose
// Origin a rule of the bucket allows.
func (h *Handler) applyCORS(q *request) {
	c, err := h.loadCORS(q)
	if err != nil || c == nil {
		return
	}
	origin := q.r.Header.Get("Origin")
	rule := c.match(origin, q.r.Method, nil)
	if rule == nil {
		return
	}
	hd := q.w.Header()
	hd.Set("Access-Control-Allow-Origin", allowOrigin(rule, origin))
	hd.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(rule.ExposeHeaders) > 0 {
		hd.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds != nil {
		hd.Set("Access-Control-Max-Age", strconv.Itoa(*rule.MaxAgeSeconds))
	}
	hd.Add("Vary", "Origin")
}

func (h *Handler) putCORS(q *request) error {
	return putBucketConfig[CORSConfiguration](h, q, ConfigCORS)
}

func (h *Handler) getCORS(q *request) error {
	return h.getBucketConfig(q, ConfigCORS, "CORSConfiguration", ErrNoSuchCORS)
}

func (h *Handler) deleteCORS(q *request) error {
	return h.deleteBucketConfig(q, ConfigCORS)
}
