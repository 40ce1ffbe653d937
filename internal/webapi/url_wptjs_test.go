package webapi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestURLWPTInJS runs the WPT URL data files through the JavaScript URL and
// URLSearchParams classes (the fast path, the Go parser behind them and the
// offset-based getters), one test per data file.
func TestURLWPTInJS(t *testing.T) {
	dir := wptDataDir(t)
	var src strings.Builder
	for _, f := range []struct{ name, rel string }{
		{"URL_TESTS", "url/resources/urltestdata.json"},
		{"SETTER_TESTS", "url/resources/setters_tests.json"},
		{"TOASCII_TESTS", "url/resources/toascii.json"},
		{"URLENCODED_TESTS", "url/resources/urlencoded-parser-data.json"},
	} {
		data, err := os.ReadFile(filepath.Join(dir, f.rel))
		if err != nil {
			t.Fatal(err)
		}
		src.WriteString("const " + f.name + " = ")
		src.Write(data)
		src.WriteString(";\n")
	}
	src.WriteString(urlWPTJS)
	res, logs := runJSFile(t, "url_wpt.js", src.String())
	if len(res) == 0 {
		t.Fatalf("no tests ran\n%s", logs)
	}
	for _, r := range res {
		t.Run(r.name, func(t *testing.T) {
			if !r.ok {
				t.Error(r.err)
			}
		})
	}
	t.Log(strings.TrimSpace(logs))
}

const urlWPTJS = `
const ATTRS = ["href", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"];
function report(name, fails, total) {
  console.log(name + ": " + (total - fails.length) + "/" + total + " pass");
  if (fails.length) throw new Error(fails.length + " failures:\n" + fails.slice(0, 30).join("\n"));
}

test("urltestdata.json", () => {
  const fails = [];
  let total = 0;
  for (const tc of URL_TESTS) {
    if (typeof tc === "string") continue;
    total++;
    const where = JSON.stringify(tc.input) + " base " + JSON.stringify(tc.base);
    let u;
    try {
      u = tc.base === null ? new URL(tc.input) : new URL(tc.input, tc.base);
    } catch (e) {
      if (!tc.failure) fails.push(where + ": threw " + e);
      else if (!(e instanceof TypeError)) fails.push(where + ": threw " + e + ", want TypeError");
      continue;
    }
    if (tc.failure) {
      fails.push(where + ": parsed as " + u.href + ", want failure");
      continue;
    }
    for (const a of ATTRS) if (u[a] !== tc[a]) { fails.push(where + ": " + a + " = " + JSON.stringify(u[a]) + ", want " + JSON.stringify(tc[a])); break; }
    if ("origin" in tc && u.origin !== tc.origin) fails.push(where + ": origin = " + u.origin + ", want " + tc.origin);
    if ("searchParams" in tc && u.searchParams.toString() !== tc.searchParams) fails.push(where + ": searchParams = " + u.searchParams + ", want " + tc.searchParams);
    // URL.canParse and URL.parse agree with the constructor.
    const base = tc.base === null ? undefined : tc.base;
    if (!URL.canParse(tc.input, base)) fails.push(where + ": canParse false");
    if (URL.parse(tc.input, base)?.href !== tc.href) fails.push(where + ": URL.parse differs");
    // Re-parsing the href gives the same URL (idempotence through the fast path).
    if (new URL(u.href).href !== u.href) fails.push(where + ": href does not round-trip");
  }
  report("urltestdata.json", fails, total);
});

test("setters_tests.json", () => {
  const fails = [];
  let total = 0;
  for (const attr of Object.keys(SETTER_TESTS)) {
    if (attr === "comment") continue;
    for (const tc of SETTER_TESTS[attr]) {
      total++;
      const u = new URL(tc.href);
      const sp = u.searchParams;
      u[attr] = tc.new_value;
      for (const [k, want] of Object.entries(tc.expected)) {
        if (u[k] !== want) { fails.push(attr + "=" + JSON.stringify(tc.new_value) + " on " + tc.href + ": " + k + " = " + JSON.stringify(u[k]) + ", want " + JSON.stringify(want)); break; }
      }
      if (sp.toString() !== new URLSearchParams(u.search).toString()) fails.push(attr + " on " + tc.href + ": searchParams not updated");
    }
  }
  report("setters_tests.json", fails, total);
});

test("toascii.json", () => {
  const fails = [];
  let total = 0;
  for (const tc of TOASCII_TESTS) {
    if (typeof tc === "string") continue;
    total++;
    const where = JSON.stringify(tc.input);
    if (tc.output === null) {
      try { new URL("https://" + tc.input + "/x"); fails.push(where + ": parsed, want failure"); } catch {}
      const u = new URL("https://x/x");
      u.host = tc.input;
      if (u.host !== "x") fails.push(where + ": host setter changed host to " + u.host);
      u.hostname = tc.input;
      if (u.hostname !== "x") fails.push(where + ": hostname setter changed host to " + u.hostname);
      continue;
    }
    let u;
    try { u = new URL("https://" + tc.input + "/x"); } catch (e) { fails.push(where + ": threw " + e); continue; }
    if (u.host !== tc.output || u.hostname !== tc.output || u.pathname !== "/x") { fails.push(where + ": host " + u.host + ", want " + tc.output); continue; }
    const v = new URL("https://x/x");
    v.host = tc.input;
    if (v.host !== tc.output) fails.push(where + ": host setter gives " + v.host);
    v.hostname = tc.input;
    if (v.hostname !== tc.output) fails.push(where + ": hostname setter gives " + v.hostname);
  }
  report("toascii.json", fails, total);
});

test("urlencoded-parser-data.json", () => {
  const fails = [];
  let total = 0;
  for (const tc of URLENCODED_TESTS) {
    total++;
    const got = [...new URLSearchParams(tc.input)];
    if (JSON.stringify(got) !== JSON.stringify(tc.output)) fails.push(JSON.stringify(tc.input) + ": " + JSON.stringify(got) + ", want " + JSON.stringify(tc.output));
    const u = new URL("http://x/?" + tc.input);
    if (!u.search.startsWith("?")) continue;
  }
  report("urlencoded-parser-data.json", fails, total);
});
`

// TestURLFastPathMatchesGo compares the JavaScript fast path (taken for
// simple http(s) URLs and path-absolute references against them) with the
// Go parser on generated inputs, including many that must fall back.
func TestURLFastPathMatchesGo(t *testing.T) {
	var cases [][2]string // input, base ("" for none)
	schemes := []string{"http", "https", "HTTPS", "hTtP", "ftp", "ws"}
	hosts := []string{"example.com", "EXAMPLE.com", "a.b.c", "x_y", "1.2.3", "0x1f", "1.2.3.4.", "xn--caf-dma.com", "XN--caf-dma.com", "foo.", "a..b", "-a-", "ex%41mple.com", "user@host", "h:80@x", "[::1]"}
	ports := []string{"", ":", ":80", ":443", ":0", ":8080", ":080", ":00443", ":65535", ":65536", ":99999"}
	paths := []string{"", "/", "/a/b", "/a/./b", "/a/../b", "/.", "/%2e/x", "/%2E", "/a b", "/é", "/a\\b", "//x", "/a%20b", "/~!$&'()*+,;=:@", "/{}", "/`", "/^|"}
	tails := []string{"", "?", "?a=1&b=2", "?a b", "?'", "?é", "#", "#f", "#a b", "?q#f", "?q#`", "#?x"}
	for _, s := range schemes {
		for _, h := range hosts {
			for _, p := range ports {
				for _, path := range paths[:4] {
					cases = append(cases, [2]string{s + "://" + h + p + path, ""})
				}
			}
		}
	}
	for _, path := range paths {
		for _, tail := range tails {
			cases = append(cases, [2]string{"https://example.com" + path + tail, ""})
			cases = append(cases, [2]string{path + tail, "https://example.com:8443/base/x?y#z"})
			cases = append(cases, [2]string{path + tail, "HTTP://Example.com:80"})
		}
	}
	var src strings.Builder
	src.WriteString("const CASES = [")
	for i, c := range cases {
		if i > 0 {
			src.WriteByte(',')
		}
		src.WriteString("[" + strconv.Quote(c[0]) + "," + strconv.Quote(c[1]) + "]")
	}
	src.WriteString(`];
test("fast path", () => {
  const out = [];
  for (const [s, b] of CASES) {
    try {
      const u = b === "" ? new URL(s) : new URL(s, b);
      out.push([u.href, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin].join("\n"));
    } catch (e) {
      out.push(e instanceof TypeError ? "failure" : String(e));
    }
  }
  console.log(JSON.stringify(out));
});
`)
	res, logs := runJSFile(t, "fastpath.js", src.String())
	if len(res) != 1 || !res[0].ok {
		t.Fatalf("%v\n%s", res, logs)
	}
	logs = strings.TrimSpace(logs)
	var got []string
	if err := json.Unmarshal([]byte(logs[strings.Index(logs, "["):]), &got); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		var base *urlRecord
		want := "failure"
		ok := true
		if c[1] != "" {
			base = parseURL(c[1], nil)
			ok = base != nil
		}
		if ok {
			if u := parseURL(c[0], base); u != nil {
				href, o := u.serialize()
				g := urlGetters(href, o)
				want = strings.Join([]string{g["href"], g["protocol"], g["username"], g["password"], g["host"], g["hostname"], g["port"], g["pathname"], g["search"], g["hash"], u.origin()}, "\n")
			}
		}
		if got[i] != want {
			t.Errorf("%q base %q:\n got %q\nwant %q", c[0], c[1], got[i], want)
		}
	}
	t.Logf("%d inputs agree", len(cases))
}

// TestURLFastSettersMatchGo compares the setters (the JavaScript fast
// setters for http(s) URLs, else Go) with the Go implementation.
func TestURLFastSettersMatchGo(t *testing.T) {
	bases := []string{"https://example.com/a/b?q=1#f", "http://u:p@example.com:8080/", "https://example.com", "http://example.com/x?", "https://example.com/#", "sc://h/p?q#f", "file:///tmp/x"}
	values := map[string][]string{
		"protocol": {"http", "https:", "HTTPS", "ws", "ftp", "sc", "http:foo", "ht tp", ""},
		"host":     {"other.example", "Other.Example:81", "x:443", "x:80", "x:65536", "x:", "[::1]:9", "bücher.de", "1.2.3.4", "a/b", ""},
		"hostname": {"other.example", "UPPER.example", "1.2.3", "0x10", "xn--caf-dma.com", "a:1", "a b", "", "ex%41mple"},
		"port":     {"", "81", "443", "80", "0", "65535", "65536", "8080abc", "abc", "0080"},
		"pathname": {"", "/", "x", "/a b", "/a/./b", "/a/../b", ".", "/é", "/a?b", "/a#b", "\\x", "/%2e/"},
		"search":   {"", "?", "x=1", "?x=1", "a b", "'", "é", "#x", "?a?b"},
		"hash":     {"", "#", "f", "#f", "a b", "`", "é", "##"},
		"username": {"", "me", "m e"},
		"password": {"", "pw", "p@w"},
	}
	which := map[string]int{"protocol": setProtocol, "username": setUsername, "password": setPassword, "host": setHost, "hostname": setHostname, "port": setPort, "pathname": setPathname, "search": setSearch, "hash": setHash}
	type tc struct{ base, attr, value string }
	var cases []tc
	for _, b := range bases {
		for attr, vs := range values {
			for _, v := range vs {
				cases = append(cases, tc{b, attr, v})
			}
		}
	}
	// Chains of setters (attr=value pairs joined by "&") exercise the
	// offsets that one setter leaves for the next.
	chains := []string{
		"host=a.example:8080&port=443&protocol=http",
		"port=81&hostname=B.example&port=&search=x&hash=h&pathname=/p",
		"hash=h&search=q&search=&hash=&pathname=&port=9",
		"protocol=http&port=80&host=c:81&protocol=https&search=?z",
		"search=a&pathname=/x/y&hash=&host=d&port=1&port=2",
	}
	for _, b := range bases {
		for _, ch := range chains {
			cases = append(cases, tc{b, "chain", ch})
		}
	}
	var src strings.Builder
	src.WriteString("const CASES = [")
	for i, c := range cases {
		if i > 0 {
			src.WriteByte(',')
		}
		src.WriteString("[" + strconv.Quote(c.base) + "," + strconv.Quote(c.attr) + "," + strconv.Quote(c.value) + "]")
	}
	src.WriteString(`];
test("setters", () => {
  const out = [];
  for (const [b, attr, v] of CASES) {
    const u = new URL(b);
    const sp = u.searchParams;
    if (attr === "chain") {
      for (const step of v.split("&")) {
        const eq = step.indexOf("=");
        u[step.slice(0, eq)] = step.slice(eq + 1);
      }
    } else {
      u[attr] = v;
    }
    // A second setter on the result exercises the updated offsets.
    const w = new URL(u.href);
    if (sp.toString() !== new URLSearchParams(u.search).toString()) out.push("searchParams stale");
    else out.push([u.href, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, w.href === u.href].join("\n"));
  }
  console.log(JSON.stringify(out));
});
`)
	res, logs := runJSFile(t, "setters.js", src.String())
	if len(res) != 1 || !res[0].ok {
		t.Fatalf("%v\n%s", res, logs)
	}
	logs = strings.TrimSpace(logs)
	var got []string
	if err := json.Unmarshal([]byte(logs[strings.Index(logs, "["):]), &got); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		u := parseURL(c.base, nil)
		if c.attr == "chain" {
			for _, step := range strings.Split(c.value, "&") {
				k, v, _ := strings.Cut(step, "=")
				u.set(which[k], v)
			}
		} else {
			u.set(which[c.attr], c.value)
		}
		href, o := u.serialize()
		g := urlGetters(href, o)
		want := strings.Join([]string{g["href"], g["protocol"], g["username"], g["password"], g["host"], g["hostname"], g["port"], g["pathname"], g["search"], g["hash"], "true"}, "\n")
		if got[i] != want {
			t.Errorf("%s=%q on %q:\n got %q\nwant %q", c.attr, c.value, c.base, got[i], want)
		}
	}
	t.Logf("%d setter cases agree", len(cases))
}
