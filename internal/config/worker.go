package config

import "slices"

// Worker is one resolved Worker: the configuration file with the selected
// environment applied, defaults filled in, relative paths made absolute and
// dev secrets loaded. Fields are named after the Go meaning; the JSON tags
// carry wrangler's key names (the golden tests dump a Worker as JSON).
//
// A Worker is plain data: safe to read from many goroutines, never modified
// by this package after [Load] returns.
type Worker struct {
	// Dir is the absolute directory of the config file; relative paths in
	// the config are resolved against it.
	Dir string `json:"dir"`
	// File is the absolute path of the config file.
	File string `json:"file"`
	// Env is the environment that was applied ("" = top level).
	Env string `json:"env,omitempty"`

	// Name is the Worker name. With an environment selected and no name of
	// its own, it is "<top-level name>-<env>", as wrangler names it.
	Name string `json:"name"`
	// Main is the absolute path of the entry module, or "" if the config
	// has none (an assets-only Worker).
	Main               string   `json:"main"`
	CompatibilityDate  string   `json:"compatibility_date"`  // YYYY-MM-DD, or ""
	CompatibilityFlags []string `json:"compatibility_flags"` // never nil
	AccountID          string   `json:"account_id,omitempty"`

	// Vars are the plain-text and JSON variables ([vars]): values are nil,
	// bool, int64, float64, string, []any or map[string]any. A var whose
	// name is also a secret is removed here (the secret wins). Never nil.
	Vars map[string]any `json:"vars"`
	// Secrets are the dev secrets read from .dev.vars or .env files (see
	// [Load]); the runtime exposes them as strings. Never nil.
	Secrets map[string]string `json:"secrets"`
	// SecretsFiles lists the secret files that were read, in order.
	SecretsFiles []string `json:"secrets_files,omitempty"`
	// RequiredSecrets is secrets.required: names that must be provided.
	RequiredSecrets []string `json:"required_secrets,omitempty"`

	Limits   Limits   `json:"limits"`
	Dev      Dev      `json:"dev"`
	Triggers Triggers `json:"triggers"`
	// Routes holds routes, or the single route; nil when neither is set.
	Routes []Route `json:"routes,omitempty"`
	// WorkersDev is workers_dev; nil when not set.
	WorkersDev  *bool `json:"workers_dev,omitempty"`
	PreviewURLs *bool `json:"preview_urls,omitempty"`
	// Assets is [assets]; nil when not configured. Directory is absolute.
	Assets *Assets `json:"assets,omitempty"`
	// Site is the legacy Workers Sites [site]; nil when not configured.
	Site  *Site  `json:"site,omitempty"`
	Build Build  `json:"build"`
	Rules []Rule `json:"rules,omitempty"`
	// TSConfig is the absolute path of tsconfig, or "".
	TSConfig string `json:"tsconfig,omitempty"`
	// BaseDir is the absolute base_dir, or "".
	BaseDir               string            `json:"base_dir,omitempty"`
	Define                map[string]string `json:"define,omitempty"`
	Alias                 map[string]string `json:"alias,omitempty"`
	Minify                bool              `json:"minify,omitempty"`
	NoBundle              bool              `json:"no_bundle,omitempty"`
	KeepNames             *bool             `json:"keep_names,omitempty"`
	FindAdditionalModules bool              `json:"find_additional_modules,omitempty"`
	PreserveFileNames     bool              `json:"preserve_file_names,omitempty"`
	JSXFactory            string            `json:"jsx_factory,omitempty"`
	JSXFragment           string            `json:"jsx_fragment,omitempty"`
	UploadSourceMaps      bool              `json:"upload_source_maps,omitempty"`
	KeepVars              bool              `json:"keep_vars,omitempty"`
	Logpush               bool              `json:"logpush,omitempty"`
	UsageModel            string            `json:"usage_model,omitempty"`
	// NodeCompat is the legacy node_compat flag (removed in wrangler v4 in
	// favour of the nodejs_compat compatibility flag; see [Worker.NodeJSCompat]).
	NodeCompat          bool              `json:"node_compat,omitempty"`
	Observability       *Observability    `json:"observability,omitempty"`
	Placement           *Placement        `json:"placement,omitempty"`
	TailConsumers       []TailConsumer    `json:"tail_consumers,omitempty"`
	PagesBuildOutputDir string            `json:"pages_build_output_dir,omitempty"` // absolute
	ComplianceRegion    string            `json:"compliance_region,omitempty"`
	Unsafe              map[string]any    `json:"unsafe,omitempty"`
	TextBlobs           map[string]string `json:"text_blobs,omitempty"`   // binding → absolute path
	DataBlobs           map[string]string `json:"data_blobs,omitempty"`   // binding → absolute path
	WasmModules         map[string]string `json:"wasm_modules,omitempty"` // binding → absolute path

	// Bindings. Each slice is empty (nil) when the kind is not configured.
	KVNamespaces       []KVNamespace            `json:"kv_namespaces,omitempty"`
	D1Databases        []D1Database             `json:"d1_databases,omitempty"`
	R2Buckets          []R2Bucket               `json:"r2_buckets,omitempty"`
	Queues             Queues                   `json:"queues"`
	DurableObjects     DurableObjects           `json:"durable_objects"`
	Migrations         []Migration              `json:"migrations,omitempty"`
	Vectorize          []Vectorize              `json:"vectorize,omitempty"`
	AI                 *AI                      `json:"ai,omitempty"`
	AnalyticsEngine    []AnalyticsEngineDataset `json:"analytics_engine_datasets,omitempty"`
	Browser            *Browser                 `json:"browser,omitempty"`
	SendEmail          []SendEmail              `json:"send_email,omitempty"`
	Services           []Service                `json:"services,omitempty"`
	Hyperdrive         []Hyperdrive             `json:"hyperdrive,omitempty"`
	Workflows          []Workflow               `json:"workflows,omitempty"`
	DispatchNamespaces []DispatchNamespace      `json:"dispatch_namespaces,omitempty"`
	MTLSCertificates   []MTLSCertificate        `json:"mtls_certificates,omitempty"`
	VersionMetadata    *VersionMetadata         `json:"version_metadata,omitempty"`
}

// HasFlag reports whether name is among the compatibility flags.
func (w *Worker) HasFlag(name string) bool {
	return slices.Contains(w.CompatibilityFlags, name)
}

// NodeJSCompat reports whether the Worker gets the Node.js built-in
// modules: the nodejs_compat (or nodejs_compat_v2, or legacy node_compat)
// flag, or a compatibility date of 2026-08-04 or later, from which workerd
// enables them by default unless no_nodejs_compat turns them off
// (Cloudflare's changelog "Node.js compatibility is now enabled by
// default", 2026-08-04).
func (w *Worker) NodeJSCompat() bool {
	if w.HasFlag("nodejs_compat") || w.HasFlag("nodejs_compat_v2") || w.NodeCompat {
		return true
	}
	return w.CompatibilityDate >= NodeJSCompatDefaultDate && !w.HasFlag("no_nodejs_compat")
}

// NodeJSCompatDefaultDate is the compatibility date from which nodejs_compat
// is on by default.
const NodeJSCompatDefaultDate = "2026-08-04"

// Defaults applied by [Load].
const (
	// DefaultMemoryMB is the isolate heap limit when limits.memory_mb is unset.
	DefaultMemoryMB = 128
	// DefaultDevPort is the port `zerostack dev` uses when dev.port is unset.
	DefaultDevPort = 8787
	// DefaultDevIP is dev.ip when unset.
	DefaultDevIP = "localhost"
)

// Limits is [limits].
type Limits struct {
	// CPUMillis is cpu_ms: CPU time per event; 0 = the platform default.
	CPUMillis int `json:"cpu_ms"`
	// Subrequests is subrequests: outbound fetches per event; 0 = default.
	Subrequests int `json:"subrequests,omitempty"`
	// MemoryMB is memory_mb, a zerostack extension (Cloudflare fixes
	// 128 MB): the isolate heap limit. [Load] sets [DefaultMemoryMB] when unset.
	MemoryMB int `json:"memory_mb"`
}

// Dev is [dev], the settings of the local dev server.
type Dev struct {
	// IP to listen on; [Load] sets [DefaultDevIP] when unset.
	IP string `json:"ip"`
	// Port to listen on; 0 means not configured (the CLI uses
	// [DefaultDevPort], or a free port if that one is taken, as wrangler does).
	Port int `json:"port,omitempty"`
	// LocalProtocol is "http" (default) or "https".
	LocalProtocol string `json:"local_protocol"`
	// UpstreamProtocol is "http" or "https"; "" when unset.
	UpstreamProtocol string `json:"upstream_protocol,omitempty"`
	// Host forwards requests to this host instead of the Worker's zone.
	Host          string `json:"host,omitempty"`
	InspectorPort int    `json:"inspector_port,omitempty"`
	InspectorIP   string `json:"inspector_ip,omitempty"`
}

// Triggers is [triggers].
type Triggers struct {
	// Crons are cron expressions for scheduled events.
	Crons []string `json:"crons,omitempty"`
}

// Route is one entry of routes (or the single route). A plain string in the
// file becomes a Route with only Pattern set.
type Route struct {
	Pattern      string `json:"pattern" wrangler:"required"`
	ZoneID       string `json:"zone_id,omitempty"`
	ZoneName     string `json:"zone_name,omitempty"`
	CustomDomain bool   `json:"custom_domain,omitempty"`
}

// Assets is [assets], Workers static assets.
type Assets struct {
	// Directory is the absolute assets directory.
	Directory string `json:"directory" wrangler:"required"`
	// Binding exposes the assets to the Worker as env.<Binding>; "" = none.
	Binding string `json:"binding,omitempty"`
	// NotFoundHandling is "none" (default), "404-page" or
	// "single-page-application".
	NotFoundHandling string `json:"not_found_handling"`
	// HTMLHandling is "auto-trailing-slash" (default),
	// "force-trailing-slash", "drop-trailing-slash" or "none".
	HTMLHandling string `json:"html_handling"`
	// RunWorkerFirst is run_worker_first: true/false, or route patterns
	// (with "!" negations) for which the Worker runs before assets.
	RunWorkerFirst RunWorkerFirst `json:"run_worker_first"`
}

// RunWorkerFirst is assets.run_worker_first, which is either a boolean or
// a list of route patterns. Patterns is non-nil only in the list form.
type RunWorkerFirst struct {
	All      bool
	Patterns []string
}

// Site is the legacy Workers Sites [site].
type Site struct {
	// Bucket is the absolute directory of the site's files.
	Bucket  string   `json:"bucket" wrangler:"required"`
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
}

// Build is [build], a custom build step run before bundling.
type Build struct {
	Command string `json:"command,omitempty"`
	// Cwd is the absolute working directory of Command (default: Dir).
	Cwd string `json:"cwd,omitempty"`
	// WatchDir lists absolute directories to watch (default: Dir/src when
	// Command is set).
	WatchDir StringList `json:"watch_dir,omitempty"`
}

// StringList is a list of strings that the file may also give as one string.
type StringList []string

// Rule is one entry of rules: which imported files become which module type.
type Rule struct {
	// Type is ESModule, CommonJS, CompiledWasm, Text, Data, PythonModule or
	// PythonRequirement.
	Type        string   `json:"type" wrangler:"required"`
	Globs       []string `json:"globs" wrangler:"required"`
	Fallthrough bool     `json:"fallthrough,omitempty"`
}

// Observability is [observability].
type Observability struct {
	Enabled          *bool                `json:"enabled,omitempty"`
	HeadSamplingRate *float64             `json:"head_sampling_rate,omitempty"`
	Logs             *ObservabilitySignal `json:"logs,omitempty"`
	Traces           *ObservabilitySignal `json:"traces,omitempty"`
}

// ObservabilitySignal is observability.logs or observability.traces.
type ObservabilitySignal struct {
	Enabled          *bool    `json:"enabled,omitempty"`
	HeadSamplingRate *float64 `json:"head_sampling_rate,omitempty"`
	InvocationLogs   *bool    `json:"invocation_logs,omitempty"`
	Persist          *bool    `json:"persist,omitempty"`
	Destinations     []string `json:"destinations,omitempty"`
}

// Placement is [placement] (Smart Placement or an explicit location).
type Placement struct {
	Mode     string `json:"mode,omitempty"` // "off" or "smart"
	Hint     string `json:"hint,omitempty"`
	Region   string `json:"region,omitempty"`
	Host     string `json:"host,omitempty"`
	Hostname string `json:"hostname,omitempty"`
}

// TailConsumer is one entry of tail_consumers.
type TailConsumer struct {
	Service     string `json:"service" wrangler:"required"`
	Environment string `json:"environment,omitempty"`
}

// KVNamespace is one entry of kv_namespaces.
type KVNamespace struct {
	Binding   string `json:"binding" wrangler:"required"`
	ID        string `json:"id,omitempty"`
	PreviewID string `json:"preview_id,omitempty"`
	Remote    bool   `json:"remote,omitempty"`
}

// D1Database is one entry of d1_databases.
type D1Database struct {
	Binding           string `json:"binding" wrangler:"required"`
	DatabaseName      string `json:"database_name,omitempty"`
	DatabaseID        string `json:"database_id,omitempty"`
	PreviewDatabaseID string `json:"preview_database_id,omitempty"`
	// MigrationsDir is the absolute migrations directory (default
	// Dir/migrations).
	MigrationsDir string `json:"migrations_dir"`
	// MigrationsTable defaults to "d1_migrations".
	MigrationsTable string `json:"migrations_table"`
	Remote          bool   `json:"remote,omitempty"`
}

// R2Bucket is one entry of r2_buckets.
type R2Bucket struct {
	Binding           string `json:"binding" wrangler:"required"`
	BucketName        string `json:"bucket_name,omitempty"`
	PreviewBucketName string `json:"preview_bucket_name,omitempty"`
	Jurisdiction      string `json:"jurisdiction,omitempty"`
	Remote            bool   `json:"remote,omitempty"`
}

// Queues is [queues].
type Queues struct {
	Producers []QueueProducer `json:"producers,omitempty"`
	Consumers []QueueConsumer `json:"consumers,omitempty"`
}

// QueueProducer is one entry of queues.producers.
type QueueProducer struct {
	Binding string `json:"binding" wrangler:"required"`
	Queue   string `json:"queue" wrangler:"required"`
	// DeliveryDelay is delivery_delay in seconds.
	DeliveryDelay int  `json:"delivery_delay,omitempty"`
	Remote        bool `json:"remote,omitempty"`
}

// QueueConsumer is one entry of queues.consumers. [Load] fills the
// documented defaults.
type QueueConsumer struct {
	Queue string `json:"queue" wrangler:"required"`
	// Type is "worker" (push) or "http_pull"; "" = worker.
	Type            string `json:"type,omitempty"`
	MaxBatchSize    int    `json:"max_batch_size"`    // default 10
	MaxBatchTimeout int    `json:"max_batch_timeout"` // seconds, default 5
	MaxRetries      int    `json:"max_retries"`       // default 3
	DeadLetterQueue string `json:"dead_letter_queue,omitempty"`
	// MaxConcurrency is max_concurrency; nil = automatic scaling.
	MaxConcurrency *int `json:"max_concurrency,omitempty"`
	// RetryDelay is retry_delay in seconds.
	RetryDelay          int `json:"retry_delay,omitempty"`
	VisibilityTimeoutMS int `json:"visibility_timeout_ms,omitempty"`
}

// Queue consumer defaults (Cloudflare's).
const (
	DefaultMaxBatchSize    = 10
	DefaultMaxBatchTimeout = 5
	DefaultMaxRetries      = 3
)

// DurableObjects is [durable_objects].
type DurableObjects struct {
	Bindings []DurableObjectBinding `json:"bindings,omitempty"`
}

// DurableObjectBinding is one entry of durable_objects.bindings.
type DurableObjectBinding struct {
	Name      string `json:"name" wrangler:"required"`
	ClassName string `json:"class_name" wrangler:"required"`
	// ScriptName names another Worker that defines the class; "" = this one.
	ScriptName  string `json:"script_name,omitempty"`
	Environment string `json:"environment,omitempty"`
}

// Migration is one entry of migrations (Durable Object class migrations).
type Migration struct {
	Tag                string             `json:"tag" wrangler:"required"`
	NewClasses         []string           `json:"new_classes,omitempty"`
	NewSQLiteClasses   []string           `json:"new_sqlite_classes,omitempty"`
	RenamedClasses     []RenamedClass     `json:"renamed_classes,omitempty"`
	DeletedClasses     []string           `json:"deleted_classes,omitempty"`
	TransferredClasses []TransferredClass `json:"transferred_classes,omitempty"`
}

// RenamedClass is one entry of migrations[].renamed_classes.
type RenamedClass struct {
	From string `json:"from" wrangler:"required"`
	To   string `json:"to" wrangler:"required"`
}

// TransferredClass is one entry of migrations[].transferred_classes.
type TransferredClass struct {
	From       string `json:"from" wrangler:"required"`
	FromScript string `json:"from_script" wrangler:"required"`
	To         string `json:"to" wrangler:"required"`
}

// Vectorize is one entry of vectorize.
type Vectorize struct {
	Binding   string `json:"binding" wrangler:"required"`
	IndexName string `json:"index_name" wrangler:"required"`
	Remote    bool   `json:"remote,omitempty"`
	// ReturnMetadataDefault is a zerostack extension (wrangler ignores it
	// with a warning): the returnMetadata a query gets when it passes none,
	// "none", "indexed" or "all". Cloudflare's default is "none"; "all" lets
	// programs that read match.metadata without asking for it (as the
	// guide's do) run unchanged.
	ReturnMetadataDefault string `json:"return_metadata_default,omitempty"`
}

// AI is [ai], the Workers AI binding.
type AI struct {
	Binding string `json:"binding" wrangler:"required"`
	Staging bool   `json:"staging,omitempty"`
	Remote  bool   `json:"remote,omitempty"`
}

// AnalyticsEngineDataset is one entry of analytics_engine_datasets.
type AnalyticsEngineDataset struct {
	Binding string `json:"binding" wrangler:"required"`
	// Dataset defaults to the binding name on Cloudflare; "" here = unset.
	Dataset string `json:"dataset,omitempty"`
}

// Browser is [browser], the Browser Rendering binding.
type Browser struct {
	Binding string `json:"binding" wrangler:"required"`
	Remote  bool   `json:"remote,omitempty"`
}

// SendEmail is one entry of send_email.
type SendEmail struct {
	Name                        string   `json:"name" wrangler:"required"`
	DestinationAddress          string   `json:"destination_address,omitempty"`
	AllowedDestinationAddresses []string `json:"allowed_destination_addresses,omitempty"`
	AllowedSenderAddresses      []string `json:"allowed_sender_addresses,omitempty"`
	Remote                      bool     `json:"remote,omitempty"`
}

// Service is one entry of services (a service binding to another Worker).
type Service struct {
	Binding     string         `json:"binding" wrangler:"required"`
	Service     string         `json:"service" wrangler:"required"`
	Environment string         `json:"environment,omitempty"`
	Entrypoint  string         `json:"entrypoint,omitempty"`
	Props       map[string]any `json:"props,omitempty"`
	Remote      bool           `json:"remote,omitempty"`
}

// Hyperdrive is one entry of hyperdrive.
type Hyperdrive struct {
	Binding string `json:"binding" wrangler:"required"`
	ID      string `json:"id,omitempty"`
	// LocalConnectionString is the database URL used in local dev.
	LocalConnectionString string `json:"localConnectionString,omitempty"`
}

// Workflow is one entry of workflows.
type Workflow struct {
	Binding    string `json:"binding" wrangler:"required"`
	Name       string `json:"name" wrangler:"required"`
	ClassName  string `json:"class_name" wrangler:"required"`
	ScriptName string `json:"script_name,omitempty"`
	Remote     bool   `json:"remote,omitempty"`
}

// DispatchNamespace is one entry of dispatch_namespaces (Workers for
// Platforms).
type DispatchNamespace struct {
	Binding   string                     `json:"binding" wrangler:"required"`
	Namespace string                     `json:"namespace" wrangler:"required"`
	Outbound  *DispatchNamespaceOutbound `json:"outbound,omitempty"`
	Remote    bool                       `json:"remote,omitempty"`
}

// DispatchNamespaceOutbound is dispatch_namespaces[].outbound.
type DispatchNamespaceOutbound struct {
	Service     string   `json:"service" wrangler:"required"`
	Environment string   `json:"environment,omitempty"`
	Parameters  []string `json:"parameters,omitempty"`
}

// MTLSCertificate is one entry of mtls_certificates.
type MTLSCertificate struct {
	Binding       string `json:"binding" wrangler:"required"`
	CertificateID string `json:"certificate_id" wrangler:"required"`
	Remote        bool   `json:"remote,omitempty"`
}

// VersionMetadata is [version_metadata].
type VersionMetadata struct {
	Binding string `json:"binding" wrangler:"required"`
}
