package queues

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// PullHandler serves Cloudflare's Queues REST API for consumers outside
// zerostack, under /client/v4/accounts/{account}/queues/{queue}/messages:
//
//	POST …/messages        send one message {body, content_type, delay_seconds}
//	POST …/messages/batch  send {messages: [...], delay_seconds}
//	POST …/messages/pull   lease {batch_size, visibility_timeout_ms}
//	POST …/messages/ack    settle {acks: [{lease_id}], retries: [{lease_id, delay_seconds}]}
//
// Responses use Cloudflare's envelope {success, errors, messages, result}.
// {queue} is a queue id or name; any account id is accepted. Text and JSON
// bodies are returned as text, bytes and v8 bodies base64-encoded, as
// Cloudflare does.
type PullHandler struct {
	Store Store
	// Token, if set, must be sent as "Authorization: Bearer <token>".
	Token string
	// Consumer returns the pull consumer settings of a queue (max_retries,
	// dead_letter_queue); ok false means Cloudflare's defaults.
	Consumer func(queue string) (ConsumerConfig, bool)
	// Sent is told after messages are sent (or dead-lettered) to a queue.
	Sent func(queue string)
	Log  *slog.Logger
}

type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func writeEnvelope(w http.ResponseWriter, status int, result any, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	env := map[string]any{"success": err == nil, "errors": []apiError{}, "messages": []string{}, "result": result}
	if err != nil {
		code := 10000 + status
		env["errors"] = []apiError{{Code: code, Message: err.Error()}}
		env["result"] = nil
	}
	json.NewEncoder(w).Encode(env)
}

// ServeHTTP implements http.Handler.
func (h *PullHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.Token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(h.Token)) != 1 {
			writeEnvelope(w, http.StatusUnauthorized, nil, errors.New("Authentication error: send the API token as Authorization: Bearer <token>"))
			return
		}
	}
	// /client/v4/accounts/{account}/queues/{queue}/messages[/op]
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 7 || parts[0] != "client" || parts[1] != "v4" || parts[2] != "accounts" || parts[4] != "queues" || parts[6] != "messages" || len(parts) > 8 {
		writeEnvelope(w, http.StatusNotFound, nil, fmt.Errorf("no route for %s %s", r.Method, r.URL.Path))
		return
	}
	if r.Method != http.MethodPost {
		writeEnvelope(w, http.StatusMethodNotAllowed, nil, errors.New("use POST"))
		return
	}
	queue, err := h.resolve(r.Context(), parts[5])
	if err != nil {
		writeEnvelope(w, http.StatusNotFound, nil, err)
		return
	}
	op := ""
	if len(parts) == 8 {
		op = parts[7]
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		writeEnvelope(w, http.StatusBadRequest, nil, err)
		return
	}
	switch op {
	case "":
		h.send(w, r.Context(), queue, body, false)
	case "batch":
		h.send(w, r.Context(), queue, body, true)
	case "pull":
		h.pull(w, r.Context(), queue, body)
	case "ack":
		h.ack(w, r.Context(), queue, body)
	default:
		writeEnvelope(w, http.StatusNotFound, nil, fmt.Errorf("no route for %s %s", r.Method, r.URL.Path))
	}
}

// resolve maps a queue id to its name; anything else is taken as a name.
func (h *PullHandler) resolve(ctx context.Context, idOrName string) (string, error) {
	qs, err := h.Store.Queues(ctx)
	if err != nil {
		return "", err
	}
	for _, q := range qs {
		if q.ID == idOrName || q.Name == idOrName {
			return q.Name, nil
		}
	}
	if err := ValidateQueueName(idOrName); err != nil {
		return "", fmt.Errorf("queue %q not found", idOrName)
	}
	return idOrName, nil
}

type apiMessage struct {
	Body         json.RawMessage `json:"body"`
	ContentType  string          `json:"content_type"`
	DelaySeconds *float64        `json:"delay_seconds"`
}

func (m apiMessage) message() (Message, error) {
	ct := m.ContentType
	if ct == "" {
		ct = ContentJSON
	}
	msg := Message{ContentType: ct}
	switch ct {
	case ContentJSON:
		msg.Body = []byte(m.Body)
	case ContentText:
		var s string
		if err := json.Unmarshal(m.Body, &s); err != nil {
			return msg, invalid("content_type text needs a string body")
		}
		msg.Body = []byte(s)
	case ContentBytes, ContentV8:
		var s string
		if err := json.Unmarshal(m.Body, &s); err != nil {
			return msg, invalid("content_type %s needs a base64 string body", ct)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return msg, invalid("content_type %s needs a base64 string body: %v", ct, err)
		}
		msg.Body = b
	default:
		return msg, ValidateContentType(ct)
	}
	if m.DelaySeconds != nil {
		if err := ValidateDelay(*m.DelaySeconds); err != nil {
			return msg, err
		}
		msg.Delay = time.Duration(*m.DelaySeconds * float64(time.Second))
	}
	return msg, nil
}

func (h *PullHandler) send(w http.ResponseWriter, ctx context.Context, queue string, body []byte, batch bool) {
	var msgs []Message
	if batch {
		var req struct {
			Messages     []apiMessage `json:"messages"`
			DelaySeconds *float64     `json:"delay_seconds"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			writeEnvelope(w, http.StatusBadRequest, nil, fmt.Errorf("invalid JSON: %v", err))
			return
		}
		for _, am := range req.Messages {
			if am.DelaySeconds == nil {
				am.DelaySeconds = req.DelaySeconds
			}
			m, err := am.message()
			if err != nil {
				writeEnvelope(w, http.StatusBadRequest, nil, err)
				return
			}
			msgs = append(msgs, m)
		}
		if err := ValidateBatch(msgs); err != nil {
			writeEnvelope(w, http.StatusBadRequest, nil, err)
			return
		}
	} else {
		var am apiMessage
		if err := json.Unmarshal(body, &am); err != nil {
			writeEnvelope(w, http.StatusBadRequest, nil, fmt.Errorf("invalid JSON: %v", err))
			return
		}
		m, err := am.message()
		if err == nil {
			err = ValidateSend(m)
		}
		if err != nil {
			writeEnvelope(w, http.StatusBadRequest, nil, err)
			return
		}
		msgs = []Message{m}
	}
	if len(msgs) == 0 {
		writeEnvelope(w, http.StatusBadRequest, nil, errors.New("no messages to send"))
		return
	}
	if err := h.Store.Send(ctx, queue, msgs); err != nil {
		writeEnvelope(w, http.StatusInternalServerError, nil, err)
		return
	}
	if h.Sent != nil {
		h.Sent(queue)
	}
	writeEnvelope(w, http.StatusOK, map[string]any{}, nil)
}

func (h *PullHandler) settings(queue string) ConsumerConfig {
	if h.Consumer != nil {
		if c, ok := h.Consumer(queue); ok {
			return c
		}
	}
	return ConsumerConfig{Queue: queue, MaxRetries: 3}
}

func (h *PullHandler) pull(w http.ResponseWriter, ctx context.Context, queue string, body []byte) {
	req := struct {
		BatchSize           *int `json:"batch_size"`
		VisibilityTimeoutMS *int `json:"visibility_timeout_ms"`
	}{}
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeEnvelope(w, http.StatusBadRequest, nil, fmt.Errorf("invalid JSON: %v", err))
			return
		}
	}
	size, vis := 5, 30*time.Second
	if req.BatchSize != nil {
		size = *req.BatchSize
	}
	if size < 1 || size > MaxConsumerBatchSize {
		writeEnvelope(w, http.StatusBadRequest, nil, fmt.Errorf("batch_size must be between 1 and %d", MaxConsumerBatchSize))
		return
	}
	if req.VisibilityTimeoutMS != nil {
		vis = time.Duration(*req.VisibilityTimeoutMS) * time.Millisecond
	}
	if vis <= 0 || vis > MaxVisibilityTimeout {
		writeEnvelope(w, http.StatusBadRequest, nil, fmt.Errorf("visibility_timeout_ms must be between 1 and %d", MaxVisibilityTimeout.Milliseconds()))
		return
	}
	cfg := h.settings(queue)
	var out []map[string]any
	for len(out) < size {
		ds, err := h.Store.Lease(ctx, queue, size-len(out), vis)
		if err != nil {
			writeEnvelope(w, http.StatusInternalServerError, nil, err)
			return
		}
		if len(ds) == 0 {
			break
		}
		var dead []Delivery
		for _, d := range ds {
			// A lease that expired unsettled was a failed attempt: past
			// max_retries the message is dead-lettered, not delivered.
			if d.Attempts > cfg.MaxRetries+1 {
				dead = append(dead, d)
				continue
			}
			m := map[string]any{"id": d.ID, "timestamp_ms": d.Timestamp.UnixMilli(), "attempts": d.Attempts, "lease_id": d.LeaseID,
				"metadata": map[string]string{"CF-sourceMessageSource": "api", "CF-Content-Type": d.ContentType}}
			if (d.ContentType == ContentText || d.ContentType == ContentJSON) && utf8.Valid(d.Body) {
				m["body"] = string(d.Body)
			} else {
				m["body"] = base64.StdEncoding.EncodeToString(d.Body)
			}
			out = append(out, m)
		}
		if len(dead) > 0 {
			h.deadLetter(ctx, cfg, dead)
		}
	}
	backlog := 0
	if info, err := h.Store.Info(ctx, queue); err == nil {
		backlog = info.Backlog - info.Leased
	}
	if out == nil {
		out = []map[string]any{}
	}
	writeEnvelope(w, http.StatusOK, map[string]any{"message_backlog_count": backlog, "messages": out}, nil)
}

func (h *PullHandler) deadLetter(ctx context.Context, cfg ConsumerConfig, dead []Delivery) {
	var leases []string
	var fwd []Message
	for _, d := range dead {
		leases = append(leases, d.LeaseID)
		fwd = append(fwd, Message{ID: d.ID, Body: d.Body, ContentType: d.ContentType, Timestamp: d.Timestamp})
	}
	if cfg.DeadLetterQueue != "" {
		if err := h.Store.Send(ctx, cfg.DeadLetterQueue, fwd); err != nil {
			return // delivered again later rather than lost
		}
		if h.Sent != nil {
			h.Sent(cfg.DeadLetterQueue)
		}
	} else if h.Log != nil {
		h.Log.Warn(fmt.Sprintf("queue %s: dropped %d message(s) after %d retries (no dead_letter_queue is configured)", cfg.Queue, len(dead), cfg.MaxRetries))
	}
	h.Store.Settle(ctx, cfg.Queue, leases, nil)
}

func (h *PullHandler) ack(w http.ResponseWriter, ctx context.Context, queue string, body []byte) {
	var req struct {
		Acks []struct {
			LeaseID string `json:"lease_id"`
		} `json:"acks"`
		Retries []struct {
			LeaseID      string   `json:"lease_id"`
			DelaySeconds *float64 `json:"delay_seconds"`
		} `json:"retries"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeEnvelope(w, http.StatusBadRequest, nil, fmt.Errorf("invalid JSON: %v", err))
		return
	}
	cfg := h.settings(queue)
	var acks []string
	var retries []Retry
	for _, a := range req.Acks {
		acks = append(acks, a.LeaseID)
	}
	for _, r := range req.Retries {
		rt := Retry{LeaseID: r.LeaseID, Delay: cfg.RetryDelay}
		if r.DelaySeconds != nil {
			if err := ValidateDelay(*r.DelaySeconds); err != nil {
				writeEnvelope(w, http.StatusBadRequest, nil, err)
				return
			}
			rt.Delay = time.Duration(*r.DelaySeconds * float64(time.Second))
		}
		retries = append(retries, rt)
	}
	var warnings []string
	err := h.Store.Settle(ctx, queue, acks, retries)
	if err != nil && !errors.Is(err, ErrLeaseNotFound) {
		writeEnvelope(w, http.StatusInternalServerError, nil, err)
		return
	}
	if err != nil {
		warnings = append(warnings, err.Error())
	}
	if warnings == nil {
		warnings = []string{}
	}
	writeEnvelope(w, http.StatusOK, map[string]any{"ackCount": len(acks), "retryCount": len(retries), "warnings": warnings}, nil)
}
