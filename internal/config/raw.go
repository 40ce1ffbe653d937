package config

import "github.com/zerostack/zerostack/internal/config/wrangler"

// rawConfig mirrors the keys of a wrangler configuration (top level, or one
// environment merged over it) before paths are resolved and defaults
// applied. The decoder fills it by JSON tag.
type rawConfig struct {
	Schema skipped `json:"$schema"`
	Env    skipped `json:"env"`

	Name                  string            `json:"name"`
	Main                  string            `json:"main"`
	CompatibilityDate     string            `json:"compatibility_date"`
	CompatibilityFlags    []string          `json:"compatibility_flags"`
	AccountID             string            `json:"account_id"`
	Vars                  map[string]any    `json:"vars"`
	Secrets               *rawSecrets       `json:"secrets"`
	Limits                Limits            `json:"limits"`
	Dev                   rawDev            `json:"dev"`
	Triggers              Triggers          `json:"triggers"`
	Route                 *Route            `json:"route"`
	Routes                []Route           `json:"routes"`
	WorkersDev            *bool             `json:"workers_dev"`
	PreviewURLs           *bool             `json:"preview_urls"`
	Assets                *Assets           `json:"assets"`
	Site                  *rawSite          `json:"site"`
	Build                 Build             `json:"build"`
	Rules                 []Rule            `json:"rules"`
	TSConfig              string            `json:"tsconfig"`
	BaseDir               string            `json:"base_dir"`
	Define                map[string]string `json:"define"`
	Alias                 map[string]string `json:"alias"`
	Minify                bool              `json:"minify"`
	NoBundle              bool              `json:"no_bundle"`
	KeepNames             *bool             `json:"keep_names"`
	FindAdditionalModules bool              `json:"find_additional_modules"`
	PreserveFileNames     bool              `json:"preserve_file_names"`
	JSXFactory            string            `json:"jsx_factory"`
	JSXFragment           string            `json:"jsx_fragment"`
	UploadSourceMaps      bool              `json:"upload_source_maps"`
	KeepVars              bool              `json:"keep_vars"`
	Logpush               bool              `json:"logpush"`
	UsageModel            string            `json:"usage_model"`
	NodeCompat            bool              `json:"node_compat"`
	Observability         *Observability    `json:"observability"`
	Placement             *Placement        `json:"placement"`
	TailConsumers         []TailConsumer    `json:"tail_consumers"`
	PagesBuildOutputDir   string            `json:"pages_build_output_dir"`
	ComplianceRegion      string            `json:"compliance_region"`
	SendMetrics           *bool             `json:"send_metrics"`
	FirstPartyWorker      bool              `json:"first_party_worker"`
	Unsafe                map[string]any    `json:"unsafe"`
	TextBlobs             map[string]string `json:"text_blobs"`
	DataBlobs             map[string]string `json:"data_blobs"`
	WasmModules           map[string]string `json:"wasm_modules"`

	KVNamespaces       []KVNamespace            `json:"kv_namespaces"`
	D1Databases        []D1Database             `json:"d1_databases"`
	R2Buckets          []R2Bucket               `json:"r2_buckets"`
	Queues             Queues                   `json:"queues"`
	DurableObjects     DurableObjects           `json:"durable_objects"`
	Migrations         []Migration              `json:"migrations"`
	Vectorize          []Vectorize              `json:"vectorize"`
	AI                 *AI                      `json:"ai"`
	AnalyticsEngine    []AnalyticsEngineDataset `json:"analytics_engine_datasets"`
	Browser            *Browser                 `json:"browser"`
	SendEmail          []SendEmail              `json:"send_email"`
	Services           []Service                `json:"services"`
	Hyperdrive         []Hyperdrive             `json:"hyperdrive"`
	Workflows          []Workflow               `json:"workflows"`
	DispatchNamespaces []DispatchNamespace      `json:"dispatch_namespaces"`
	MTLSCertificates   []MTLSCertificate        `json:"mtls_certificates"`
	VersionMetadata    *VersionMetadata         `json:"version_metadata"`

	// Wrangler keys zerostack accepts but does not act on (yet).
	Containers              ignored   `json:"containers"`
	Cloudchamber            ignored   `json:"cloudchamber"`
	Connect                 ignored   `json:"connect"`
	AISearchNamespaces      ignored   `json:"ai_search_namespaces"`
	AISearch                ignored   `json:"ai_search"`
	Websearch               ignored   `json:"websearch"`
	AgentMemory             ignored   `json:"agent_memory"`
	Images                  ignored   `json:"images"`
	Media                   ignored   `json:"media"`
	Stream                  ignored   `json:"stream"`
	StreamingTailConsumers  ignored   `json:"streaming_tail_consumers"`
	Pipelines               ignored   `json:"pipelines"`
	SecretsStoreSecrets     ignored   `json:"secrets_store_secrets"`
	Artifacts               ignored   `json:"artifacts"`
	UnsafeHelloWorld        ignored   `json:"unsafe_hello_world"`
	Flagship                ignored   `json:"flagship"`
	Ratelimits              ignored   `json:"ratelimits"`
	WorkerLoaders           ignored   `json:"worker_loaders"`
	VPCServices             ignored   `json:"vpc_services"`
	VPCNetworks             ignored   `json:"vpc_networks"`
	Logfwdr                 ignored   `json:"logfwdr"`
	Exports                 ignored   `json:"exports"`
	Access                  ignored   `json:"access"`
	Cache                   ignored   `json:"cache"`
	PythonModules           ignored   `json:"python_modules"`
	Previews                ignored   `json:"previews"`
	DependenciesInstrumentn ignored   `json:"dependencies_instrumentation"`
	Addresses               ignored   `json:"addresses"`
	LegacyEnv               legacyEnv `json:"legacy_env"`
}

// rawDev is [dev]: [Dev] plus wrangler keys zerostack does not act on.
type rawDev struct {
	IP               string  `json:"ip"`
	Port             int     `json:"port"`
	LocalProtocol    string  `json:"local_protocol"`
	UpstreamProtocol string  `json:"upstream_protocol"`
	Host             string  `json:"host"`
	InspectorPort    int     `json:"inspector_port"`
	InspectorIP      string  `json:"inspector_ip"`
	EnableContainers ignored `json:"enable_containers"`
	ContainerEngine  ignored `json:"container_engine"`
	GenerateTypes    ignored `json:"generate_types"`
}

func (r rawDev) dev() Dev {
	return Dev{IP: r.IP, Port: r.Port, LocalProtocol: r.LocalProtocol, UpstreamProtocol: r.UpstreamProtocol,
		Host: r.Host, InspectorPort: r.InspectorPort, InspectorIP: r.InspectorIP}
}

// rawSecrets is [secrets].
type rawSecrets struct {
	Required []string `json:"required"`
}

// rawSite is [site]; entry-point is a removed key that wrangler still names.
type rawSite struct {
	Bucket     string   `json:"bucket" wrangler:"required"`
	Include    []string `json:"include"`
	Exclude    []string `json:"exclude"`
	EntryPoint ignored  `json:"entry-point"`
}

// legacyEnv is the removed legacy_env key: wrangler now always behaves as
// legacy_env = true did, so it is accepted with a warning.
type legacyEnv struct{}

func (*legacyEnv) decodeNode(d *decoder, n *wrangler.Node, path string) {
	d.warnf(n.Pos, "%q is no longer supported and is ignored: each environment is its own Worker named \"<name>-<environment>\"", path)
}

// keyClass says how a top-level key behaves under [env.NAME].
type keyClass int

const (
	keyInheritable    keyClass = iota // env value, else top-level value
	keyNotInheritable                 // env value only; top-level value ignored with a warning
	keyTopLevelOnly                   // top-level value only; ignored inside an environment
)

// keyClasses follows wrangler's Environment (inheritable and not) and its
// top-level-only ConfigFields. Keys not listed are unknown (and inherited,
// so that their warning appears once).
var keyClasses = map[string]keyClass{
	// Top-level only.
	"$schema": keyTopLevelOnly, "env": keyTopLevelOnly, "dev": keyTopLevelOnly, "site": keyTopLevelOnly,
	"send_metrics": keyTopLevelOnly, "keep_vars": keyTopLevelOnly, "alias": keyTopLevelOnly,
	"text_blobs": keyTopLevelOnly, "data_blobs": keyTopLevelOnly, "wasm_modules": keyTopLevelOnly,
	"pages_build_output_dir": keyTopLevelOnly, "legacy_env": keyTopLevelOnly,
	"dependencies_instrumentation": keyTopLevelOnly, "addresses": keyTopLevelOnly,

	// Not inheritable: vars, define, secrets and every binding.
	"vars": keyNotInheritable, "define": keyNotInheritable, "secrets": keyNotInheritable,
	"durable_objects": keyNotInheritable, "workflows": keyNotInheritable, "cloudchamber": keyNotInheritable,
	"containers": keyNotInheritable, "kv_namespaces": keyNotInheritable, "send_email": keyNotInheritable,
	"queues": keyNotInheritable, "connect": keyNotInheritable, "r2_buckets": keyNotInheritable,
	"d1_databases": keyNotInheritable, "vectorize": keyNotInheritable, "ai_search_namespaces": keyNotInheritable,
	"ai_search": keyNotInheritable, "websearch": keyNotInheritable, "agent_memory": keyNotInheritable,
	"hyperdrive": keyNotInheritable, "services": keyNotInheritable, "analytics_engine_datasets": keyNotInheritable,
	"dispatch_namespaces": keyNotInheritable, "mtls_certificates": keyNotInheritable,
	"tail_consumers": keyNotInheritable, "streaming_tail_consumers": keyNotInheritable,
	"unsafe": keyNotInheritable, "browser": keyNotInheritable, "ai": keyNotInheritable,
	"images": keyNotInheritable, "stream": keyNotInheritable, "media": keyNotInheritable,
	"pipelines": keyNotInheritable, "secrets_store_secrets": keyNotInheritable, "artifacts": keyNotInheritable,
	"unsafe_hello_world": keyNotInheritable, "flagship": keyNotInheritable, "worker_loaders": keyNotInheritable,
	"ratelimits": keyNotInheritable, "vpc_services": keyNotInheritable, "vpc_networks": keyNotInheritable,
	"version_metadata": keyNotInheritable,
}
