package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"text/tabwriter"

	"github.com/zerostack/zerostack/internal/r2"
)

func runR2(s Streams, args []string) int {
	return subcommands(s, "r2", args, map[string]func(Streams, []string) int{
		"bucket": runR2Bucket,
		"object": runR2Object,
		"token":  runR2Token,
	}, map[string]string{
		"bucket": "Create, list and delete buckets",
		"object": "Put, get and delete objects: zerostack r2 object put BUCKET/KEY --file FILE",
		"token":  "Create, list and revoke S3 API access keys",
	})
}

func runR2Bucket(s Streams, args []string) int {
	return subcommands(s, "r2 bucket", args, map[string]func(Streams, []string) int{
		"create":  r2BucketCreate,
		"list":    r2BucketList,
		"delete":  r2BucketDelete,
		"dev-url": runR2BucketDevURL,
	}, map[string]string{
		"create":  "Create a bucket: zerostack r2 bucket create <name>",
		"list":    "List buckets",
		"delete":  "Delete an empty bucket",
		"dev-url": "Serve a bucket publicly, read-only, as r2.dev does: enable|disable|get BUCKET",
	})
}

func runR2Object(s Streams, args []string) int {
	return subcommands(s, "r2 object", args, map[string]func(Streams, []string) int{
		"put":    r2ObjectPut,
		"get":    r2ObjectGet,
		"delete": r2ObjectDelete,
	}, map[string]string{
		"put":    "Upload an object: BUCKET/KEY --file FILE | --pipe",
		"get":    "Download an object: BUCKET/KEY [--file FILE | --pipe]",
		"delete": "Delete an object: BUCKET/KEY",
	})
}

func r2BucketCreate(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "r2 bucket create", "<name> [flags]", "Creates an R2 bucket in the local state.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "r2 bucket create", err)
	}
	defer p.close()
	b, err := p.state.R2().CreateBucket(context.Background(), fs.Arg(0))
	if err != nil {
		return fail(s, "r2 bucket create", err)
	}
	if f.json {
		printJSON(s.Out, map[string]any{"name": b.Name, "creation_date": b.Created})
		return 0
	}
	fmt.Fprintf(s.Out, "✅ Created bucket '%s'\n\nAdd the following to your configuration file in your r2_buckets array:\n\n[[r2_buckets]]\nbinding = \"BUCKET\"\nbucket_name = %q\n", b.Name, b.Name)
	return 0
}

func r2BucketList(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "r2 bucket list", "[flags]", "Lists the R2 buckets of the local state.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 0, 0); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "r2 bucket list", err)
	}
	defer p.close()
	list, err := p.state.R2().ListBuckets(context.Background())
	if err != nil {
		return fail(s, "r2 bucket list", err)
	}
	if f.json {
		out := []map[string]any{}
		for _, b := range list {
			out = append(out, map[string]any{"name": b.Name, "creation_date": b.Created})
		}
		printJSON(s.Out, out)
		return 0
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tcreation_date")
	for _, b := range list {
		fmt.Fprintf(tw, "%s\t%s\n", b.Name, b.Created.Format("2006-01-02T15:04:05Z"))
	}
	tw.Flush()
	return 0
}

func r2BucketDelete(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "r2 bucket delete", "<name> [flags]", "Deletes an empty R2 bucket.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "r2 bucket delete", err)
	}
	defer p.close()
	if err := p.state.R2().DeleteBucket(context.Background(), fs.Arg(0)); err != nil {
		return fail(s, "r2 bucket delete", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"deleted": fs.Arg(0)})
	} else {
		fmt.Fprintf(s.Out, "Deleted bucket '%s'.\n", fs.Arg(0))
	}
	return 0
}

// objectPath splits BUCKET/KEY.
func objectPath(arg string) (bucket, key string, err error) {
	bucket, key, ok := strings.Cut(arg, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", fmt.Errorf("want BUCKET/KEY, got %q", arg)
	}
	return bucket, key, nil
}

func r2ObjectPut(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "r2 object put", "BUCKET/KEY (--file FILE | --pipe) [flags]", "Uploads an object, streaming it (large files show progress on standard error).")
	f.register(fs)
	file := fs.String("file", "", "file to upload")
	pipe := fs.Bool("pipe", false, "read the object from standard input")
	fs.BoolVar(pipe, "p", false, "shorthand for --pipe")
	contentType := fs.String("content-type", "", "Content-Type to store")
	fs.StringVar(contentType, "ct", "", "shorthand for --content-type")
	contentDisposition := fs.String("content-disposition", "", "Content-Disposition to store")
	contentEncoding := fs.String("content-encoding", "", "Content-Encoding to store")
	contentLanguage := fs.String("content-language", "", "Content-Language to store")
	cacheControl := fs.String("cache-control", "", "Cache-Control to store")
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	if (*file == "") == !*pipe {
		fmt.Fprintln(s.Err, "zerostack r2 object put: give exactly one of --file and --pipe")
		return 2
	}
	bucket, key, err := objectPath(fs.Arg(0))
	if err != nil {
		return fail(s, "r2 object put", err)
	}
	var body io.Reader = s.In
	if *file != "" {
		fh, err := os.Open(*file)
		if err != nil {
			return fail(s, "r2 object put", err)
		}
		defer fh.Close()
		st, err := fh.Stat()
		if err != nil {
			return fail(s, "r2 object put", err)
		}
		body = newProgress(fh, s.Err, "Uploading", st.Size())
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "r2 object put", err)
	}
	defer p.close()
	o, err := p.state.R2().Put(context.Background(), bucket, key, body, r2.PutOptions{HTTPMetadata: r2.HTTPMetadata{
		ContentType: *contentType, ContentDisposition: *contentDisposition, ContentEncoding: *contentEncoding,
		ContentLanguage: *contentLanguage, CacheControl: *cacheControl,
	}})
	if err != nil {
		return fail(s, "r2 object put", err)
	}
	if f.json {
		printJSON(s.Out, map[string]any{"bucket": bucket, "key": o.Key, "size": o.Size, "etag": o.ETag, "version": o.Version})
	} else {
		fmt.Fprintf(s.Out, "Upload complete: %s/%s (%s, etag %s)\n", bucket, o.Key, humanBytes(o.Size), o.ETag)
	}
	return 0
}

func r2ObjectGet(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "r2 object get", "BUCKET/KEY [--file FILE | --pipe] [flags]", "Downloads an object to a file (by default the key's last path element) or standard output.")
	f.register(fs)
	file := fs.String("file", "", "file to write")
	pipe := fs.Bool("pipe", false, "write the object to standard output")
	fs.BoolVar(pipe, "p", false, "shorthand for --pipe")
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	bucket, key, err := objectPath(fs.Arg(0))
	if err != nil {
		return fail(s, "r2 object get", err)
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "r2 object get", err)
	}
	defer p.close()
	res, err := p.state.R2().Get(context.Background(), bucket, key, r2.GetOptions{})
	if err != nil {
		return fail(s, "r2 object get", err)
	}
	defer res.Body.Close()
	if *pipe {
		if _, err := io.Copy(s.Out, res.Body); err != nil {
			return fail(s, "r2 object get", err)
		}
		return 0
	}
	out := *file
	if out == "" {
		out = path.Base(key)
		if out == "." || out == "/" || out == ".." {
			return fail(s, "r2 object get", fmt.Errorf("cannot name a file after key %q; use --file", key))
		}
	}
	fh, err := os.Create(out)
	if err != nil {
		return fail(s, "r2 object get", err)
	}
	_, err = io.Copy(fh, newProgress(res.Body, s.Err, "Downloading", res.Length))
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return fail(s, "r2 object get", err)
	}
	if f.json {
		printJSON(s.Out, map[string]any{"bucket": bucket, "key": key, "size": res.Object.Size, "file": out})
	} else {
		fmt.Fprintf(s.Out, "Download complete: %s/%s → %s (%s)\n", bucket, key, out, humanBytes(res.Object.Size))
	}
	return 0
}

func r2ObjectDelete(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "r2 object delete", "BUCKET/KEY [flags]", "Deletes an object.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	bucket, key, err := objectPath(fs.Arg(0))
	if err != nil {
		return fail(s, "r2 object delete", err)
	}
	p, err := f.open()
	if err != nil {
		return fail(s, "r2 object delete", err)
	}
	defer p.close()
	if err := p.state.R2().Delete(context.Background(), bucket, key); err != nil {
		return fail(s, "r2 object delete", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"deleted": fs.Arg(0)})
	} else {
		fmt.Fprintf(s.Out, "Delete complete: %s\n", fs.Arg(0))
	}
	return 0
}
