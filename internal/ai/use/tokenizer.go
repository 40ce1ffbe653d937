package use

import (
	"encoding/json"
	"fmt"

	"golang.org/x/text/unicode/norm"
)

// The tokenizer reproduces, behaviour for behaviour, the SentencePiece-style tokenizer that
// @energetic-ai/embeddings (and @tensorflow-models/universal-sentence-encoder) run in
// JavaScript before the graph, so that Go feeds the model the same ids:
//
//   - the text is NFKC-normalized; a non-empty text gets a leading U+2581 and every ASCII
//     space becomes U+2581 (tabs, newlines and other spaces are left alone);
//   - the text is split into code points (energetic-ai iterates with for…of; the older
//     @tensorflow-models build iterates UTF-16 units, which differs only for astral
//     characters such as emoji: we follow energetic-ai, whose model package we load);
//   - a lattice holds, for each start position, every vocabulary piece (from id 6 on; ids
//     0-5 are reserved) that is a prefix of the rest, or the unknown piece (id 0, length
//     1, score 0) when none is;
//   - a Viterbi pass over end positions keeps, per end, the highest-scoring piece, with
//     JavaScript's quirks kept: a score of 0 means "unset" (so a later candidate always
//     replaces it), ties go to the later candidate (>=), unreached positions count as
//     score 0, and null scores in vocab.json count as 0;
//   - the backward pass steps back by the chosen piece's length (in UTF-16 units in JS,
//     equal to code points for this vocabulary, which has no astral pieces) and
//     consecutive unknown ids are merged into one.
//
// These facts were read from the behaviour of the npm packages; the code is our own.

const (
	reservedSymbols = 6
	unknownID       = 0
	separator       = '\u2581'
)

// trieNode is one code point deep in the vocabulary trie.
type trieNode struct {
	id    int32 // vocabulary id of the piece ending here, or -1
	score float64
}

// childKey names a trie edge: the parent node's index and the next code point.
type childKey struct {
	parent int32
	r      rune
}

// tokenizer holds the vocabulary as a trie (nodes, with the edges in one map) and each
// id's backward-step length.
type tokenizer struct {
	nodes    []trieNode
	children map[childKey]int32
	stepLen  []int // per id: the piece's length as the JS backward pass measures it (UTF-16 units)
	maxPiece int   // the longest piece, in code points
}

// newTokenizer builds a tokenizer from vocab.json's bytes: a JSON array of [piece, score]
// pairs (score may be null).
func newTokenizer(vocabJSON []byte) (*tokenizer, error) {
	var raw []any
	if err := json.Unmarshal(vocabJSON, &raw); err != nil {
		return nil, fmt.Errorf("vocab.json is not a JSON array of [piece, score] pairs: %w", err)
	}
	if len(raw) <= reservedSymbols {
		return nil, fmt.Errorf("vocab.json has %d entries; the model needs more than %d", len(raw), reservedSymbols)
	}
	t := &tokenizer{nodes: make([]trieNode, 1, 4*len(raw)), children: make(map[childKey]int32, 4*len(raw)), stepLen: make([]int, len(raw))}
	t.nodes[0].id = -1
	for i, e := range raw {
		pair, ok := e.([]any)
		if !ok || len(pair) != 2 {
			return nil, fmt.Errorf("vocab.json entry %d is not a [piece, score] pair", i)
		}
		piece, ok := pair[0].(string)
		if !ok {
			return nil, fmt.Errorf("vocab.json entry %d: the piece is not a string", i)
		}
		// A null score counts as 0, as JavaScript's + makes it.
		s := 0.0
		switch v := pair[1].(type) {
		case float64:
			s = v
		case nil:
		default:
			return nil, fmt.Errorf("vocab.json entry %d: the score is not a number or null", i)
		}
		t.stepLen[i] = utf16Len(piece)
		if i < reservedSymbols || piece == "" {
			continue
		}
		t.insert(piece, s, int32(i))
	}
	if t.stepLen[unknownID] != 1 {
		return nil, fmt.Errorf("vocab.json entry 0 (the unknown piece) must be one character long")
	}
	return t, nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func (t *tokenizer) insert(piece string, score float64, id int32) {
	n := int32(0)
	length := 0
	for _, r := range piece {
		length++
		c, ok := t.children[childKey{n, r}]
		if !ok {
			c = int32(len(t.nodes))
			t.nodes = append(t.nodes, trieNode{id: -1})
			t.children[childKey{n, r}] = c
		}
		n = c
	}
	// A later duplicate overwrites an earlier one, as in the JS trie.
	t.nodes[n].id, t.nodes[n].score = id, score
	t.maxPiece = max(t.maxPiece, length)
}

// encode returns the token ids of text.
func (t *tokenizer) encode(text string) []int32 { return t.encodeLimit(text, 0) }

// encodeLimit returns the first limit token ids of text (all of them when limit is 0),
// the same ids as encode's, tokenizing only a prefix of a long text when that suffices:
// no piece holds U+2581 past its first character, so no piece spans a space, the lattice
// is cut at every space, and the forward pass is causal — the ids before a space do not
// depend on what follows it (unknown-id merging only drops a later id).
func (t *tokenizer) encodeLimit(text string, limit int) []int32 {
	symbols := t.symbols(text)
	if limit > 0 {
		if cut := t.maxPiece * (limit + 1); cut < len(symbols) {
			for p := cut; p < len(symbols); p++ {
				if symbols[p] == separator {
					if ids := t.viterbi(symbols[:p]); len(ids) > limit {
						return ids[:limit]
					}
					break
				}
			}
		}
	}
	ids := t.viterbi(symbols)
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	return ids
}

// symbols normalizes text and splits it into code points, spaces made U+2581 and one
// U+2581 in front (none for an empty text).
func (t *tokenizer) symbols(text string) []rune {
	text = norm.NFKC.String(text)
	if text == "" {
		return nil
	}
	symbols := make([]rune, 0, len(text)+1)
	symbols = append(symbols, separator)
	for _, r := range text {
		if r == ' ' {
			r = separator
		}
		symbols = append(symbols, r)
	}
	return symbols
}

// viterbi segments symbols. The forward pass visits start positions in increasing order
// and relaxes each candidate's end at once: by then every candidate ending at the start
// has been seen, and each end sees its candidates in increasing start order — the order
// the JS lattice visits them (for…in over integer keys, one piece per start and end).
func (t *tokenizer) viterbi(symbols []rune) []int32 {
	n := len(symbols)
	if n == 0 {
		return nil
	}
	best := make([]float64, n+1)
	words := make([]int32, n+1)
	relax := func(e int, id int32, score float64) {
		if best[e] == 0 || score >= best[e] {
			best[e] = score
			words[e] = id
		}
	}
	for i := 0; i < n; i++ {
		found := false
		node := int32(0)
		for j := i; j < n; j++ {
			c, ok := t.children[childKey{node, symbols[j]}]
			if !ok {
				break
			}
			node = c
			if nd := &t.nodes[c]; nd.id >= 0 {
				relax(j+1, nd.id, nd.score+best[i])
				found = true
			}
		}
		if !found {
			relax(i+1, unknownID, 0+best[i])
		}
	}
	var rev []int32
	for it := n; it > 0; it -= t.stepLen[words[it]] {
		rev = append(rev, words[it])
	}
	out := make([]int32, 0, len(rev))
	prevUnk := false
	for _, id := range rev {
		if !(prevUnk && id == unknownID) {
			out = append(out, id)
		}
		prevUnk = id == unknownID
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
