package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/zerostack/zerostack/internal/kv"
)

func runKV(s Streams, args []string) int {
	return subcommands(s, "kv", args, map[string]func(Streams, []string) int{
		"namespace": runKVNamespace,
		"key":       runKVKey,
		"bulk":      runKVBulk,
	}, map[string]string{
		"namespace": "Create, list and delete KV namespaces",
		"key":       "Put, get, list and delete keys",
		"bulk":      "Put or delete many keys from a JSON file (wrangler's format)",
	})
}

func runKVNamespace(s Streams, args []string) int {
	return subcommands(s, "kv namespace", args, map[string]func(Streams, []string) int{
		"create": kvNamespaceCreate,
		"list":   kvNamespaceList,
		"delete": kvNamespaceDelete,
	}, map[string]string{
		"create": "Create a namespace: zerostack kv namespace create <title>",
		"list":   "List namespaces",
		"delete": "Delete a namespace and its keys (--binding or --namespace-id)",
	})
}

func runKVKey(s Streams, args []string) int {
	return subcommands(s, "kv key", args, map[string]func(Streams, []string) int{
		"put":    kvKeyPut,
		"get":    kvKeyGet,
		"list":   kvKeyList,
		"delete": kvKeyDelete,
	}, map[string]string{
		"put":    "Write a value: zerostack kv key put <key> [value] [--path FILE]",
		"get":    "Print a value: zerostack kv key get <key>",
		"list":   "List keys: zerostack kv key list [--prefix P]",
		"delete": "Delete a key: zerostack kv key delete <key>",
	})
}

func runKVBulk(s Streams, args []string) int {
	return subcommands(s, "kv bulk", args, map[string]func(Streams, []string) int{
		"put":    kvBulkPut,
		"delete": kvBulkDelete,
	}, map[string]string{
		"put":    "Put keys from a JSON file: [{key, value, expiration?, expiration_ttl?, metadata?, base64?}]",
		"delete": "Delete keys listed in a JSON file: [\"key\", …]",
	})
}

// nsFlags select a namespace: --binding (from the configuration) or
// --namespace-id.
type nsFlags struct {
	dataFlags
	binding, id string
}

func (f *nsFlags) register(fs *flag.FlagSet) {
	f.dataFlags.register(fs)
	fs.StringVar(&f.binding, "binding", "", "the namespace's binding name in the configuration")
	fs.StringVar(&f.id, "namespace-id", "", "the namespace id")
}

// namespace resolves the selected namespace id.
func (f *nsFlags) namespace(p *project) (string, error) {
	switch {
	case f.binding != "" && f.id != "":
		return "", errors.New("use either --binding or --namespace-id, not both")
	case f.id != "":
		return f.id, nil
	case f.binding == "":
		return "", errors.New("name a namespace with --binding or --namespace-id")
	case p.cfg == nil:
		return "", fmt.Errorf("--binding %s: no wrangler configuration found", f.binding)
	}
	for _, b := range p.cfg.KVNamespaces {
		if b.Binding == f.binding {
			return p.state.EnsureKV(context.Background(), b), nil
		}
	}
	return "", fmt.Errorf("no KV namespace with binding %q in %s", f.binding, p.cfg.File)
}

func kvNamespaceCreate(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "kv namespace create", "<title> [flags]", "Creates a KV namespace in the local state and prints its binding.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "kv namespace create", err)
	}
	defer p.close()
	title := fs.Arg(0)
	if p.cfg != nil && p.cfg.Name != "" && !strings.HasPrefix(title, p.cfg.Name+"-") {
		title = p.cfg.Name + "-" + title // wrangler's naming
	}
	ns, err := p.state.KV().CreateNamespace(context.Background(), "", title)
	if err != nil {
		return fail(s, "kv namespace create", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"id": ns.ID, "title": ns.Title})
		return 0
	}
	binding := strings.ToUpper(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, fs.Arg(0)))
	fmt.Fprintf(s.Out, "🌀 Created namespace %q with id %s\n", ns.Title, ns.ID)
	fmt.Fprintf(s.Out, "Add the following to your configuration file in your kv_namespaces array:\n\n[[kv_namespaces]]\nbinding = %q\nid = %q\n", binding, ns.ID)
	return 0
}

func kvNamespaceList(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "kv namespace list", "[flags]", "Lists the KV namespaces of the local state.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 0, 0); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "kv namespace list", err)
	}
	defer p.close()
	list, err := p.state.KV().ListNamespaces(context.Background())
	if err != nil {
		return fail(s, "kv namespace list", err)
	}
	if f.json {
		out := make([]map[string]string, 0, len(list))
		for _, n := range list {
			out = append(out, map[string]string{"id": n.ID, "title": n.Title})
		}
		printJSON(s.Out, out)
		return 0
	}
	if len(list) == 0 {
		fmt.Fprintln(s.Out, "No KV namespaces.")
	}
	for _, n := range list {
		fmt.Fprintf(s.Out, "%s  %s\n", n.ID, n.Title)
	}
	return 0
}

func kvNamespaceDelete(s Streams, args []string) int {
	var f nsFlags
	fs := newFlagSet(s, "kv namespace delete", "--binding NAME | --namespace-id ID", "Deletes a KV namespace and all its keys from the local state.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 0, 0); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "kv namespace delete", err)
	}
	defer p.close()
	id, err := f.namespace(p)
	if err != nil {
		return fail(s, "kv namespace delete", err)
	}
	if err := p.state.KV().DeleteNamespace(context.Background(), id); err != nil {
		return fail(s, "kv namespace delete", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"deleted": id})
	} else {
		fmt.Fprintf(s.Out, "Deleted KV namespace %s\n", id)
	}
	return 0
}

func kvKeyPut(s Streams, args []string) int {
	var f nsFlags
	fs := newFlagSet(s, "kv key put", "<key> [value] [flags]", "Writes a value (the argument, or the contents of --path) to a key.")
	f.register(fs)
	path := fs.String("path", "", "read the value from this file")
	metadata := fs.String("metadata", "", "JSON metadata to store with the key")
	ttl := fs.Int64("ttl", 0, "expire the key after this many seconds (at least 60)")
	expiration := fs.Int64("expiration", 0, "expire the key at this time, in seconds since the Unix epoch")
	if code, ok := parse(s, fs, args, 1, 2); !ok {
		return code
	}
	if (fs.NArg() == 2) == (*path != "") {
		fmt.Fprintln(s.Err, "zerostack kv key put: give either a value or --path")
		return 2
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "kv key put", err)
	}
	defer p.close()
	id, err := f.namespace(p)
	if err != nil {
		return fail(s, "kv key put", err)
	}
	var opts kv.PutOptions
	if *metadata != "" {
		opts.Metadata = json.RawMessage(*metadata)
	}
	if *ttl != 0 {
		opts.ExpirationTTL = ttl
	}
	if *expiration != 0 {
		opts.Expiration = expiration
	}
	var value io.Reader
	if *path != "" {
		file, err := os.Open(*path)
		if err != nil {
			return fail(s, "kv key put", err)
		}
		defer file.Close()
		st, _ := file.Stat()
		value = newProgress(file, s.Err, "Uploading", st.Size())
	} else {
		value = strings.NewReader(fs.Arg(1))
	}
	key := fs.Arg(0)
	if err := p.state.KV().Put(context.Background(), id, key, value, opts); err != nil {
		return fail(s, "kv key put", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"key": key, "namespace_id": id})
	} else {
		fmt.Fprintf(s.Out, "Writing the value to key %q in namespace %s.\n", key, id)
	}
	return 0
}

func kvKeyGet(s Streams, args []string) int {
	var f nsFlags
	fs := newFlagSet(s, "kv key get", "<key> [flags]", "Prints a key's value (as stored) to standard output; with --json, the value as text and its metadata.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "kv key get", err)
	}
	defer p.close()
	id, err := f.namespace(p)
	if err != nil {
		return fail(s, "kv key get", err)
	}
	e, err := p.state.KV().Get(context.Background(), id, fs.Arg(0))
	if errors.Is(err, kv.ErrNotFound) {
		if f.json {
			printJSON(s.Out, nil)
		} else {
			fmt.Fprintln(s.Err, "Value not found")
		}
		return 1
	}
	if err != nil {
		return fail(s, "kv key get", err)
	}
	if f.json {
		out := map[string]any{"value": string(e.Value), "metadata": e.Metadata}
		if e.Expiration != 0 {
			out["expiration"] = e.Expiration
		}
		printJSON(s.Out, out)
		return 0
	}
	s.Out.Write(e.Value)
	return 0
}

func kvKeyList(s Streams, args []string) int {
	var f nsFlags
	fs := newFlagSet(s, "kv key list", "[flags]", "Lists every key of a namespace (all pages).")
	f.register(fs)
	prefix := fs.String("prefix", "", "only keys that start with this prefix")
	if code, ok := parse(s, fs, args, 0, 0); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "kv key list", err)
	}
	defer p.close()
	id, err := f.namespace(p)
	if err != nil {
		return fail(s, "kv key list", err)
	}
	type key struct {
		Name       string          `json:"name"`
		Expiration int64           `json:"expiration,omitempty"`
		Metadata   json.RawMessage `json:"metadata,omitempty"`
	}
	keys := []key{}
	cursor := ""
	for {
		res, err := p.state.KV().List(context.Background(), id, kv.ListOptions{Prefix: *prefix, Cursor: cursor})
		if err != nil {
			return fail(s, "kv key list", err)
		}
		for _, k := range res.Keys {
			keys = append(keys, key{k.Name, k.Expiration, k.Metadata})
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	if f.json {
		printJSON(s.Out, keys)
		return 0
	}
	for _, k := range keys {
		line := k.Name
		if k.Expiration != 0 {
			line += "  expires " + time.Unix(k.Expiration, 0).UTC().Format(time.RFC3339)
		}
		if k.Metadata != nil {
			line += "  " + string(k.Metadata)
		}
		fmt.Fprintln(s.Out, line)
	}
	return 0
}

func kvKeyDelete(s Streams, args []string) int {
	var f nsFlags
	fs := newFlagSet(s, "kv key delete", "<key> [flags]", "Deletes a key.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "kv key delete", err)
	}
	defer p.close()
	id, err := f.namespace(p)
	if err != nil {
		return fail(s, "kv key delete", err)
	}
	if err := kv.ValidateKey("DELETE", fs.Arg(0)); err != nil {
		return fail(s, "kv key delete", err)
	}
	if err := p.state.KV().Delete(context.Background(), id, fs.Arg(0)); err != nil {
		return fail(s, "kv key delete", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"deleted": fs.Arg(0)})
	} else {
		fmt.Fprintf(s.Out, "Deleted key %q from namespace %s.\n", fs.Arg(0), id)
	}
	return 0
}

// bulkEntry is one entry of wrangler's bulk put file.
type bulkEntry struct {
	Key           string          `json:"key"`
	Value         *string         `json:"value"`
	Expiration    int64           `json:"expiration"`
	ExpirationTTL int64           `json:"expiration_ttl"`
	Metadata      json.RawMessage `json:"metadata"`
	Base64        bool            `json:"base64"`
}

func kvBulkPut(s Streams, args []string) int {
	var f nsFlags
	fs := newFlagSet(s, "kv bulk put", "<file.json> [flags]", "Writes the keys of a JSON file: an array of {key, value, expiration?, expiration_ttl?, metadata?, base64?}, as wrangler's.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fail(s, "kv bulk put", err)
	}
	var entries []bulkEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return fail(s, "kv bulk put", fmt.Errorf("%s: want an array of {key, value} objects: %w", fs.Arg(0), err))
	}
	for i, e := range entries {
		if e.Key == "" || e.Value == nil {
			return fail(s, "kv bulk put", fmt.Errorf("%s: entry %d needs a key and a value", fs.Arg(0), i))
		}
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "kv bulk put", err)
	}
	defer p.close()
	id, err := f.namespace(p)
	if err != nil {
		return fail(s, "kv bulk put", err)
	}
	ctx := context.Background()
	for _, e := range entries {
		value := []byte(*e.Value)
		if e.Base64 {
			if value, err = base64.StdEncoding.DecodeString(*e.Value); err != nil {
				return fail(s, "kv bulk put", fmt.Errorf("key %q: invalid base64 value: %w", e.Key, err))
			}
		}
		var opts kv.PutOptions
		if e.ExpirationTTL != 0 {
			opts.ExpirationTTL = &e.ExpirationTTL
		}
		if e.Expiration != 0 {
			opts.Expiration = &e.Expiration
		}
		if len(e.Metadata) > 0 && string(e.Metadata) != "null" {
			opts.Metadata = e.Metadata
		}
		if err := p.state.KV().Put(ctx, id, e.Key, bytes.NewReader(value), opts); err != nil {
			return fail(s, "kv bulk put", fmt.Errorf("key %q: %w", e.Key, err))
		}
	}
	if f.json {
		printJSON(s.Out, map[string]int{"written": len(entries)})
	} else {
		fmt.Fprintf(s.Out, "Success! Wrote %d keys to namespace %s.\n", len(entries), id)
	}
	return 0
}

func kvBulkDelete(s Streams, args []string) int {
	var f nsFlags
	fs := newFlagSet(s, "kv bulk delete", "<file.json> [flags]", "Deletes the keys listed in a JSON file: an array of key strings (or of {key} objects).")
	f.register(fs)
	fs.Bool("force", false, "accepted for wrangler compatibility (zerostack does not ask)")
	fs.Bool("f", false, "shorthand for --force")
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fail(s, "kv bulk delete", err)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fail(s, "kv bulk delete", fmt.Errorf("%s: want an array of keys: %w", fs.Arg(0), err))
	}
	keys := make([]string, 0, len(raw))
	for i, r := range raw {
		var k string
		if json.Unmarshal(r, &k) != nil {
			var e struct{ Key string }
			if json.Unmarshal(r, &e) != nil || e.Key == "" {
				return fail(s, "kv bulk delete", fmt.Errorf("%s: entry %d is not a key", fs.Arg(0), i))
			}
			k = e.Key
		}
		keys = append(keys, k)
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "kv bulk delete", err)
	}
	defer p.close()
	id, err := f.namespace(p)
	if err != nil {
		return fail(s, "kv bulk delete", err)
	}
	for _, k := range keys {
		if err := kv.ValidateKey("DELETE", k); err != nil {
			return fail(s, "kv bulk delete", fmt.Errorf("key %q: %w", k, err))
		}
	}
	if err := p.state.KV().Delete(context.Background(), id, keys...); err != nil {
		return fail(s, "kv bulk delete", err)
	}
	if f.json {
		printJSON(s.Out, map[string]int{"deleted": len(keys)})
	} else {
		fmt.Fprintf(s.Out, "Success! Deleted %d keys from namespace %s.\n", len(keys), id)
	}
	return 0
}
