package pkgdoc

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection checks DESIGN.md §5: dependencies point one way,
// cli → server → {api, router, worker} → binding → services, and services
// never reach the JavaScript engine.
func TestDependencyDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "github.com/zerostack/zerostack/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const mod = "github.com/zerostack/zerostack/internal/"
	engine := []string{"v8", "webapi", "worker", "eventloop", "binding"}
	services := []string{"kv", "d1", "r2", "sqlitedb", "s3api", "config", "queues", "durable", "vectorize", "ai"}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, mod)
		top := strings.SplitN(name, "/", 2)[0]
		for _, imp := range p.Imports {
			if imp == "github.com/tommie/v8go" && name != "v8" {
				t.Errorf("%s imports v8go: only internal/v8 may use cgo", p.ImportPath)
			}
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			dep := strings.SplitN(strings.TrimPrefix(imp, mod), "/", 2)[0]
			if contains(services, top) && contains(engine, dep) {
				t.Errorf("%s imports %s: services must not depend on the JavaScript runtime", p.ImportPath, imp)
			}
			if name == "github.com/zerostack/zerostack/cmd/zerostack" {
				continue
			}
			if dep == "cli" && top != "cli" || (dep == "server" && top != "cli" && top != "server") {
				t.Errorf("%s imports %s: dependencies point from cli to server, never back", p.ImportPath, imp)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
