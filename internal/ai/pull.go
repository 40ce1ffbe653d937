package ai

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// PullOptions configure [Pull].
type PullOptions struct {
	// Dir is where the file is saved (created if needed).
	Dir string
	// Name is the file name ("" = the URL path's last element).
	Name string
	// SHA256, if set, is the expected hex digest; a mismatch removes the
	// download and fails.
	SHA256 string
	// Client sends the requests (nil = http.DefaultClient).
	Client *http.Client
	// Progress, if set, is called as bytes arrive with the bytes so far and
	// the total (-1 when unknown).
	Progress func(done, total int64)
}

// Pull downloads url into opts.Dir and returns the file's path. It writes
// to NAME.part and renames when complete; if a NAME.part is already there
// it resumes with a Range request (starting over if the server ignores
// ranges). A file that already exists with the expected digest is not
// downloaded again.
func Pull(ctx context.Context, rawURL string, opts PullOptions) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("ai pull: %q is not an http(s) URL", rawURL)
	}
	name := opts.Name
	if name == "" {
		name = path.Base(u.Path)
	}
	if name == "" || name == "/" || name == "." || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("ai pull: cannot tell a file name from %q: give one with --name", rawURL)
	}
	want := strings.ToLower(strings.TrimSpace(opts.SHA256))
	if want != "" {
		if b, err := hex.DecodeString(want); err != nil || len(b) != sha256.Size {
			return "", fmt.Errorf("ai pull: %q is not a SHA-256 digest (64 hex digits)", opts.SHA256)
		}
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return "", fmt.Errorf("ai pull: %w", err)
	}
	dest := filepath.Join(opts.Dir, name)
	if want != "" {
		if got, err := fileSHA256(dest); err == nil && got == want {
			return dest, nil
		}
	}
	part := dest + ".part"
	client := opts.Client
	if client == nil {
		client = http.DefaultClient
	}
	f, err := os.OpenFile(part, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", fmt.Errorf("ai pull: %w", err)
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return "", fmt.Errorf("ai pull: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return "", fmt.Errorf("ai pull: %w", err)
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("ai pull: %w (run the same command again to resume)", err)
	}
	defer resp.Body.Close()
	total := int64(-1)
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		if resp.ContentLength >= 0 {
			total = have + resp.ContentLength
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && have > 0:
		// The part is already whole (or larger than the file): verify it.
		total = have
	case resp.StatusCode == http.StatusOK:
		// A fresh download, or a server that ignores Range: start over.
		if err := f.Truncate(0); err != nil {
			return "", fmt.Errorf("ai pull: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", fmt.Errorf("ai pull: %w", err)
		}
		have, total = 0, resp.ContentLength
	default:
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return "", fmt.Errorf("ai pull: %s answered %s: %s", rawURL, resp.Status, strings.TrimSpace(string(msg)))
	}
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		var w io.Writer = f
		if opts.Progress != nil {
			w = &progressWriter{w: f, done: have, total: total, fn: opts.Progress}
		}
		if _, err := io.Copy(w, resp.Body); err != nil {
			return "", fmt.Errorf("ai pull: %w (run the same command again to resume)", err)
		}
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("ai pull: %w", err)
	}
	if st, err := f.Stat(); err == nil && total >= 0 && st.Size() != total {
		return "", fmt.Errorf("ai pull: got %d of %d bytes (run the same command again to resume)", st.Size(), total)
	}
	if want != "" {
		got, err := fileSHA256(part)
		if err != nil {
			return "", fmt.Errorf("ai pull: %w", err)
		}
		if got != want {
			f.Close()
			os.Remove(part)
			return "", fmt.Errorf("ai pull: checksum mismatch: got sha256 %s, want %s (the partial file was removed)", got, want)
		}
	}
	f.Close()
	if err := os.Rename(part, dest); err != nil {
		return "", fmt.Errorf("ai pull: %w", err)
	}
	return dest, nil
}

type progressWriter struct {
	w           io.Writer
	done, total int64
	fn          func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	p.fn(p.done, p.total)
	return n, err
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
