package queueslocal

import (
	"path/filepath"
	"testing"

	"github.com/zerostack/zerostack/internal/queues"
	"github.com/zerostack/zerostack/internal/queues/queuestest"
)

func TestConformance(t *testing.T) {
	queuestest.Run(t, func(t *testing.T, c *queuestest.Clock) queues.Store {
		s, err := Open(filepath.Join(t.TempDir(), "q.sqlite"), Options{Now: c.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
