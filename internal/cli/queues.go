package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/zerostack/zerostack/internal/queues"
	"github.com/zerostack/zerostack/internal/queues/queueslocal"
)

func runQueues(s Streams, args []string) int {
	return subcommands(s, "queues", args, map[string]func(Streams, []string) int{
		"create":   queuesCreate,
		"list":     queuesList,
		"delete":   queuesDelete,
		"info":     queuesInfo,
		"consumer": runQueuesConsumer,
		"peek":     queuesPeek,
		"purge":    queuesPurge,
	}, map[string]string{
		"create":   "Create a queue: zerostack queues create <name>",
		"list":     "List queues with their backlogs",
		"delete":   "Delete a queue and its messages",
		"info":     "Show a queue's backlog (messages waiting, in flight, delayed) and consumer",
		"consumer": "Add or remove a worker as a queue's push consumer",
		"peek":     "Print messages of a queue (or its dead-letter queue) without consuming them",
		"purge":    "Delete every message of a queue",
	})
}

func runQueuesConsumer(s Streams, args []string) int {
	return subcommands(s, "queues consumer", args, map[string]func(Streams, []string) int{
		"add":    queuesConsumerAdd,
		"remove": queuesConsumerRemove,
	}, map[string]string{
		"add":    "Make a worker the push consumer of a queue: zerostack queues consumer add <queue> <script-name>",
		"remove": "Remove a worker as a queue's consumer: zerostack queues consumer remove <queue> <script-name>",
	})
}

// queuesCmd registers the data flags on fs (after the command's own),
// parses args (exactly n positional arguments) and opens the project's
// queue store; when ok is false the command returns code.
func queuesCmd(s Streams, fs *flag.FlagSet, f *dataFlags, args []string, n int) (p *project, st *queueslocal.Store, code int, ok bool) {
	f.register(fs)
	if code, ok := parse(s, fs, args, n, n); !ok {
		return nil, nil, code, false
	}
	p, err := f.open()
	if err == nil {
		if st, err = p.state.Queues(); err != nil {
			p.close()
		}
	}
	if err != nil {
		return nil, nil, fail(s, fs.Name(), err), false
	}
	return p, st, 0, true
}

func queuesCreate(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "queues create", "<name> [flags]", "Creates a queue in the local state.")
	p, st, code, ok := queuesCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	info, err := st.CreateQueue(context.Background(), fs.Arg(0))
	if err != nil {
		return fail(s, "queues create", err)
	}
	if f.json {
		printJSON(s.Out, queueJSON(info))
		return 0
	}
	fmt.Fprintf(s.Out, "🌀 Created queue %s (id %s)\n", info.Name, info.ID)
	fmt.Fprintf(s.Out, "Add it to your configuration:\n\n[[queues.producers]]\nbinding = \"MY_QUEUE\"\nqueue = %q\n\n[[queues.consumers]]\nqueue = %q\n", info.Name, info.Name)
	return 0
}

func queueJSON(i queues.QueueInfo) map[string]any {
	m := map[string]any{"queue_name": i.Name, "queue_id": i.ID, "backlog": i.Backlog, "in_flight": i.Leased, "delayed": i.Delayed}
	if !i.Created.IsZero() {
		m["created_on"] = i.Created.UTC().Format(time.RFC3339)
	}
	return m
}

func queuesList(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "queues list", "[flags]", "Lists the queues in the local state.")
	p, st, code, ok := queuesCmd(s, fs, &f, args, 0)
	if !ok {
		return code
	}
	defer p.close()
	qs, err := st.Queues(context.Background())
	if err != nil {
		return fail(s, "queues list", err)
	}
	if f.json {
		out := make([]map[string]any, 0, len(qs))
		for _, q := range qs {
			out = append(out, queueJSON(q))
		}
		printJSON(s.Out, out)
		return 0
	}
	if len(qs) == 0 {
		fmt.Fprintln(s.Out, "No queues. Create one with: zerostack queues create <name>")
		return 0
	}
	fmt.Fprintf(s.Out, "%-32s %-32s %8s %9s %8s\n", "name", "id", "backlog", "in flight", "delayed")
	for _, q := range qs {
		fmt.Fprintf(s.Out, "%-32s %-32s %8d %9d %8d\n", q.Name, q.ID, q.Backlog, q.Leased, q.Delayed)
	}
	return 0
}

func queuesDelete(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "queues delete", "<name> [flags]", "Deletes a queue and every message in it.")
	p, st, code, ok := queuesCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	if err := st.DeleteQueue(context.Background(), fs.Arg(0)); err != nil {
		if errors.Is(err, queues.ErrQueueNotFound) {
			err = fmt.Errorf("queue %q does not exist (zerostack queues list shows the queues)", fs.Arg(0))
		}
		return fail(s, "queues delete", err)
	}
	fmt.Fprintf(s.Out, "Deleted queue %s\n", fs.Arg(0))
	return 0
}

func queuesInfo(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "queues info", "<name> [flags]", "Shows a queue's backlog and consumers.")
	p, st, code, ok := queuesCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	name := fs.Arg(0)
	info, err := st.Info(context.Background(), name)
	if err != nil {
		if errors.Is(err, queues.ErrQueueNotFound) {
			err = fmt.Errorf("queue %q does not exist and has no messages", name)
		}
		return fail(s, "queues info", err)
	}
	var consumers []string
	if p.cfg != nil {
		for _, c := range p.cfg.Queues.Consumers {
			if c.Queue == name {
				kind := "worker " + p.cfg.Name
				if c.Type == "http_pull" {
					kind = "HTTP pull"
				}
				consumers = append(consumers, fmt.Sprintf("%s (max_batch_size %d, max_batch_timeout %ds, max_retries %d, dead_letter_queue %q)", kind, c.MaxBatchSize, c.MaxBatchTimeout, c.MaxRetries, c.DeadLetterQueue))
			}
		}
	}
	if rec, err := st.Consumers(context.Background()); err == nil {
		for _, c := range rec {
			if c.Queue == name {
				consumers = append(consumers, "worker "+c.Script+" (recorded with queues consumer add)")
			}
		}
	}
	if f.json {
		m := queueJSON(info)
		m["consumers"] = consumers
		printJSON(s.Out, m)
		return 0
	}
	fmt.Fprintf(s.Out, "Queue:     %s\n", info.Name)
	if info.ID != "" {
		fmt.Fprintf(s.Out, "ID:        %s\nCreated:   %s\n", info.ID, info.Created.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(s.Out, "Backlog:   %d (%d in flight, %d delayed)\n", info.Backlog, info.Leased, info.Delayed)
	if len(consumers) == 0 {
		fmt.Fprintln(s.Out, "Consumers: none")
	}
	for _, c := range consumers {
		fmt.Fprintf(s.Out, "Consumer:  %s\n", c)
	}
	return 0
}

func queuesConsumerAdd(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "queues consumer add", "<queue> <script-name> [flags]", "Records a worker as the push consumer of a queue; zerostack dev running that worker consumes it (unless its configuration names another consumer).")
	batchSize := fs.Int("batch-size", 10, "max_batch_size: most messages a batch holds (1-100)")
	batchTimeout := fs.Int("batch-timeout", 5, "max_batch_timeout: seconds a batch waits to fill (0-60)")
	retries := fs.Int("message-retries", 3, "max_retries: retries before a message is dead-lettered or dropped (0-100)")
	dlq := fs.String("dead-letter-queue", "", "queue that receives messages out of retries")
	conc := fs.Int("max-concurrency", 0, "most batches in flight at once (0: automatic)")
	retryDelay := fs.Int("retry-delay-secs", 0, "delay of retries that name none (seconds)")
	p, st, code, ok := queuesCmd(s, fs, &f, args, 2)
	if !ok {
		return code
	}
	defer p.close()
	c := queueslocal.Consumer{Queue: fs.Arg(0), Script: fs.Arg(1), Settings: queues.ConsumerConfig{
		Queue: fs.Arg(0), MaxBatchSize: *batchSize, MaxBatchTimeout: time.Duration(*batchTimeout) * time.Second,
		MaxRetries: *retries, DeadLetterQueue: *dlq, MaxConcurrency: *conc, RetryDelay: time.Duration(*retryDelay) * time.Second,
	}}
	if err := queues.ValidateQueueName(c.Queue); err != nil {
		return fail(s, "queues consumer add", err)
	}
	if err := st.SetConsumer(context.Background(), c); err != nil {
		return fail(s, "queues consumer add", err)
	}
	fmt.Fprintf(s.Out, "Added consumer %s to queue %s\n", c.Script, c.Queue)
	return 0
}

func queuesConsumerRemove(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "queues consumer remove", "<queue> <script-name> [flags]", "Removes a worker recorded as a queue's consumer.")
	p, st, code, ok := queuesCmd(s, fs, &f, args, 2)
	if !ok {
		return code
	}
	defer p.close()
	if err := st.RemoveConsumer(context.Background(), fs.Arg(0), fs.Arg(1)); err != nil {
		return fail(s, "queues consumer remove", err)
	}
	fmt.Fprintf(s.Out, "Removed consumer %s from queue %s\n", fs.Arg(1), fs.Arg(0))
	return 0
}

func queuesPeek(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "queues peek", "<queue> [flags]", "Prints messages of a queue, oldest first, without consuming them. Text and JSON bodies print as text; bytes and v8 bodies as base64.")
	limit := fs.Int("limit", 10, "most messages to print")
	p, st, code, ok := queuesCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	ms, err := st.Peek(context.Background(), fs.Arg(0), *limit)
	if err != nil {
		return fail(s, "queues peek", err)
	}
	out := make([]map[string]any, 0, len(ms))
	for _, m := range ms {
		e := map[string]any{"id": m.ID, "timestamp_ms": m.Timestamp.UnixMilli(), "attempts": m.Attempts, "content_type": m.ContentType}
		if (m.ContentType == queues.ContentText || m.ContentType == queues.ContentJSON) && utf8.Valid(m.Body) {
			e["body"] = string(m.Body)
		} else {
			e["body_base64"] = m.Body
		}
		out = append(out, e)
	}
	if f.json {
		printJSON(s.Out, out)
		return 0
	}
	if len(out) == 0 {
		fmt.Fprintf(s.Out, "Queue %s has no messages.\n", fs.Arg(0))
	}
	for _, e := range out {
		body, ok := e["body"]
		if !ok {
			body = fmt.Sprintf("(%s, %d bytes)", e["content_type"], len(e["body_base64"].([]byte)))
		}
		fmt.Fprintf(s.Out, "%s  attempts=%d  %s  %v\n", e["id"], e["attempts"], time.UnixMilli(e["timestamp_ms"].(int64)).UTC().Format(time.RFC3339), body)
	}
	return 0
}

func queuesPurge(s Streams, args []string) int {
	var f dataFlags
	fs := newFlagSet(s, "queues purge", "<queue> [flags]", "Deletes every message of a queue (its dead-letter queue is a queue too: purge it by name).")
	force := fs.Bool("force", false, "do not ask for confirmation")
	_ = force // local state: nothing to confirm against; accepted for wrangler compatibility
	p, st, code, ok := queuesCmd(s, fs, &f, args, 1)
	if !ok {
		return code
	}
	defer p.close()
	n, err := st.Purge(context.Background(), fs.Arg(0))
	if err != nil {
		return fail(s, "queues purge", err)
	}
	if f.json {
		printJSON(s.Out, map[string]any{"queue": fs.Arg(0), "purged": n})
		return 0
	}
	fmt.Fprintf(s.Out, "Purged %s message(s) from queue %s\n", strconv.Itoa(n), fs.Arg(0))
	return 0
}
