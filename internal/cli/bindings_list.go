package cli

import (
	"fmt"
	"io"
	"sort"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/server"
)

// printBindings lists the env entries a worker gets from cfg (and from
// --var flags, vars), as wrangler lists them at start: storage bindings
// with the local namespace, database or bucket they use, then variables
// and secrets, each group sorted. who opens the list ("Your Worker"). It
// prints nothing when there are none.
func printBindings(out io.Writer, who string, cfg *config.Worker, vars map[string]string) {
	if len(cfg.Vars)+len(vars)+len(cfg.Secrets)+len(cfg.KVNamespaces)+len(cfg.D1Databases)+len(cfg.R2Buckets)+
		len(cfg.DurableObjects.Bindings)+len(cfg.Queues.Producers)+len(cfg.Vectorize)+len(cfg.Services) == 0 && cfg.AI == nil {
		return
	}
	fmt.Fprintf(out, "%s has access to the following bindings:\n", who)
	for _, b := range cfg.KVNamespaces {
		fmt.Fprintf(out, "  env.%s (KV namespace %s, local)\n", b.Binding, server.KVNamespaceID(b))
	}
	for _, b := range cfg.D1Databases {
		fmt.Fprintf(out, "  env.%s (D1 database %s, local)\n", b.Binding, server.D1DatabaseName(b))
	}
	for _, b := range cfg.R2Buckets {
		fmt.Fprintf(out, "  env.%s (R2 bucket %s, local)\n", b.Binding, server.R2BucketName(b))
	}
	for _, b := range cfg.DurableObjects.Bindings {
		where := ""
		if b.ScriptName != "" {
			where = " defined in " + b.ScriptName
		}
		fmt.Fprintf(out, "  env.%s (Durable Object %s%s, local)\n", b.Name, b.ClassName, where)
	}
	for _, b := range cfg.Queues.Producers {
		fmt.Fprintf(out, "  env.%s (queue %s, local)\n", b.Binding, b.Queue)
	}
	for _, b := range cfg.Vectorize {
		fmt.Fprintf(out, "  env.%s (Vectorize index %s, local)\n", b.Binding, b.IndexName)
	}
	for _, b := range cfg.Services {
		fmt.Fprintf(out, "  env.%s (Worker %s)\n", b.Binding, b.Service)
	}
	if cfg.AI != nil && cfg.AI.Binding != "" { // Workers AI (ai.go)
		fmt.Fprintf(out, "  env.%s (Workers AI, local: `zerostack ai models` lists the providers)\n", cfg.AI.Binding)
	}
	for _, k := range sortedKeys(cfg.Vars) {
		fmt.Fprintf(out, "  env.%s (vars)\n", k)
	}
	for _, k := range sortedKeys(vars) {
		fmt.Fprintf(out, "  env.%s (--var)\n", k)
	}
	for _, k := range sortedKeys(cfg.Secrets) {
		fmt.Fprintf(out, "  env.%s (secret)\n", k)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
