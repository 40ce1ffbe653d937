package use

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzVocab feeds newTokenizer arbitrary vocab.json bytes: it must return an error or a
// tokenizer that encodes without panicking.
func FuzzVocab(f *testing.F) {
	for _, s := range []string{
		`[["a",0],["b",0],["c",0],["d",0],["e",0],["f",0],["▁he",-1],["llo",-2],["l",-3]]`,
		`[["a",0],["b",0],["c",0],["d",0],["e",0],["f",0],["x",null],["",1],["😀",-1]]`,
		`[]`, `{}`, `[[1,2]]`, `[["a"]]`, `null`, `[["a",0],["b",0],["c",0],["d",0],["e",0],["f",0],["g","x"]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := newTokenizer(b)
		if err != nil {
			return
		}
		for _, s := range []string{"", "hello world", "😀 x", "ＡＢ\tC"} {
			for _, id := range tok.encode(s) {
				if id < 0 || int(id) >= len(tok.stepLen) {
					t.Fatalf("encode(%q) gave id %d of %d", s, id, len(tok.stepLen))
				}
			}
		}
	})
}

// FuzzModelJSON feeds readWeights arbitrary model.json bytes next to a 64-byte shard: it
// must return an error or weights that lie inside the shards it read.
func FuzzModelJSON(f *testing.F) {
	for _, s := range []string{
		`{"weightsManifest":[{"paths":["s1"],"weights":[{"name":"w","shape":[4,4],"dtype":"float32"}]}]}`,
		`{"weightsManifest":[{"paths":["s1"],"weights":[{"name":"w","shape":[2],"dtype":"int32"},{"name":"q","shape":[8],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}}]}]}`,
		`{"weightsManifest":[{"paths":["s1"],"weights":[{"name":"h","shape":[3],"dtype":"float32","quantization":{"dtype":"float16"}}]}]}`,
		`{"weightsManifest":[{"paths":["s1"],"weights":[{"name":"w","shape":[100],"dtype":"float32"}]}]}`,
		`{"weightsManifest":[{"paths":["../s1"],"weights":[]}]}`,
		`{"weightsManifest":[{"paths":["s1"],"weights":[{"name":"w","shape":[-1,4],"dtype":"float32"}]}]}`,
		`{"weightsManifest":[{"paths":["s1"],"weights":[{"name":"w","shape":[65536,65536,65536],"dtype":"float32"}]}]}`,
		`{}`, `[]`, ``,
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	shard := make([]byte, 64)
	for i := range shard {
		shard[i] = byte(i * 7)
	}
	if err := os.WriteFile(filepath.Join(dir, "s1"), shard, 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, "model.json"), b, 0o644)
		os.WriteFile(filepath.Join(d, "s1"), shard, 0o644)
		all, total, free, err := readWeights(d)
		if err != nil {
			return
		}
		defer free()
		n := 0
		for _, w := range all {
			n += len(w.data)
		}
		// Every float comes from at least one byte of the shards read.
		if total%64 != 0 || n > total {
			t.Fatalf("readWeights read %d bytes of 64-byte shards into %d floats", total, n)
		}
	})
}
