# The two commands of the README:
#   make run    – the whole system on the embedded default with the demo municipality
#   make test   – every test, with the race detector, on SQLite and PostgreSQL, in headless Chromium
RATSNETZ_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
export RATSNETZ_TEST_POSTGRES
GO ?= go

.PHONY: run test deps check bench

run:
	$(GO) run ./cmd/ratsnetz serve --demo

deps:
	./scripts/test-deps.sh

check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

test: deps check
	$(GO) test -race -count=1 -timeout 40m ./...

# Benchmarks on the large dataset (see README): DB=sqlite or DB=postgres.
bench:
	./scripts/bench.sh $(DB)
