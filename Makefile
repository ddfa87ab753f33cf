# formgate — the commands the README names.
GO       ?= go
BENCHTIME ?= 1s
# FUZZTIME: each fuzz target's run. Unset, a count of inputs sized to
# about 5 s a target on a 2-core machine (a count also ends the run
# without the fuzz coordinator's deadline race of Go 1.26, golang/go#75804);
# set it for longer runs: make fuzz FUZZTIME=5m.
FUZZTIME ?=
FUZZ = FuzzInvoke:./lambdaproxy:150000 FuzzGate:.:40000 FuzzParse:./internal/basic:300000 \
	FuzzDecode:./internal/session:300000 FuzzAppend:./internal/jsonstr:250000 FuzzDecode:./internal/sharelink:300000 \
	FuzzDecodeEvent:./lambdaproxy:100000 FuzzMarshal:./lambdaproxy:50000 FuzzPages:./web:30000 \
	FuzzParse:./internal/apitoken:300000 FuzzPlainNumber:./internal/table:100000

.PHONY: test short deps check unit fuzz bench build run clean

## test: everything CI runs — install deps, vet, format check, all tests, short fuzzing
test: deps check unit fuzz

## short: the unit lane — every test but the end-to-end ones, in seconds
short:
	$(GO) test -short ./...

deps:
	./scripts/deps.sh

check:
	$(GO) vet ./...
	$(GO) vet -tags dynamodb,s3 ./config   # the only package with files of the AWS build
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags dynamodb,s3 ./config   # the files only the AWS build has (its bootstraps are tested through cmd/report)
	node --test examples/cloudfront/edge/

fuzz:
	@for t in $(FUZZ); do \
		set -- $$(echo $$t | tr : ' '); \
		echo "fuzz $$1 $$2"; \
		$(GO) test -run '^$$' -fuzz "^$$1\$$" -fuzztime $(if $(FUZZTIME),$(FUZZTIME),$$3x) $$2 || exit 1; \
	done

## bench: benchmarks with allocations (longer: make bench BENCHTIME=5s).
## The end-to-end ones print each figure beside its baseline's from the
## same run and their ratio: cmd/local's BenchmarkServe (time-x-bare) and
## BenchmarkLoopback (rate-x-bare: req/s against a bare net/http server),
## cmd/report's BenchmarkInit and BenchmarkWarm (x-base: against the
## hello-world bootstrap) and BenchmarkBinarySize (MiB, x-hello).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## build: the Lambda artifacts (provided.al2023, arm64) in $(DIST):
## report.zip (bootstrap and, with REPORT=path/to.csv, that CSV; set the
## stage parameter reportCsv to its base name; with USERS=path/to/htpasswd,
## that file, checked first, for AUTH_USERS_FILE; with
## TOKENS_FILE=path/to/tokens.txt, that file, checked first, for
## AUTH_TOKENS_FILE), authorizer.zip (the
## native-prompt variant's authorizer, with the users file too),
## report-shared.zip (report.zip with the AWS SDK: the DynamoDB table and
## REPORT_CSV=s3://…, -tags dynamodb,s3; for examples/shared-table and the
## deploy parameter reportZip) and library.zip (examples/library)
REPORT ?=
USERS ?=
TOKENS_FILE ?=
DIST ?= dist
LAMBDA_BUILD = GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags="-s -w" -tags lambda.norpc
build:
	$(if $(USERS),$(GO) run ./cmd/hash-password -check $(USERS))
	$(if $(TOKENS_FILE),$(GO) run ./cmd/hash-password -check-tokens $(TOKENS_FILE))
	mkdir -p $(DIST)/report $(DIST)/authorizer $(DIST)/library
	$(LAMBDA_BUILD) -o $(DIST)/report/bootstrap ./cmd/report
	$(GO) run ./cmd/mkzip -o $(DIST)/report.zip $(DIST)/report/bootstrap $(REPORT) $(USERS) $(TOKENS_FILE)
	mkdir -p $(DIST)/report-shared
	$(LAMBDA_BUILD),dynamodb,s3 -o $(DIST)/report-shared/bootstrap ./cmd/report
	$(GO) run ./cmd/mkzip -o $(DIST)/report-shared.zip $(DIST)/report-shared/bootstrap $(REPORT) $(USERS) $(TOKENS_FILE)
	$(LAMBDA_BUILD) -o $(DIST)/authorizer/bootstrap ./cmd/authorizer
	$(GO) run ./cmd/mkzip -o $(DIST)/authorizer.zip $(DIST)/authorizer/bootstrap $(USERS)
	$(LAMBDA_BUILD) -o $(DIST)/library/bootstrap ./examples/library
	$(GO) run ./cmd/mkzip -o $(DIST)/library.zip $(DIST)/library/bootstrap

run:
	$(GO) run ./cmd/local

clean:
	rm -rf dist .serverless
