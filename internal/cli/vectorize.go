package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/zerostack/zerostack/internal/vectorize"
)

// vectorizePresets are wrangler's --preset names: Cloudflare embedding
// models and the index shape each implies.
var vectorizePresets = map[string]vectorize.IndexConfig{
	"@cf/baai/bge-small-en-v1.5":     {Dimensions: 384, Metric: vectorize.Cosine},
	"@cf/baai/bge-base-en-v1.5":      {Dimensions: 768, Metric: vectorize.Cosine},
	"@cf/baai/bge-large-en-v1.5":     {Dimensions: 1024, Metric: vectorize.Cosine},
	"openai/text-embedding-ada-002":  {Dimensions: 1536, Metric: vectorize.Cosine},
	"cohere/embed-multilingual-v2.0": {Dimensions: 768, Metric: vectorize.Cosine},
}

func runVectorize(s Streams, args []string) int {
	return subcommands(s, "vectorize", args, map[string]func(Streams, []string) int{
		"create":                vzCreate,
		"list":                  vzList,
		"get":                   vzGet,
		"info":                  vzInfo,
		"delete":                vzDelete,
		"insert":                func(s Streams, a []string) int { return vzWrite(s, a, false) },
		"upsert":                func(s Streams, a []string) int { return vzWrite(s, a, true) },
		"query":                 vzQuery,
		"get-vectors":           vzGetVectors,
		"delete-vectors":        vzDeleteVectors,
		"create-metadata-index": vzCreateMetadataIndex,
		"list-metadata-index":   vzListMetadataIndex,
		"delete-metadata-index": vzDeleteMetadataIndex,
	}, map[string]string{
		"create":                "Create an index: <name> --dimensions N --metric cosine|euclidean|dot-product, or --preset MODEL",
		"list":                  "List indexes",
		"get":                   "Show an index's configuration: <name>",
		"info":                  "Show an index's vector count and last mutation: <name>",
		"delete":                "Delete an index and its vectors: <name>",
		"insert":                "Insert vectors from an NDJSON file (existing ids are kept): <name> --file vectors.ndjson",
		"upsert":                "Insert or replace vectors from an NDJSON file: <name> --file vectors.ndjson",
		"query":                 "Query an index: <name> --vector 0.1,0.2,… | --vector-id ID [--top-k N] [--filter JSON]",
		"get-vectors":           "Print vectors by id: <name> --ids a,b,c",
		"delete-vectors":        "Delete vectors by id: <name> --ids a,b,c",
		"create-metadata-index": "Make a metadata property filterable: <name> --property-name P --type string|number|boolean",
		"list-metadata-index":   "List an index's metadata indexes: <name>",
		"delete-metadata-index": "Remove a metadata index: <name> --property-name P",
	})
}

// vzOpen opens the project's local Vectorize store.
func vzOpen(f *dataFlags) (*project, vzBackend, error) {
	p, err := f.open()
	if err != nil {
		return nil, nil, err
	}
	st, err := p.state.Vectorize()
	if err != nil {
		p.close()
		return nil, nil, err
	}
	return p, st, nil
}

type vzBackend interface {
	vectorize.Store
	vectorize.Indexes
}

// vzCmd parses a command taking the index name (and optionally more
// positional arguments) and opens the store.
func vzCmd(s Streams, fs *flag.FlagSet, f *dataFlags, args []string, maxArgs int) (*project, vzBackend, int, bool) {
	f.register(fs)
	if code, ok := parse(s, fs, args, 1, maxArgs); !ok {
		return nil, nil, code, false
	}
	p, st, err := vzOpen(f)
	if err != nil {
		return nil, nil, fail(s, fs.Name(), err), false
	}
	return p, st, 0, true
}

func vzCreate(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize create", "<name> (--dimensions N --metric M | --preset MODEL) [flags]", "Creates a Vectorize index in the local state.")
	dims := fs.Int("dimensions", 0, "vector dimensions (1 to 1536)")
	metric := fs.String("metric", "", "distance metric: cosine, euclidean or dot-product")
	preset := fs.String("preset", "", "an embedding model that implies dimensions and metric: "+presetNames())
	desc := fs.String("description", "", "a description of the index")
	p, st, code, ok := vzCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	cfg := vectorize.IndexConfig{Dimensions: *dims, Metric: vectorize.Metric(*metric)}
	if *preset != "" {
		pc, ok := vectorizePresets[*preset]
		if !ok {
			return fail(s, "vectorize create", fmt.Errorf("unknown preset %q (known: %s)", *preset, presetNames()))
		}
		if *dims != 0 || *metric != "" {
			return fail(s, "vectorize create", errors.New("use either --preset or --dimensions and --metric, not both"))
		}
		cfg = pc
	} else if *dims == 0 || *metric == "" {
		return fail(s, "vectorize create", errors.New("give --dimensions and --metric (cosine, euclidean or dot-product), or --preset with an embedding model name"))
	}
	name := fs.Arg(0)
	if !f.json {
		fmt.Fprintf(s.Out, "🚧 Creating index: '%s'\n", name)
	}
	ix, err := st.CreateIndex(context.Background(), name, *desc, cfg)
	if err != nil {
		return fail(s, "vectorize create", err)
	}
	if f.json {
		printJSON(s.Out, indexJSON(ix))
		return 0
	}
	fmt.Fprintf(s.Out, "✅ Successfully created a new Vectorize index: '%s'\n", ix.Name)
	fmt.Fprintf(s.Out, "📋 To start querying from a Worker, add the following binding configuration to your Wrangler configuration file:\n\n[[vectorize]]\nbinding = \"VECTORIZE\"\nindex_name = %q\n", ix.Name)
	return 0
}

func presetNames() string {
	return "@cf/baai/bge-small-en-v1.5, @cf/baai/bge-base-en-v1.5, @cf/baai/bge-large-en-v1.5, openai/text-embedding-ada-002, cohere/embed-multilingual-v2.0"
}

// indexJSON is an index as Cloudflare's API and wrangler --json show it.
func indexJSON(ix vectorize.Index) map[string]any {
	return map[string]any{
		"name":        ix.Name,
		"description": ix.Description,
		"config":      map[string]any{"dimensions": ix.Config.Dimensions, "metric": ix.Config.Metric},
		"created_on":  ix.CreatedOn.Format(time.RFC3339Nano),
		"modified_on": ix.ModifiedOn.Format(time.RFC3339Nano),
	}
}

func vzList(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize list", "[flags]", "Lists the Vectorize indexes of the local state.")
	f.register(fs)
	if code, ok := parse(s, fs, args, 0, 0); !ok {
		return code
	}
	p, st, err := vzOpen(&f)
	if err != nil {
		return fail(s, "vectorize list", err)
	}
	defer p.close()
	list, err := st.ListIndexes(context.Background())
	if err != nil {
		return fail(s, "vectorize list", err)
	}
	if f.json {
		out := make([]map[string]any, len(list))
		for i, ix := range list {
			out[i] = indexJSON(ix)
		}
		printJSON(s.Out, out)
		return 0
	}
	fmt.Fprintln(s.Out, "📋 Listing Vectorize indexes...")
	if len(list) == 0 {
		fmt.Fprintln(s.Out, "No Vectorize indexes found. Create one with: zerostack vectorize create NAME --dimensions N --metric cosine")
		return 0
	}
	indexTable(s.Out, list)
	return 0
}

func indexTable(w io.Writer, list []vectorize.Index) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tdimensions\tmetric\tdescription\tcreated\tmodified")
	for _, ix := range list {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", ix.Name, ix.Config.Dimensions, ix.Config.Metric, ix.Description,
			ix.CreatedOn.Format(time.RFC3339), ix.ModifiedOn.Format(time.RFC3339))
	}
	tw.Flush()
}

func vzGet(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize get", "<name> [flags]", "Shows a Vectorize index's configuration.")
	p, st, code, ok := vzCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	ix, err := st.GetIndex(context.Background(), fs.Arg(0))
	if err != nil {
		return fail(s, "vectorize get", err)
	}
	if f.json {
		printJSON(s.Out, indexJSON(ix))
		return 0
	}
	fmt.Fprintln(s.Out, "📋 Getting index...")
	indexTable(s.Out, []vectorize.Index{ix})
	return 0
}

func vzInfo(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize info", "<name> [flags]", "Shows a Vectorize index's vector count and last mutation.")
	p, st, code, ok := vzCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	info, err := st.Describe(context.Background(), fs.Arg(0))
	if err != nil {
		return fail(s, "vectorize info", err)
	}
	if f.json {
		printJSON(s.Out, info)
		return 0
	}
	fmt.Fprintln(s.Out, "📋 Fetching index info...")
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "dimensions\tvectorCount\tprocessedUpToMutation\tprocessedUpToDatetime")
	when := ""
	if info.ProcessedUpToDatetime > 0 {
		when = time.UnixMilli(info.ProcessedUpToDatetime).UTC().Format(time.RFC3339Nano)
	}
	fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", info.Dimensions, info.VectorCount, info.ProcessedUpToMutation, when)
	tw.Flush()
	return 0
}

func vzDelete(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize delete", "<name> [flags]", "Deletes a Vectorize index and all its vectors from the local state.")
	fs.Bool("force", false, "accepted for wrangler compatibility (zerostack does not ask)")
	fs.Bool("y", false, "shorthand for --force")
	p, st, code, ok := vzCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	name := fs.Arg(0)
	if err := st.DeleteIndex(context.Background(), name); err != nil {
		return fail(s, "vectorize delete", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"deleted": name})
	} else {
		fmt.Fprintf(s.Out, "Deleting Vectorize index %s\n✅ Deleted index %s\n", name, name)
	}
	return 0
}

// ndjsonVector is one line of wrangler's vectors file.
type ndjsonVector struct {
	ID        *string         `json:"id"`
	Values    []float32       `json:"values"`
	Namespace string          `json:"namespace"`
	Metadata  json.RawMessage `json:"metadata"`
}

// readNDJSON reads vectors, one JSON object a line (blank lines skipped),
// and calls batch for every size vectors.
func readNDJSON(r io.Reader, size int, batch func([]vectorize.Vector) error) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var buf []vectorize.Vector
	line, total := 0, 0
	for sc.Scan() {
		line++
		b := strings.TrimSpace(sc.Text())
		if b == "" {
			continue
		}
		var v ndjsonVector
		if err := json.Unmarshal([]byte(b), &v); err != nil {
			return total, fmt.Errorf("line %d: not a JSON object {\"id\", \"values\", \"metadata\"?, \"namespace\"?}: %v", line, err)
		}
		if v.ID == nil {
			return total, fmt.Errorf("line %d: missing \"id\"", line)
		}
		if v.Values == nil {
			return total, fmt.Errorf("line %d: missing \"values\"", line)
		}
		buf = append(buf, vectorize.Vector{ID: *v.ID, Values: v.Values, Namespace: v.Namespace, Metadata: v.Metadata})
		if len(buf) == size {
			if err := batch(buf); err != nil {
				return total, err
			}
			total += len(buf)
			buf = nil
		}
	}
	if err := sc.Err(); err != nil {
		return total, fmt.Errorf("line %d: %w", line+1, err)
	}
	if len(buf) > 0 {
		if err := batch(buf); err != nil {
			return total, err
		}
		total += len(buf)
	}
	return total, nil
}

func vzWrite(s Streams, args []string, upsert bool) int {
	cmd := "vectorize insert"
	if upsert {
		cmd = "vectorize upsert"
	}
	var f dataFlags
	fs := newFlagSet(s, cmd, "<name> --file vectors.ndjson [flags]", "Writes vectors from an NDJSON file (one {\"id\", \"values\", \"metadata\"?, \"namespace\"?} a line; - reads standard input).")
	file := fs.String("file", "", "the NDJSON file of vectors")
	batchSize := fs.Int("batch-size", vectorize.MaxVectorsPerCall, "vectors per write")
	p, st, code, ok := vzCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	if *file == "" {
		return fail(s, cmd, errors.New("give the vectors with --file vectors.ndjson"))
	}
	if *batchSize < 1 || *batchSize > vectorize.MaxVectorsPerCall {
		return fail(s, cmd, fmt.Errorf("--batch-size must be between 1 and %d", vectorize.MaxVectorsPerCall))
	}
	var in io.Reader = s.In
	if *file != "-" {
		fh, err := os.Open(*file)
		if err != nil {
			return fail(s, cmd, err)
		}
		defer fh.Close()
		in = fh
	}
	name := fs.Arg(0)
	ctx := context.Background()
	var last vectorize.Mutation
	n, err := readNDJSON(in, *batchSize, func(vs []vectorize.Vector) error {
		var err error
		if upsert {
			last, err = st.Upsert(ctx, name, vs)
		} else {
			last, err = st.Insert(ctx, name, vs)
		}
		return err
	})
	if err != nil {
		if n > 0 {
			err = fmt.Errorf("%w (the first %d vectors were written)", err, n)
		}
		return fail(s, cmd, err)
	}
	if f.json {
		printJSON(s.Out, map[string]any{"count": n, "mutationId": last.MutationID})
		return 0
	}
	verb := "insertion"
	if upsert {
		verb = "upsertion"
	}
	fmt.Fprintf(s.Out, "✨ Enqueued %d vectors into index '%s' for %s. Mutation changeset identifier: %s\n", n, name, verb, last.MutationID)
	return 0
}

// parseNumbers reads a vector given as "0.1,0.2", "0.1 0.2" or "[0.1, 0.2]".
func parseNumbers(parts []string) ([]float32, error) {
	var out []float32
	for _, p := range parts {
		p = strings.Trim(strings.TrimSpace(p), "[]")
		for _, x := range strings.FieldsFunc(p, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			f, err := strconv.ParseFloat(x, 32)
			if err != nil {
				return nil, fmt.Errorf("--vector: %q is not a number", x)
			}
			out = append(out, float32(f))
		}
	}
	return out, nil
}

func vzQuery(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize query", "<name> (--vector 0.1,0.2,… | --vector-id ID) [flags]", "Queries a Vectorize index and prints the matches as JSON.")
	vec := fs.String("vector", "", "the query vector: numbers separated by commas or spaces (more may follow as arguments)")
	vecID := fs.String("vector-id", "", "query with the values of this stored vector")
	topK := fs.Int("top-k", vectorize.DefaultTopK, "number of matches")
	retMeta := fs.String("return-metadata", "none", "metadata to return: none, indexed or all")
	retVals := fs.Bool("return-values", false, "return the matches' values")
	filter := fs.String("filter", "", `metadata filter as JSON, e.g. '{"category":"tech","price":{"$lt":100}}'`)
	ns := fs.String("namespace", "", "search only this namespace")
	p, st, code, ok := vzCmd(s, fs, &f, args, -1)
	if !ok {
		return code
	}
	defer p.close()
	q := vectorize.Query{TopK: *topK, ReturnValues: *retVals, ReturnMetadata: vectorize.ReturnMetadata(*retMeta), Namespace: *ns}
	switch {
	case *vec != "" && *vecID != "":
		return fail(s, "vectorize query", errors.New("use either --vector or --vector-id, not both"))
	case *vec != "":
		v, err := parseNumbers(append([]string{*vec}, fs.Args()[1:]...))
		if err != nil {
			return fail(s, "vectorize query", err)
		}
		q.Vector = v
	case *vecID != "":
		if fs.NArg() > 1 {
			return fail(s, "vectorize query", fmt.Errorf("unexpected arguments %q", fs.Args()[1:]))
		}
		q.VectorID = *vecID
	default:
		return fail(s, "vectorize query", errors.New("give the query vector with --vector or --vector-id"))
	}
	if *filter != "" {
		flt, err := vectorize.ParseFilter([]byte(*filter))
		if err != nil {
			return fail(s, "vectorize query", err)
		}
		q.Filter = flt
	}
	res, err := st.Query(context.Background(), fs.Arg(0), q)
	if err != nil {
		return fail(s, "vectorize query", err)
	}
	if res.Matches == nil {
		res.Matches = []vectorize.Match{}
	}
	if !f.json {
		fmt.Fprintln(s.Out, "📋 Searching for relevant vectors...")
	}
	printJSON(s.Out, res)
	return 0
}

// idArgs collects --ids (comma or space separated) and any further
// arguments after the index name, as wrangler's `--ids a b c` gives them.
func idArgs(ids string, rest []string) []string {
	var out []string
	for _, p := range append([]string{ids}, rest...) {
		out = append(out, strings.FieldsFunc(p, func(r rune) bool { return r == ',' || r == ' ' })...)
	}
	return out
}

type vectorJSON struct {
	ID        string          `json:"id"`
	Values    []float32       `json:"values"`
	Namespace string          `json:"namespace,omitempty"`
	Metadata  json.RawMessage `json:"metadata,omitempty"`
}

func vzGetVectors(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize get-vectors", "<name> --ids a,b,c [flags]", "Prints vectors by id as JSON.")
	ids := fs.String("ids", "", "vector ids, separated by commas or spaces")
	p, st, code, ok := vzCmd(s, fs, &f, args, -1)
	if !ok {
		return code
	}
	defer p.close()
	list := idArgs(*ids, fs.Args()[1:])
	if len(list) == 0 {
		return fail(s, "vectorize get-vectors", errors.New("give the vector ids with --ids"))
	}
	vs, err := st.GetByIDs(context.Background(), fs.Arg(0), list)
	if err != nil {
		return fail(s, "vectorize get-vectors", err)
	}
	out := make([]vectorJSON, len(vs))
	for i, v := range vs {
		out[i] = vectorJSON{v.ID, v.Values, v.Namespace, v.Metadata}
	}
	if !f.json {
		fmt.Fprintln(s.Out, "📋 Fetching vectors...")
	}
	printJSON(s.Out, out)
	return 0
}

func vzDeleteVectors(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize delete-vectors", "<name> --ids a,b,c [flags]", "Deletes vectors by id.")
	ids := fs.String("ids", "", "vector ids, separated by commas or spaces")
	p, st, code, ok := vzCmd(s, fs, &f, args, -1)
	if !ok {
		return code
	}
	defer p.close()
	list := idArgs(*ids, fs.Args()[1:])
	if len(list) == 0 {
		return fail(s, "vectorize delete-vectors", errors.New("give the vector ids with --ids"))
	}
	m, err := st.DeleteByIDs(context.Background(), fs.Arg(0), list)
	if err != nil {
		return fail(s, "vectorize delete-vectors", err)
	}
	if f.json {
		printJSON(s.Out, map[string]any{"mutationId": m.MutationID, "count": m.Count})
		return 0
	}
	fmt.Fprintf(s.Out, "✅ Deleted %d vectors from index '%s'. Mutation changeset identifier: %s\n", m.Count, fs.Arg(0), m.MutationID)
	return 0
}

func vzCreateMetadataIndex(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize create-metadata-index", "<name> --property-name P --type string|number|boolean [flags]", "Makes a metadata property filterable (and returned by returnMetadata: \"indexed\").")
	prop := fs.String("property-name", "", "the metadata property (dots select nested properties)")
	typ := fs.String("type", "", "string, number or boolean")
	p, st, code, ok := vzCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	m, err := st.CreateMetadataIndex(context.Background(), fs.Arg(0), vectorize.MetadataIndex{PropertyName: *prop, IndexType: vectorize.MetadataType(*typ)})
	if err != nil {
		return fail(s, "vectorize create-metadata-index", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"mutationId": m.MutationID})
		return 0
	}
	fmt.Fprintf(s.Out, "📝 Creating metadata index...\n✅ Successfully enqueued metadata index creation request. Mutation changeset identifier: %s.\n", m.MutationID)
	return 0
}

func vzListMetadataIndex(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize list-metadata-index", "<name> [flags]", "Lists an index's metadata indexes.")
	p, st, code, ok := vzCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	list, err := st.ListMetadataIndexes(context.Background(), fs.Arg(0))
	if err != nil {
		return fail(s, "vectorize list-metadata-index", err)
	}
	if f.json {
		if list == nil {
			list = []vectorize.MetadataIndex{}
		}
		printJSON(s.Out, list)
		return 0
	}
	fmt.Fprintln(s.Out, "📋 Fetching metadata indexes...")
	if len(list) == 0 {
		fmt.Fprintln(s.Out, "No metadata indexes found.")
		return 0
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "propertyName\ttype")
	for _, m := range list {
		fmt.Fprintf(tw, "%s\t%s\n", m.PropertyName, m.IndexType)
	}
	tw.Flush()
	return 0
}

func vzDeleteMetadataIndex(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "vectorize delete-metadata-index", "<name> --property-name P [flags]", "Removes the metadata index on a property.")
	prop := fs.String("property-name", "", "the metadata property")
	p, st, code, ok := vzCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	m, err := st.DeleteMetadataIndex(context.Background(), fs.Arg(0), *prop)
	if err != nil {
		return fail(s, "vectorize delete-metadata-index", err)
	}
	if f.json {
		printJSON(s.Out, map[string]string{"mutationId": m.MutationID})
		return 0
	}
	fmt.Fprintf(s.Out, "📝 Deleting metadata index...\n✅ Successfully enqueued metadata index deletion request. Mutation changeset identifier: %s.\n", m.MutationID)
	return 0
}
