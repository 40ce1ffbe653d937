package durablelocal

import (
	"testing"

	"github.com/zerostack/zerostack/internal/durable"
	"github.com/zerostack/zerostack/internal/durable/durabletest"
)

func TestConformance(t *testing.T) {
	durabletest.Run(t, func(t *testing.T) (durable.Store, func() durable.Store) {
		dir := t.TempDir()
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		cur := s
		t.Cleanup(func() { cur.Close() })
		return s, func() durable.Store {
			cur.Close()
			n, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			cur = n
			return n
		}
	})
}
