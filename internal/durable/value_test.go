package durable

import (
	"encoding/json"
	"testing"
)

// A value as durable.js writes {a: [1, "x"], d: new Date(0), n: null}.
var sampleValue = []byte{
	tagObject, 0, 0, 0, 3,
	0, 0, 0, 1, 'a', tagArray, 0, 0, 0, 2, tagNumber, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, tagString, 0, 0, 0, 1, 'x',
	0, 0, 0, 1, 'd', tagDate, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 1, 'n', tagNull,
}

func TestDecodeValue(t *testing.T) {
	v, err := DecodeValue(sampleValue)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	if want := `{"a":[1,"x"],"d":{"$date":"1970-01-01T00:00:00Z"},"n":null}`; string(b) != want {
		t.Fatalf("got %s, want %s", b, want)
	}
	for i := range sampleValue {
		if _, err := DecodeValue(sampleValue[:i]); err == nil {
			t.Fatalf("truncated value (%d bytes) decoded", i)
		}
	}
}

func FuzzDecodeValue(f *testing.F) {
	f.Add(sampleValue)
	f.Add([]byte{tagMap, 0, 0, 0, 1, tagNumber})
	f.Add([]byte{tagArray, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeValue(b)
		if err == nil {
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("decoded value does not marshal: %v", err)
			}
		}
	})
}

func FuzzIDFromString(f *testing.F) {
	n := NewNamespace("s", "C")
	f.Add(n.IDFromName("x"))
	f.Add("zz")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := n.IDFromString(s)
		if err == nil && (!ValidID(id) || n.IDFromName("x") != n.IDFromName("x")) {
			t.Fatalf("accepted %q as %q", s, id)
		}
	})
}
