package d1

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// DefaultMigrationsTable is wrangler's migrations_table default.
const DefaultMigrationsTable = "d1_migrations"

// Migration is one migration file and whether it has been applied.
type Migration struct {
	Name      string // file name, e.g. "0001_create_users.sql" (what wrangler stores)
	Path      string
	Applied   bool
	AppliedAt string // SQLite CURRENT_TIMESTAMP text, "" when pending
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// migrationsTableSQL creates the table wrangler uses to record migrations.
func migrationsTableSQL(table string) string {
	return `CREATE TABLE IF NOT EXISTS "` + table + `" (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT UNIQUE,
	applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`
}

// MigrationFiles returns the .sql files in dir sorted by name, as wrangler
// orders them. A missing dir gives no files and no error.
func MigrationFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("d1 migrations: %w", err)
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// ListMigrations returns every migration file in dir with its state in db's
// migrations table (created if missing; "" means DefaultMigrationsTable).
func ListMigrations(ctx context.Context, db Database, dir, table string) ([]Migration, error) {
	if table == "" {
		table = DefaultMigrationsTable
	}
	if !identRE.MatchString(table) {
		return nil, fmt.Errorf("d1 migrations: invalid table name %q", table)
	}
	if _, err := db.Exec(ctx, Statement{SQL: migrationsTableSQL(table)}); err != nil {
		return nil, fmt.Errorf("d1 migrations: %w", err)
	}
	res, err := db.Exec(ctx, Statement{SQL: `SELECT name, applied_at FROM "` + table + `" ORDER BY id`})
	if err != nil {
		return nil, fmt.Errorf("d1 migrations: %w", err)
	}
	applied := map[string]string{}
	for _, r := range res.Rows {
		name, _ := r[0].(string)
		at, _ := r[1].(string)
		applied[name] = at
	}
	files, err := MigrationFiles(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Migration, 0, len(files))
	for _, f := range files {
		at, ok := applied[f]
		out = append(out, Migration{Name: f, Path: filepath.Join(dir, f), Applied: ok, AppliedAt: at})
	}
	return out, nil
}

// ApplyMigrations applies the pending migrations of dir in name order, each
// in its own transaction together with its row in the migrations table, and
// returns those it applied. It stops at the first failure, returning the
// migrations applied before it and an error naming the failing file.
func ApplyMigrations(ctx context.Context, db Database, dir, table string) ([]Migration, error) {
	if table == "" {
		table = DefaultMigrationsTable
	}
	all, err := ListMigrations(ctx, db, dir, table)
	if err != nil {
		return nil, err
	}
	var done []Migration
	for _, m := range all {
		if m.Applied {
			continue
		}
		text, err := os.ReadFile(m.Path)
		if err != nil {
			return done, fmt.Errorf("d1 migrations: %w", err)
		}
		var sts []Statement
		for _, s := range SplitStatements(string(text)) {
			sts = append(sts, Statement{SQL: s})
		}
		sts = append(sts, Statement{SQL: `INSERT INTO "` + table + `" (name) VALUES (?)`, Params: []any{m.Name}})
		if _, err := db.Batch(ctx, sts); err != nil {
			return done, fmt.Errorf("d1 migrations: apply %s: %w", m.Name, err)
		}
		m.Applied = true
		done = append(done, m)
	}
	return done, nil
}

var slugRE = regexp.MustCompile(`[^A-Za-z0-9]+`)

// CreateMigrationFile writes the next migration file in dir (created if
// needed), named like wrangler's: a 4-digit sequence number, "_", and the
// message with runs of other characters replaced by "_", e.g.
// "0002_add_users.sql". It returns the new file's path.
func CreateMigrationFile(dir, message string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("d1 migrations: %w", err)
	}
	files, err := MigrationFiles(dir)
	if err != nil {
		return "", err
	}
	next := 1
	for _, f := range files {
		if i := strings.IndexByte(f, '_'); i > 0 {
			if n, err := strconv.Atoi(f[:i]); err == nil && n >= next {
				next = n + 1
			}
		}
	}
	slug := strings.Trim(slugRE.ReplaceAllString(message, "_"), "_")
	if slug == "" {
		return "", fmt.Errorf("d1 migrations: empty migration name")
	}
	path := filepath.Join(dir, fmt.Sprintf("%04d_%s.sql", next, slug))
	body := fmt.Sprintf("-- Migration number: %04d \t %s\n", next, "created by zerostack")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("d1 migrations: %w", err)
	}
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return "", fmt.Errorf("d1 migrations: %w", err)
	}
	return path, f.Close()
}
