package binding

import (
	"context"
	"embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zerostack/zerostack/internal/queues"
	"github.com/zerostack/zerostack/internal/v8"
	"github.com/zerostack/zerostack/internal/webapi"
	"github.com/zerostack/zerostack/internal/worker"
)

//go:embed js/queues.js
var queuesJS embed.FS

// TypeQueue is the binding type of a Queue producer.
const TypeQueue = "queue"

// Queue returns the env entry name → a Queue producer sending to queue;
// delaySeconds is the producer's delivery_delay (applied to messages sent
// without delaySeconds).
func Queue(name, queue string, delaySeconds int) worker.Binding {
	return worker.Binding{Name: name, Type: TypeQueue, Config: map[string]any{"queue": queue, "delay": delaySeconds}}
}

// Queues serves Cloudflare Queues to workers: the producer binding
// (env.QUEUE.send, sendBatch) through [Queues.Extension], and push
// consumers through [Queues.Deliver], which runs a batch in a worker's
// queue() handler. One Queues may serve several workers.
type Queues struct {
	open func() (queues.Store, error)
	sent func(queue string)
	log  *slog.Logger

	next   atomic.Int64
	bodies sync.Map // batch key → []byte: the bodies of a batch in flight
}

// NewQueues returns the queue bindings over the store that open returns
// (called on the first send, so that projects without queues never open
// one). sent, if not nil, is told after each successful send, so that the
// queue's dispatcher wakes at once.
func NewQueues(open func() (queues.Store, error), sent func(queue string), log *slog.Logger) *Queues {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Queues{open: open, sent: sent, log: log}
}

// Extension returns the worker extension that defines the Queue producer
// binding and the queue() event.
func (q *Queues) Extension() worker.Extension {
	src, err := queuesJS.ReadFile("js/queues.js")
	if err != nil {
		panic("binding: missing embedded queues.js")
	}
	return worker.Extension{
		Name:   "queues",
		Setup:  q.install,
		Script: "(() => {\n" + string(src) + "\n})();\n",
	}
}

// queueError is the error send and sendBatch reject with, as workerd words
// it: "Queue send failed: …".
func queueError(op string, err error) error {
	var ve *queues.ValidationError
	if errors.As(err, &ve) {
		return &v8.TypeError{Msg: fmt.Sprintf("Queue %s failed: %s", op, ve.Message)}
	}
	return fmt.Errorf("Queue %s failed: %v", op, err)
}

// install defines the host functions:
//
//	queueSend(p, queue, frame, length, op, batchDelay, producerDelay)
//	queueBodies(p, key) → the bodies of a batch being delivered
//
// A frame holds, per message, a content-type code (byte), the delay as a
// float64 (NaN: none) and the body length (uint32, big-endian), then the
// body.
func (q *Queues) install(rt *webapi.Runtime) {
	rt.Async("queueSend", func(c *v8.Call) (webapi.Work, error) {
		queue, op := c.String(1), c.String(4)
		frame, err := c.Bytes(2, int(c.Int(3)))
		if err != nil {
			return nil, err
		}
		batchDelay := c.Float(5)
		msgs, err := parseFrame(frame)
		if err != nil {
			return nil, queueError(op, err)
		}
		def := time.Duration(c.Float(6) * float64(time.Second)) // the producer's delivery_delay
		for i := range msgs {
			d := msgs[i].Delay
			if d < 0 { // none given: the batch's delaySeconds, else the producer's delivery_delay
				if !math.IsNaN(batchDelay) {
					d = time.Duration(batchDelay * float64(time.Second))
				} else {
					d = def
				}
			}
			msgs[i].Delay = d
		}
		if op == "sendBatch" {
			err = queues.ValidateBatch(msgs)
		} else {
			err = queues.ValidateSend(msgs[0])
		}
		if err != nil {
			return nil, queueError(op, err)
		}
		return func() (any, error) {
			store, err := q.open()
			if err != nil {
				return nil, queueError(op, err)
			}
			if err := store.Send(context.Background(), queue, msgs); err != nil {
				return nil, queueError(op, err)
			}
			if q.sent != nil {
				q.sent(queue)
			}
			return nil, nil
		}, nil
	})
	rt.Func("queueBodies", func(c *v8.Call) (any, error) {
		id := c.Int(0)
		key, _ := strconv.ParseInt(c.String(1), 10, 64)
		b, ok := q.bodies.LoadAndDelete(key)
		if !ok {
			rt.Settle(id, nil, errors.New("queue batch bodies are gone (the batch was already delivered)"))
			return nil, nil
		}
		rt.Settle(id, b.([]byte), nil)
		return nil, nil
	})
}

var ctNames = [...]string{queues.ContentText, queues.ContentJSON, queues.ContentBytes, queues.ContentV8}

func parseFrame(b []byte) ([]queues.Message, error) {
	var out []queues.Message
	for len(b) > 0 {
		if len(b) < 13 || int(b[0]) >= len(ctNames) {
			return nil, errors.New("malformed message frame")
		}
		delay := math.Float64frombits(binary.BigEndian.Uint64(b[1:9]))
		n := int(binary.BigEndian.Uint32(b[9:13]))
		if len(b) < 13+n {
			return nil, errors.New("malformed message frame")
		}
		m := queues.Message{ContentType: ctNames[b[0]], Body: b[13 : 13+n : 13+n], Delay: -1}
		if !math.IsNaN(delay) {
			if err := queues.ValidateDelay(delay); err != nil {
				return nil, err
			}
			m.Delay = time.Duration(delay * float64(time.Second))
		}
		out = append(out, m)
		b = b[13+n:]
	}
	if len(out) == 0 {
		return nil, errors.New("no messages")
	}
	return out, nil
}

var ctCodes = map[string]int{queues.ContentText: 0, queues.ContentJSON: 1, queues.ContentBytes: 2, queues.ContentV8: 3}

// queueOutcome is what queues.js's event handler resolves to.
type queueOutcome struct {
	OK       bool                `json:"ok"`
	Error    string              `json:"error"`
	All      *string             `json:"all"`
	AllDelay *float64            `json:"allDelay"`
	Acks     []string            `json:"acks"`
	Retries  map[string]*float64 `json:"retries"`
}

// Deliver runs batch b in w's queue() handler and returns its outcome. A
// worker that cannot run it (stopped, or no queue() handler) yields a
// failed outcome, so the batch is retried.
func (q *Queues) Deliver(w *worker.Worker, b queues.Batch) queues.Outcome {
	key := q.next.Add(1)
	var size int
	type meta [5]any
	ms := make([]meta, len(b.Messages))
	for i, m := range b.Messages {
		size += len(m.Body)
		ms[i] = meta{m.ID, m.Timestamp.UnixMilli(), m.Attempts, ctCodes[m.ContentType], len(m.Body)}
	}
	bodies := make([]byte, 0, size)
	for _, m := range b.Messages {
		bodies = append(bodies, m.Body...)
	}
	q.bodies.Store(key, bodies)
	defer q.bodies.Delete(key)
	payload, _ := json.Marshal(map[string]any{"queue": b.Queue, "key": strconv.FormatInt(key, 10), "messages": ms})
	res := w.Event("queue", string(payload))
	if !res.OK {
		return queues.Outcome{Error: res.Error}
	}
	var o queueOutcome
	if err := json.Unmarshal([]byte(res.Result), &o); err != nil {
		return queues.Outcome{Error: "queue handler outcome: " + err.Error()}
	}
	out := queues.Outcome{OK: o.OK, Error: o.Error, Retries: o.Retries, Acks: make(map[string]bool, len(o.Acks))}
	for _, id := range o.Acks {
		out.Acks[id] = true
	}
	if o.All != nil {
		out.AckAll = *o.All == "ack"
		out.RetryAll = *o.All == "retry"
		out.RetryAllDelay = o.AllDelay
	}
	return out
}
