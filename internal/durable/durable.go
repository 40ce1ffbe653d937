// Package durable is zerostack's Cloudflare Durable Objects service: object
// ids as Cloudflare makes them, the transactional storage of one object (the
// key-value API, the SQL API and its alarm, on one SQLite database per
// object), class migrations, and the [Store] interface that backends
// implement. durablelocal is the embedded backend (one SQLite file per
// object); durabletest is the conformance suite every backend passes.
//
// The package is plain Go: the runtime side (namespaces, stubs, the live
// instance of each object in one isolate, input and output gates) lives in
// internal/binding.
//
// # Placement
//
// A Durable Object has exactly one live instance. In one process the runtime
// guarantees it; a cluster backend will hold, per object, a lease with a
// fencing token ([Store.Open] is where it is taken) so that exactly one node
// opens an object's [Storage] at a time and the others forward to it.
package durable

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Cloudflare's Durable Object storage limits.
const (
	MaxKeySize    = 2048       // bytes of UTF-8 in a key-value API key
	MaxValueSize  = 128 * 1024 // bytes of a serialized value (key-value API)
	MaxBatchKeys  = 128        // keys per get/put/delete of an array
	MaxAlarmRetry = 6          // retries of a failing alarm handler
)

// Errors with Cloudflare's texts. The binding shows them as TypeError or
// RangeError as noted; test with errors.Is.
var (
	// ErrInvalidID is idFromString's error for text that is not 64 hex
	// digits (a TypeError in JavaScript).
	ErrInvalidID = errors.New("Invalid Durable Object ID: must be 64 hex digits")
	// ErrForeignID is idFromString's error for an id of another namespace
	// (a TypeError in JavaScript).
	ErrForeignID = errors.New("Durable Object ID is not valid for this namespace.")
	// ErrNotFound is returned by [Store] methods for an unknown namespace
	// or object.
	ErrNotFound = errors.New("durable: not found")
)

// Jurisdictions are the values newUniqueId({jurisdiction}) and
// namespace.jurisdiction() accept, as Cloudflare documents them. In one
// process they only label ids.
var Jurisdictions = []string{"eu", "fedramp", "fedramp-high"}

// ValidJurisdiction reports whether j is a jurisdiction Cloudflare knows.
func ValidJurisdiction(j string) bool {
	for _, x := range Jurisdictions {
		if x == j {
			return true
		}
	}
	return false
}

// Namespace is a Durable Object namespace: the class className exported by
// the Worker script. Its Key derives ids.
type Namespace struct {
	Script string
	Class  string
	Seed   string // what the id key derives from; see NamespaceWithSeed
	key    [32]byte
}

// NewNamespace returns the namespace of class in script. Ids are derived
// from a key that is a hash of both names, so the same class of the same
// script gets the same ids across restarts (idFromName is stable), and an
// id of another namespace fails idFromString's check.
func NewNamespace(script, class string) Namespace {
	return NamespaceWithSeed(script, class, DefaultSeed(script, class))
}

// DefaultSeed is the key seed of a namespace that was never renamed.
func DefaultSeed(script, class string) string {
	return fmt.Sprintf("%d:%s\x00%s", len(script), script, class)
}

// NamespaceWithSeed returns the namespace of class in script whose ids
// derive from seed: a class renamed by a migration keeps the seed of its
// first name, so its ids (idFromName's included) do not change.
func NamespaceWithSeed(script, class, seed string) Namespace {
	h := sha256.New()
	h.Write([]byte("zerostack durable object namespace\x00"))
	h.Write([]byte(seed))
	n := Namespace{Script: script, Class: class, Seed: seed}
	copy(n.key[:], h.Sum(nil))
	return n
}

// Name is the namespace's name in storage and in the CLI: "script:class".
func (n Namespace) Name() string { return n.Script + ":" + n.Class }

// An id is 32 bytes shown as 64 lowercase hex digits: 16 bytes that name the
// object (random for newUniqueId, derived from the name for idFromName)
// followed by the first 16 bytes of an HMAC-SHA256 of them under the
// namespace key, which is what lets idFromString reject an id of another
// namespace. This is the layout workerd uses; the derivations are ours.
const (
	idBase = 16
	idLen  = 32
)

func (n Namespace) mac(base []byte) []byte {
	m := hmac.New(sha256.New, n.key[:])
	m.Write(base)
	return m.Sum(nil)[:idLen-idBase]
}

func (n Namespace) seal(base []byte) string {
	id := make([]byte, 0, idLen)
	id = append(id, base[:idBase]...)
	id = append(id, n.mac(base[:idBase])...)
	return hex.EncodeToString(id)
}

// IDFromName returns the id of the object named name: the same name always
// gives the same id in this namespace.
func (n Namespace) IDFromName(name string) string {
	m := hmac.New(sha256.New, n.key[:])
	m.Write([]byte("name\x00"))
	m.Write([]byte(name))
	return n.seal(m.Sum(nil))
}

// NewUniqueID returns a random id. A jurisdiction, when given, must be
// [ValidJurisdiction]; it does not change where the object lives here.
func (n Namespace) NewUniqueID(jurisdiction string) (string, error) {
	if jurisdiction != "" && !ValidJurisdiction(jurisdiction) {
		return "", fmt.Errorf("Invalid jurisdiction: %q; valid values are %s", jurisdiction, strings.Join(Jurisdictions, ", "))
	}
	base := make([]byte, idBase)
	rand.Read(base)
	return n.seal(base), nil
}

// IDFromString validates s as an id of this namespace and returns it in
// lowercase. It fails with [ErrInvalidID] or [ErrForeignID].
func (n Namespace) IDFromString(s string) (string, error) {
	if len(s) != 2*idLen {
		return "", ErrInvalidID
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return "", ErrInvalidID
	}
	if !hmac.Equal(n.mac(b[:idBase]), b[idBase:]) {
		return "", ErrForeignID
	}
	return strings.ToLower(s), nil
}

// ValidID reports whether s looks like an id (64 lowercase hex digits),
// without checking its namespace. Backends use it to refuse file names that
// are not ids.
func ValidID(s string) bool {
	if len(s) != 2*idLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ObjectInfo describes a stored object, for listings.
type ObjectInfo struct {
	ID   string
	Size int64 // bytes on disk
}

// Alarm is a scheduled alarm of one object.
type Alarm struct {
	Namespace string // Namespace.Name()
	ID        string
	At        int64 // Unix milliseconds
}

// Store is a Durable Object storage backend. It is safe for concurrent use;
// each [Storage] it opens is not (its owner, the object's one live
// instance, serializes calls).
type Store interface {
	// Namespace returns the namespace of class in script, with the key seed
	// recorded for it (a renamed class keeps its old seed), recording the
	// default seed on first use.
	Namespace(ctx context.Context, script, class string) (Namespace, error)
	// Open opens the storage of object id in namespace ns (a
	// [Namespace.Name]), creating it when it does not exist. The caller
	// closes it. A backend that places objects on nodes takes the object's
	// lease here.
	Open(ctx context.Context, ns, id string) (*Storage, error)
	// Namespaces lists the namespaces that have objects, sorted.
	Namespaces(ctx context.Context) ([]string, error)
	// Objects lists the objects of ns, sorted by id; ErrNotFound if ns has
	// none.
	Objects(ctx context.Context, ns string) ([]ObjectInfo, error)
	// DeleteNamespace removes every object of ns (a deleted_classes
	// migration). Objects must not be open.
	DeleteNamespace(ctx context.Context, ns string) error
	// RenameNamespace moves the objects of from to to (renamed_classes),
	// with from's key seed.
	RenameNamespace(ctx context.Context, from, to string) error
	// Alarms lists the alarms of every object, as last recorded by
	// [Storage.SetAlarm] (a superset: an alarm deleted in a transaction
	// that did not commit may still be listed; check the object).
	Alarms(ctx context.Context) ([]Alarm, error)
	// AppliedMigrations returns the migration tags applied for script, in
	// order; RecordMigration appends one.
	AppliedMigrations(ctx context.Context, script string) ([]string, error)
	RecordMigration(ctx context.Context, script, tag string) error
}
