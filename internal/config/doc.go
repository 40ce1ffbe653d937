// Package config loads a Worker's configuration from the files wrangler
// reads — wrangler.toml, wrangler.json or wrangler.jsonc, plus the
// .dev.vars / .env secrets next to them — and resolves it into a [Worker]
// for `zerostack dev` and the other commands.
//
// The schema is Cloudflare's (https://developers.cloudflare.com/workers/wrangler/configuration/),
// and the rules follow wrangler's behaviour:
//
//   - [Find] picks wrangler.json, then wrangler.jsonc, then wrangler.toml in
//     a directory, walking up to its parents (nearest directory wins).
//   - [Load] applies an [env.NAME] section with wrangler's inheritance rules
//     (see [Load]); the Worker name becomes "<name>-<env>".
//   - Unknown keys are warnings ([Warning], with file and line), in
//     wrangler's words ("Unexpected fields found in top-level field"); keys
//     wrangler knows but zerostack does not act on are accepted with a
//     warning. Malformed files and wrong types are errors ([*Error], with
//     file, line and column).
//   - Binding names must be unique across all binding kinds and vars.
//
// Zerostack extensions, which wrangler would warn about but otherwise
// ignore: limits.memory_mb, the isolate heap limit in MiB (default
// [DefaultMemoryMB]).
//
// File formats are parsed by the subpackage wrangler into a position-aware
// tree; this package decodes and validates that tree.
package config
