package index

import "slices"

// cand is a search candidate: an internal slot and its distance (lower is
// better).
type cand struct {
	d    float32
	slot uint32
}

// worse reports whether a ranks after b: larger distance, then larger slot,
// so that ties order deterministically.
func worse(a, b cand) bool {
	return a.d > b.d || (a.d == b.d && a.slot > b.slot)
}

// maxHeap keeps the worst candidate on top; it is the bounded result set.
// It is a concrete slice type so no interface boxing happens per push.
type maxHeap []cand

func (h *maxHeap) push(c cand) {
	*h = append(*h, c)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !worse(s[i], s[p]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *maxHeap) pop() cand {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	*h = s
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && worse(s[r], s[l]) {
			m = r
		}
		if !worse(s[m], s[i]) {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	return top
}

// pushBounded adds c if the heap holds fewer than k or c beats its worst.
func (h *maxHeap) pushBounded(c cand, k int) {
	if len(*h) < k {
		h.push(c)
		return
	}
	if worse((*h)[0], c) {
		(*h)[0] = c
		h.down0()
	}
}

func (h maxHeap) down0() {
	n := len(h)
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && worse(h[r], h[l]) {
			m = r
		}
		if !worse(h[m], h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// minHeap keeps the best candidate on top; it is the search frontier.
type minHeap []cand

func (h *minHeap) push(c cand) {
	*h = append(*h, c)
	s := *h
	i := len(s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !worse(s[p], s[i]) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *minHeap) pop() cand {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s = s[:n]
	*h = s
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && worse(s[l], s[r]) {
			m = r
		}
		if !worse(s[i], s[m]) {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	return top
}

// sortedBest drains h into a new slice ordered best first.
func (h *maxHeap) sortedBest() []cand {
	return h.sortedInto(nil)
}

// sortedInto drains h into out (reused when large enough), best first.
func (h *maxHeap) sortedInto(out []cand) []cand {
	n := len(*h)
	out = slices.Grow(out[:0], n)[:n]
	for i := n - 1; i >= 0; i-- {
		out[i] = h.pop()
	}
	return out
}
