package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/server"
)

func runD1(s Streams, args []string) int {
	return subcommands(s, "d1", args, map[string]func(Streams, []string) int{
		"create":     d1Create,
		"list":       d1List,
		"info":       d1Info,
		"delete":     d1Delete,
		"execute":    d1Execute,
		"export":     d1Export,
		"migrations": runD1Migrations,
	}, map[string]string{
		"create":     "Create a database: zerostack d1 create <name>",
		"list":       "List databases",
		"info":       "Show a database's size and tables",
		"delete":     "Delete a database",
		"execute":    "Run SQL: zerostack d1 execute <db> --command SQL | --file FILE",
		"export":     "Write an SQL dump: zerostack d1 export <db> --output FILE",
		"migrations": "Create, list and apply migrations",
	})
}

func runD1Migrations(s Streams, args []string) int {
	return subcommands(s, "d1 migrations", args, map[string]func(Streams, []string) int{
		"create": d1MigrationsCreate,
		"list":   d1MigrationsList,
		"apply":  d1MigrationsApply,
	}, map[string]string{
		"create": "Create a migration file: zerostack d1 migrations create <db> <message>",
		"list":   "List migrations that have not been applied",
		"apply":  "Apply the migrations that have not been applied",
	})
}

// d1Binding finds the configuration entry for a database named by its
// binding or database_name.
func (p *project) d1Binding(name string) (config.D1Database, bool) {
	if p.cfg == nil {
		return config.D1Database{}, false
	}
	for _, b := range p.cfg.D1Databases {
		if b.Binding == name || b.DatabaseName == name {
			return b, true
		}
	}
	return config.D1Database{}, false
}

// database opens the database name: a configured binding or database_name
// (created on first use, as zerostack dev does), or a database of the local
// state by name or UUID.
func (p *project) database(ctx context.Context, name string) (d1.Database, d1.Info, error) {
	var info d1.Info
	var err error
	if b, ok := p.d1Binding(name); ok {
		info, err = p.state.EnsureD1(ctx, b)
	} else {
		info, err = p.state.D1().Info(ctx, name)
	}
	if err != nil {
		if errors.Is(err, d1.ErrNotFound) {
			return nil, info, fmt.Errorf("couldn't find a D1 database with the name or binding %q in your configuration or local state", name)
		}
		return nil, info, err
	}
	db, err := p.state.D1().Open(ctx, info.UUID)
	return db, info, err
}

func d1Create(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "d1 create", "<name> [flags]", "Creates a D1 database in the local state and prints its binding.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "d1 create", err)
	}
	defer p.close()
	info, err := p.state.D1().Create(context.Background(), fs.Arg(0), "")
	if err != nil {
		return fail(s, "d1 create", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"uuid": info.UUID, "name": info.Name})
		return 0
	}
	fmt.Fprintf(s.Out, "✅ Successfully created DB '%s'\n\nAdd the following to your configuration file in your d1_databases array:\n\n[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = %q\ndatabase_id = %q\n", info.Name, info.Name, info.UUID)
	return 0
}

func d1InfoJSON(i d1.Info) map[string]any {
	return map[string]any{"uuid": i.UUID, "name": i.Name, "created_at": i.Created, "file_size": i.FileSize, "num_tables": i.NumTables}
}

func d1List(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "d1 list", "[flags]", "Lists the D1 databases of the local state.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 0, 0); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "d1 list", err)
	}
	defer p.close()
	list, err := p.state.D1().List(context.Background())
	if err != nil {
		return fail(s, "d1 list", err)
	}
	if f.json {
		out := []map[string]any{}
		for _, i := range list {
			out = append(out, d1InfoJSON(i))
		}
		printJSON(s.Out, out)
		return 0
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "uuid\tname\tcreated_at\ttables\tsize")
	for _, i := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", i.UUID, i.Name, i.Created.Format("2006-01-02T15:04:05Z"), i.NumTables, humanBytes(i.FileSize))
	}
	tw.Flush()
	return 0
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func d1Info(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "d1 info", "<db> [flags]", "Shows a database's UUID, size and number of tables.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "d1 info", err)
	}
	defer p.close()
	ctx := context.Background()
	_, info, err := p.database(ctx, fs.Arg(0))
	if err == nil {
		info, err = p.state.D1().Info(ctx, info.UUID)
	}
	if err != nil {
		return fail(s, "d1 info", err)
	}
	if f.json {
		printJSON(s.Out, d1InfoJSON(info))
		return 0
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "name\t%s\nuuid\t%s\ncreated_at\t%s\nnum_tables\t%d\nfile_size\t%s\n", info.Name, info.UUID, info.Created.Format("2006-01-02T15:04:05Z"), info.NumTables, humanBytes(info.FileSize))
	tw.Flush()
	return 0
}

func d1Delete(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "d1 delete", "<db> [flags]", "Deletes a database and its data from the local state.")
	f.register(fs)
	fs.Bool("skip-confirmation", false, "accepted for wrangler compatibility (zerostack does not ask)")
	fs.Bool("y", false, "shorthand for --skip-confirmation")
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "d1 delete", err)
	}
	defer p.close()
	name := fs.Arg(0)
	if b, ok := p.d1Binding(name); ok {
		name = server.D1DatabaseName(b)
		id := b.DatabaseID
		if b.PreviewDatabaseID != "" {
			id = b.PreviewDatabaseID // the one zerostack dev uses
		}
		if id != "" {
			if info, err := p.state.D1().Info(context.Background(), id); err == nil {
				name = info.UUID
			}
		}
	}
	if err := p.state.D1().Delete(context.Background(), name); err != nil {
		return fail(s, "d1 delete", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"deleted": fs.Arg(0)})
	} else {
		fmt.Fprintf(s.Out, "Deleted '%s' successfully.\n", fs.Arg(0))
	}
	return 0
}

// resultJSON is one statement's result as wrangler d1 execute --json
// prints it.
func resultJSON(r d1.Result) map[string]any {
	rows := make([]map[string]any, 0, len(r.Rows))
	for _, row := range r.Rows {
		m := make(map[string]any, len(row))
		for i, c := range r.Columns {
			v := row[i]
			if b, ok := v.([]byte); ok {
				arr := make([]int, len(b))
				for j, x := range b {
					arr[j] = int(x)
				}
				v = arr
			}
			m[c] = v
		}
		rows = append(rows, m)
	}
	return map[string]any{"results": rows, "success": true, "meta": map[string]any{
		"duration": r.Meta.Duration, "changes": r.Meta.Changes, "last_row_id": r.Meta.LastRowID,
		"changed_db": r.Meta.ChangedDB, "size_after": r.Meta.SizeAfter, "rows_read": r.Meta.RowsRead,
		"rows_written": r.Meta.RowsWritten,
	}}
}

func printTable(w io.Writer, r d1.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(r.Columns, "\t"))
	for _, row := range r.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			switch x := v.(type) {
			case nil:
				cells[i] = "null"
			case []byte:
				cells[i] = fmt.Sprintf("<blob %d bytes>", len(x))
			default:
				cells[i] = fmt.Sprint(x)
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
}

func d1Execute(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "d1 execute", "<db> (--command SQL | --file FILE) [flags]", "Runs SQL on a database. All statements run in one transaction: if one fails, none is applied.")
	f.register(fs)
	command := fs.String("command", "", "SQL to run")
	file := fs.String("file", "", "file of SQL to run")
	fs.Bool("yes", false, "accepted for wrangler compatibility")
	fs.Bool("y", false, "shorthand for --yes")
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	if (*command == "") == (*file == "") {
		fmt.Fprintln(s.Err, "zerostack d1 execute: give exactly one of --command and --file")
		return 2
	}
	sql := *command
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err != nil {
			return fail(s, "d1 execute", err)
		}
		sql = string(b)
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "d1 execute", err)
	}
	defer p.close()
	ctx := context.Background()
	db, info, err := p.database(ctx, fs.Arg(0))
	if err != nil {
		return fail(s, "d1 execute", err)
	}
	var sts []d1.Statement
	for _, q := range d1.SplitStatements(sql) {
		sts = append(sts, d1.Statement{SQL: q})
	}
	if len(sts) == 0 {
		return fail(s, "d1 execute", errors.New("no SQL statements found"))
	}
	res, err := db.Batch(ctx, sts)
	if err != nil {
		if f.json {
			printJSON(s.Out, map[string]any{"error": map[string]string{"text": strings.TrimPrefix(err.Error(), "d1: ")}})
			return 1
		}
		return fail(s, "d1 execute", err)
	}
	if f.json {
		out := make([]map[string]any, len(res))
		for i, r := range res {
			out[i] = resultJSON(r)
		}
		printJSON(s.Out, out)
		return 0
	}
	fmt.Fprintf(s.Out, "🌀 Executing on local database %s (%s):\n", info.Name, info.UUID)
	var total float64
	for _, r := range res {
		total += r.Meta.Duration
		if len(r.Columns) > 0 {
			printTable(s.Out, r)
		}
	}
	fmt.Fprintf(s.Out, "🚣 %d commands executed successfully in %.2f ms.\n", len(res), total)
	return 0
}

func d1Export(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "d1 export", "<db> --output FILE [flags]", "Writes an SQL dump of a database (schema and data) that d1 execute --file can load.")
	f.register(fs)
	output := fs.String("output", "", "file to write (required)")
	noData := fs.Bool("no-data", false, "only the schema")
	noSchema := fs.Bool("no-schema", false, "only the data")
	var tables multiFlag
	fs.Var(&tables, "table", "only this table (repeatable)")
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	if *output == "" {
		fmt.Fprintln(s.Err, "zerostack d1 export: --output is required")
		return 2
	}
	if *noData && *noSchema {
		fmt.Fprintln(s.Err, "zerostack d1 export: --no-data and --no-schema leave nothing to export")
		return 2
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "d1 export", err)
	}
	defer p.close()
	ctx := context.Background()
	db, info, err := p.database(ctx, fs.Arg(0))
	if err != nil {
		return fail(s, "d1 export", err)
	}
	out, err := os.Create(*output)
	if err != nil {
		return fail(s, "d1 export", err)
	}
	err = db.Dump(ctx, out, d1.DumpOptions{NoData: *noData, NoSchema: *noSchema, Tables: tables})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*output)
		return fail(s, "d1 export", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"database": info.Name, "output": *output})
	} else {
		fmt.Fprintf(s.Out, "🌀 Exported local database %s to %s\n", info.Name, *output)
	}
	return 0
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// migrationsBinding returns the configuration entry of a database named on
// the command line; migrations need its migrations_dir.
func (p *project) migrationsBinding(name string) (config.D1Database, error) {
	b, ok := p.d1Binding(name)
	if !ok {
		return b, fmt.Errorf("no D1 database with the name or binding %q in your configuration (migrations need its migrations_dir)", name)
	}
	return b, nil
}

func d1MigrationsCreate(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "d1 migrations create", "<db> <message> [flags]", "Creates the next numbered migration file in the database's migrations_dir.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 2, 2); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "d1 migrations create", err)
	}
	defer p.close()
	b, err := p.migrationsBinding(fs.Arg(0))
	if err != nil {
		return fail(s, "d1 migrations create", err)
	}
	path, err := d1.CreateMigrationFile(b.MigrationsDir, fs.Arg(1))
	if err != nil {
		return fail(s, "d1 migrations create", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"path": path})
	} else {
		fmt.Fprintf(s.Out, "✅ Successfully created Migration '%s'!\n", path)
	}
	return 0
}

func migrationsJSON(ms []d1.Migration) []map[string]any {
	out := []map[string]any{}
	for _, m := range ms {
		out = append(out, map[string]any{"name": m.Name, "applied": m.Applied, "applied_at": m.AppliedAt})
	}
	return out
}

func d1MigrationsList(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "d1 migrations list", "<db> [flags]", "Lists the migrations that have not been applied to the local database.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "d1 migrations list", err)
	}
	defer p.close()
	b, err := p.migrationsBinding(fs.Arg(0))
	if err != nil {
		return fail(s, "d1 migrations list", err)
	}
	ctx := context.Background()
	db, _, err := p.database(ctx, fs.Arg(0))
	if err != nil {
		return fail(s, "d1 migrations list", err)
	}
	all, err := d1.ListMigrations(ctx, db, b.MigrationsDir, b.MigrationsTable)
	if err != nil {
		return fail(s, "d1 migrations list", err)
	}
	var pending []d1.Migration
	for _, m := range all {
		if !m.Applied {
			pending = append(pending, m)
		}
	}
	if f.json {
		printJSON(s.Out, migrationsJSON(pending))
		return 0
	}
	if len(pending) == 0 {
		fmt.Fprintln(s.Out, "✅ No migrations to apply!")
		return 0
	}
	fmt.Fprintln(s.Out, "Migrations to be applied:")
	for _, m := range pending {
		fmt.Fprintf(s.Out, "  %s\n", m.Name)
	}
	return 0
}

func d1MigrationsApply(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "d1 migrations apply", "<db> [flags]", "Applies the pending migrations to the local database, each in its own transaction, stopping at the first failure.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "d1 migrations apply", err)
	}
	defer p.close()
	b, err := p.migrationsBinding(fs.Arg(0))
	if err != nil {
		return fail(s, "d1 migrations apply", err)
	}
	ctx := context.Background()
	db, _, err := p.database(ctx, fs.Arg(0))
	if err != nil {
		return fail(s, "d1 migrations apply", err)
	}
	done, err := d1.ApplyMigrations(ctx, db, b.MigrationsDir, b.MigrationsTable)
	if f.json {
		out := map[string]any{"applied": migrationsJSON(done)}
		if err != nil {
			out["error"] = err.Error()
		}
		printJSON(s.Out, out)
	} else {
		for _, m := range done {
			fmt.Fprintf(s.Out, "✅ %s\n", m.Name)
		}
		if err == nil && len(done) == 0 {
			fmt.Fprintln(s.Out, "✅ No migrations to apply!")
		}
	}
	if err != nil {
		if f.json {
			return 1
		}
		return fail(s, "d1 migrations apply", err)
	}
	return 0
}
