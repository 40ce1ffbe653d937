// Package ai is zerostack's Cloudflare Workers AI: the service behind a
// worker's env.AI binding (`[ai] binding = "AI"` in wrangler.toml), in plain
// Go with no knowledge of the JavaScript engine.
//
// It holds the catalogue of Workers AI model ids with their task types
// ([Catalog], [Lookup]), validates inputs as Workers AI does and reports
// problems as its errors do ([Error]: "5007: No such model ..."), and routes
// each model id to a [Provider] that runs it on the user's own hardware:
//
//   - "openai": any OpenAI-compatible HTTP server (Ollama, vLLM, llama.cpp's
//     server, LocalAI, OpenAI) for text generation, with streaming, retries on
//     429 and 5xx, timeouts and a concurrency limit ([NewOpenAI]);
//   - "embedded": a sentence encoder that runs inside zerostack with no
//     setup (Universal Sentence Encoder Lite, 512 dimensions; see
//     [NewEmbedded]) for the embedding model ids, and for text classification
//     by nearest centroid over label descriptions;
//   - "llama": GGUF models through llama.cpp's shared libraries (package
//     ai/llama), run in a zerostack-llama child process ([StartLlama]) so
//     that llama.cpp never shares a process with V8.
//
// Which provider serves which id comes from zerostack's own configuration,
// zerostack.toml next to wrangler.toml ([LoadConfig]), and the flags of
// `zerostack dev`, over sensible defaults (see [Config]). A [Service] ties
// the configuration, providers and per-model [Usage] accounting together;
// internal/binding adapts it to JavaScript and `zerostack ai` to the shell.
//
// Dimensions: the embedded encoder returns 512 numbers per text, where
// Cloudflare's @cf/baai/bge-base-en-v1.5 returns 768. Code that only
// compares vectors from the same model works unchanged; a Vectorize index
// created for 768 dimensions must be created for 512 instead, or the bge ids
// mapped to an OpenAI-compatible server that serves a bge model.
package ai
