# drivr-console — build, test, install.
#
#   make            build drivr-console (and drivr-sim once it exists)
#   make deps       install the Debian packages that are missing (apt-get)
#   make test       deps if needed, then every test layer with the normal build
#                   and under ASan/UBSan side by side, then test-fuzz with
#                   FUZZ_SECONDS_CI (30 s) per harness, two at a time
#   make test-asan  the same tests under AddressSanitizer + UBSan
#   make test-fuzz  every libFuzzer harness FUZZ_SECONDS (30 s) each (= make fuzz)
#   make test-unit / test-integration   one layer (BUILD=build-asan SAN=1 for ASan)
#   make aedes      the second test broker (tests/aedes, npm ci from its lockfile)
#   make demo       deps if needed, then the console against the built-in demo
#   make install PREFIX=/usr/local
#
# Objects go to $(BUILD) (build/ or build-asan/), never next to the sources.

PREFIX  ?= /usr/local
BUILD   ?= build
SAN     ?= 0
CC      ?= cc
VERSION := 0.1.0

# Debian packages the build, the tests and the demo need.  The fuzz harnesses
# of `make test` need clang and, on Debian 12, libclang-rt-14-dev for the
# libFuzzer runtime (clang does not depend on it; deps checks each package).
DEB_PKGS := build-essential pkg-config libncurses-dev libpaho-mqtt-dev libssl-dev \
	libcjson-dev libmsgpack-dev libcmocka-dev mosquitto mosquitto-clients tmux \
	openssl valgrind python3 mosquitto-dev libmosquitto-dev libmicrohttpd-dev curl libcurl4-openssl-dev \
	nodejs npm clang libclang-rt-14-dev

# Names of the installed packages and of what they provide, one per line: a
# package counts as present when installed or provided (NodeSource's nodejs
# provides npm and conflicts with Debian's, so asking apt for npm would fail).
DEB_PRESENT = dpkg-query -W -f='$${db:Status-Abbrev}|$${Package},$${Provides}\n' 2>/dev/null | \
	awk -F'|' 'substr($$1, 2, 1) == "i" { print $$2 }' | tr ',' '\n' | sed 's/ *(.*//; s/ //g'

PKGS := ncursesw libcjson msgpack openssl libcurl
# Feature macros are ours; pkg-config's -D flags would clash with them.
PKG_CFLAGS = $(shell pkg-config --cflags-only-I $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS_WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 $(CFLAGS_WARN) $(CFLAGS) \
	-Iinclude $(PKG_CFLAGS) -DDRIVR_VERSION='"$(VERSION)"' -MMD -MP \
	-DDRIVR_THEME_DIR='"$(PREFIX)/share/drivr-console/themes"'
ALL_LDLIBS = $(PKG_LIBS) -lpaho-mqtt3as -lpthread -lm

ifeq ($(SAN),1)
ALL_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ALL_LDFLAGS += -fsanitize=address,undefined
endif

# Every src/*.c except the program entry points is library code.
CORE_SRCS := $(filter-out src/main.c src/sim/%,$(wildcard src/*.c src/ui/*.c))
CORE_OBJS := $(CORE_SRCS:%.c=$(BUILD)/%.o)
SIM_SRCS  := $(wildcard src/sim/*.c)
SIM_OBJS  := $(SIM_SRCS:%.c=$(BUILD)/%.o)

# Unit tests: tests/unit/test_<name>.c, each linked with only the modules it
# needs (so one module's breakage does not hide another's results).
deps_test_util     := util hashmap
deps_test_topics   := topics util
deps_test_decode   := decode topics util
deps_test_store    := store hashmap topics util
deps_test_ingest   := ingest loadplan snapshot sanitize store hashmap decode topics util
deps_test_sanitize := sanitize util
deps_test_config   := config url topics util
deps_test_mqtt     := mqtt mqtt_status mqtt_paho tlsprobe url inbox topics util
deps_test_mqtt_status := mqtt_status
deps_test_requests := requests streammap payload store hashmap decode topics util
deps_test_streammap := streammap hashmap util
deps_test_jwt      := jwt util
deps_test_audit    := audit graphql sanitize util
deps_test_inbox    := inbox util
deps_test_loadplan := loadplan topics hashmap util
deps_test_payload  := payload decode topics util
deps_test_offline  := offline ingest loadplan snapshot sanitize store hashmap decode topics util
deps_test_ui_theme  := ui/theme util
deps_test_ui_keyscript := ui/keyscript util
deps_test_ui_table  := ui/table ui/screen ui/ttyout ui/theme sanitize util
deps_test_ui_fmt    := ui/fmt store hashmap topics util
deps_test_ui_form   := ui/form ui/screen ui/ttyout ui/theme sanitize util
deps_test_url      := url util
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_TESTS:%=$(BUILD)/tests/%)

PROGRAMS := $(BUILD)/drivr-console $(if $(SIM_SRCS),$(BUILD)/drivr-sim)

.PHONY: all deps deps-ensure build test test-build test-asan test-run test-unit test-integration \
	aedes demo install clean fuzz test-fuzz bench print-version

all: deps-ensure
	@$(MAKE) --no-print-directory build

build: $(PROGRAMS)
	@ln -sf $(BUILD)/drivr-console drivr-console
	@$(if $(SIM_SRCS),ln -sf $(BUILD)/drivr-sim drivr-sim,true)

$(BUILD)/drivr-console: $(BUILD)/src/main.o $(CORE_OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

# drivr-sim serves GraphQL over libmicrohttpd.
SIM_LIBS = $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
$(BUILD)/drivr-sim: $(SIM_OBJS) $(filter-out $(BUILD)/src/ui/%,$(CORE_OBJS))
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS) $(SIM_LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

.SECONDARY:
.SECONDEXPANSION:
# tests/unit/support.c: fixture reading and decoded-value comparisons, shared.
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(BUILD)/tests/unit/support.o \
		$$(addprefix $(BUILD)/src/,$$(addsuffix .o,$$(deps_test_$$*)))
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS) -lcmocka

# --- dependencies --------------------------------------------------------
# apt-get as root, sudo otherwise; only what is missing.
deps:
	@present=$$($(DEB_PRESENT)); \
	missing=$$(for p in $(DEB_PKGS); do echo "$$present" | grep -qx "$$p" || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "deps: all packages present"; exit 0; fi; \
	echo "deps: installing$$(echo $$missing | sed 's/^/ /')"; \
	if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing

deps-ensure:
	@present=$$($(DEB_PRESENT)); \
	for p in $(DEB_PKGS); do \
		echo "$$present" | grep -qx "$$p" || \
		{ $(MAKE) --no-print-directory deps; exit $$?; }; done

# --- tests ---------------------------------------------------------------
# `make test` = every layer with the normal build and, at the same time, under
# ASan/UBSan (two lanes: the integration tests mostly wait on brokers and
# terminals, so two cores run both in about the time of one), then every fuzz
# harness FUZZ_SECONDS_CI (30) each, FUZZ_JOBS at a time.  The lanes' output is
# kept in $(BUILD)/test-run.log and build-asan/test-run.log and shown at the end.
test: deps-ensure
	@$(MAKE) --no-print-directory -j2 test-build
	@$(MAKE) --no-print-directory -j2 BUILD=build-asan SAN=1 CFLAGS='-O1 -g' test-build
	@$(MAKE) --no-print-directory aedes >build/aedes.log 2>&1 || \
		echo "== make aedes failed (build/aedes.log): test_aedes.sh will say so"
	@echo "== two lanes: build and build-asan (logs: build/test-run.log, build-asan/test-run.log)"
	@( $(MAKE) --no-print-directory test-run >build/test-run.log 2>&1; \
	   echo $$? >build/test-run.rc; echo "== lane build done" ) & \
	( $(MAKE) --no-print-directory test-asan >build-asan/test-run.log 2>&1; \
	   echo $$? >build-asan/test-run.rc; echo "== lane build-asan done" ) & \
	wait; \
	cat build/test-run.log build-asan/test-run.log; \
	fail=0; for b in build build-asan; do \
		[ "$$(cat $$b/test-run.rc 2>/dev/null)" = 0 ] || { echo "== FAILED: lane $$b"; fail=1; }; \
	done; \
	$(MAKE) --no-print-directory test-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS_CI) || fail=1; \
	exit $$fail

test-build: build $(UNIT_BINS)

test-asan: deps-ensure
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 CFLAGS='-O1 -g' test-run

# Every layer runs even when an earlier one failed; the status says if any did.
test-run: build $(UNIT_BINS)
	@fail=0; \
	$(MAKE) --no-print-directory test-unit || fail=1; \
	$(MAKE) --no-print-directory test-integration || fail=1; \
	if [ $$fail -ne 0 ]; then echo "== FAILED ($(BUILD))"; exit 1; fi; \
	echo "== all tests passed ($(BUILD))"

test-unit: $(UNIT_BINS)
	@echo "== unit tests ($(BUILD))"
	@fail=0; for t in $(UNIT_BINS); do \
		echo "-- $$t"; \
		CMOCKA_MESSAGE_OUTPUT=stdout ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
			./$$t || fail=1; \
	done; \
	exit $$fail

test-integration: build
	@echo "== integration tests ($(BUILD))"
	@fail=0; for t in tests/integration/test_*.sh; do \
		echo "-- $$t"; began=$$(date +%s); BUILD=$(BUILD) $$t || fail=1; \
		echo "-- $$t: $$(( $$(date +%s) - began )) s"; \
	done; \
	exit $$fail

# The second broker of tests/integration/test_aedes.sh: Aedes at the exact
# versions of its lockfile, into tests/aedes/node_modules (git-ignored).  npm's
# own stamp of the install is newer than the lockfile once it is done.  The
# script runs this when Aedes is missing, so that without the registry only
# that script fails, not the whole integration layer.
AEDES_DIR := tests/aedes
aedes: $(AEDES_DIR)/node_modules/.package-lock.json
$(AEDES_DIR)/node_modules/.package-lock.json: $(AEDES_DIR)/package.json $(AEDES_DIR)/package-lock.json
	cd $(AEDES_DIR) && npm ci --no-audit --no-fund --ignore-scripts

# --- fuzzing (clang + libFuzzer + ASan/UBSan; docs/reliability.md) ------
# make fuzz / make test-fuzz      every harness FUZZ_SECONDS (30) each
# make test-fuzz FUZZ_SECONDS=300 FUZZ_ONLY="jwt sanitize"
# `make test` runs each for FUZZ_SECONDS_CI (30), FUZZ_JOBS (2) at a time.
# Seeds come from the repository's own files (tests/fuzz/seeds.py); what the
# fuzzer adds stays in build-fuzz/corpus/<harness>, findings in build-fuzz/findings.
FUZZ_SECONDS    ?= 30
FUZZ_SECONDS_CI ?= 30
FUZZ_JOBS       ?= 2
FUZZ_HARNESSES  := ingest jwt catalogue config theme topics keyscript sanitize
FUZZ_ONLY       ?= $(FUZZ_HARNESSES)
fuzzdeps_ingest    := ingest loadplan snapshot sanitize store hashmap decode topics util
fuzzdeps_jwt       := jwt decode topics util
fuzzdeps_catalogue := requests streammap payload store hashmap decode topics util
fuzzdeps_config    := config url topics util
fuzzdeps_theme     := ui/theme util
fuzzdeps_topics    := topics util
fuzzdeps_keyscript := ui/keyscript util
fuzzdeps_sanitize  := sanitize util
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 $(CFLAGS_WARN) -g -O1 \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined -Iinclude $(PKG_CFLAGS) \
	-DDRIVR_VERSION='"$(VERSION)"' -DDRIVR_THEME_DIR='"$(PREFIX)/share/drivr-console/themes"'

# The modules are instrumented for coverage too (fuzzer-no-link), once for all.
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h \
		$$(addprefix build-fuzz/obj/src/,$$(addsuffix .o,$$(fuzzdeps_$$*)))
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(filter %.o,$^) $(PKG_LIBS) -lm

# Every harness runs even when an earlier one failed; a crash, a sanitizer
# report, a leak or a failed invariant fails the target (its input is kept).
fuzz: test-fuzz
test-fuzz: deps-ensure
	@$(MAKE) --no-print-directory -j2 $(FUZZ_ONLY:%=build-fuzz/fuzz_%)
	@rm -rf build-fuzz/seeds && python3 tests/fuzz/seeds.py build-fuzz/seeds
	@mkdir -p build-fuzz/findings
	@echo "== fuzz: $(words $(FUZZ_ONLY)) harnesses, $(FUZZ_SECONDS) s each, $(FUZZ_JOBS) at a time"
	@printf '%s\n' $(FUZZ_ONLY) | xargs -P $(FUZZ_JOBS) -I{} sh -c '\
		mkdir -p build-fuzz/corpus/{} build-fuzz/seeds/{}; \
		build-fuzz/fuzz_{} -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
			-rss_limit_mb=1024 -print_final_stats=1 \
			-artifact_prefix=build-fuzz/findings/{}- \
			build-fuzz/corpus/{} build-fuzz/seeds/{} >build-fuzz/fuzz_{}.log 2>&1; \
		echo $$? >build-fuzz/fuzz_{}.rc'
	@fail=0; for h in $(FUZZ_ONLY); do \
		echo "-- fuzz_$$h ($(FUZZ_SECONDS) s)"; \
		[ "$$(cat build-fuzz/fuzz_$$h.rc)" = 0 ] || { fail=1; tail -n 40 build-fuzz/fuzz_$$h.log; }; \
		grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' \
			build-fuzz/fuzz_$$h.log | tr '\n' ' '; echo; \
	done; \
	if [ $$fail -ne 0 ]; then echo "== fuzz: FINDINGS in build-fuzz/findings"; exit 1; fi; \
	echo "== fuzz: no findings"

# --- benchmarks (not part of `make test`; docs/performance.md) -------------
BENCH_CORE := $(addprefix $(BUILD)/src/,ingest.o loadplan.o store.o hashmap.o decode.o topics.o util.o)
$(BUILD)/bench/paho_count: tests/bench/paho_count.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -o $@ $< -lpaho-mqtt3as -lpthread
# the render bench draws through the console's own views: all of the core
$(BUILD)/bench/render_bench: tests/bench/render_bench.c $(CORE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c %.o,$^) $(ALL_LDLIBS)
$(BUILD)/bench/%: tests/bench/%.c $(BENCH_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDLIBS)

bench: deps-ensure
	@$(MAKE) --no-print-directory deps-ensure DEB_PKGS="time"
	@$(MAKE) --no-print-directory build $(BUILD)/bench/paho_count $(BUILD)/bench/memory_bench \
		$(BUILD)/bench/ingest_bench $(BUILD)/bench/render_bench
	BUILD=$(BUILD) tests/bench/run.sh

# --- demo ----------------------------------------------------------------
demo: deps-ensure
	@$(MAKE) --no-print-directory build
	@BUILD=$(BUILD) exec src/sim/demo.sh

# --- install -------------------------------------------------------------
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/drivr-console/themes
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	$(if $(wildcard themes/*.theme),install -m 0644 themes/*.theme $(DESTDIR)$(PREFIX)/share/drivr-console/themes/,true)

clean:
	rm -rf build build-asan build-fuzz drivr-console drivr-sim

print-version:
	@echo $(VERSION)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
