package durable

import (
	"context"
	"fmt"
	"sort"
)

// Migration is one [[migrations]] entry of a Worker's configuration.
type Migration struct {
	Tag              string
	NewClasses       []string
	NewSQLiteClasses []string
	RenamedClasses   [][2]string // from, to
	DeletedClasses   []string
}

// ApplyMigrations applies the migrations of script that store has not
// recorded yet, in order, and records each tag once it is applied:
// renamed_classes move a class's objects to the new name, deleted_classes
// delete its objects; new_classes and new_sqlite_classes need no data
// change (every object here is SQLite-backed). It returns the tags it
// applied.
//
// As on Cloudflare, the tags already applied must be the first tags of the
// list: a configuration that drops or reorders applied migrations is
// refused, with what to do.
func ApplyMigrations(ctx context.Context, store Store, script string, migs []Migration) ([]string, error) {
	done, err := store.AppliedMigrations(ctx, script)
	if err != nil {
		return nil, fmt.Errorf("durable migrations: %w", err)
	}
	seen := map[string]bool{}
	for i, m := range migs {
		if m.Tag == "" {
			return nil, fmt.Errorf("durable migrations: migrations[%d] has no tag; give every [[migrations]] entry a unique tag", i)
		}
		if seen[m.Tag] {
			return nil, fmt.Errorf("durable migrations: tag %q appears twice; migration tags must be unique", m.Tag)
		}
		seen[m.Tag] = true
	}
	if len(done) > len(migs) {
		return nil, fmt.Errorf("durable migrations: %d migrations were applied to %s but the configuration lists %d; keep every applied [[migrations]] entry (last applied: %q)", len(done), script, len(migs), done[len(done)-1])
	}
	for i, tag := range done {
		if migs[i].Tag != tag {
			return nil, fmt.Errorf("durable migrations: migration %d of %s was applied with tag %q but the configuration has %q there; applied migrations must stay first and in order", i+1, script, tag, migs[i].Tag)
		}
	}
	var applied []string
	for _, m := range migs[len(done):] {
		for _, r := range m.RenamedClasses {
			if err := store.RenameNamespace(ctx, NewNamespace(script, r[0]).Name(), NewNamespace(script, r[1]).Name()); err != nil {
				return applied, fmt.Errorf("durable migration %s: rename %s to %s: %w", m.Tag, r[0], r[1], err)
			}
		}
		for _, c := range m.DeletedClasses {
			if err := store.DeleteNamespace(ctx, NewNamespace(script, c).Name()); err != nil {
				return applied, fmt.Errorf("durable migration %s: delete %s: %w", m.Tag, c, err)
			}
		}
		if err := store.RecordMigration(ctx, script, m.Tag); err != nil {
			return applied, fmt.Errorf("durable migration %s: %w", m.Tag, err)
		}
		applied = append(applied, m.Tag)
	}
	return applied, nil
}

// KeyValueClasses returns the classes that migs leave key-value backed:
// declared in new_classes (following renames, forgetting deleted classes)
// and not since in new_sqlite_classes. Cloudflare gives their storage no SQL
// API.
func KeyValueClasses(migs []Migration) []string {
	kv := map[string]bool{}
	for _, m := range migs {
		for _, c := range m.NewClasses {
			kv[c] = true
		}
		for _, c := range m.NewSQLiteClasses {
			delete(kv, c)
		}
		for _, r := range m.RenamedClasses {
			if kv[r[0]] {
				delete(kv, r[0])
				kv[r[1]] = true
			}
		}
		for _, c := range m.DeletedClasses {
			delete(kv, c)
		}
	}
	out := make([]string, 0, len(kv))
	for c := range kv {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
