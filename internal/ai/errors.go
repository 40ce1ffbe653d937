package ai

import (
	"errors"
	"fmt"
)

// Workers AI's internal error codes (Cloudflare's "Workers AI errors"
// table); the binding rejects with "<code>: <description>".
const (
	CodeInvalidInput = 5006 // input failed the model's schema
	CodeNoSuchModel  = 5007 // unknown model id, or no provider serves it
	CodeTimeout      = 3007
	CodeAborted      = 3008
	CodeTooLarge     = 3006
	CodeCapacity     = 3040 // the provider is out of capacity (429s after retries)
	CodeInternal     = 3000 // the provider failed
)

// Error is a Workers AI failure as a worker sees it: env.AI.run rejects with
// an InferenceUpstreamError whose message is "<Code>: <Message>". Hint, when
// set, tells the user how to fix the setup (configure or install a model);
// it is appended to the message after a blank-separated "zerostack:".
type Error struct {
	Code    int
	Message string
	Hint    string
	// Err is the underlying cause (a provider's error), if any.
	Err error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%d: %s", e.Code, e.Message)
	if e.Hint != "" {
		s += " (zerostack: " + e.Hint + ")"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// ErrUnsupported is returned by a [Provider] for a task it does not serve.
var ErrUnsupported = errors.New("ai: task not supported by this provider")

func invalid(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidInput, Message: "Error: " + fmt.Sprintf(format, args...)}
}

// noSuchModel is Workers AI's error for an id it does not know.
func noSuchModel(id string) *Error {
	return &Error{Code: CodeNoSuchModel, Message: fmt.Sprintf("No such model %s or task", id),
		Hint: "`zerostack ai models` lists the ids it knows; map other ids to a provider in zerostack.toml under [ai.models.\"<id>\"]"}
}
