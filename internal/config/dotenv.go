package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DotenvEntry is one assignment in a dotenv file.
type DotenvEntry struct {
	Key   string
	Value string
	Line  int // 1-based line of the key
	// Quote is the quote character that delimited the value (', " or `),
	// or 0 for an unquoted value.
	Quote byte
}

// ParseDotenv parses dotenv syntax, as used by .dev.vars and .env files and
// read by wrangler (through the dotenv package):
//
//   - KEY=value or KEY: value, one per line; keys are letters, digits, '_',
//     '.' and '-'; an "export " prefix is ignored;
//   - '#' starts a comment on its own line or after an unquoted value (an
//     unquoted value ends at the first '#');
//   - values may be quoted with ', " or `; quoted values may span lines;
//     in double-quoted values \n and \r become newline and carriage return,
//     every other character (backslashes included) is kept as written;
//   - unquoted values are trimmed; a later assignment to a key wins.
//
// Lines that are not assignments are skipped, as dotenv skips them; their
// line numbers are returned in ignored so callers can warn. ParseDotenv
// never fails.
func ParseDotenv(data []byte) (entries []DotenvEntry, ignored []int) {
	p := dotenvParser{data: bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), line: 1}
	return p.parse()
}

type dotenvParser struct {
	data []byte
	i    int
	line int
}

func (p *dotenvParser) peek() byte {
	if p.i < len(p.data) {
		return p.data[p.i]
	}
	return 0
}

func (p *dotenvParser) skipBlank() {
	for p.i < len(p.data) && (p.data[p.i] == ' ' || p.data[p.i] == '\t' || p.data[p.i] == '\r' || p.data[p.i] == '\f' || p.data[p.i] == '\v') {
		p.i++
	}
}

// restOfLine returns the text up to the next newline and moves past it.
func (p *dotenvParser) restOfLine() []byte {
	start := p.i
	for p.i < len(p.data) && p.data[p.i] != '\n' {
		p.i++
	}
	s := p.data[start:p.i]
	if p.i < len(p.data) {
		p.i++
		p.line++
	}
	return s
}

func isDotenvKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

func (p *dotenvParser) parse() (entries []DotenvEntry, ignored []int) {
	for p.i < len(p.data) {
		p.skipBlank()
		if p.i >= len(p.data) {
			break
		}
		switch p.data[p.i] {
		case '\n':
			p.restOfLine()
			continue
		case '#':
			p.restOfLine()
			continue
		}
		line := p.line
		if bytes.HasPrefix(p.data[p.i:], []byte("export")) {
			j := p.i + len("export")
			if j < len(p.data) && (p.data[j] == ' ' || p.data[j] == '\t') {
				p.i = j
				p.skipBlank()
			}
		}
		start := p.i
		for p.i < len(p.data) && isDotenvKeyChar(p.data[p.i]) {
			p.i++
		}
		key := string(p.data[start:p.i])
		p.skipBlank()
		sep := p.peek()
		if key == "" || (sep != '=' && sep != ':') {
			p.restOfLine()
			ignored = append(ignored, line)
			continue
		}
		p.i++
		if sep == ':' && p.peek() != ' ' && p.peek() != '\t' && p.peek() != '\n' && p.peek() != 0 {
			p.restOfLine()
			ignored = append(ignored, line)
			continue
		}
		p.skipBlank()
		value, quote := p.value()
		entries = append(entries, DotenvEntry{Key: key, Value: value, Line: line, Quote: quote})
	}
	return entries, ignored
}

// value reads the value after "KEY=" and the rest of its (last) line.
func (p *dotenvParser) value() (string, byte) {
	if q := p.peek(); q == '"' || q == '\'' || q == '`' {
		// Find the closing quote; \q does not close it.
		for j := p.i + 1; j < len(p.data); j++ {
			if p.data[j] == '\\' && j+1 < len(p.data) && p.data[j+1] == q {
				j++
				continue
			}
			if p.data[j] != q {
				continue
			}
			// Only blanks and a comment may follow on the closing line.
			k := j + 1
			for k < len(p.data) && (p.data[k] == ' ' || p.data[k] == '\t' || p.data[k] == '\r') {
				k++
			}
			if k < len(p.data) && p.data[k] != '\n' && p.data[k] != '#' {
				break // not a quoted value after all: fall back to unquoted
			}
			v := string(p.data[p.i+1 : j])
			p.line += strings.Count(v, "\n")
			p.i = j + 1
			p.restOfLine()
			if q == '"' {
				v = strings.NewReplacer(`\n`, "\n", `\r`, "\r").Replace(v)
			}
			return v, q
		}
	}
	rest := p.restOfLine()
	if i := bytes.IndexByte(rest, '#'); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimSpace(string(rest)), 0
}

// expandDotenv resolves ${VAR}, ${VAR:-default}, ${VAR-default} and $VAR in
// values, as dotenv-expand does for .env files: a reference sees the final
// value of another key in vars (itself expanded), unknown names expand to
// "" (or the default), and \$ is a literal dollar sign. Single-quoted
// values are kept literally. Reference cycles expand to "".
func expandDotenv(vars map[string]string, literal map[string]bool) map[string]string {
	out := make(map[string]string, len(vars))
	state := map[string]int{} // 1 = expanding, 2 = done
	var get func(name string) string
	expand := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c == '\\' && i+1 < len(s) && s[i+1] == '$' {
				b.WriteByte('$')
				i++
				continue
			}
			if c != '$' || i+1 >= len(s) {
				b.WriteByte(c)
				continue
			}
			if s[i+1] == '{' {
				end := strings.IndexByte(s[i+2:], '}')
				if end < 0 {
					b.WriteByte(c)
					continue
				}
				expr := s[i+2 : i+2+end]
				i += 2 + end
				name, def, hasDef := expr, "", false
				if j := strings.Index(expr, ":-"); j >= 0 {
					name, def, hasDef = expr[:j], expr[j+2:], true
				} else if j := strings.IndexByte(expr, '-'); j >= 0 {
					name, def, hasDef = expr[:j], expr[j+1:], true
				}
				v, ok := "", false
				if _, known := vars[name]; known {
					v, ok = get(name), true
				}
				if hasDef && (!ok || (v == "" && strings.Contains(expr, ":-"))) {
					v = def
				}
				b.WriteString(v)
				continue
			}
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			if j == i+1 {
				b.WriteByte(c)
				continue
			}
			if _, known := vars[s[i+1:j]]; known {
				b.WriteString(get(s[i+1 : j]))
			}
			i = j - 1
		}
		return b.String()
	}
	get = func(name string) string {
		switch state[name] {
		case 1:
			return ""
		case 2:
			return out[name]
		}
		state[name] = 1
		v := vars[name]
		if !literal[name] {
			v = expand(v)
		}
		out[name] = v
		state[name] = 2
		return v
	}
	for _, k := range sortedKeys(vars) {
		get(k)
	}
	return out
}

// loadSecrets reads the dev secrets next to w.File (see [Load] for the
// rules) into w.Secrets and removes vars they override.
func loadSecrets(w *Worker, envName string) ([]Warning, error) {
	var warnings []Warning
	read := func(name string) ([]DotenvEntry, bool, error) {
		p := filepath.Join(w.Dir, name)
		data, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("config secrets: %w", err)
		}
		entries, ignored := ParseDotenv(data)
		for _, line := range ignored {
			warnings = append(warnings, Warning{File: p, Line: line, Message: "line ignored: expected KEY=value"})
		}
		w.SecretsFiles = append(w.SecretsFiles, p)
		return entries, true, nil
	}

	secrets := map[string]string{}
	found := false
	// An environment name that is not a plain file name suffix never
	// selects files outside w.Dir.
	envFiles := envName != "" && !strings.ContainsAny(envName, `/\`) && envName != "." && envName != ".."
	if envFiles {
		entries, ok, err := read(".dev.vars." + envName)
		if err != nil {
			return warnings, err
		}
		found = ok
		for _, e := range entries {
			secrets[e.Key] = e.Value
		}
	}
	if !found {
		entries, ok, err := read(".dev.vars")
		if err != nil {
			return warnings, err
		}
		found = ok
		for _, e := range entries {
			secrets[e.Key] = e.Value
		}
	}
	if !found {
		names := []string{".env", ".env.local"}
		if envFiles {
			names = append(names, ".env."+envName, ".env."+envName+".local")
		}
		literal := map[string]bool{}
		for _, name := range names {
			entries, _, err := read(name)
			if err != nil {
				return warnings, err
			}
			for _, e := range entries {
				secrets[e.Key] = e.Value
				literal[e.Key] = e.Quote == '\''
			}
		}
		secrets = expandDotenv(secrets, literal)
	}

	if w.RequiredSecrets != nil {
		for k := range secrets {
			if _, isVar := w.Vars[k]; !isVar && !slices.Contains(w.RequiredSecrets, k) {
				delete(secrets, k)
			}
		}
		var missing []string
		for _, k := range w.RequiredSecrets {
			if _, ok := secrets[k]; !ok {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			warnings = append(warnings, Warning{File: w.File, Message: "missing required secrets: " + strings.Join(missing, ", ") + "; add them to .dev.vars or .env"})
		}
	}
	for k, v := range secrets {
		delete(w.Vars, k)
		w.Secrets[k] = v
	}
	return warnings, nil
}
