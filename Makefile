# Remote renewal of electronic-signature certificates.
#   make run    the service with a private database and demo data at http://127.0.0.1:8080
#   make test   everything: vet, unit and store tests, the Chromium suite
# Both install what is missing (Debian packages) when run as root, and
# otherwise say exactly what to install.

SHELL := /bin/bash
GO    ?= go
ADDR  ?= 127.0.0.1:8080
export GOFLAGS := -mod=readonly
export CGO_ENABLED := 1

SERVER := bin/renewal-server
# axe-core for the Chromium suite's accessibility checks, pinned in
# e2e/axe's lock file; npm ci takes it from npm's cache once it is there.
AXE    := e2e/axe/node_modules/axe-core/axe.min.js
WASM   := web/app.wasm

# Debian packages each target needs, and the command that proves each one.
RUN_PKGS  := postgresql
TEST_PKGS := postgresql chromium fonts-dejavu-core softhsm2 openssl libengine-gost-openssl poppler-utils libnss3-tools nodejs npm

.PHONY: all build run test vet unit fuzz fuzz-short e2e bench bench-gost bench-web bench-load deps-run deps-test generate clean help

all: build

help:
	@sed -n '2,5p' Makefile

## build: the server binary and the browser app, with app.wasm pre-compressed.
# go build is incremental but rewrites its output every time, so app.wasm
# is replaced only when its bytes change: brotli at its best takes a while
# and runs only then.
build:
	@mkdir -p bin
	$(GO) build -o $(SERVER) ./server
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $(WASM).new ./wasm
	@if cmp -s $(WASM).new $(WASM); then rm $(WASM).new; else mv $(WASM).new $(WASM); fi
	@$(MAKE) --no-print-directory $(WASM).br
	@for f in $(SERVER) $(WASM) $(WASM).br $(WASM).gz; do ls -l $$f | awk '{printf "%-22s %6.2f MB\n", $$9, $$5/1e6}'; done

$(WASM).br: $(WASM)
	$(GO) run ./server/internal/buildtool/precompress $(WASM) >/dev/null

## run: the service in development mode (demo data, sandboxes) on $(ADDR).
run: deps-run build
	$(SERVER) --dev --addr $(ADDR)

## test: vet, unit and store tests on a private PostgreSQL, the Chromium suite,
## then a short fuzz of each target (go test ./... runs their seeds already).
test: deps-test build $(AXE) vet
	$(GO) test -count=1 -timeout 30m ./...
	@$(MAKE) --no-print-directory fuzz-short

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./wasm ./app/...

unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /e2e)

## fuzz: every fuzz target for $(FUZZTIME) each (-fuzz takes one target per
## package run); a failing input lands in the package's testdata/fuzz/ and
## from then on runs as a regression case with the seeds.
##   make fuzz FUZZTIME=10m
## fuzz-short: the same for 3000 inputs each, from make test.
FUZZTIME     ?= 60s
FUZZMINIMIZE ?= 10s
FUZZ_TARGETS := \
	./ca:FuzzCheckRequest ./ca:FuzzOCSP ./ca/cms:FuzzP1363ToDER ./ca/ident:FuzzCheck \
	./server/internal/renewal:FuzzParseRequest ./server/internal/renewal:FuzzProofCertificates \
	./server/internal/renewal:FuzzCheckPersonalData ./server/internal/docs:FuzzVerifyDetached \
	./server/internal/payments:FuzzParseStatement ./server/internal/payments:FuzzVerifyEvent \
	./ca:FuzzRequestNonce ./ca/revcheck:FuzzAnswers ./app/browsercrypto:FuzzOpenPKCS12 \
	./ca/crypto/belt:FuzzWBL ./ca/crypto/belt:FuzzHash ./ca/crypto/bign:FuzzVerify ./ca/crypto/bign:FuzzSignVerify \
	./ca/crypto/streebog:FuzzIncremental ./ca/crypto/gost3410:FuzzVerify \
	./ca/crypto/gost3410:FuzzParsePKIX ./ca/x509sig:FuzzParseVerify \
	./ca/keyfile:FuzzDecodePKCS12 ./ca/keyfile:FuzzDecryptPKCS8 ./ca/cms:FuzzVerify
# ./ca/crypto/gost3410:FuzzSignVerify is left out: each input is a key, a
# signature and two verifications (3000 inputs took 188 s here); its seeds
# run with go test, and by hand: go test -run '^$' -fuzz FuzzSignVerify ./ca/crypto/gost3410
# So is ./server/internal/docs:FuzzVerifyDetachedGOST (a GOST 512 verification
# per input: 3000 inputs took 114 s here); by hand the same way.

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t##*:}; echo "fuzz $$fn in $$pkg for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $$pkg; \
	done

# A short run counts executions, not seconds: with a time limit Go's fuzz
# coordinator can report its own deadline as a failure ("context deadline
# exceeded") on a loaded machine. 3000 inputs take 0.3–2 s per target here.
# Minimising each new input for long would eat such a run, so it minimises
# for 1 s at most.
fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=3000x FUZZMINIMIZE=1s

## e2e: only the browser suite, headless; a go test -json report and the
## screenshots of failures land in e2e/artifacts/. One scenario:
##   make e2e RUN=TestFirstScreen
e2e: deps-test build $(AXE)
	@mkdir -p e2e/artifacts
	set -o pipefail; $(GO) test -count=1 -timeout 30m -json $(if $(RUN),-run '$(RUN)') ./e2e \
		| tee e2e/artifacts/report.json | $(GO) run ./e2e/cmd/summary

## bench: the authority's issuance against the bare signature floor
## (file key and SoftHSM2); figures go to docs/benchmarks.md by hand.
bench: deps-test
	$(GO) test -run '^$$' -bench . -benchtime 2s -count 3 ./ca

## bench-gost: GOST R 34.10-2012 keygen/sign/verify per parameter set and
## Streebog MB/s, each beside its floor in the same run (crypto/ecdsa,
## SHA-256), then OpenSSL's GOST engine on the same machine (openssl speed
## has no GOST signatures: CPU time of 100 pkeyutl runs minus 100 key loads).
bench-gost: deps-test
	$(GO) test -run '^$$' -bench . -benchtime 1s -count 1 ./ca/crypto/streebog ./ca/crypto/gost3410
	$(GO) run ./ca/gostssl/cmd/opensslspeed

## bench-web: app.wasm's size and the first screen's time to interactive in
## headless Chromium, first visit and from the service worker (docs/benchmarks.md).
bench-web: deps-test build
	$(GO) run ./e2e/cmd/benchweb

## bench-load: complete renewals through the real binary's HTTP API, 32
## holders at once for 500 renewals (docs/benchmarks.md); other figures:
##   make bench-load LOAD='-c 64 -n 2000 -perf'
bench-load: deps-test build
	$(GO) run ./e2e/cmd/benchload $(LOAD)

$(AXE): e2e/axe/package.json e2e/axe/package-lock.json
	cd e2e/axe && npm ci --prefer-offline --no-audit --no-fund --ignore-scripts
	@touch $@

## generate: typed queries from server/internal/store/queries (sqlc).
generate:
	$(GO) run github.com/sqlc-dev/sqlc/cmd/sqlc@v1.31.1 generate -f server/internal/store/sqlc.yaml

clean:
	rm -rf bin $(WASM) $(WASM).br $(WASM).gz e2e/artifacts e2e/axe/node_modules

# deps-*: install what is missing with apt-get when root, else say what.
deps-run:
	@$(call ensure_pkgs,$(RUN_PKGS))
deps-test:
	@$(call ensure_pkgs,$(TEST_PKGS))

# ensure_pkgs checks each package by a file it installs.
define ensure_pkgs
missing=""; \
for p in $(1); do \
  case $$p in \
    postgresql)    ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null || missing="$$missing $$p";; \
    chromium)      command -v chromium >/dev/null || missing="$$missing $$p";; \
    fonts-dejavu-core) test -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing="$$missing $$p";; \
    softhsm2)      test -e /usr/lib/softhsm/libsofthsm2.so || missing="$$missing $$p";; \
    openssl)       command -v openssl >/dev/null || missing="$$missing $$p";; \
    libengine-gost-openssl) ls /usr/lib/*/engines-3/gost.so >/dev/null 2>&1 || missing="$$missing $$p";; \
    poppler-utils) command -v pdftotext >/dev/null || missing="$$missing $$p";; \
    libnss3-tools) command -v vfychain >/dev/null || missing="$$missing $$p";; \
    nodejs)        command -v node >/dev/null || missing="$$missing $$p";; \
    npm)           command -v npm >/dev/null || missing="$$missing $$p";; \
  esac; \
done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
    echo "installing:$$missing"; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
  else \
    echo "missing:$$missing"; echo "install them with: sudo apt-get install -y$$missing"; exit 1; \
  fi; \
fi
endef
