package webapi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// wptDataDir returns the directory of the shared web-platform-tests data
// (../shared/wpt-data beside the repository root). It fails the test when
// the data is missing: CI keeps it beside the repository.
func wptDataDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "wpt-data")
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Fatalf("WPT data not found at %s (expected ../shared/wpt-data beside the repository root): %v", dir, err)
	}
	return dir
}

// readWPT decodes the JSON file rel under the WPT data directory into v.
func readWPT(t testing.TB, rel string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(wptDataDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

// urlGetters returns the attribute values of a serialized URL, computed
// from the offsets as js/url.js does.
func urlGetters(href string, o urlOffsets) map[string]string {
	end := len(href)
	m := map[string]string{"href": href, "protocol": href[:o.schemeEnd+1]}
	m["username"] = href[o.userStart:o.userEnd]
	m["password"] = ""
	if o.passEnd > o.userEnd {
		m["password"] = href[o.userEnd+1 : o.passEnd]
	}
	m["hostname"] = href[o.hostStart:o.hostEnd]
	m["port"] = ""
	m["host"] = m["hostname"]
	if o.port >= 0 {
		m["port"] = strconv.Itoa(o.port)
		m["host"] += ":" + m["port"]
	}
	pe := end
	if o.fragStart >= 0 {
		pe = o.fragStart
	}
	m["search"], m["hash"] = "", ""
	if o.fragStart >= 0 && end-o.fragStart > 1 {
		m["hash"] = href[o.fragStart:]
	}
	if o.queryStart >= 0 {
		if pe-o.queryStart > 1 {
			m["search"] = href[o.queryStart:pe]
		}
		pe = o.queryStart
	}
	m["pathname"] = href[o.pathStart:pe]
	return m
}

var urlAttrs = []string{"href", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"}

func TestURLTestData(t *testing.T) {
	var cases []any
	readWPT(t, "url/resources/urltestdata.json", &cases)
	pass, total := 0, 0
	for _, raw := range cases {
		tc, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		total++
		input := tc["input"].(string)
		var base *urlRecord
		baseOK := true
		if b, ok := tc["base"].(string); ok {
			base = parseURL(b, nil)
			baseOK = base != nil
		}
		var u *urlRecord
		if baseOK {
			u = parseURL(input, base)
		}
		if tc["failure"] == true {
			if u != nil {
				href, _ := u.serialize()
				t.Errorf("%q (base %v): parsed as %q, want failure", input, tc["base"], href)
				continue
			}
			pass++
			continue
		}
		if u == nil {
			t.Errorf("%q (base %v): failed", input, tc["base"])
			continue
		}
		href, o := u.serialize()
		got := urlGetters(href, o)
		bad := false
		for _, a := range urlAttrs {
			if want := tc[a].(string); got[a] != want {
				t.Errorf("%q (base %v): %s = %q, want %q", input, tc["base"], a, got[a], want)
				bad = true
			}
		}
		if want, ok := tc["origin"].(string); ok && u.origin() != want {
			t.Errorf("%q (base %v): origin = %q, want %q", input, tc["base"], u.origin(), want)
			bad = true
		}
		if !bad {
			pass++
		}
	}
	t.Logf("urltestdata.json: %d/%d pass", pass, total)
}

func TestURLSettersData(t *testing.T) {
	var data map[string]json.RawMessage
	readWPT(t, "url/resources/setters_tests.json", &data)
	which := map[string]int{"protocol": setProtocol, "username": setUsername, "password": setPassword, "host": setHost, "hostname": setHostname, "port": setPort, "pathname": setPathname, "search": setSearch, "hash": setHash}
	pass, total := 0, 0
	for attr, raw := range data {
		if attr == "comment" {
			continue
		}
		var cases []struct {
			Href     string            `json:"href"`
			NewValue string            `json:"new_value"`
			Expected map[string]string `json:"expected"`
		}
		if err := json.Unmarshal(raw, &cases); err != nil {
			t.Fatal(err)
		}
		for _, tc := range cases {
			total++
			u := parseURL(tc.Href, nil)
			if u == nil {
				t.Errorf("%s: %q does not parse", attr, tc.Href)
				continue
			}
			u.set(which[attr], tc.NewValue)
			href, o := u.serialize()
			got := urlGetters(href, o)
			bad := false
			for k, want := range tc.Expected {
				if got[k] != want {
					t.Errorf("%s=%q on %q: %s = %q, want %q", attr, tc.NewValue, tc.Href, k, got[k], want)
					bad = true
				}
			}
			if !bad {
				pass++
			}
		}
	}
	t.Logf("setters_tests.json: %d/%d pass", pass, total)
}

func TestURLToASCIIData(t *testing.T) {
	var cases []any
	readWPT(t, "url/resources/toascii.json", &cases)
	pass, total := 0, 0
	for _, raw := range cases {
		tc, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		total++
		input := tc["input"].(string)
		want, _ := tc["output"].(string)
		u := parseURL("https://"+input+"/x", nil)
		var got string
		if u != nil {
			got = u.host
		}
		if (u == nil) != (tc["output"] == nil) || got != want {
			t.Errorf("%q: host %q (ok %v), want %v", input, got, u != nil, tc["output"])
			continue
		}
		// The host and hostname setters agree with the parser.
		ok2 := true
		for _, w := range []int{setHost, setHostname} {
			v := parseURL("https://x/x", nil)
			v.set(w, input)
			exp := want
			if tc["output"] == nil {
				exp = "x"
			}
			if v.host != exp {
				t.Errorf("%q: setter %d gives host %q, want %q", input, w, v.host, exp)
				ok2 = false
			}
		}
		if ok2 {
			pass++
		}
	}
	t.Logf("toascii.json: %d/%d pass", pass, total)
}
