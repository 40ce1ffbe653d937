// Package pages serves Cloudflare Pages projects and Workers static assets
// the way Cloudflare does, in plain Go (no JavaScript engine):
//
//   - [Server] is the static asset server: an http.Handler over a
//     directory held in memory, with Cloudflare's html_handling
//     (auto-trailing-slash, force-trailing-slash, drop-trailing-slash, none),
//     not_found_handling (404-page, single-page-application, none), the
//     Pages defaults, strong ETags with If-None-Match, Range, gzip and brotli
//     variants made once per file, and Cloudflare's Cache-Control;
//   - [ParseHeaders] and [ParseRedirects] read _headers and _redirects with
//     wrangler's limits and messages for invalid lines, and match requests
//     against their rules (splats, :placeholders, "!" to detach headers,
//     200 rewrites);
//   - [ParseRoutes] reads _routes.json (which paths invoke Functions);
//   - [ScanFunctions] reads a functions/ directory into routes (file paths
//     turned into route paths as wrangler's Functions builder does), and
//     [EntrySource] writes the worker module that imports them and routes
//     requests as Pages does (routes from each module's onRequest* exports,
//     ordered by wrangler's specificity rules, middleware chains with
//     context.next(), env.ASSETS for the static files; js/functions.js);
//     internal/worker bundles it.
//
// # Compression
//
// Static assets are sent gzip- or brotli-encoded when the client accepts
// it and the type is compressible, as Cloudflare's edge does. Responses of
// Functions, of a _worker.js and of Workers are sent as the code made them,
// and so is what env.ASSETS.fetch() returns to a Function (the binding asks
// for the file's own bytes, so that code may read them): on Cloudflare the
// edge proxy compresses text types of those responses too, per the
// client's Accept-Encoding, but `wrangler pages dev` and `wrangler dev` do
// not, and zerostack's development servers follow wrangler here (the
// response a developer inspects is the one the code made; compressing
// every dynamic response would also cost CPU on each request). Headers and
// body of a response whose code set Content-Encoding pass through as they
// are.
//
// Behaviour follows Cloudflare's asset worker and wrangler (workers-sdk's
// workers-shared and pages packages, read in 2026); where this package
// decides something they leave open, the comment at that place says so.
package pages
