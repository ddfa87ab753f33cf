# formgate — the commands the README names.
GO       ?= go
FUZZTIME ?= 10s
BENCHTIME ?= 1s

.PHONY: test deps check unit fuzz bench build run clean

## test: everything CI runs — install deps, vet, format check, all tests, short fuzzing
test: deps check unit fuzz

deps:
	./scripts/deps.sh

check:
	$(GO) vet ./...
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

unit:
	CI=$${CI:-} $(GO) test -count=1 ./...

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzInvoke$$' -fuzztime $(FUZZTIME) ./lambdaproxy
	$(GO) test -run '^$$' -fuzz '^FuzzGate$$' -fuzztime $(FUZZTIME) ./handlers

## bench: benchmarks with allocations (longer: make bench BENCHTIME=5s)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## build: dist/report.zip, the Lambda artifact: bootstrap (provided.al2023,
## arm64) and, with REPORT=path/to.csv, that CSV (set the stage parameter
## reportCsv to its base name)
REPORT ?=
build:
	mkdir -p dist
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o dist/bootstrap ./cmd/report
	$(GO) run ./cmd/mkzip -o dist/report.zip dist/bootstrap $(REPORT)

run:
	$(GO) run ./cmd/local

clean:
	rm -rf dist .serverless
