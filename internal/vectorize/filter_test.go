package vectorize

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestFilterMatch(t *testing.T) {
	meta := map[string]any{}
	json.Unmarshal([]byte(`{"cat":"tech","price":15,"ok":true,"none":null,"author":{"name":"ann","age":40},"a.b":"lit","tags":["x"]}`), &meta)
	cases := []struct {
		filter string
		want   bool
	}{
		{`{"cat":"tech"}`, true},
		{`{"cat":"food"}`, false},
		{`{"cat":{"$eq":"tech"}}`, true},
		{`{"cat":{"$ne":"tech"}}`, false},
		{`{"price":15}`, true},
		{`{"price":"15"}`, false}, // types must agree
		{`{"price":{"$gte":10,"$lte":20}}`, true},
		{`{"price":{"$gt":15}}`, false},
		{`{"price":{"$lt":15.5}}`, true},
		{`{"cat":{"$gt":"alpha","$lt":"zulu"}}`, true},
		{`{"price":{"$lt":"zzz"}}`, false}, // number vs string never orders
		{`{"ok":true}`, true},
		{`{"ok":{"$in":[false]}}`, false},
		{`{"cat":{"$in":["food","tech"]}}`, true},
		{`{"cat":{"$nin":["food","tech"]}}`, false},
		{`{"missing":{"$nin":["x"]}}`, true}, // missing compares as null
		{`{"missing":{"$ne":"x"}}`, true},
		{`{"missing":null}`, true},
		{`{"missing":{"$eq":"x"}}`, false},
		{`{"missing":{"$lt":1}}`, false},
		{`{"none":{"$eq":null}}`, true},
		{`{"none":{"$in":[null,"x"]}}`, true},
		{`{"author.name":"ann"}`, true},
		{`{"author.age":{"$gte":40}}`, true},
		{`{"author.missing.deep":null}`, true},
		{`{"author":null}`, true}, // objects compare as null
		{`{"a.b":"lit"}`, true},
		{`{"tags":"x"}`, false},
		{`{"cat":"tech","price":{"$lt":10}}`, false}, // AND
		{`{}`, true},
		{`null`, true},
	}
	for _, c := range cases {
		f, err := ParseFilter([]byte(c.filter))
		if err != nil {
			t.Errorf("%s: %v", c.filter, err)
			continue
		}
		if got := f.Match(meta); got != c.want {
			t.Errorf("%s: %v, want %v", c.filter, got, c.want)
		}
	}
	if f, _ := ParseFilter([]byte(`{"x":1}`)); f.Match(nil) {
		t.Error("nil metadata matched $eq")
	}
}

func TestFilterErrors(t *testing.T) {
	cases := []struct{ filter, want string }{
		{`[1]`, "must be a JSON object"},
		{`{"x":`, "not valid JSON"},
		{`{"$eq":1}`, "must not start with '$'"},
		{`{"":1}`, "must not be empty"},
		{`{"a..b":1}`, "empty part"},
		{`{"a\"b":1}`, `must not contain '"'`},
		{`{"x":{"$regex":"a"}}`, "unsupported operator"},
		{`{"x":{}}`, "must not be empty"},
		{`{"x":{"$in":[]}}`, "non-empty array"},
		{`{"x":{"$in":"a"}}`, "takes an array"},
		{`{"x":{"$in":[{"a":1}]}}`, "values must be"},
		{`{"x":{"$lt":true}}`, "a string or a number"},
		{`{"x":{"$lt":null}}`, "a string or a number"},
		{`{"x":[1,2]}`, "values must be"},
		{`{"` + strings.Repeat("k", 513) + `":1}`, "longer than 512"},
		{`{"x":"` + strings.Repeat("v", 2048) + `"}`, "less than 2048 bytes"},
	}
	for _, c := range cases {
		_, err := ParseFilter([]byte(c.filter))
		var ve *Error
		if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) || ve.Op != OpVectorQuery || !strings.Contains(ve.Message, c.want) {
			t.Errorf("%.60s: %v, want %q", c.filter, err, c.want)
		}
	}
}

func TestIndexedMetadata(t *testing.T) {
	meta := map[string]any{}
	json.Unmarshal([]byte(`{"cat":"tech","author":{"name":"ann","age":40},"body":"x"}`), &meta)
	got := IndexedMetadata(meta, []MetadataIndex{{"cat", MetaString}, {"author.name", MetaString}, {"nope", MetaNumber}})
	if string(got) != `{"author":{"name":"ann"},"cat":"tech"}` {
		t.Fatalf("got %s", got)
	}
	if IndexedMetadata(meta, []MetadataIndex{{"nope", MetaNumber}}) != nil {
		t.Fatal("no indexed property should give nil")
	}
}

// FuzzFilter checks that ParseFilter never panics, that what it accepts
// evaluates without panicking on arbitrary metadata, and that rejected
// input gets an *Error.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{`{"cat":"tech"}`, `{"price":{"$gte":1,"$lt":9}}`, `{"a.b.c":{"$in":[1,"x",null,true]}}`,
		`{"x":{"$nin":[false]}}`, `{}`, `null`, `{"$x":1}`, `{"k":{"$ne":null}}`, `[]`, `{"k":{"$eq":{"a":1}}}`} {
		f.Add(s, `{"cat":"tech","price":3,"a":{"b":{"c":1}},"x":false}`)
	}
	f.Fuzz(func(t *testing.T, filter, metadata string) {
		flt, err := ParseFilter([]byte(filter))
		if err != nil {
			var ve *Error
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		var meta map[string]any
		if json.Unmarshal([]byte(metadata), &meta) == nil {
			flt.Match(meta)
		}
		flt.Match(nil)
		_ = flt.Keys()
	})
}
