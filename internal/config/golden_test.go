package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected output of testdata/*.golden files")

// A golden file holds a configuration, optional extra files, and the
// expected result, separated by lines that start with "----------":
//
//	<wrangler.toml, .json or .jsonc content>   (file name: the golden file's
//	                                            name without ".golden")
//	---------- .dev.vars                        (more files, by name)
//	<content>
//	---------- result env=staging               (the result; env optional)
//	<warnings, error and the Worker as JSON>
//
// The temporary directory is written as $DIR in the output. Run
// `go test ./internal/config -run Golden -update` to regenerate results.
const sep = "----------"

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.golden")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, gf := range files {
		t.Run(filepath.Base(gf), func(t *testing.T) {
			data, err := os.ReadFile(gf)
			if err != nil {
				t.Fatal(err)
			}
			inputs, header, want := splitGolden(t, string(data))
			dir := t.TempDir()
			cfgName := strings.TrimSuffix(filepath.Base(gf), ".golden")
			cfgName = "wrangler" + filepath.Ext(cfgName)
			for _, in := range inputs {
				name := in.name
				if name == "" {
					name = cfgName
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(in.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// "---------- result" or "---------- result env=<rest of line>"
			rest, ok := strings.CutPrefix(strings.TrimPrefix(header, sep), " result")
			if !ok {
				t.Fatalf("bad result header %q", header)
			}
			env, _ := strings.CutPrefix(rest, " env=")
			w, warnings, err := Load(dir, env)
			got := render(dir, w, warnings, err)
			if *update {
				var b strings.Builder
				for _, in := range inputs {
					if in.name != "" {
						b.WriteString(sep + " " + in.name + "\n")
					}
					b.WriteString(in.content)
				}
				b.WriteString(header + "\n" + got)
				if err := os.WriteFile(gf, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("result differs (run with -update to accept)\n--- got\n%s\n--- want\n%s", got, want)
			}
		})
	}
}

type goldenInput struct{ name, content string }

// splitGolden returns the input files, the result header line and the
// expected result.
func splitGolden(t *testing.T, s string) (inputs []goldenInput, header, want string) {
	t.Helper()
	lines := strings.SplitAfter(s, "\n")
	cur := &goldenInput{}
	var seps []int
	for i, l := range lines {
		if strings.HasPrefix(l, sep) {
			seps = append(seps, i)
		}
	}
	if len(seps) == 0 {
		t.Fatal("golden file has no result section")
	}
	last := seps[len(seps)-1]
	for _, l := range lines[:last] {
		if strings.HasPrefix(l, sep) {
			inputs = append(inputs, *cur)
			cur = &goldenInput{name: strings.TrimSpace(strings.TrimPrefix(l, sep))}
			continue
		}
		cur.content += l
	}
	inputs = append(inputs, *cur)
	return inputs, strings.TrimRight(lines[last], "\n"), strings.Join(lines[last+1:], "")
}

// render prints a Load result with dir replaced by $DIR.
func render(dir string, w *Worker, warnings []Warning, err error) string {
	var b strings.Builder
	for _, wn := range warnings {
		b.WriteString("warning: " + wn.String() + "\n")
	}
	if err != nil {
		var ce *Error
		if !errors.As(err, &ce) {
			b.WriteString("unexpected error type: ")
		}
		b.WriteString("error: " + err.Error() + "\n")
	}
	if w != nil {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(w); err != nil {
			b.WriteString("marshal: " + err.Error() + "\n")
		}
		b.Write(buf.Bytes())
	}
	return strings.ReplaceAll(b.String(), dir, "$DIR")
}
