package binding

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzParseFrame feeds arbitrary bytes to the producer frame parser: it
// must return messages whose bodies lie inside the input, or an error,
// never panic.
func FuzzParseFrame(f *testing.F) {
	one := make([]byte, 13+3)
	one[0] = 1
	binary.BigEndian.PutUint64(one[1:], math.Float64bits(math.NaN()))
	binary.BigEndian.PutUint32(one[9:], 3)
	copy(one[13:], `{"a`)
	f.Add(one)
	f.Add(append(one, one...))
	f.Add([]byte{})
	f.Add([]byte{9, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := parseFrame(b)
		if err != nil {
			return
		}
		total := 0
		for _, m := range msgs {
			total += 13 + len(m.Body)
			if m.Delay < -1 {
				t.Fatalf("negative delay %v", m.Delay)
			}
		}
		if total != len(b) {
			t.Fatalf("messages cover %d of %d bytes", total, len(b))
		}
	})
}
