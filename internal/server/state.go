package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/d1/d1local"
	"github.com/zerostack/zerostack/internal/kv"
	"github.com/zerostack/zerostack/internal/kv/kvlocal"
	"github.com/zerostack/zerostack/internal/r2"
	"github.com/zerostack/zerostack/internal/r2/r2local"
	"github.com/zerostack/zerostack/internal/worker"
)

// StateDirName is where a project's local state lives, relative to the
// directory of its wrangler configuration (wrangler's is .wrangler/state).
const StateDirName = ".zerostack/state"

// StateDir returns the state directory for a project whose configuration
// is in cfgDir: persistTo when given (zerostack dev --persist-to, as
// wrangler's flag), else cfgDir/.zerostack/state.
func StateDir(cfgDir, persistTo string) string {
	if persistTo != "" {
		if abs, err := filepath.Abs(persistTo); err == nil {
			return abs
		}
		return persistTo
	}
	return filepath.Join(cfgDir, filepath.FromSlash(StateDirName))
}

// State is a project's local data: its KV namespaces, D1 databases and R2
// buckets, in one directory (kv/, d1/, r2/). The development server opens
// it once and every worker version it serves shares it; the CLI's kv, d1 and
// r2 commands open the same directory. Several processes may share a state
// directory (SQLite locking serializes them). Close it when done.
type State struct {
	dir string
	kv  *kvlocal.Store
	d1  *d1local.Manager
	r2  *r2local.Store
	log *slog.Logger
	ai  aiState // Workers AI (ai.go)

	durable doState // Durable Objects (durable.go), opened on first use

	vec vectorizeState // Vectorize (vectorize.go), opened on first use

	qs queuesState // Queues (queues.go), opened on first use

	svc serviceState // service bindings (service.go), for zerostack serve
}

// OpenState opens (creating if needed) the state in dir.
func OpenState(dir string, log *slog.Logger) (*State, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &State{dir: dir, log: log}
	if err := os.MkdirAll(filepath.Join(dir, "kv"), 0o755); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	var err error
	if s.kv, err = kvlocal.Open(filepath.Join(dir, "kv", "kv.sqlite"), kvlocal.Options{Logger: log, SweepInterval: time.Minute}); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	if s.d1, err = d1local.Open(filepath.Join(dir, "d1"), d1local.Options{Logger: log}); err != nil {
		s.kv.Close()
		return nil, fmt.Errorf("state: %w", err)
	}
	if s.r2, err = r2local.Open(filepath.Join(dir, "r2"), r2local.Options{Logger: log}); err != nil {
		s.kv.Close()
		s.d1.Close()
		return nil, fmt.Errorf("state: %w", err)
	}
	return s, nil
}

// Dir is the state directory.
func (s *State) Dir() string { return s.dir }

// KV returns the KV store (data and namespace records).
func (s *State) KV() *kvlocal.Store { return s.kv }

// D1 returns the D1 database manager.
func (s *State) D1() *d1local.Manager { return s.d1 }

// R2 returns the R2 store: objects, multipart uploads and buckets (an S3
// front door serves this same store).
func (s *State) R2() *r2local.Store { return s.r2 }

// Close closes every store.
func (s *State) Close() error {
	return errors.Join(s.kv.Close(), s.d1.Close(), s.r2.Close(), s.vec.close() /* Vectorize (vectorize.go) */, s.closeAI() /* Workers AI (ai.go) */, s.durable.close() /* Durable Objects (durable.go) */, s.qs.close() /* Queues (queues.go) */)
}

// Extension returns the worker extension serving KV, D1 and R2 bindings
// from this state.
func (s *State) Extension() worker.Extension {
	return binding.Extension(binding.Services{KV: s.kv, D1: s.d1, R2: s.r2, R2Multipart: s.r2, Logger: s.log})
}

// Extensions returns every worker extension that serves bindings from this
// state: KV, D1 and R2 ([State.Extension]) and each further service's own.
func (s *State) Extensions() []worker.Extension {
	exts := []worker.Extension{s.Extension()}
	// Each service appends its extension here, one line each.
	// Durable Objects (durable.go)
	exts = append(exts, s.durableExtension())
	// Vectorize (vectorize.go)
	exts = append(exts, s.vectorizeExtension())
	exts = append(exts, s.aiExtension())      // Workers AI (ai.go)
	exts = append(exts, s.queuesExtension())  // Queues (queues.go)
	exts = append(exts, s.serviceExtension()) // service bindings (service.go)
	return exts
}

// KVNamespaceID is the namespace a [[kv_namespaces]] entry names in local
// state: its preview_id, else its id, else the binding name. This is what
// wrangler dev uses (wrangler 4's getBindings with usePreviewIds), so that
// development never touches the namespace named by id when a preview one is
// configured; the CLI's --binding resolves the same way.
func KVNamespaceID(b config.KVNamespace) string {
	switch {
	case b.PreviewID != "":
		return b.PreviewID
	case b.ID != "":
		return b.ID
	}
	return b.Binding
}

// D1DatabaseName is the local database name of a [[d1_databases]] entry:
// database_name, else the binding name.
func D1DatabaseName(b config.D1Database) string {
	if b.DatabaseName != "" {
		return b.DatabaseName
	}
	return b.Binding
}

// R2BucketName is the local bucket of an [[r2_buckets]] entry:
// preview_bucket_name, else bucket_name, else the binding name (as wrangler
// dev chooses).
func R2BucketName(b config.R2Bucket) string {
	switch {
	case b.PreviewBucketName != "":
		return b.PreviewBucketName
	case b.BucketName != "":
		return b.BucketName
	}
	return b.Binding
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// EnsureD1 returns the local database of a [[d1_databases]] entry, creating
// it on first use as wrangler dev does: found by id (preview_database_id,
// else database_id, as wrangler dev chooses), then by name; created with
// that name and (when it is a UUID) that id.
func (s *State) EnsureD1(ctx context.Context, b config.D1Database) (d1.Info, error) {
	id := b.DatabaseID
	if b.PreviewDatabaseID != "" {
		id = b.PreviewDatabaseID
	}
	if id != "" {
		if info, err := s.d1.Info(ctx, id); err == nil {
			return info, nil
		}
	}
	name := D1DatabaseName(b)
	if info, err := s.d1.Info(ctx, name); err == nil {
		return info, nil
	}
	if !uuidRE.MatchString(id) {
		id = ""
	}
	info, err := s.d1.Create(ctx, name, id)
	if err != nil {
		return d1.Info{}, fmt.Errorf("d1 database %s: %w", b.Binding, err)
	}
	return info, nil
}

// EnsureKV records the namespace of a [[kv_namespaces]] entry (so that
// `zerostack kv namespace list` shows it) and returns its id.
func (s *State) EnsureKV(ctx context.Context, b config.KVNamespace) string {
	id := KVNamespaceID(b)
	if _, err := s.kv.CreateNamespace(ctx, id, b.Binding); errors.Is(err, kv.ErrNamespaceExists) {
		// The title is taken by another id, or the id exists: try the id as title.
		s.kv.CreateNamespace(ctx, id, id)
	}
	return id
}

// EnsureR2 records the bucket of an [[r2_buckets]] entry and returns its
// name. Names R2 would refuse are still served (data does not need the
// bucket record), only not listed.
func (s *State) EnsureR2(ctx context.Context, b config.R2Bucket) string {
	name := R2BucketName(b)
	if _, err := s.r2.CreateBucket(ctx, name); err != nil && !errors.Is(err, r2.ErrBucketExists) {
		s.log.Debug("r2 bucket not recorded", "bucket", name, "err", err)
	}
	return name
}

// Bindings creates what cfg's KV, D1 and R2 entries name (on first use) and
// returns the worker bindings that serve them.
func (s *State) Bindings(ctx context.Context, cfg *config.Worker) ([]worker.Binding, error) {
	var out []worker.Binding
	for _, b := range cfg.KVNamespaces {
		out = append(out, binding.KV(b.Binding, s.EnsureKV(ctx, b)))
	}
	for _, b := range cfg.D1Databases {
		info, err := s.EnsureD1(ctx, b)
		if err != nil {
			return nil, err
		}
		out = append(out, binding.D1(b.Binding, info.UUID))
	}
	for _, b := range cfg.R2Buckets {
		out = append(out, binding.R2(b.Binding, s.EnsureR2(ctx, b)))
	}
	// Vectorize (vectorize.go)
	out = append(out, s.vectorizeBindings(cfg)...)
	out = append(out, s.queueBindings(cfg)...)   // Queues (queues.go)
	out = append(out, s.serviceBindings(cfg)...) // service bindings (service.go)
	// Workers AI (ai.go)
	if aib, err := s.aiBindings(cfg); err != nil {
		return nil, err
	} else {
		out = append(out, aib...)
	}
	// Durable Objects (durable.go)
	if dob, err := s.durableBindings(ctx, cfg); err != nil {
		return nil, err
	} else {
		out = append(out, dob...)
	}
	return out, nil
}
