package ai

import (
	"bytes"
	"encoding/json"
	"math"
)

// Message is one chat message of a text-generation input.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	// Name and ToolCallID are passed through for tool results.
	Name       string `json:"name,omitempty"`
	ToolCallID string `json:"tool_call_id,omitempty"`
}

// Tool is a function the model may call, in either of Cloudflare's two
// shapes ({name, description, parameters} or {type: "function", function:
// {...}}), normalised to the first.
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

// ToolCall is a call the model asked for; Arguments is a JSON object.
type ToolCall struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// GenerateRequest is a validated text-generation input.
type GenerateRequest struct {
	// Model is the provider's model name (the route's target; "" = the
	// provider's default).
	Model string
	// ModelID is the Workers AI id that was called; a provider with no
	// model name at all sends it as the model.
	ModelID  string
	Prompt   string    // set when the input had prompt
	Messages []Message // set when the input had messages
	Raw      bool      // prompt without the model's chat template

	MaxTokens         int
	Temperature       *float64
	TopP              *float64
	TopK              *int
	Seed              *int64
	RepetitionPenalty *float64
	FrequencyPenalty  *float64
	PresencePenalty   *float64
	Stream            bool
	Tools             []Tool
}

// DefaultMaxTokens is Workers AI's max_tokens when the input sets none.
const DefaultMaxTokens = 256

// maxPromptChars bounds prompt and message text (Cloudflare's schemas cap
// prompt at 131072 characters).
const maxPromptChars = 131072

// object decodes raw as a JSON object, keeping member order irrelevant.
func object(raw []byte) (map[string]json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil, invalid("Type mismatch of '/', '%s' not in 'object'", jsonType(raw))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, invalid("invalid JSON input: %v", err)
	}
	return m, nil
}

func jsonType(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "undefined"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	var f float64
	if json.Unmarshal(raw, &f) == nil {
		if f == math.Trunc(f) {
			return "integer"
		}
		return "number"
	}
	return "unknown"
}

func typeMismatch(key string, raw json.RawMessage, want string) *Error {
	return invalid("Type mismatch of '/%s', '%s' not in '%s'", key, jsonType(raw), want)
}

func getString(m map[string]json.RawMessage, key string) (string, bool, error) {
	raw, ok := m[key]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false, typeMismatch(key, raw, "string")
	}
	return s, true, nil
}

func getNumber(m map[string]json.RawMessage, key string, lo, hi float64) (*float64, error) {
	raw, ok := m[key]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		return nil, typeMismatch(key, raw, "number")
	}
	if f < lo {
		return nil, invalid("must be >= %v at '/%s'", lo, key)
	}
	if f > hi {
		return nil, invalid("must be <= %v at '/%s'", hi, key)
	}
	return &f, nil
}

func getInt(m map[string]json.RawMessage, key string, lo, hi float64) (*int64, error) {
	raw, ok := m[key]
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil || f != math.Trunc(f) {
		return nil, typeMismatch(key, raw, "integer")
	}
	if f < lo {
		return nil, invalid("must be >= %v at '/%s'", lo, key)
	}
	if f > hi {
		return nil, invalid("must be <= %v at '/%s'", hi, key)
	}
	i := int64(f)
	return &i, nil
}

func getBool(m map[string]json.RawMessage, key string) (bool, error) {
	raw, ok := m[key]
	if !ok || string(raw) == "null" {
		return false, nil
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		return false, typeMismatch(key, raw, "boolean")
	}
	return b, nil
}

// ParseGenerate validates a text-generation input as Workers AI's schema
// for chat models does: exactly one of prompt (a non-empty string) or
// messages (an array of {role, content}), and the sampling options in
// Cloudflare's ranges.
func ParseGenerate(raw []byte) (*GenerateRequest, error) {
	m, err := object(raw)
	if err != nil {
		return nil, err
	}
	r := &GenerateRequest{MaxTokens: DefaultMaxTokens}
	prompt, hasPrompt, err := getString(m, "prompt")
	if err != nil {
		return nil, err
	}
	msgRaw, hasMsgs := m["messages"]
	if hasMsgs && string(msgRaw) == "null" {
		hasMsgs = false
	}
	switch {
	case hasPrompt && hasMsgs:
		return nil, invalid("oneOf at '/' not met, 2 matches: give either prompt or messages, not both")
	case !hasPrompt && !hasMsgs:
		return nil, invalid("oneOf at '/' not met, 0 matches: required properties at '/' are 'prompt'; required properties at '/' are 'messages'")
	case hasPrompt:
		if len(prompt) == 0 {
			return nil, invalid("String too short at '/prompt': must have at least 1 character")
		}
		if len(prompt) > maxPromptChars {
			return nil, invalid("String too long at '/prompt': must have at most %d characters", maxPromptChars)
		}
		r.Prompt = prompt
	default:
		var msgs []json.RawMessage
		if json.Unmarshal(msgRaw, &msgs) != nil {
			return nil, typeMismatch("messages", msgRaw, "array")
		}
		if len(msgs) == 0 {
			return nil, invalid("Array too short at '/messages': must have at least 1 item")
		}
		total := 0
		for i, mr := range msgs {
			mm, err := object(mr)
			if err != nil {
				return nil, invalid("Type mismatch of '/messages/%d', '%s' not in 'object'", i, jsonType(mr))
			}
			var msg Message
			var ok bool
			if msg.Role, ok, err = getString(mm, "role"); err != nil || !ok {
				return nil, invalid("required properties at '/messages/%d' are 'role', 'content'", i)
			}
			if msg.Content, ok, err = getString(mm, "content"); err != nil {
				return nil, invalid("Type mismatch of '/messages/%d/content', '%s' not in 'string'", i, jsonType(mm["content"]))
			} else if !ok && msg.Role != "assistant" {
				return nil, invalid("required properties at '/messages/%d' are 'role', 'content'", i)
			}
			msg.Name, _, _ = getString(mm, "name")
			msg.ToolCallID, _, _ = getString(mm, "tool_call_id")
			total += len(msg.Content)
			r.Messages = append(r.Messages, msg)
		}
		if total > maxPromptChars {
			return nil, invalid("messages too long: at most %d characters in all", maxPromptChars)
		}
	}
	if r.Raw, err = getBool(m, "raw"); err != nil {
		return nil, err
	}
	if r.Stream, err = getBool(m, "stream"); err != nil {
		return nil, err
	}
	if n, err := getInt(m, "max_tokens", 1, 1<<20); err != nil {
		return nil, err
	} else if n != nil {
		r.MaxTokens = int(*n)
	}
	if r.Temperature, err = getNumber(m, "temperature", 0, 5); err != nil {
		return nil, err
	}
	if r.TopP, err = getNumber(m, "top_p", 0, 2); err != nil {
		return nil, err
	}
	if k, err := getInt(m, "top_k", 1, 50); err != nil {
		return nil, err
	} else if k != nil {
		v := int(*k)
		r.TopK = &v
	}
	if r.Seed, err = getInt(m, "seed", 1, 9999999999); err != nil {
		return nil, err
	}
	if r.RepetitionPenalty, err = getNumber(m, "repetition_penalty", 0, 2); err != nil {
		return nil, err
	}
	if r.FrequencyPenalty, err = getNumber(m, "frequency_penalty", -2, 2); err != nil {
		return nil, err
	}
	if r.PresencePenalty, err = getNumber(m, "presence_penalty", -2, 2); err != nil {
		return nil, err
	}
	if tr, ok := m["tools"]; ok && string(tr) != "null" {
		var tools []json.RawMessage
		if json.Unmarshal(tr, &tools) != nil {
			return nil, typeMismatch("tools", tr, "array")
		}
		for i, t := range tools {
			var shape struct {
				Type     string `json:"type"`
				Function *Tool  `json:"function"`
				Tool
			}
			if json.Unmarshal(t, &shape) != nil {
				return nil, invalid("Type mismatch of '/tools/%d', '%s' not in 'object'", i, jsonType(t))
			}
			tool := shape.Tool
			if shape.Function != nil {
				tool = *shape.Function
			}
			if tool.Name == "" {
				return nil, invalid("required properties at '/tools/%d' are 'name', 'description', 'parameters'", i)
			}
			r.Tools = append(r.Tools, tool)
		}
	}
	return r, nil
}

// ParseEmbed validates a text-embeddings input, {text: string | string[]},
// and returns the texts (1 to 100 of them, as Cloudflare's bge schema
// allows).
func ParseEmbed(raw []byte) ([]string, error) {
	m, err := object(raw)
	if err != nil {
		return nil, err
	}
	tr, ok := m["text"]
	if !ok || string(tr) == "null" {
		return nil, invalid("required properties at '/' are 'text'")
	}
	var one string
	if json.Unmarshal(tr, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if json.Unmarshal(tr, &many) != nil {
		return nil, invalid("oneOf at '/text' not met: Type mismatch of '/text', '%s' not in 'string' or 'array' of strings", jsonType(tr))
	}
	if len(many) == 0 {
		return nil, invalid("Array too short at '/text': must have at least 1 item")
	}
	if len(many) > 100 {
		return nil, invalid("Array too long at '/text': must have at most 100 items")
	}
	return many, nil
}

// ParseClassify validates a text-classification input, {text: string}.
func ParseClassify(raw []byte) (string, error) {
	m, err := object(raw)
	if err != nil {
		return "", err
	}
	s, ok, err := getString(m, "text")
	if err != nil {
		return "", err
	}
	if !ok {
		return "", invalid("required properties at '/' are 'text'")
	}
	if s == "" {
		return "", invalid("String too short at '/text': must have at least 1 character")
	}
	return s, nil
}

// SummarizeRequest is a summarization input.
type SummarizeRequest struct {
	InputText string
	MaxLength int
}

// ParseSummarize validates {input_text, max_length?} (bart-large-cnn).
func ParseSummarize(raw []byte) (*SummarizeRequest, error) {
	m, err := object(raw)
	if err != nil {
		return nil, err
	}
	s, ok, err := getString(m, "input_text")
	if err != nil {
		return nil, err
	}
	if !ok || s == "" {
		return nil, invalid("required properties at '/' are 'input_text'")
	}
	r := &SummarizeRequest{InputText: s, MaxLength: 1024}
	if n, err := getInt(m, "max_length", 1, 1<<16); err != nil {
		return nil, err
	} else if n != nil {
		r.MaxLength = int(*n)
	}
	return r, nil
}

// TranslateRequest is a translation input.
type TranslateRequest struct {
	Text, SourceLang, TargetLang string
}

// ParseTranslate validates {text, target_lang, source_lang?} (m2m100;
// source_lang defaults to "en" as Cloudflare's does).
func ParseTranslate(raw []byte) (*TranslateRequest, error) {
	m, err := object(raw)
	if err != nil {
		return nil, err
	}
	var r TranslateRequest
	var ok, ok2 bool
	if r.Text, ok, err = getString(m, "text"); err != nil {
		return nil, err
	}
	if r.TargetLang, ok2, err = getString(m, "target_lang"); err != nil {
		return nil, err
	}
	if !ok || !ok2 {
		return nil, invalid("required properties at '/' are 'text', 'target_lang'")
	}
	if r.SourceLang, ok, err = getString(m, "source_lang"); err != nil {
		return nil, err
	} else if !ok {
		r.SourceLang = "en"
	}
	return &r, nil
}

// ParseImage validates a text-to-image input (Stable Diffusion's schema:
// prompt, negative_prompt, width and height 256-2048, num_steps up to 20,
// seed).
func ParseImage(raw []byte) (*ImageRequest, error) {
	m, err := object(raw)
	if err != nil {
		return nil, err
	}
	r := &ImageRequest{Width: 1024, Height: 1024, Steps: 20}
	var ok bool
	if r.Prompt, ok, err = getString(m, "prompt"); err != nil {
		return nil, err
	} else if !ok || r.Prompt == "" {
		return nil, invalid("required properties at '/' are 'prompt'")
	}
	if r.NegativePrompt, _, err = getString(m, "negative_prompt"); err != nil {
		return nil, err
	}
	for key, dst := range map[string]*int{"width": &r.Width, "height": &r.Height} {
		if n, err := getInt(m, key, 256, 2048); err != nil {
			return nil, err
		} else if n != nil {
			*dst = int(*n)
		}
	}
	if n, err := getInt(m, "num_steps", 1, 20); err != nil {
		return nil, err
	} else if n != nil {
		r.Steps = int(*n)
	}
	if r.Seed, err = getInt(m, "seed", 0, 1<<53); err != nil {
		return nil, err
	}
	return r, nil
}

// ParseAudio validates a speech-recognition input, {audio: number[]} (the
// bytes of an audio file).
func ParseAudio(raw []byte) ([]byte, error) {
	m, err := object(raw)
	if err != nil {
		return nil, err
	}
	ar, ok := m["audio"]
	if !ok {
		return nil, invalid("required properties at '/' are 'audio'")
	}
	var nums []int
	if json.Unmarshal(ar, &nums) != nil {
		return nil, typeMismatch("audio", ar, "array")
	}
	out := make([]byte, len(nums))
	for i, n := range nums {
		if n < 0 || n > 255 {
			return nil, invalid("must be <= 255 at '/audio/%d'", i)
		}
		out[i] = byte(n)
	}
	if len(out) == 0 {
		return nil, invalid("Array too short at '/audio': must have at least 1 item")
	}
	return out, nil
}
