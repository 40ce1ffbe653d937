package config_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/zerostack/zerostack/internal/config"
)

func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "wrangler.toml"), []byte(`
name = "shop"
main = "src/index.ts"
compatibility_date = "2025-01-01"
compatibility_flags = ["nodejs_compat"]

[vars]
CURRENCY = "EUR"

[[kv_namespaces]]
binding = "CART"
id = "prod"

[env.staging]
vars = { CURRENCY = "USD", TAX = 0.2 }
kv_namespaces = [{ binding = "CART", id = "staging" }]
`), 0o644)
	os.WriteFile(filepath.Join(dir, ".dev.vars"), []byte("STRIPE_KEY=sk_test_123\n"), 0o644)

	w, warnings, err := config.Load(dir, "staging")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Name, filepath.Base(w.Main), w.HasFlag("nodejs_compat"))
	fmt.Println(w.Vars["CURRENCY"], w.Vars["TAX"], w.KVNamespaces[0].ID)
	fmt.Println(w.Secrets["STRIPE_KEY"], len(warnings))
	// Output:
	// shop-staging index.ts true
	// USD 0.2 staging
	// sk_test_123 0
}
