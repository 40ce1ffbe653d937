package d1local

import (
	"testing"

	"github.com/zerostack/zerostack/internal/d1"
	"github.com/zerostack/zerostack/internal/d1/d1test"
)

func TestConformance(t *testing.T) {
	d1test.Run(t, func(t *testing.T) d1.Manager {
		m, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	})
}
