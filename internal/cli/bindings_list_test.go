package cli

import (
	"bytes"
	"testing"

	"github.com/zerostack/zerostack/internal/config"
)

func TestPrintBindings(t *testing.T) {
	var out bytes.Buffer
	printBindings(&out, "Your Functions worker", &config.Worker{}, nil)
	if out.Len() != 0 {
		t.Fatalf("no bindings printed %q", out.String())
	}
	cfg := &config.Worker{
		KVNamespaces: []config.KVNamespace{{Binding: "CACHE", ID: "cache-id"}},
		D1Databases:  []config.D1Database{{Binding: "DB", DatabaseName: "app"}},
		R2Buckets:    []config.R2Bucket{{Binding: "FILES", BucketName: "files"}},
		Vars:         map[string]any{"B_VAR": "1", "A_VAR": "2"},
		Secrets:      map[string]string{"TOKEN": "x"},
	}
	printBindings(&out, "Your Functions worker", cfg, map[string]string{"FLAG": "y"})
	want := `Your Functions worker has access to the following bindings:
  env.CACHE (KV namespace cache-id, local)
  env.DB (D1 database app, local)
  env.FILES (R2 bucket files, local)
  env.A_VAR (vars)
  env.B_VAR (vars)
  env.FLAG (--var)
  env.TOKEN (secret)
`
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out.String(), want)
	}
}
