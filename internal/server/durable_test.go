package server

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestDurableCounter(t *testing.T) {
	d := startExample(t, "durable-counter", nil)
	u := d.URL()
	get := func(path string) string {
		t.Helper()
		r := do(t, "GET", u+path, "", nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		return strings.TrimSpace(r.body)
	}
	if got := get("/rpc/increment?by=5"); got != "5" {
		t.Fatalf("increment = %s", got)
	}
	if got := get("/rpc/increment?by=2"); got != "7" {
		t.Fatalf("increment = %s", got)
	}
	if r := do(t, "POST", u+"/fetch?by=3", "", nil); r.body != "10" {
		t.Fatalf("fetch POST = %d %s", r.status, r.body)
	}
	if got := get("/fetch"); got != `{"count":10,"name":"default","path":"/fetch"}` {
		t.Fatalf("fetch GET = %s", got)
	}
	if got := get("/rpc/get?name=other"); got != "0" {
		t.Fatalf("another id shares state: %s", got)
	}
	checks := map[string]string{
		"/burst?n=20": `20`,
		"/echo":       `{"d":5,"m":"x","b":"10","u":[7]}`,
		"/fail":       `{"name":"RangeError","message":"too far"}`,
		"/missing":    `{"name":"TypeError","message":"The RPC receiver does not implement the method \"nope\"."}`,
		"/txn":        `{"afterThrow":1,"afterRollback":1}`,
		"/kv":         `{"many":[["a",1],["d",4]],"deleted":1,"listed":["b","c"],"rev":["d","c"],"after":["c","d"],"big":"RangeError","tooMany":"RangeError","id":64}`,
		"/sql":        `{"written":2,"rows":[{"id":1,"kind":"a","data":[1,2]},{"id":2,"kind":"b","data":null}],"one":{"n":2},"raw":[["a"],["b"]],"columns":["kind"],"size":true,"refused":"To execute a transaction, please use the","reserved":true}`,
	}
	for path, want := range checks {
		if got := get(path); got != want {
			t.Errorf("%s = %s\nwant %s", path, got, want)
		}
	}
	ids := decodeJSON(t, get("/ids"))
	if ids["same"] != true || ids["name"] != "x" || len(ids["hex"].(string)) != 64 || ids["uniqueName"] != nil || ids["parsed"] != true || ids["differ"] != true {
		t.Errorf("ids: %v", ids)
	}
	if ids["bad"] != "TypeError: Invalid Durable Object ID: must be 64 hex digits" || ids["foreign"] != "TypeError: Durable Object ID is not valid for this namespace." {
		t.Errorf("id errors: %v", ids)
	}
	for i := 1; i <= 3; i++ {
		if got := get("/plain?name=p"); got != fmt.Sprint(i) {
			t.Fatalf("plain class call %d = %s", i, got)
		}
	}
}

// TestDurableConcurrency: 50 clients increment one counter through fetch
// and RPC at once; the total is exact.
func TestDurableConcurrency(t *testing.T) {
	d := startExample(t, "durable-counter", nil)
	u := d.URL()
	const clients, each = 50, 10
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				var r response
				if c%2 == 0 {
					r = do(t, "GET", u+"/rpc/increment?name=shared", "", nil)
				} else {
					r = do(t, "POST", u+"/fetch?name=shared", "", nil)
				}
				if r.status != 200 {
					errs <- fmt.Sprintf("%d %s", r.status, r.body)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	r := do(t, "GET", u+"/rpc/get?name=shared", "", nil)
	if strings.TrimSpace(r.body) != fmt.Sprint(clients*each) {
		t.Fatalf("total = %s, want %d", r.body, clients*each)
	}
}
