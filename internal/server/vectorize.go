package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/zerostack/zerostack/internal/binding"
	"github.com/zerostack/zerostack/internal/config"
	"github.com/zerostack/zerostack/internal/vectorize"
	"github.com/zerostack/zerostack/internal/vectorize/vectorizelocal"
	"github.com/zerostack/zerostack/internal/worker"
)

// MaxVectorsEnv names the environment variable that sets the largest
// number of vectors one local Vectorize index may hold (default
// vectorize.DefaultMaxVectors, 5,000,000). Inserts beyond it fail with an
// error that says so.
const MaxVectorsEnv = "ZEROSTACK_VECTORIZE_MAX_VECTORS"

// QuantizeEnv names the environment variable that, set to 1, builds new
// Vectorize graphs quantized (one byte per dimension instead of four; see
// package vectorizelocal): for large indexes where memory matters more
// than a little recall.
const QuantizeEnv = "ZEROSTACK_VECTORIZE_QUANTIZE"

// vectorizeState is the Vectorize part of a [State]: the store in
// <state>/vectorize/vectorize.sqlite, opened on first use so that projects
// without Vectorize never create it. Its zero value is ready.
type vectorizeState struct {
	once  sync.Once
	store *vectorizelocal.Store
	err   error
}

// Vectorize returns the local Vectorize store (indexes, vectors and
// metadata indexes), opening it on first use.
func (s *State) Vectorize() (*vectorizelocal.Store, error) {
	s.vec.once.Do(func() {
		dir := filepath.Join(s.dir, "vectorize")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			s.vec.err = fmt.Errorf("state: %w", err)
			return
		}
		opts := vectorizelocal.Options{Logger: s.log}
		if v := os.Getenv(MaxVectorsEnv); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				s.vec.err = fmt.Errorf("state: %s=%q: want a positive number of vectors", MaxVectorsEnv, v)
				return
			}
			opts.MaxVectors = n
		}
		switch v := os.Getenv(QuantizeEnv); v {
		case "", "0", "false":
		case "1", "true":
			opts.HNSW.Quantize = true
		default:
			s.vec.err = fmt.Errorf("state: %s=%q: want 1 or 0", QuantizeEnv, v)
			return
		}
		s.vec.store, s.vec.err = vectorizelocal.Open(filepath.Join(dir, "vectorize.sqlite"), opts)
	})
	return s.vec.store, s.vec.err
}

func (v *vectorizeState) close() error {
	if v.store == nil {
		return nil
	}
	return v.store.Close()
}

// vectorizeExtension serves [[vectorize]] bindings from this state.
func (s *State) vectorizeExtension() worker.Extension {
	return binding.VectorizeExtension(lazyVectorize{s}, s.log)
}

// vectorizeBindings returns env entries for cfg's [[vectorize]] entries:
// each names its index by index_name in local state.
func (s *State) vectorizeBindings(cfg *config.Worker) []worker.Binding {
	var out []worker.Binding
	for _, b := range cfg.Vectorize {
		out = append(out, binding.Vectorize(b.Binding, b.IndexName, b.ReturnMetadataDefault))
	}
	return out
}

// lazyVectorize opens the state's store on the first binding call.
type lazyVectorize struct{ s *State }

var _ binding.VectorizeBackend = lazyVectorize{}

func (l lazyVectorize) Insert(ctx context.Context, index string, vs []vectorize.Vector) (vectorize.Mutation, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return vectorize.Mutation{}, err
	}
	return st.Insert(ctx, index, vs)
}

func (l lazyVectorize) Upsert(ctx context.Context, index string, vs []vectorize.Vector) (vectorize.Mutation, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return vectorize.Mutation{}, err
	}
	return st.Upsert(ctx, index, vs)
}

func (l lazyVectorize) Query(ctx context.Context, index string, q vectorize.Query) (vectorize.Matches, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return vectorize.Matches{}, err
	}
	return st.Query(ctx, index, q)
}

func (l lazyVectorize) GetByIDs(ctx context.Context, index string, ids []string) ([]vectorize.Vector, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return nil, err
	}
	return st.GetByIDs(ctx, index, ids)
}

func (l lazyVectorize) DeleteByIDs(ctx context.Context, index string, ids []string) (vectorize.Mutation, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return vectorize.Mutation{}, err
	}
	return st.DeleteByIDs(ctx, index, ids)
}

func (l lazyVectorize) Describe(ctx context.Context, index string) (vectorize.Info, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return vectorize.Info{}, err
	}
	return st.Describe(ctx, index)
}

func (l lazyVectorize) CreateIndex(ctx context.Context, name, description string, cfg vectorize.IndexConfig) (vectorize.Index, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return vectorize.Index{}, err
	}
	return st.CreateIndex(ctx, name, description, cfg)
}

func (l lazyVectorize) GetIndex(ctx context.Context, name string) (vectorize.Index, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return vectorize.Index{}, err
	}
	return st.GetIndex(ctx, name)
}

func (l lazyVectorize) ListIndexes(ctx context.Context) ([]vectorize.Index, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return nil, err
	}
	return st.ListIndexes(ctx)
}

func (l lazyVectorize) DeleteIndex(ctx context.Context, name string) error {
	st, err := l.s.Vectorize()
	if err != nil {
		return err
	}
	return st.DeleteIndex(ctx, name)
}

func (l lazyVectorize) CreateMetadataIndex(ctx context.Context, index string, m vectorize.MetadataIndex) (vectorize.Mutation, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return vectorize.Mutation{}, err
	}
	return st.CreateMetadataIndex(ctx, index, m)
}

func (l lazyVectorize) ListMetadataIndexes(ctx context.Context, index string) ([]vectorize.MetadataIndex, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return nil, err
	}
	return st.ListMetadataIndexes(ctx, index)
}

func (l lazyVectorize) DeleteMetadataIndex(ctx context.Context, index, property string) (vectorize.Mutation, error) {
	st, err := l.s.Vectorize()
	if err != nil {
		return vectorize.Mutation{}, err
	}
	return st.DeleteMetadataIndex(ctx, index, property)
}
