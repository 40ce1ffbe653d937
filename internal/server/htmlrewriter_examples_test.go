package server

import (
	"fmt"
	"strings"
	"testing"
)

// TestExampleHTMLRewriter runs examples/html-rewriter: an asset fetched
// through the ASSETS binding and a streamed new Response(html), both
// rewritten by HTMLRewriter on their way out.
func TestExampleHTMLRewriter(t *testing.T) {
	d := startExample(t, "html-rewriter", nil)
	base := d.URL()

	r := do(t, "GET", base+"/", "", nil)
	want := `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Rewritten &amp; streamed</title>
<script src="/analytics.js" defer></script></head>
<body>
  <h1 class=title data-variant="A">Hello</h1>
  <p>Read the <a href="` + base + `/docs">docs</a> or the <a href="` + base + `/blog">blog</a>.</p>
  
  
</body>
</html>
<!-- removed: build: 1234 -->`
	if r.status != 200 || r.body != want {
		t.Fatalf("GET / = %d\n%s\nwant\n%s", r.status, r.body, want)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type %q", ct)
	}
	if cl := r.header.Get("Content-Length"); cl != "" {
		t.Fatalf("a rewritten body went out with the asset's Content-Length %s", cl)
	}

	r = do(t, "GET", base+"/", "", map[string]string{"Cookie": "variant=B"})
	if !strings.Contains(r.body, `<h1 class=title data-variant="B">Hello, &lt;B&gt; visitor</h1>`) {
		t.Fatalf("variant B:\n%s", r.body)
	}

	// a streamed page of 3,000 rows, rewritten as it is produced
	r = do(t, "GET", base+"/generated?rows=3000", "", nil)
	if r.status != 200 || !strings.HasPrefix(r.body, `<html><head><script src="/analytics.js" defer></script></head><body><ul><li><a href="`+base+`/item/0">item 0</a></li>`) ||
		!strings.HasSuffix(r.body, "</ul></body></html><!-- removed:  -->") {
		t.Fatalf("GET /generated = %d %.300s … %.100s", r.status, r.body, r.body[max(0, len(r.body)-100):])
	}
	if n := strings.Count(r.body, `<a href="`+base+`/item/`); n != 3000 {
		t.Fatalf("%d rewritten links, want 3000", n)
	}
	if !strings.Contains(r.body, fmt.Sprintf(`<a href="%s/item/2999">item 2999</a>`, base)) {
		t.Fatal("last row missing")
	}
}
