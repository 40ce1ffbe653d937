package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zerostack/zerostack/internal/vectorize"
)

func TestVectorizeCommands(t *testing.T) {
	dir := writeProject(t)
	run := func(stdin string, args ...string) string {
		t.Helper()
		code, out, errOut := runIn(t, dir, stdin, append([]string{"vectorize"}, args...)...)
		if code != 0 {
			t.Fatalf("vectorize %v: exit %d\n%s%s", args, code, out, errOut)
		}
		return out
	}
	fails := func(want string, args ...string) {
		t.Helper()
		code, _, errOut := runIn(t, dir, "", append([]string{"vectorize"}, args...)...)
		if code == 0 || !strings.Contains(errOut, want) {
			t.Fatalf("vectorize %v: exit %d, stderr %q, want %q", args, code, errOut, want)
		}
	}
	out := run("", "create", "docs", "--dimensions", "3", "--metric", "euclidean")
	if !strings.Contains(out, "Successfully created a new Vectorize index: 'docs'") || !strings.Contains(out, `index_name = "docs"`) {
		t.Fatalf("create output:\n%s", out)
	}
	run("", "create", "bge", "--preset", "@cf/baai/bge-base-en-v1.5")
	var ix map[string]any
	json.Unmarshal([]byte(run("", "get", "bge", "--json")), &ix)
	if cfg, _ := ix["config"].(map[string]any); cfg["dimensions"] != 768.0 || cfg["metric"] != "cosine" {
		t.Fatalf("preset index: %v", ix)
	}
	fails("already exists", "create", "docs", "--dimensions", "3", "--metric", "cosine")
	fails("unknown preset", "create", "x", "--preset", "nope")
	fails("give --dimensions and --metric", "create", "x")
	var list []map[string]any
	json.Unmarshal([]byte(run("", "list", "--json")), &list)
	if len(list) != 2 || list[0]["name"] != "bge" {
		t.Fatalf("list: %v", list)
	}

	ndjson := `{"id":"a","values":[1,0,0],"metadata":{"cat":"x"}}
{"id":"b","values":[0,1,0],"namespace":"n","metadata":{"cat":"y"}}

{"id":"c","values":[0,0,1]}
`
	os.WriteFile(filepath.Join(dir, "v.ndjson"), []byte(ndjson), 0o644)
	if out := run("", "insert", "docs", "--file", "v.ndjson", "--batch-size", "2"); !strings.Contains(out, "Enqueued 3 vectors into index 'docs' for insertion") {
		t.Fatalf("insert: %s", out)
	}
	run(`{"id":"c","values":[5,5,5]}`, "upsert", "docs", "--file", "-")
	var info map[string]any
	json.Unmarshal([]byte(run("", "info", "docs", "--json")), &info)
	if info["vectorCount"] != 3.0 || info["dimensions"] != 3.0 {
		t.Fatalf("info: %v", info)
	}
	var res struct {
		Count   int `json:"count"`
		Matches []struct {
			ID       string          `json:"id"`
			Score    float64         `json:"score"`
			Metadata json.RawMessage `json:"metadata"`
		} `json:"matches"`
	}
	json.Unmarshal([]byte(run("", "query", "docs", "--vector", "1", "0", "0", "--top-k", "2", "--return-metadata", "all", "--json")), &res)
	if res.Count != 2 || res.Matches[0].ID != "a" || res.Matches[0].Score != 0 || strings.Join(strings.Fields(string(res.Matches[0].Metadata)), "") != `{"cat":"x"}` {
		t.Fatalf("query: %+v", res)
	}
	json.Unmarshal([]byte(run("", "query", "docs", "--vector-id", "b", "--filter", `{"cat":{"$ne":"y"}}`, "--json")), &res)
	if res.Count != 2 || res.Matches[0].ID == "b" {
		t.Fatalf("query by id with filter: %+v", res)
	}
	json.Unmarshal([]byte(run("", "query", "docs", "--vector", "[0,1,0]", "--namespace", "n", "--json")), &res)
	if res.Count != 1 || res.Matches[0].ID != "b" {
		t.Fatalf("namespace query: %+v", res)
	}
	fails("expected 3 dimensions, and got 2", "query", "docs", "--vector", "1,2")
	fails("invalid filter", "query", "docs", "--vector", "1,2,3", "--filter", `{"$x":1}`)
	var vs []map[string]any
	json.Unmarshal([]byte(run("", "get-vectors", "docs", "--ids", "c,a", "--json")), &vs)
	if len(vs) != 2 || vs[0]["id"] != "c" || vs[0]["values"].([]any)[0] != 5.0 {
		t.Fatalf("get-vectors: %v", vs)
	}
	if out := run("", "delete-vectors", "docs", "--ids", "a", "zzz"); !strings.Contains(out, "Deleted 1 vectors") {
		t.Fatalf("delete-vectors: %s", out)
	}
	run("", "create-metadata-index", "docs", "--property-name", "cat", "--type", "string")
	fails("use string, number or boolean", "create-metadata-index", "docs", "--property-name", "x", "--type", "date")
	var mi []map[string]any
	json.Unmarshal([]byte(run("", "list-metadata-index", "docs", "--json")), &mi)
	if len(mi) != 1 || mi[0]["propertyName"] != "cat" || mi[0]["indexType"] != "string" {
		t.Fatalf("list-metadata-index: %v", mi)
	}
	run("", "delete-metadata-index", "docs", "--property-name", "cat")
	// Bad NDJSON names the line and writes nothing after it.
	os.WriteFile(filepath.Join(dir, "bad.ndjson"), []byte("{\"id\":\"z\",\"values\":[1,1,1]}\nnot json\n"), 0o644)
	fails("line 2", "insert", "docs", "--file", "bad.ndjson")
	run("", "delete", "docs")
	fails("index not found", "info", "docs")
}

// FuzzReadNDJSON checks that wrangler's vectors file parser never panics,
// reports bad lines by number and hands out batches of at most the size.
func FuzzReadNDJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","values":[1,2,3],"metadata":{"k":"v"}}` + "\n" + `{"id":"b","values":[0.5],"namespace":"n"}`,
		"\n\n", `{"id":1}`, `{"values":[1]}`, `not json`, `{"id":"x","values":[1e40]}`, `[]`,
	} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, data string, size int) {
		if size < 1 || size > 50 {
			size = 3
		}
		total := 0
		n, err := readNDJSON(strings.NewReader(data), size, func(vs []vectorize.Vector) error {
			if len(vs) == 0 || len(vs) > size {
				t.Fatalf("batch of %d (size %d)", len(vs), size)
			}
			total += len(vs)
			return nil
		})
		if n != total {
			t.Fatalf("reported %d vectors, batches held %d", n, total)
		}
		if err != nil && !strings.Contains(err.Error(), "line ") {
			t.Fatalf("error without a line number: %v", err)
		}
	})
}
