package worker

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// SourceMap maps generated positions to original ones (Source Map v3,
// "mappings" only; names are not used).
type SourceMap struct {
	sources []string
	lines   [][]segment // by generated line (0-based)
}

type segment struct {
	genCol, src, line, col int
}

// ParseSourceMap decodes a v3 source map. Relative source paths are resolved
// against dir and then shown relative to the working directory when shorter.
func ParseSourceMap(data []byte, dir string) (*SourceMap, error) {
	var raw struct {
		Version    int      `json:"version"`
		Sources    []string `json:"sources"`
		SourceRoot string   `json:"sourceRoot"`
		Mappings   string   `json:"mappings"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if raw.Version != 3 {
		return nil, errors.New("unsupported source map version")
	}
	m := &SourceMap{}
	for _, s := range raw.Sources {
		p := s
		if !filepath.IsAbs(p) && !strings.Contains(p, ":") {
			p = filepath.Clean(filepath.Join(dir, raw.SourceRoot, p))
		}
		m.sources = append(m.sources, p)
	}
	var src, line, col int
	for _, l := range strings.Split(raw.Mappings, ";") {
		var segs []segment
		genCol := 0
		for _, s := range strings.Split(l, ",") {
			if s == "" {
				continue
			}
			f, err := decodeVLQ(s)
			if err != nil {
				return nil, err
			}
			genCol += f[0]
			if len(f) >= 4 {
				src += f[1]
				line += f[2]
				col += f[3]
				segs = append(segs, segment{genCol, src, line, col})
			}
		}
		m.lines = append(m.lines, segs)
	}
	return m, nil
}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func decodeVLQ(s string) ([]int, error) {
	var out []int
	v, shift := 0, 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(b64, s[i])
		if d < 0 {
			return nil, errors.New("bad VLQ digit")
		}
		v += (d & 31) << shift
		if d&32 != 0 {
			shift += 5
			continue
		}
		if v&1 != 0 {
			out = append(out, -(v >> 1))
		} else {
			out = append(out, v>>1)
		}
		v, shift = 0, 0
	}
	return out, nil
}

// Lookup maps a 1-based generated line and column to the original file and
// its 1-based line and column.
func (m *SourceMap) Lookup(line, col int) (file string, oline, ocol int, ok bool) {
	if m == nil || line < 1 || line > len(m.lines) {
		return "", 0, 0, false
	}
	segs := m.lines[line-1]
	c := col - 1
	i := sort.Search(len(segs), func(i int) bool { return segs[i].genCol > c }) - 1
	if i < 0 {
		if len(segs) == 0 {
			return "", 0, 0, false
		}
		i = 0
	}
	s := segs[i]
	if s.src < 0 || s.src >= len(m.sources) {
		return "", 0, 0, false
	}
	return m.sources[s.src], s.line + 1, s.col + 1, true
}

var stackPos = regexp.MustCompile(`worker\.js:(\d+):(\d+)`)

// MapStack rewrites "worker.js:L:C" positions in a V8 stack trace to the
// user's files.
func (m *SourceMap) MapStack(stack string) string {
	if m == nil {
		return stack
	}
	return stackPos.ReplaceAllStringFunc(stack, func(s string) string {
		sub := stackPos.FindStringSubmatch(s)
		l, _ := strconv.Atoi(sub[1])
		c, _ := strconv.Atoi(sub[2])
		f, ol, oc, ok := m.Lookup(l, c)
		if !ok {
			return s
		}
		return relPath(f) + ":" + strconv.Itoa(ol) + ":" + strconv.Itoa(oc)
	})
}

func relPath(p string) string {
	if wd, err := filepath.Abs("."); err == nil {
		if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "../../") {
			return r
		}
	}
	return p
}
