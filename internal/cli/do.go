package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/zerostack/zerostack/internal/durable"
)

// runDO is `zerostack do`: inspection of Durable Objects in local state.
func runDO(s Streams, args []string) int {
	return subcommands(s, "do", args, map[string]func(Streams, []string) int{
		"list":    doList,
		"storage": doStorage,
	}, map[string]string{
		"list":    "List Durable Object namespaces, or the objects of one",
		"storage": "Print an object's storage: key-value entries, alarm and SQL tables",
	})
}

// doNamespace resolves what the user typed to a namespace name
// ("script:class"): a binding of the configuration, a class of this
// Worker, or "script:class" as listed.
func doNamespace(p *project, arg string) string {
	if p.cfg != nil {
		for _, b := range p.cfg.DurableObjects.Bindings {
			if b.Name == arg {
				script := b.ScriptName
				if script == "" {
					script = p.cfg.Name
				}
				return script + ":" + b.ClassName
			}
		}
		if !strings.Contains(arg, ":") {
			return p.cfg.Name + ":" + arg
		}
	}
	return arg
}

func doList(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "do list", "[NAMESPACE]", "Lists the Durable Object namespaces of the local state (script:class) with their object counts, or the objects of NAMESPACE (a binding name, a class of this Worker, or script:class).")
	f.register(fs)
	if code, ok := parse(s, fs, args, 0, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "do list", err)
	}
	defer p.close()
	st, err := p.state.DurableStore()
	if err != nil {
		return fail(s, "do list", err)
	}
	ctx := context.Background()
	if fs.NArg() == 1 {
		ns := doNamespace(p, fs.Arg(0))
		objs, err := st.Objects(ctx, ns)
		if errors.Is(err, durable.ErrNotFound) {
			return fail(s, "do list", fmt.Errorf("namespace %s has no objects (see 'zerostack do list' for the namespaces)", ns))
		}
		if err != nil {
			return fail(s, "do list", err)
		}
		if f.json {
			out := make([]map[string]any, 0, len(objs))
			for _, o := range objs {
				out = append(out, map[string]any{"id": o.ID, "size": o.Size})
			}
			printJSON(s.Out, out)
			return 0
		}
		for _, o := range objs {
			fmt.Fprintf(s.Out, "%s  %d bytes\n", o.ID, o.Size)
		}
		return 0
	}
	nss, err := st.Namespaces(ctx)
	if err != nil {
		return fail(s, "do list", err)
	}
	type nsInfo struct {
		Namespace string `json:"namespace"`
		Objects   int    `json:"objects"`
	}
	var out []nsInfo
	for _, n := range nss {
		objs, _ := st.Objects(ctx, n)
		out = append(out, nsInfo{n, len(objs)})
	}
	if f.json {
		if out == nil {
			out = []nsInfo{}
		}
		printJSON(s.Out, out)
		return 0
	}
	if len(out) == 0 {
		fmt.Fprintln(s.Out, "No Durable Objects.")
	}
	for _, n := range out {
		fmt.Fprintf(s.Out, "%s  %d objects\n", n.Namespace, n.Objects)
	}
	return 0
}

func doStorage(s Streams, args []string) int {
	var f dataFlags
	var name, query string
	var limit int
	fs := newFlagSet(s, "do storage", "NAMESPACE [ID] [--name NAME]", "Prints the storage of one object: its key-value entries (values decoded; Date, Map, bytes and other types as {\"$type\": …}), its alarm and the rows of its SQL tables. Name the object by ID or with --name as idFromName would.")
	f.register(fs)
	fs.StringVar(&name, "name", "", "the object's name (as passed to idFromName/getByName) instead of an ID")
	fs.StringVar(&query, "sql", "", "run this read-only SQL query instead of printing everything")
	fs.IntVar(&limit, "limit", 100, "rows and entries to print per table (0: all)")
	if code, ok := parse(s, fs, args, 1, 2); !ok {
		return code
	}
	if (fs.NArg() == 2) == (name != "") {
		fmt.Fprintln(s.Err, "zerostack do storage: give the object's ID or --name, not both")
		return 2
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "do storage", err)
	}
	defer p.close()
	st, err := p.state.DurableStore()
	if err != nil {
		return fail(s, "do storage", err)
	}
	ctx := context.Background()
	nsName := doNamespace(p, fs.Arg(0))
	script, class, ok := strings.Cut(nsName, ":")
	if !ok {
		return fail(s, "do storage", fmt.Errorf("%q is not a namespace: use a binding name, a class of this Worker, or script:class from 'zerostack do list'", fs.Arg(0)))
	}
	ns, err := st.Namespace(ctx, script, class)
	if err != nil {
		return fail(s, "do storage", err)
	}
	var id string
	if name != "" {
		id = ns.IDFromName(name)
	} else if id, err = ns.IDFromString(fs.Arg(1)); err != nil {
		return fail(s, "do storage", err)
	}
	if _, err := os.Stat(st.Path(ns.Name(), id)); err != nil {
		return fail(s, "do storage", fmt.Errorf("object %s of %s has no storage", id, ns.Name()))
	}
	obj, err := st.Open(ctx, ns.Name(), id)
	if err != nil {
		return fail(s, "do storage", err)
	}
	defer obj.Close()
	if query != "" {
		if err := obj.Begin(); err != nil { // read inside a transaction that is rolled back
			return fail(s, "do storage", err)
		}
		defer obj.Rollback()
		r, err := obj.Exec(query, nil)
		if err != nil {
			return fail(s, "do storage", err)
		}
		printRows(s, f.json, r, limit)
		return 0
	}
	ents, _, err := obj.List(durable.ListOptions{Limit: limit}, 0)
	if err != nil {
		return fail(s, "do storage", err)
	}
	tables, err := obj.Tables()
	if err != nil {
		return fail(s, "do storage", err)
	}
	alarm, hasAlarm, _ := obj.GetAlarm()
	if f.json {
		kv := make([]map[string]any, 0, len(ents))
		for _, e := range ents {
			v, err := durable.DecodeValue(e.Value)
			if err != nil {
				v = map[string]any{"$error": err.Error()}
			}
			kv = append(kv, map[string]any{"key": e.Key, "value": v})
		}
		out := map[string]any{"id": id, "namespace": ns.Name(), "kv": kv, "tables": map[string]any{}, "alarm": nil}
		if hasAlarm {
			out["alarm"] = alarm
		}
		for _, t := range tables {
			r, err := obj.Exec(fmt.Sprintf(`SELECT * FROM "%s" LIMIT %d`, strings.ReplaceAll(t, `"`, `""`), sqlLimit(limit)), nil)
			if err == nil {
				out["tables"].(map[string]any)[t] = rowsJSON(r)
			}
		}
		printJSON(s.Out, out)
		return 0
	}
	fmt.Fprintf(s.Out, "Object %s of %s\n", id, ns.Name())
	if hasAlarm {
		fmt.Fprintf(s.Out, "Alarm: %d (Unix ms)\n", alarm)
	}
	fmt.Fprintf(s.Out, "\nKey-value entries (%d shown):\n", len(ents))
	for _, e := range ents {
		v, err := durable.DecodeValue(e.Value)
		text := ""
		if err != nil {
			text = "<" + err.Error() + ">"
		} else {
			b, _ := json.Marshal(v)
			text = string(b)
		}
		fmt.Fprintf(s.Out, "  %s = %s\n", e.Key, text)
	}
	for _, t := range tables {
		r, err := obj.Exec(fmt.Sprintf(`SELECT * FROM "%s" LIMIT %d`, strings.ReplaceAll(t, `"`, `""`), sqlLimit(limit)), nil)
		if err != nil {
			fmt.Fprintf(s.Out, "\nTable %s: %v\n", t, err)
			continue
		}
		fmt.Fprintf(s.Out, "\nTable %s:\n", t)
		printRows(s, false, r, limit)
	}
	return 0
}

func sqlLimit(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

func rowsJSON(r *durable.SQLResult) []map[string]any {
	out := make([]map[string]any, 0, len(r.Rows))
	for _, row := range r.Rows {
		m := map[string]any{}
		for i, c := range r.Columns {
			m[c] = row[i]
		}
		out = append(out, m)
	}
	return out
}

func printRows(s Streams, asJSON bool, r *durable.SQLResult, limit int) {
	if asJSON {
		printJSON(s.Out, rowsJSON(r))
		return
	}
	fmt.Fprintf(s.Out, "  %s\n", strings.Join(r.Columns, " | "))
	for i, row := range r.Rows {
		if limit > 0 && i >= limit {
			break
		}
		cells := make([]string, len(row))
		for j, v := range row {
			switch x := v.(type) {
			case nil:
				cells[j] = "NULL"
			case []byte:
				cells[j] = fmt.Sprintf("<%d bytes>", len(x))
			default:
				cells[j] = fmt.Sprint(x)
			}
		}
		fmt.Fprintf(s.Out, "  %s\n", strings.Join(cells, " | "))
	}
}
