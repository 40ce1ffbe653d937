package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zerostack/zerostack/internal/s3api"
)

// runR2Token implements `zerostack r2 token create|list|revoke`: the access
// keys of the S3-compatible API (R2's "API tokens"), stored in the project's
// local state. A key is scoped to all buckets or to the --bucket list, and
// is read-write unless --read-only.
func runR2Token(s Streams, args []string) int {
	return subcommands(s, "r2 token", args, map[string]func(Streams, []string) int{
		"create": r2TokenCreate,
		"list":   r2TokenList,
		"revoke": r2TokenRevoke,
	}, map[string]string{
		"create": "Create an S3 access key: [--name N] [--bucket B]... [--read-only]",
		"list":   "List S3 access keys (secrets are not shown)",
		"revoke": "Revoke an S3 access key: <access-key-id>",
	})
}

// bucketList collects repeated (or comma-separated) --bucket flags.
type bucketList []string

func (b *bucketList) String() string { return strings.Join(*b, ",") }

func (b *bucketList) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*b = append(*b, x)
		}
	}
	return nil
}

// openSettings opens the S3 settings of the project's state directory.
func (f *dataFlags) openSettings() (*s3api.Settings, error) {
	p, err := f.open()
	if err != nil {
		return nil, err
	}
	dir := p.state.Dir()
	p.close()
	return s3api.OpenSettings(s3api.SettingsPath(dir))
}

func r2TokenCreate(s Streams, args []string) int {
	var f dataFlags
	var buckets bucketList
	fs := newFlagSet(s, "r2 token create", "[flags]", "Creates an access key for the S3-compatible API of the local R2 buckets and prints its secret (shown only once).")
	f.register(fs)
	name := fs.String("name", "", "a label for the key")
	fs.Var(&buckets, "bucket", "limit the key to this bucket (repeatable; default: all buckets)")
	readOnly := fs.Bool("read-only", false, "allow reads only (GET, HEAD, lists)")
	if code, ok := parse(s, fs, args, 0, 0); !ok {
		return code
	}
	set, err := f.openSettings()
	if err != nil {
		return fail(s, "r2 token create", err)
	}
	defer set.Close()
	k, err := set.CreateKey(context.Background(), *name, buckets, *readOnly)
	if err != nil {
		return fail(s, "r2 token create", err)
	}
	if f.json {
		printJSON(s.Out, tokenJSON(k, true))
		return 0
	}
	fmt.Fprintf(s.Out, "✅ Created S3 access key %s\n\nAccess Key ID:     %s\nSecret Access Key: %s\nScope:             %s, %s\n\nThe secret is shown only now. Use region \"auto\" and the S3 endpoint of `zerostack dev --s3-port`.\n",
		k.Name, k.ID, k.Secret, scope(k), permission(k))
	return 0
}

func scope(k s3api.AccessKey) string {
	if k.AllBuckets() {
		return "all buckets"
	}
	return "buckets " + strings.Join(k.Buckets, ", ")
}

func permission(k s3api.AccessKey) string {
	if k.ReadOnly {
		return "read-only"
	}
	return "read-write"
}

func tokenJSON(k s3api.AccessKey, withSecret bool) map[string]any {
	m := map[string]any{"access_key_id": k.ID, "name": k.Name, "buckets": k.Buckets, "read_only": k.ReadOnly, "created_on": k.Created.Format(time.RFC3339)}
	if withSecret {
		m["secret_access_key"] = k.Secret
	}
	return m
}

func r2TokenList(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "r2 token list", "[flags]", "Lists the S3 access keys of the local state.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 0, 0); !ok {
		return code
	}
	set, err := f.openSettings()
	if err != nil {
		return fail(s, "r2 token list", err)
	}
	defer set.Close()
	keys, err := set.ListKeys(context.Background())
	if err != nil {
		return fail(s, "r2 token list", err)
	}
	if f.json {
		out := []map[string]any{}
		for _, k := range keys {
			out = append(out, tokenJSON(k, false))
		}
		printJSON(s.Out, out)
		return 0
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCESS KEY ID\tNAME\tSCOPE\tPERMISSION\tCREATED")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, scope(k), permission(k), k.Created.Format(time.RFC3339))
	}
	tw.Flush()
	return 0
}

func r2TokenRevoke(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "r2 token revoke", "<access-key-id> [flags]", "Revokes an S3 access key; requests signed with it are refused from then on.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, 1); !ok {
		return code
	}
	set, err := f.openSettings()
	if err != nil {
		return fail(s, "r2 token revoke", err)
	}
	defer set.Close()
	if err := set.RevokeKey(context.Background(), fs.Arg(0)); err != nil {
		return fail(s, "r2 token revoke", err)
	}
	fmt.Fprintf(s.Out, "✅ Revoked S3 access key %s\n", fs.Arg(0))
	return 0
}

// runR2BucketDevURL implements `zerostack r2 bucket dev-url
// enable|disable|get BUCKET`: read-only public HTTP serving of a bucket
// (s3api.PublicHandler), as R2's r2.dev URLs.
func runR2BucketDevURL(s Streams, args []string) int {
	set := func(public bool) func(Streams, []string) int {
		verb := map[bool]string{true: "enable", false: "disable"}[public]
		return func(s Streams, args []string) int {
			var f dataFlags
			fs := newFlagSet(s, "r2 bucket dev-url "+verb, "<bucket> [flags]", "Turns public read-only HTTP access to a bucket "+map[bool]string{true: "on", false: "off"}[public]+".")
			f.register(fs)
			if code, ok := parse(s, fs, args, 1, 1); !ok {
				return code
			}
			st, err := f.openSettings()
			if err != nil {
				return fail(s, "r2 bucket dev-url "+verb, err)
			}
			defer st.Close()
			if err := st.SetPublic(context.Background(), fs.Arg(0), public); err != nil {
				return fail(s, "r2 bucket dev-url "+verb, err)
			}
			fmt.Fprintf(s.Out, "✅ Public access to bucket '%s' is %sd.\n", fs.Arg(0), verb)
			return 0
		}
	}
	get := func(s Streams, args []string) int {
		var f dataFlags
		fs := newFlagSet(s, "r2 bucket dev-url get", "<bucket> [flags]", "Tells whether a bucket is served publicly.")
		f.register(fs)
		if code, ok := parse(s, fs, args, 1, 1); !ok {
			return code
		}
		st, err := f.openSettings()
		if err != nil {
			return fail(s, "r2 bucket dev-url get", err)
		}
		defer st.Close()
		on, err := st.IsPublic(context.Background(), fs.Arg(0))
		if err != nil {
			return fail(s, "r2 bucket dev-url get", err)
		}
		fmt.Fprintf(s.Out, "Public access to bucket '%s' is %s.\n", fs.Arg(0), map[bool]string{true: "enabled", false: "disabled"}[on])
		return 0
	}
	return subcommands(s, "r2 bucket dev-url", args, map[string]func(Streams, []string) int{
		"enable": set(true), "disable": set(false), "get": get,
	}, map[string]string{
		"enable":  "Serve the bucket read-only over plain HTTP",
		"disable": "Stop serving the bucket publicly",
		"get":     "Tell whether the bucket is public",
	})
}
