// Package queues is zerostack's Cloudflare Queues: durable message queues
// with producers (a worker's env.QUEUE.send and sendBatch), push consumers
// (a worker's queue() handler, fed in batches by a [Dispatcher]) and HTTP
// pull consumers ([PullHandler]).
//
// Delivery is at least once. A message stays in its queue's [Store] until a
// consumer acknowledges it; a delivered message is leased (invisible to
// other consumers) until it is acknowledged, retried or its lease expires,
// so a consumer that crashes loses nothing: the message becomes visible
// again. Retries follow Cloudflare: a message is delivered at most
// max_retries+1 times, then moved to the consumer's dead-letter queue or,
// without one, dropped with a log line.
//
// Limits and error texts are Cloudflare's (and miniflare's where the
// documentation is silent): 128 KB a message, 100 messages and 256 KB a
// batch, delays of at most 12 hours, batches of at most 100 messages and
// batch timeouts of at most 60 s.
//
// Engine: the embedded backend (queueslocal) is a SQLite table per state
// directory. DESIGN.md suggests NATS JetStream; bench/README.md ("Queues
// engine") records why SQLite was chosen for the single-node milestone.
package queues

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Cloudflare's limits (developers.cloudflare.com/queues/platform/limits;
// 1 KB = 1000 bytes there).
const (
	// MaxMessageBytes is the largest message body.
	MaxMessageBytes = 128 * 1000
	// MaxBatchMessages is the most messages one sendBatch may carry.
	MaxBatchMessages = 100
	// MaxBatchBytes is the most body bytes one sendBatch may carry.
	MaxBatchBytes = 256 * 1000
	// MaxDelaySeconds is the longest delay of a send or a retry (12 hours).
	MaxDelaySeconds = 12 * 60 * 60
	// MaxConsumerBatchSize is the largest max_batch_size.
	MaxConsumerBatchSize = 100
	// MaxConsumerBatchTimeout is the longest max_batch_timeout, in seconds.
	MaxConsumerBatchTimeout = 60
	// MaxRetries is the largest max_retries.
	MaxRetries = 100
	// MaxVisibilityTimeout is the longest lease a pull consumer may ask for.
	MaxVisibilityTimeout = 12 * time.Hour
)

// Content types of message bodies, as producers name them.
const (
	ContentText  = "text"
	ContentJSON  = "json"
	ContentBytes = "bytes"
	// ContentV8 is a structured-clone value. zerostack encodes it in its own
	// tagged JSON form (see internal/binding/js/queues.js), readable only by
	// zerostack workers; pull consumers receive it base64-encoded, as
	// Cloudflare's do.
	ContentV8 = "v8"
)

// Errors returned by [Store] methods.
var (
	ErrQueueNotFound = errors.New("queue not found")
	ErrQueueExists   = errors.New("queue already exists")
	// ErrLeaseNotFound means an ack or retry named a lease that is not
	// held: it expired (and the message may have been delivered again) or
	// was already settled.
	ErrLeaseNotFound = errors.New("lease not found")
)

// ValidationError is bad input with the message Cloudflare gives for it.
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return e.Message }

func invalid(format string, args ...any) error {
	return &ValidationError{Message: fmt.Sprintf(format, args...)}
}

// Message is one message to enqueue.
type Message struct {
	// ID is set by the store when empty (a 32-hex-digit id, as Cloudflare's).
	ID          string
	Body        []byte
	ContentType string
	// Delay postpones the first delivery.
	Delay time.Duration
	// Timestamp is when it was sent; zero means now.
	Timestamp time.Time
	// Attempts is the number of earlier delivery attempts (non-zero for a
	// message moved to a dead-letter queue, which keeps its history).
	Attempts int
}

// Delivery is a leased message handed to a consumer.
type Delivery struct {
	ID          string
	Body        []byte
	ContentType string
	Timestamp   time.Time
	// Attempts counts deliveries including this one (1 on the first).
	Attempts int
	// LeaseID names this delivery for Ack and Retry; a later delivery of
	// the same message has another.
	LeaseID string
}

// QueueInfo describes a queue.
type QueueInfo struct {
	Name    string
	ID      string
	Created time.Time
	// Backlog counts messages not yet acknowledged (leased or not).
	Backlog int
	// Leased counts messages currently delivered and not yet settled.
	Leased int
	// Delayed counts messages not yet visible (delayed sends and retries).
	Delayed int
}

// Retry asks for a leased message to be delivered again after Delay.
type Retry struct {
	LeaseID string
	Delay   time.Duration
}

// Store holds queues and their messages. Implementations are safe for
// concurrent use and durable: a Send that returned nil survives a crash.
type Store interface {
	// CreateQueue records a queue (ErrQueueExists if it exists).
	CreateQueue(ctx context.Context, name string) (QueueInfo, error)
	// DeleteQueue removes a queue and its messages (ErrQueueNotFound).
	DeleteQueue(ctx context.Context, name string) error
	// Queues lists the recorded queues, by name.
	Queues(ctx context.Context) ([]QueueInfo, error)
	// Info describes one queue; a queue that has messages but no record
	// (sent to before it was created) is described too.
	Info(ctx context.Context, name string) (QueueInfo, error)
	// Send enqueues msgs atomically (all or none). It does not check the
	// queue record: producers may send to a queue nobody created, as in
	// wrangler dev.
	Send(ctx context.Context, queue string, msgs []Message) error
	// Lease delivers up to max visible messages, oldest first, and hides
	// them until now+visibility unless settled before.
	Lease(ctx context.Context, queue string, max int, visibility time.Duration) ([]Delivery, error)
	// Settle acknowledges (deletes) acks and makes retries visible again
	// after their delays, in one transaction. Unknown leases are skipped
	// and counted in the error (ErrLeaseNotFound) after the rest are done.
	Settle(ctx context.Context, queue string, acks []string, retries []Retry) error
	// NextVisible reports when the queue's next message becomes visible
	// (zero time and false if it has none waiting).
	NextVisible(ctx context.Context, queue string) (time.Time, bool, error)
	// CountVisible counts the messages a Lease would deliver now, up to
	// limit.
	CountVisible(ctx context.Context, queue string, limit int) (int, error)
	// Peek returns up to max messages without leasing them, oldest first.
	Peek(ctx context.Context, queue string, max int) ([]Delivery, error)
	// Purge deletes every message of the queue and returns how many.
	Purge(ctx context.Context, queue string) (int, error)
	// ReleaseLeases makes every leased message of the queue visible now
	// and returns how many. A consumer calls it when it starts, for the
	// leases a crashed predecessor held.
	ReleaseLeases(ctx context.Context, queue string) (int, error)
}

var queueNameRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidateQueueName checks a queue name as Cloudflare does: 1 to 63
// lowercase letters, digits and dashes, not starting or ending with a dash.
func ValidateQueueName(name string) error {
	if !queueNameRE.MatchString(name) {
		return invalid("Invalid queue name %q: use 1 to 63 lowercase letters (a-z), digits and dashes (-), starting and ending with a letter or digit.", name)
	}
	return nil
}

// ValidateContentType checks a content type name.
func ValidateContentType(ct string) error {
	switch ct {
	case ContentText, ContentJSON, ContentBytes, ContentV8:
		return nil
	}
	return invalid("message content type %s is invalid; if specified, must be one of 'text', 'json', 'bytes', or 'v8'", ct)
}

// ValidateDelay checks a delaySeconds value.
func ValidateDelay(seconds float64) error {
	if seconds < 0 || seconds > MaxDelaySeconds || seconds != seconds {
		return invalid("Invalid delaySeconds %v: it must be a number of seconds from 0 to %d (12 hours).", seconds, MaxDelaySeconds)
	}
	return nil
}

// ValidateSend checks one send: the body's size, its content type and delay.
func ValidateSend(m Message) error {
	if err := ValidateContentType(m.ContentType); err != nil {
		return err
	}
	if len(m.Body) > MaxMessageBytes {
		return invalid("message length of %d bytes exceeds limit of %d", len(m.Body), MaxMessageBytes)
	}
	return ValidateDelay(m.Delay.Seconds())
}

// ValidateBatch checks a sendBatch: the message count, total size and
// each message.
func ValidateBatch(msgs []Message) error {
	if len(msgs) > MaxBatchMessages {
		return invalid("batch message count of %d exceeds limit of %d", len(msgs), MaxBatchMessages)
	}
	total := 0
	for _, m := range msgs {
		if err := ValidateSend(m); err != nil {
			return err
		}
		total += len(m.Body)
	}
	if total > MaxBatchBytes {
		return invalid("batch size of %d bytes exceeds limit of %d", total, MaxBatchBytes)
	}
	return nil
}
