package ai

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// ModelUsage is what one model id has used: requests (failed ones too),
// tokens in and out, and time spent. It is the unit quotas will count.
type ModelUsage struct {
	Model        string `json:"model"`
	Requests     int64  `json:"requests"`
	Errors       int64  `json:"errors"`
	InputTokens  int64  `json:"input_tokens"`
	OutputTokens int64  `json:"output_tokens"`
	// Millis is the total wall time of the requests, in milliseconds.
	Millis int64 `json:"millis"`
	// Last is when the model was last used (RFC 3339).
	Last time.Time `json:"last"`
}

// Usage accounts per model and persists to a JSON file in the state
// directory. Records are kept in memory and written at most once per
// flushEvery after a change, and on [Usage.Close]; a crash loses at most
// that window. Safe for concurrent use.
type Usage struct {
	path string
	fmu  sync.Mutex // serializes file writes
	mu   sync.Mutex
	m    map[string]*ModelUsage
	t    *time.Timer
	err  error
}

const flushEvery = 500 * time.Millisecond

// UsageFile is the usage file's name inside the AI state directory.
const UsageFile = "usage.json"

// OpenUsage loads the usage recorded at path (a missing file is empty); an
// empty path keeps usage in memory only.
func OpenUsage(path string) (*Usage, error) {
	u := &Usage{path: path, m: map[string]*ModelUsage{}}
	if path == "" {
		return u, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return u, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ai usage: %w", err)
	}
	var list []ModelUsage
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("ai usage: %s is damaged (%v): move it away to start counting afresh", path, err)
	}
	for i := range list {
		mu := list[i]
		u.m[mu.Model] = &mu
	}
	return u, nil
}

// Record adds one request of model.
func (u *Usage) Record(model string, in, out int, d time.Duration, failed bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	e := u.m[model]
	if e == nil {
		e = &ModelUsage{Model: model}
		u.m[model] = e
	}
	e.Requests++
	if failed {
		e.Errors++
	}
	e.InputTokens += int64(in)
	e.OutputTokens += int64(out)
	e.Millis += d.Milliseconds()
	e.Last = time.Now().UTC().Truncate(time.Second)
	if u.path != "" && u.t == nil {
		u.t = time.AfterFunc(flushEvery, func() { u.Flush() })
	}
}

// Snapshot returns the usage of every model, sorted by model id.
func (u *Usage) Snapshot() []ModelUsage {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]ModelUsage, 0, len(u.m))
	for _, e := range u.m {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Model < out[j].Model })
	return out
}

// Flush writes the usage file now (atomically: temp file and rename).
func (u *Usage) Flush() error {
	if u.path == "" {
		return nil
	}
	u.fmu.Lock()
	defer u.fmu.Unlock()
	list := u.Snapshot()
	u.mu.Lock()
	if u.t != nil {
		u.t.Stop()
		u.t = nil
	}
	u.mu.Unlock()
	b, _ := json.MarshalIndent(list, "", "  ")
	if err := os.MkdirAll(filepath.Dir(u.path), 0o755); err != nil {
		return fmt.Errorf("ai usage: %w", err)
	}
	tmp := u.path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("ai usage: %w", err)
	}
	if err := os.Rename(tmp, u.path); err != nil {
		return fmt.Errorf("ai usage: %w", err)
	}
	return nil
}

// Close writes pending records.
func (u *Usage) Close() error { return u.Flush() }
