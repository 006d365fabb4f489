# The two set-up commands. Both bootstrap (install Debian packages, idempotent) and build first.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DATA_DIR ?= ./var
LISTEN ?= 127.0.0.1:8080
CRISISLINE := $(BUILD_DIR)/apps/crisisline/crisisline

.PHONY: run test build bootstrap configure clean bench sanitize call web

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

# The web console (web/): npm packages from the lock file, then a production build into web/dist.
web/node_modules/.package-lock.json: web/package-lock.json | bootstrap
	@cd web && npm ci --no-audit --no-fund --loglevel=error

web: bootstrap web/node_modules/.package-lock.json
	@cd web && npm run --silent build >/dev/null

# `run` builds only the server, so a first start does not wait for the test suite to compile.
run: configure web
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target crisisline
	@test -f $(DATA_DIR)/crisisline.db || $(CRISISLINE) init --data $(DATA_DIR) --demo --demo-history
	@scripts/render-prompts $(DATA_DIR)/prompts >/dev/null || echo "prompts not rendered: calls hear generated tones"
	@exec $(CRISISLINE) serve --data $(DATA_DIR) --listen $(LISTEN) --static web/dist

# A test call into the server `make run` started (run it in a second terminal).
call:
	@scripts/test-call --data $(DATA_DIR)

test: build web
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 600

bench: build
	@bench/run

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer (Debug), in build-sanitize/.
sanitize: bootstrap
	@cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DCRISISLINE_SANITIZE=ON >/dev/null
	@cmake --build build-sanitize -j$(JOBS)
	@cd build-sanitize && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ctest --output-on-failure -j$(JOBS) --timeout 900

clean:
	rm -rf $(BUILD_DIR)
