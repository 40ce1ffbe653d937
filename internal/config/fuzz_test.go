package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addGoldenSeeds adds the configuration section of every golden file with
// the given extension to the fuzz corpus.
func addGoldenSeeds(f *testing.F, ext string) {
	files, _ := filepath.Glob("testdata/*" + ext + ".golden")
	for _, gf := range files {
		data, err := os.ReadFile(gf)
		if err != nil {
			f.Fatal(err)
		}
		cfg, _, _ := strings.Cut(string(data), sep)
		f.Add([]byte(cfg), "")
		f.Add([]byte(cfg), "staging")
	}
}

// checkParse runs the loader without the file system and checks the
// contract: never a panic, a Worker xor an error, errors of type *Error
// with a sane position.
func checkParse(t *testing.T, file string, data []byte, env string) {
	w, warnings, err := parse(file, data, env)
	lines := strings.Count(string(data), "\n") + 1
	if (w == nil) == (err == nil) {
		t.Fatalf("got worker %v and error %v", w != nil, err)
	}
	if err != nil {
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("error %T %v is not *Error", err, err)
		}
		if ce.File != file || ce.Line < 0 || ce.Line > lines || ce.Col < 0 {
			t.Fatalf("bad error position %+v for %d lines", ce, lines)
		}
	}
	for _, wn := range warnings {
		if wn.File != file || wn.Line < 0 || wn.Line > lines {
			t.Fatalf("bad warning %+v", wn)
		}
	}
	if w != nil {
		if w.Vars == nil || w.CompatibilityFlags == nil || w.Limits.MemoryMB <= 0 {
			t.Fatalf("resolved worker lacks defaults: %+v", w)
		}
		if _, err := jsonMarshal(w); err != nil {
			t.Fatalf("worker does not marshal: %v", err)
		}
	}
}

func FuzzLoadTOML(f *testing.F) {
	addGoldenSeeds(f, ".toml")
	f.Add([]byte("a.b.c = 1\n[[x.y]]\n[x.y.z]\nq = '''\nmulti\n'''\n"), "")
	f.Add([]byte("[env.s]\nvars = { A = { B = [1, { C = 2 }] } }\n"), "s")
	f.Fuzz(func(t *testing.T, data []byte, env string) {
		checkParse(t, "/w/wrangler.toml", data, env)
	})
}

func FuzzLoadJSON(f *testing.F) {
	addGoldenSeeds(f, ".json")
	addGoldenSeeds(f, ".jsonc")
	f.Add([]byte(`{"env": {"s": {"name": 1, "vars": []}}, "name": "x"}`), "s")
	f.Add([]byte("\xef\xbb\xbf{\"a\": 1e999}"), "")
	f.Fuzz(func(t *testing.T, data []byte, env string) {
		checkParse(t, "/w/wrangler.jsonc", data, env)
	})
}
