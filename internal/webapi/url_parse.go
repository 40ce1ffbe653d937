package webapi

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/secure/bidirule"
	"golang.org/x/text/unicode/bidi"
)

// This file is a WHATWG URL Standard parser (https://url.spec.whatwg.org/):
// the basic URL parser with state overrides (for the setters), the host
// parser (domains through UTS #46 ToASCII, IPv4, IPv6, opaque hosts) and
// the URL serializer. The serialized form of a URL is always ASCII, so byte
// offsets into href are also JavaScript string indices.

// urlRecord is a URL record of the URL Standard.
type urlRecord struct {
	scheme   string
	username string
	password string
	host     string // serialized host; meaningful when hasHost
	hasHost  bool
	port     int // -1: null
	path     []string
	opaque   bool   // the path is an opaque path (stored in opath)
	opath    string // the opaque path
	query    string
	hasQuery bool
	frag     string
	hasFrag  bool
}

// urlState is a state of the basic URL parser.
type urlState int

const (
	stNone urlState = iota
	stSchemeStart
	stScheme
	stNoScheme
	stSpecialRelativeOrAuthority
	stPathOrAuthority
	stRelative
	stRelativeSlash
	stSpecialAuthoritySlashes
	stSpecialAuthorityIgnoreSlashes
	stAuthority
	stHost
	stHostname
	stPort
	stFile
	stFileSlash
	stFileHost
	stPathStart
	stPath
	stOpaquePath
	stQuery
	stFragment
)

// specialPort returns the default port of a special scheme, -1 for file
// (special, no default port) and -2 for a scheme that is not special.
func specialPort(scheme string) int {
	switch scheme {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	case "ftp":
		return 21
	case "file":
		return -1
	}
	return -2
}

func isSpecial(scheme string) bool { return specialPort(scheme) != -2 }

// Percent-encode sets, as bitmaps over ASCII; everything above U+007E is in
// every set.
type encodeSet [2]uint64

func (s *encodeSet) has(c rune) bool {
	if c >= 0x7f {
		return true
	}
	return s[c>>6]&(1<<(uint(c)&63)) != 0
}

func newSet(base *encodeSet, chars string) encodeSet {
	var s encodeSet
	if base != nil {
		s = *base
	}
	for i := 0; i < len(chars); i++ {
		c := chars[i]
		s[c>>6] |= 1 << (c & 63)
	}
	return s
}

var (
	c0Set            = func() encodeSet { var s encodeSet; s[0] = 0xffffffff; return s }()
	fragmentSet      = newSet(&c0Set, " \"<>`")
	querySet         = newSet(&c0Set, " \"#<>")
	specialQuerySet  = newSet(&querySet, "'")
	pathSet          = newSet(&querySet, "?`{}")
	userinfoSet      = newSet(&pathSet, "/:;=@[\\]^|")
	componentSet     = newSet(&userinfoSet, "$%&+,")
	formURLEncodeSet = newSet(&componentSet, "!'()~")
)

const hexUpper = "0123456789ABCDEF"

// appendEncoded appends c, percent-encoded (as UTF-8) when it is in set.
func appendEncoded(b []byte, c rune, set *encodeSet) []byte {
	if c < 0x80 {
		if set.has(c) {
			return append(b, '%', hexUpper[c>>4], hexUpper[c&15])
		}
		return append(b, byte(c))
	}
	var tmp [4]byte
	n := utf8.EncodeRune(tmp[:], c)
	for _, x := range tmp[:n] {
		b = append(b, '%', hexUpper[x>>4], hexUpper[x&15])
	}
	return b
}

// encodeString percent-encodes s with set.
func encodeString(s string, set *encodeSet) string {
	i := 0
	for i < len(s) && s[i] < 0x80 && !set.has(rune(s[i])) {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	b = append(b, s[:i]...)
	for _, c := range s[i:] {
		b = appendEncoded(b, c, set)
	}
	return string(b)
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// percentDecode decodes %XX sequences of s into bytes.
func percentDecode(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && unhex(s[i+1]) >= 0 && unhex(s[i+2]) >= 0 {
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return b
}

func isASCIIAlpha(c rune) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isASCIIDigit(c rune) bool { return c >= '0' && c <= '9' }
func isASCIIHex(c rune) bool {
	return isASCIIDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func isWindowsDriveLetter(s []rune, normalized bool) bool {
	if len(s) != 2 || !isASCIIAlpha(s[0]) {
		return false
	}
	return s[1] == ':' || (!normalized && s[1] == '|')
}

func isWindowsDriveLetterStr(s string, normalized bool) bool {
	return len(s) == 2 && isASCIIAlpha(rune(s[0])) && (s[1] == ':' || (!normalized && s[1] == '|'))
}

// startsWithDriveLetter reports whether s starts with a Windows drive
// letter followed by the end or one of / \ ? #.
func startsWithDriveLetter(s []rune) bool {
	if len(s) < 2 || !isWindowsDriveLetter(s[:2], false) {
		return false
	}
	if len(s) == 2 {
		return true
	}
	switch s[2] {
	case '/', '\\', '?', '#':
		return true
	}
	return false
}

func isSingleDot(s string) bool {
	return s == "." || strings.EqualFold(s, "%2e")
}

func isDoubleDot(s string) bool {
	switch len(s) {
	case 2:
		return s == ".."
	case 4:
		return strings.EqualFold(s, ".%2e") || strings.EqualFold(s, "%2e.")
	case 6:
		return strings.EqualFold(s, "%2e%2e")
	}
	return false
}

// shortenPath implements "shorten a URL's path".
func (u *urlRecord) shortenPath() {
	if u.scheme == "file" && len(u.path) == 1 && isWindowsDriveLetterStr(u.path[0], true) {
		return
	}
	if len(u.path) > 0 {
		u.path = u.path[:len(u.path)-1]
	}
}

// urlParser holds reusable buffers.
type urlParser struct {
	in  []rune
	buf []rune
	out []byte
}

var urlParsers = sync.Pool{New: func() any { return &urlParser{} }}

func isC0OrSpace(c byte) bool { return c <= 0x20 }

// prepare loads input into p.in: leading and trailing C0 controls and
// spaces removed (unless override) and tabs and newlines dropped.
func (p *urlParser) prepare(input string, trim bool) {
	if trim {
		i, j := 0, len(input)
		for i < j && isC0OrSpace(input[i]) {
			i++
		}
		for j > i && isC0OrSpace(input[j-1]) {
			j--
		}
		input = input[i:j]
	}
	p.in = p.in[:0]
	for _, c := range input {
		if c == '\t' || c == '\n' || c == '\r' {
			continue
		}
		p.in = append(p.in, c)
	}
}

// parseURL runs the basic URL parser on input with an optional base. It
// returns nil on failure.
func parseURL(input string, base *urlRecord) *urlRecord {
	p := urlParsers.Get().(*urlParser)
	defer urlParsers.Put(p)
	u := &urlRecord{port: -1}
	p.prepare(input, true)
	if !p.run(u, base, stNone) {
		return nil
	}
	return u
}

// runOverride runs the basic URL parser on value with url u and a state
// override; it reports false on failure (u may then be partially changed
// only where the standard says so: callers work on a copy).
func runOverride(u *urlRecord, value string, state urlState) bool {
	p := urlParsers.Get().(*urlParser)
	defer urlParsers.Put(p)
	p.prepare(value, false)
	return p.run(u, nil, state)
}

// run is the basic URL parser. state is stNone for a plain parse, else the
// state override.
func (p *urlParser) run(u *urlRecord, base *urlRecord, override urlState) bool {
	in := p.in
	state := override
	if state == stNone {
		state = stSchemeStart
	}
	buf := p.buf[:0]
	defer func() { p.buf = buf[:0] }()
	atSignSeen, insideBrackets, passwordTokenSeen := false, false, false
	n := len(in)
	const eof = rune(-1)
	for ptr := 0; ; ptr++ {
		c := eof
		if ptr < n {
			c = in[ptr]
		}
		remaining := func(i int) rune {
			if ptr+i < n {
				return in[ptr+i]
			}
			return eof
		}
		switch state {
		case stSchemeStart:
			if c != eof && isASCIIAlpha(c) {
				buf = append(buf, c|0x20)
				state = stScheme
			} else if override == stNone {
				state = stNoScheme
				ptr--
			} else {
				return false
			}
		case stScheme:
			if c != eof && (isASCIIAlpha(c) || isASCIIDigit(c) || c == '+' || c == '-' || c == '.') {
				if c < 0x80 && c >= 'A' && c <= 'Z' {
					c |= 0x20
				}
				buf = append(buf, c)
			} else if c == ':' {
				scheme := string(buf)
				if override != stNone {
					if isSpecial(u.scheme) != isSpecial(scheme) {
						return true
					}
					if (u.username != "" || u.password != "" || u.port >= 0) && scheme == "file" {
						return true
					}
					if u.scheme == "file" && u.hasHost && u.host == "" {
						return true
					}
				}
				u.scheme = scheme
				if override != stNone {
					if u.port == specialPort(u.scheme) {
						u.port = -1
					}
					return true
				}
				buf = buf[:0]
				if u.scheme == "file" {
					state = stFile
				} else if isSpecial(u.scheme) && base != nil && base.scheme == u.scheme {
					state = stSpecialRelativeOrAuthority
				} else if isSpecial(u.scheme) {
					state = stSpecialAuthoritySlashes
				} else if remaining(1) == '/' {
					state = stPathOrAuthority
					ptr++
				} else {
					u.opaque = true
					u.opath = ""
					state = stOpaquePath
				}
			} else if override == stNone {
				buf = buf[:0]
				state = stNoScheme
				ptr = -1
			} else {
				return false
			}
		case stNoScheme:
			if base == nil || (base.opaque && c != '#') {
				return false
			} else if base.opaque && c == '#' {
				u.scheme = base.scheme
				u.opaque = true
				u.opath = base.opath
				u.query, u.hasQuery = base.query, base.hasQuery
				u.frag, u.hasFrag = "", true
				state = stFragment
			} else if base.scheme != "file" {
				state = stRelative
				ptr--
			} else {
				state = stFile
				ptr--
			}
		case stSpecialRelativeOrAuthority:
			if c == '/' && remaining(1) == '/' {
				state = stSpecialAuthorityIgnoreSlashes
				ptr++
			} else {
				state = stRelative
				ptr--
			}
		case stPathOrAuthority:
			if c == '/' {
				state = stAuthority
			} else {
				state = stPath
				ptr--
			}
		case stRelative:
			u.scheme = base.scheme
			if c == '/' {
				state = stRelativeSlash
			} else if isSpecial(u.scheme) && c == '\\' {
				state = stRelativeSlash
			} else {
				u.username, u.password = base.username, base.password
				u.host, u.hasHost, u.port = base.host, base.hasHost, base.port
				u.path = append([]string(nil), base.path...)
				u.query, u.hasQuery = base.query, base.hasQuery
				if c == '?' {
					u.query, u.hasQuery = "", true
					state = stQuery
				} else if c == '#' {
					u.frag, u.hasFrag = "", true
					state = stFragment
				} else if c != eof {
					u.query, u.hasQuery = "", false
					u.shortenPath()
					state = stPath
					ptr--
				}
			}
		case stRelativeSlash:
			if isSpecial(u.scheme) && (c == '/' || c == '\\') {
				state = stSpecialAuthorityIgnoreSlashes
			} else if c == '/' {
				state = stAuthority
			} else {
				u.username, u.password = base.username, base.password
				u.host, u.hasHost, u.port = base.host, base.hasHost, base.port
				state = stPath
				ptr--
			}
		case stSpecialAuthoritySlashes:
			if c == '/' && remaining(1) == '/' {
				state = stSpecialAuthorityIgnoreSlashes
				ptr++
			} else {
				state = stSpecialAuthorityIgnoreSlashes
				ptr--
			}
		case stSpecialAuthorityIgnoreSlashes:
			if c != '/' && c != '\\' {
				state = stAuthority
				ptr--
			}
		case stAuthority:
			if c == '@' {
				if atSignSeen {
					buf = append(append(buf[:0:0], '%', '4', '0'), buf...)
				}
				atSignSeen = true
				var ub, pb []byte
				for _, cp := range buf {
					if cp == ':' && !passwordTokenSeen {
						passwordTokenSeen = true
						continue
					}
					if passwordTokenSeen {
						pb = appendEncoded(pb, cp, &userinfoSet)
					} else {
						ub = appendEncoded(ub, cp, &userinfoSet)
					}
				}
				u.username += string(ub)
				u.password += string(pb)
				buf = buf[:0]
			} else if c == eof || c == '/' || c == '?' || c == '#' || (isSpecial(u.scheme) && c == '\\') {
				if atSignSeen && len(buf) == 0 {
					return false
				}
				ptr -= len(buf) + 1
				buf = buf[:0]
				state = stHost
			} else {
				buf = append(buf, c)
			}
		case stHost, stHostname:
			if override != stNone && u.scheme == "file" {
				ptr--
				state = stFileHost
			} else if c == ':' && !insideBrackets {
				if len(buf) == 0 {
					return false
				}
				if override == stHostname {
					return false
				}
				h, ok := parseHost(string(buf), !isSpecial(u.scheme))
				if !ok {
					return false
				}
				u.host, u.hasHost = h, true
				buf = buf[:0]
				state = stPort
			} else if c == eof || c == '/' || c == '?' || c == '#' || (isSpecial(u.scheme) && c == '\\') {
				ptr--
				if isSpecial(u.scheme) && len(buf) == 0 {
					return false
				} else if override != stNone && len(buf) == 0 && (u.username != "" || u.password != "" || u.port >= 0) {
					return false
				}
				h, ok := parseHost(string(buf), !isSpecial(u.scheme))
				if !ok {
					return false
				}
				u.host, u.hasHost = h, true
				buf = buf[:0]
				state = stPathStart
				if override != stNone {
					return true
				}
			} else {
				if c == '[' {
					insideBrackets = true
				}
				if c == ']' {
					insideBrackets = false
				}
				buf = append(buf, c)
			}
		case stPort:
			if c != eof && isASCIIDigit(c) {
				buf = append(buf, c)
			} else if c == eof || c == '/' || c == '?' || c == '#' || (isSpecial(u.scheme) && c == '\\') || override != stNone {
				if len(buf) != 0 {
					port := 0
					for _, d := range buf {
						port = port*10 + int(d-'0')
						if port > 65535 {
							return false
						}
					}
					if port == specialPort(u.scheme) {
						u.port = -1
					} else {
						u.port = port
					}
					buf = buf[:0]
					if override != stNone {
						return true
					}
				}
				if override != stNone {
					return false
				}
				state = stPathStart
				ptr--
			} else {
				return false
			}
		case stFile:
			u.scheme = "file"
			u.host, u.hasHost = "", true
			if c == '/' || c == '\\' {
				state = stFileSlash
			} else if base != nil && base.scheme == "file" {
				u.host, u.hasHost = base.host, base.hasHost
				u.path = append([]string(nil), base.path...)
				u.query, u.hasQuery = base.query, base.hasQuery
				if c == '?' {
					u.query, u.hasQuery = "", true
					state = stQuery
				} else if c == '#' {
					u.frag, u.hasFrag = "", true
					state = stFragment
				} else if c != eof {
					u.query, u.hasQuery = "", false
					if !startsWithDriveLetter(in[ptr:]) {
						u.shortenPath()
					} else {
						u.path = u.path[:0]
					}
					state = stPath
					ptr--
				}
			} else {
				state = stPath
				ptr--
			}
		case stFileSlash:
			if c == '/' || c == '\\' {
				state = stFileHost
			} else {
				if base != nil && base.scheme == "file" {
					u.host, u.hasHost = base.host, base.hasHost
					if !startsWithDriveLetter(in[ptr:]) && len(base.path) > 0 && isWindowsDriveLetterStr(base.path[0], true) {
						u.path = append(u.path, base.path[0])
					}
				}
				state = stPath
				ptr--
			}
		case stFileHost:
			if c == eof || c == '/' || c == '\\' || c == '?' || c == '#' {
				ptr--
				if override == stNone && isWindowsDriveLetter(buf, false) {
					state = stPath
				} else if len(buf) == 0 {
					u.host, u.hasHost = "", true
					if override != stNone {
						return true
					}
					state = stPathStart
				} else {
					h, ok := parseHost(string(buf), false)
					if !ok {
						return false
					}
					if h == "localhost" {
						h = ""
					}
					u.host, u.hasHost = h, true
					if override != stNone {
						return true
					}
					buf = buf[:0]
					state = stPathStart
				}
			} else {
				buf = append(buf, c)
			}
		case stPathStart:
			if isSpecial(u.scheme) {
				state = stPath
				if c != '/' && c != '\\' {
					ptr--
				}
			} else if override == stNone && c == '?' {
				u.query, u.hasQuery = "", true
				state = stQuery
			} else if override == stNone && c == '#' {
				u.frag, u.hasFrag = "", true
				state = stFragment
			} else if c != eof {
				state = stPath
				if c != '/' {
					ptr--
				}
			} else if override != stNone && !u.hasHost {
				u.path = append(u.path, "")
			}
		case stPath:
			special := isSpecial(u.scheme)
			if c == eof || c == '/' || (special && c == '\\') || (override == stNone && (c == '?' || c == '#')) {
				seg := p.encodeSegment(buf)
				if isDoubleDot(seg) {
					u.shortenPath()
					if c != '/' && !(special && c == '\\') {
						u.path = append(u.path, "")
					}
				} else if isSingleDot(seg) && c != '/' && !(special && c == '\\') {
					u.path = append(u.path, "")
				} else if !isSingleDot(seg) {
					if u.scheme == "file" && len(u.path) == 0 && isWindowsDriveLetterStr(seg, false) {
						seg = seg[:1] + ":"
					}
					u.path = append(u.path, seg)
				}
				buf = buf[:0]
				if c == '?' {
					u.query, u.hasQuery = "", true
					state = stQuery
				}
				if c == '#' {
					u.frag, u.hasFrag = "", true
					state = stFragment
				}
			} else {
				buf = append(buf, c)
			}
		case stOpaquePath:
			// Consume the rest of the opaque path at once.
			start := ptr
			for ptr < n && in[ptr] != '?' && in[ptr] != '#' {
				ptr++
			}
			b := p.out[:0]
			b = append(b, u.opath...)
			for _, r := range in[start:ptr] {
				b = appendEncoded(b, r, &c0Set)
			}
			u.opath = string(b)
			p.out = b[:0]
			if ptr >= n {
				return true
			}
			if in[ptr] == '?' {
				u.query, u.hasQuery = "", true
				state = stQuery
			} else {
				u.frag, u.hasFrag = "", true
				state = stFragment
			}
		case stQuery:
			start := ptr
			for ptr < n && (override != stNone || in[ptr] != '#') {
				ptr++
			}
			set := &querySet
			if isSpecial(u.scheme) {
				set = &specialQuerySet
			}
			b := p.out[:0]
			b = append(b, u.query...)
			for _, r := range in[start:ptr] {
				b = appendEncoded(b, r, set)
			}
			u.query = string(b)
			p.out = b[:0]
			if ptr >= n {
				return true
			}
			u.frag, u.hasFrag = "", true
			state = stFragment
		case stFragment:
			b := p.out[:0]
			b = append(b, u.frag...)
			for _, r := range in[ptr:] {
				b = appendEncoded(b, r, &fragmentSet)
			}
			u.frag = string(b)
			p.out = b[:0]
			return true
		}
		if ptr >= n {
			// This run saw EOF; states that must see it again moved ptr back.
			return true
		}
	}
}

// encodeSegment percent-encodes a path segment buffer with the path set.
func (p *urlParser) encodeSegment(buf []rune) string {
	b := p.out[:0]
	for _, r := range buf {
		b = appendEncoded(b, r, &pathSet)
	}
	s := string(b)
	p.out = b[:0]
	return s
}

// Host parsing.

func isForbiddenHost(c rune) bool {
	switch c {
	case 0, '\t', '\n', '\r', ' ', '#', '/', ':', '<', '>', '?', '@', '[', '\\', ']', '^', '|':
		return true
	}
	return false
}

func isForbiddenDomain(c rune) bool {
	return isForbiddenHost(c) || (c >= 0 && c <= 0x1f) || c == '%' || c == 0x7f
}

// parseHost is the host parser; it returns the serialized host.
func parseHost(input string, notSpecial bool) (string, bool) {
	if strings.HasPrefix(input, "[") {
		if !strings.HasSuffix(input, "]") || len(input) < 2 {
			return "", false
		}
		a, ok := parseIPv6(input[1 : len(input)-1])
		if !ok {
			return "", false
		}
		return "[" + serializeIPv6(a) + "]", true
	}
	if notSpecial {
		for _, c := range input {
			if isForbiddenHost(c) {
				return "", false
			}
		}
		return encodeString(input, &c0Set), true
	}
	var domain string
	if strings.IndexByte(input, '%') >= 0 {
		domain = strings.ToValidUTF8(string(percentDecode(input)), "\uFFFD")
	} else {
		domain = input
	}
	ascii, ok := domainToASCII(domain, false)
	if !ok {
		return "", false
	}
	if endsInNumber(ascii) {
		v, ok := parseIPv4(ascii)
		if !ok {
			return "", false
		}
		return serializeIPv4(v), true
	}
	return ascii, true
}

// uts46 is UTS #46 ToASCII as the URL Standard configures it, except
// CheckBidi, which checkBidi applies per label: x/net/idna applies the RFC
// 5893 rule to every label of a Bidi domain name, rejecting a purely
// numeric label such as "1" in "1.ي" that the URL Standard accepts.
var uts46 = idna.New(
	idna.MapForLookup(),
	idna.StrictDomainName(false),
	idna.CheckJoiners(true),
	idna.CheckHyphens(false),
	idna.Transitional(false),
	idna.VerifyDNSLength(false),
)

// domainToASCII is "domain to ASCII" with beStrict false.
func domainToASCII(domain string, beStrict bool) (string, bool) {
	fast := true
	for i := 0; i < len(domain); i++ {
		if domain[i] >= 0x80 {
			fast = false
			break
		}
	}
	if fast {
		lower := strings.ToLower(domain)
		if !strings.HasPrefix(lower, "xn--") && !strings.Contains(lower, ".xn--") {
			for i := 0; i < len(lower); i++ {
				if isForbiddenDomain(rune(lower[i])) {
					return "", false
				}
			}
			if lower == "" {
				return "", false
			}
			return lower, true
		}
	}
	res, err := uts46.ToASCII(domain)
	if err != nil || res == "" || !checkBidi(res) {
		return "", false
	}
	for _, c := range res {
		if isForbiddenDomain(c) {
			return "", false
		}
	}
	return res, true
}

// checkBidi applies the Bidi rule of RFC 5893 to each label of the ASCII
// domain that holds right-to-left characters.
func checkBidi(ascii string) bool {
	uni, err := idna.Punycode.ToUnicode(ascii)
	if err != nil {
		return false
	}
	for _, label := range strings.Split(uni, ".") {
		rtl := false
		for _, r := range label {
			if r >= 0x0590 {
				p, _ := bidi.LookupRune(r)
				if c := p.Class(); c == bidi.R || c == bidi.AL || c == bidi.AN {
					rtl = true
					break
				}
			}
		}
		if rtl && !bidirule.ValidString(label) {
			return false
		}
	}
	return true
}

// endsInNumber is "ends in a number".
func endsInNumber(s string) bool {
	if strings.HasSuffix(s, ".") {
		s = s[:len(s)-1]
	}
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return false
	}
	allDigits := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			allDigits = false
			break
		}
	}
	if allDigits {
		return true
	}
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		for i := 2; i < len(s); i++ {
			if !isASCIIHex(rune(s[i])) {
				return false
			}
		}
		return true
	}
	return false
}

// parseIPv4Number returns the value of one IPv4 part, or ok false.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	radix := 10
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s, radix = s[2:], 16
	} else if len(s) >= 2 && s[0] == '0' {
		s, radix = s[1:], 8
	}
	if s == "" {
		return 0, true
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		d := unhex(s[i])
		if d < 0 || d >= radix {
			return 0, false
		}
		v = v*uint64(radix) + uint64(d)
		if v > 1<<40 {
			v = 1 << 40 // saturate: already too large
		}
	}
	return v, true
}

func parseIPv4(s string) (uint32, bool) {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return 0, false
	}
	nums := make([]uint64, len(parts))
	for i, part := range parts {
		v, ok := parseIPv4Number(part)
		if !ok {
			return 0, false
		}
		nums[i] = v
	}
	for _, v := range nums[:len(nums)-1] {
		if v > 255 {
			return 0, false
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return 0, false
	}
	ipv4 := last
	for i, v := range nums[:len(nums)-1] {
		ipv4 += v << (8 * (3 - i))
	}
	return uint32(ipv4), true
}

func serializeIPv4(v uint32) string {
	b := make([]byte, 0, 15)
	for i := 3; i >= 0; i-- {
		b = strconv.AppendUint(b, uint64(v>>(8*i)&0xff), 10)
		if i > 0 {
			b = append(b, '.')
		}
	}
	return string(b)
}

func parseIPv6(s string) ([8]uint16, bool) {
	var a [8]uint16
	in := []rune(s)
	n := len(in)
	at := func(i int) rune {
		if i < n {
			return in[i]
		}
		return -1
	}
	piece, compress, ptr := 0, -1, 0
	if at(0) == ':' {
		if at(1) != ':' {
			return a, false
		}
		ptr += 2
		piece++
		compress = piece
	}
	for at(ptr) != -1 {
		if piece == 8 {
			return a, false
		}
		if at(ptr) == ':' {
			if compress != -1 {
				return a, false
			}
			ptr++
			piece++
			compress = piece
			continue
		}
		value, length := 0, 0
		for length < 4 && at(ptr) != -1 && isASCIIHex(at(ptr)) {
			value = value*16 + unhex(byte(at(ptr)))
			ptr++
			length++
		}
		if at(ptr) == '.' {
			if length == 0 {
				return a, false
			}
			ptr -= length
			if piece > 6 {
				return a, false
			}
			numbersSeen := 0
			for at(ptr) != -1 {
				ipv4Piece := -1
				if numbersSeen > 0 {
					if at(ptr) == '.' && numbersSeen < 4 {
						ptr++
					} else {
						return a, false
					}
				}
				if at(ptr) == -1 || !isASCIIDigit(at(ptr)) {
					return a, false
				}
				for at(ptr) != -1 && isASCIIDigit(at(ptr)) {
					num := int(at(ptr) - '0')
					if ipv4Piece == -1 {
						ipv4Piece = num
					} else if ipv4Piece == 0 {
						return a, false
					} else {
						ipv4Piece = ipv4Piece*10 + num
					}
					if ipv4Piece > 255 {
						return a, false
					}
					ptr++
				}
				a[piece] = a[piece]*0x100 + uint16(ipv4Piece)
				numbersSeen++
				if numbersSeen == 2 || numbersSeen == 4 {
					piece++
				}
			}
			if numbersSeen != 4 {
				return a, false
			}
			break
		} else if at(ptr) == ':' {
			ptr++
			if at(ptr) == -1 {
				return a, false
			}
		} else if at(ptr) != -1 {
			return a, false
		}
		a[piece] = uint16(value)
		piece++
	}
	if compress != -1 {
		swaps := piece - compress
		piece = 7
		for piece != 0 && swaps > 0 {
			a[piece], a[compress+swaps-1] = a[compress+swaps-1], a[piece]
			piece--
			swaps--
		}
	} else if piece != 8 {
		return a, false
	}
	return a, true
}

func serializeIPv6(a [8]uint16) string {
	// Find the first longest run of zeros of length > 1.
	best, bestLen := -1, 1
	for i := 0; i < 8; {
		if a[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && a[j] == 0 {
			j++
		}
		if j-i > bestLen {
			best, bestLen = i, j-i
		}
		i = j
	}
	b := make([]byte, 0, 39)
	ignore0 := false
	for i := 0; i < 8; i++ {
		if ignore0 && a[i] == 0 {
			continue
		}
		ignore0 = false
		if best == i {
			if i == 0 {
				b = append(b, "::"...)
			} else {
				b = append(b, ':')
			}
			ignore0 = true
			continue
		}
		b = strconv.AppendUint(b, uint64(a[i]), 16)
		if i != 7 {
			b = append(b, ':')
		}
	}
	return string(b)
}

// Serialization.

// urlOffsets locates the components of a serialized URL (href): see
// js/url.js, which reads them from the scratch area.
type urlOffsets struct {
	schemeEnd  int // index of the ':' ending the scheme
	userStart  int // username: href[userStart:userEnd]
	userEnd    int
	passEnd    int // password: href[userEnd+1:passEnd] when passEnd > userEnd
	hostStart  int // hostname: href[hostStart:hostEnd]
	hostEnd    int
	port       int // -1: none
	pathStart  int // pathname: href[pathStart:search or hash or end]
	queryStart int // index of '?', or -1
	fragStart  int // index of '#', or -1
}

// serialize returns the URL serializer's output and its offsets.
func (u *urlRecord) serialize() (string, urlOffsets) {
	var o urlOffsets
	b := make([]byte, 0, 16+len(u.scheme)+len(u.host)+len(u.query)+len(u.frag)+len(u.opath)+8*len(u.path))
	b = append(b, u.scheme...)
	o.schemeEnd = len(b)
	b = append(b, ':')
	o.port = -1
	if u.hasHost {
		b = append(b, "//"...)
		o.userStart = len(b)
		if u.username != "" || u.password != "" {
			b = append(b, u.username...)
			o.userEnd = len(b)
			if u.password != "" {
				b = append(b, ':')
				b = append(b, u.password...)
			}
			o.passEnd = len(b)
			b = append(b, '@')
		} else {
			o.userEnd, o.passEnd = len(b), len(b)
		}
		o.hostStart = len(b)
		b = append(b, u.host...)
		o.hostEnd = len(b)
		if u.port >= 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(u.port), 10)
			o.port = u.port
		}
	} else {
		o.userStart, o.userEnd, o.passEnd = len(b), len(b), len(b)
		o.hostStart, o.hostEnd = len(b), len(b)
		if !u.opaque && len(u.path) > 1 && u.path[0] == "" {
			b = append(b, "/."...)
		}
	}
	o.pathStart = len(b)
	if u.opaque {
		b = append(b, u.opath...)
	} else {
		for _, s := range u.path {
			b = append(b, '/')
			b = append(b, s...)
		}
	}
	o.queryStart, o.fragStart = -1, -1
	if u.hasQuery {
		o.queryStart = len(b)
		b = append(b, '?')
		b = append(b, u.query...)
	}
	if u.hasFrag {
		o.fragStart = len(b)
		b = append(b, '#')
		b = append(b, u.frag...)
	}
	return string(b), o
}

// pathname returns the URL path serializer's output.
func (u *urlRecord) pathname() string {
	if u.opaque {
		return u.opath
	}
	var b strings.Builder
	for _, s := range u.path {
		b.WriteByte('/')
		b.WriteString(s)
	}
	return b.String()
}

// origin returns the ASCII serialization of the URL's origin.
func (u *urlRecord) origin() string {
	switch u.scheme {
	case "blob":
		inner := parseURL(u.pathname(), nil)
		if inner != nil && (inner.scheme == "http" || inner.scheme == "https") {
			return inner.origin()
		}
		return "null"
	case "ftp", "http", "https", "ws", "wss":
		s := u.scheme + "://" + u.host
		if u.port >= 0 {
			s += ":" + strconv.Itoa(u.port)
		}
		return s
	}
	return "null"
}

// cannotHaveCredentialsOrPort reports whether the URL cannot have a
// username, password or port.
func (u *urlRecord) cannotHaveCredentialsOrPort() bool {
	return !u.hasHost || u.host == "" || u.scheme == "file"
}

// stripTrailingSpaces is "strip trailing spaces from an opaque path".
func (u *urlRecord) stripTrailingSpaces() {
	if !u.opaque || u.hasFrag || u.hasQuery {
		return
	}
	u.opath = strings.TrimRight(u.opath, " ")
}

// URL setter identifiers, shared with js/url.js.
const (
	setProtocol = iota
	setUsername
	setPassword
	setHost
	setHostname
	setPort
	setPathname
	setSearch
	setHash
)

// set runs the setter of the URL attribute which with value v, in place.
func (u *urlRecord) set(which int, v string) {
	switch which {
	case setProtocol:
		runOverride(u, v+":", stSchemeStart)
	case setUsername:
		if !u.cannotHaveCredentialsOrPort() {
			u.username = encodeString(v, &userinfoSet)
		}
	case setPassword:
		if !u.cannotHaveCredentialsOrPort() {
			u.password = encodeString(v, &userinfoSet)
		}
	case setHost:
		if !u.opaque {
			runOverride(u, v, stHost)
		}
	case setHostname:
		if !u.opaque {
			runOverride(u, v, stHostname)
		}
	case setPort:
		if u.cannotHaveCredentialsOrPort() {
			return
		}
		if v == "" {
			u.port = -1
		} else {
			runOverride(u, v, stPort)
		}
	case setPathname:
		if !u.opaque {
			u.path = u.path[:0]
			runOverride(u, v, stPathStart)
		}
	case setSearch:
		if v == "" {
			u.query, u.hasQuery = "", false
			u.stripTrailingSpaces()
			return
		}
		v = strings.TrimPrefix(v, "?")
		u.query, u.hasQuery = "", true
		runOverride(u, v, stQuery)
	case setHash:
		if v == "" {
			u.frag, u.hasFrag = "", false
			u.stripTrailingSpaces()
			return
		}
		v = strings.TrimPrefix(v, "#")
		u.frag, u.hasFrag = "", true
		runOverride(u, v, stFragment)
	}
}
