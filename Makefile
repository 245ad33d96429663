# drivr-console — build, test, install.
#
#   make            build drivr-console and drivr-sim (builds only: installs nothing)
#   make deps       install the Debian packages that are missing (apt-get)
#   make test       deps if needed, then every test layer with the normal build
#                   and under ASan/UBSan side by side, then test-fuzz with
#                   FUZZ_SECONDS_CI (30 s) per harness, two at a time; -Werror
#   make test-asan  the same tests under AddressSanitizer + UBSan
#   make test-fuzz  every libFuzzer harness FUZZ_SECONDS (30 s) each (= make fuzz)
#   make test-unit / test-integration   one layer (BUILD=build-asan SAN=1 for ASan)
#   make check-layers   the module graph: no include cycle, layers kept
#   make aedes      the second test broker (tests/aedes, npm ci from its lockfile)
#   make demo       deps if needed, then the console against the built-in demo
#   make install / uninstall   PREFIX=/usr/local, DESTDIR for staging: the
#                   programs, themes, man pages and bash/zsh completion
#
# For packagers: CPPFLAGS, CFLAGS, LDFLAGS and LDLIBS are the user's and come
# last; -Werror only with WERROR=1 (make test sets it); every library is
# found with pkg-config where it has a .pc (PKG_CONFIG=...), else by its -l
# name, said once.  A change of the flags or of the install paths rebuilds
# what they reach ($(BUILD)/flags.stamp, $(BUILD)/paths.stamp).
#
# Objects go to $(BUILD) (build/ or build-asan/), never next to the sources.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
THEMEDIR = $(DATADIR)/drivr-console/themes
MANDIR  ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/site-functions
BUILD   ?= build
SAN     ?= 0
WERROR  ?= 0
PKG_CONFIG ?= pkg-config
INSTALL ?= install
VERSION := 0.1.0

# Debian packages the build, the tests and the demo need.  The fuzz harnesses
# of `make test` need clang and, on Debian 12, libclang-rt-14-dev for the
# libFuzzer runtime (clang does not depend on it; deps checks each package).
DEB_PKGS := build-essential pkg-config libncurses-dev libpaho-mqtt-dev libssl-dev \
	libcjson-dev libmsgpack-dev libcmocka-dev mosquitto mosquitto-clients tmux \
	openssl valgrind python3 mosquitto-dev libmosquitto-dev libmicrohttpd-dev curl libcurl4-openssl-dev \
	nodejs npm clang libclang-rt-14-dev \
	ncurses-term man-db groff-base

# Names of the installed packages and of what they provide, one per line: a
# package counts as present when installed or provided (NodeSource's nodejs
# provides npm and conflicts with Debian's, so asking apt for npm would fail).
DEB_PRESENT = dpkg-query -W -f='$${db:Status-Abbrev}|$${Package},$${Provides}\n' 2>/dev/null | \
	awk -F'|' 'substr($$1, 2, 1) == "i" { print $$2 }' | tr ',' '\n' | sed 's/ *(.*//; s/ //g'

# --- libraries -------------------------------------------------------------
# Each one on its own: the first of its .pc names that pkg-config knows, else
# the -l fallback and a warning naming it (and the Debian package).  Looked
# up once per make, and only by the targets that compile or link.
#   lib_<name> := .pc names (first found wins) | -l fallback | Debian package
lib_ncursesw := ncursesw | -lncursesw | libncurses-dev
lib_cjson    := libcjson | -lcjson | libcjson-dev
# msgpack-c >= 6 renamed its .pc (and its library) from msgpack to msgpack-c
lib_msgpack  := msgpack-c msgpack | -lmsgpackc | libmsgpack-dev
lib_openssl  := openssl | -lssl -lcrypto | libssl-dev
lib_curl     := libcurl | -lcurl | libcurl4-openssl-dev
lib_mhd      := libmicrohttpd | -lmicrohttpd | libmicrohttpd-dev
lib_cmocka   := cmocka | -lcmocka | libcmocka-dev
lib_field     = $(strip $(word $(2),$(subst |, | ,$(subst $() ,~,$(lib_$(1))))))
lib_pcs       = $(subst ~, ,$(call lib_field,$(1),1))
lib_fallback  = $(subst ~, ,$(call lib_field,$(1),3))
lib_deb       = $(subst ~, ,$(call lib_field,$(1),5))
lib_pc        = $(firstword $(foreach p,$(call lib_pcs,$(1)),\
	$(if $(shell $(PKG_CONFIG) --exists $(p) 2>/dev/null && echo y),$(p))))
# $(call lib_find,name): sets pc_<name> once (the .pc found, or nothing)
lib_find = $(if $(filter undefined,$(origin pc_$(1))),$(eval pc_$(1) := $(call lib_pc,$(1)))$(if \
	$(pc_$(1)),,$(warning $(1): no pkg-config file ($(strip $(call lib_pcs,$(1)))) \
	- linking with $(strip $(call lib_fallback,$(1))); install $(strip $(call lib_deb,$(1))) \
	(Debian) or set PKG_CONFIG_PATH)))
lib_cflags = $(call lib_find,$(1))$(if $(pc_$(1)),$(shell $(PKG_CONFIG) --cflags-only-I $(pc_$(1))))
lib_libs   = $(call lib_find,$(1))$(if $(pc_$(1)),$(shell $(PKG_CONFIG) --libs $(pc_$(1))),$(call lib_fallback,$(1)))

CORE_PKGS := ncursesw cjson msgpack openssl curl
# Feature macros are ours; pkg-config's -D flags would clash with them.
# (Recursive, then fixed on first use: expanded only by what builds.)
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(sort $$(foreach l,$(CORE_PKGS),$$(call lib_cflags,$$(l)))))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(foreach l,$(CORE_PKGS),$$(call lib_libs,$$(l))))$(PKG_LIBS)
# Paho ships no .pc (Debian, upstream's CMake install): always by name.
PAHO_LIBS := -lpaho-mqtt3as
SIM_LIBS   = $(eval SIM_LIBS := $$(call lib_libs,mhd))$(SIM_LIBS)
CMOCKA_LIBS = $(eval CMOCKA_LIBS := $$(call lib_libs,cmocka))$(CMOCKA_LIBS)

# --- flags -----------------------------------------------------------------
CFLAGS_WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-missing-field-initializers
ifeq ($(WERROR),1)
CFLAGS_WARN += -Werror
endif
CFLAGS  ?= -O2 -g
ALL_CPPFLAGS = -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -Iinclude $(PKG_CFLAGS) \
	-DDRIVR_VERSION='"$(VERSION)"' $(CPPFLAGS)
ALL_CFLAGS   = -std=c11 $(CFLAGS_WARN) $(SAN_FLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(LDFLAGS)
ALL_LDLIBS   = $(PKG_LIBS) $(PAHO_LIBS) -lpthread -lm $(LDLIBS)
ifeq ($(SAN),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

# What the compiler is given, for flags.stamp: a change rebuilds every object.
FLAGS_LINE = $(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) | $(ALL_LDFLAGS) | $(ALL_LDLIBS)
# The installed theme directory, for paths.stamp: a change of PREFIX (or
# DATADIR) rebuilds what embeds it (ui/theme.o), and only that.
PATHS_LINE = $(THEMEDIR)

# --- what is built of what -------------------------------------------------
# libdrivr.a: the core (pure modules) and the transport, every src/*.c but
#   the entry point and the headless modes — what drivr-sim and every unit
#   test link (the linker takes only the members a program needs).
# libdrivr-ui.a: the console's src/ui/ (the ui unit tests link it too).
# drivr-console: main + the modes (actions, headless) + both libraries.
MODE_SRCS := src/main.c src/actions.c src/headless.c
LIB_SRCS  := $(filter-out $(MODE_SRCS),$(wildcard src/*.c))
UI_SRCS   := $(wildcard src/ui/*.c)
SIM_SRCS  := $(wildcard src/sim/*.c)
LIB       := $(BUILD)/libdrivr.a
UI_LIB    := $(BUILD)/libdrivr-ui.a
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UI_OBJS   := $(UI_SRCS:%.c=$(BUILD)/%.o)
MODE_OBJS := $(MODE_SRCS:%.c=$(BUILD)/%.o)
SIM_OBJS  := $(SIM_SRCS:%.c=$(BUILD)/%.o)
ALL_OBJS  := $(LIB_OBJS) $(UI_OBJS) $(MODE_OBJS) $(SIM_OBJS)

# Unit tests: tests/unit/test_<name>.c is one test program, found by name and
# linked with tests/unit/support.c and libdrivr.a (test_ui_*: libdrivr-ui.a
# first).  A new test needs no line here.  test_inbox_pipe is test_inbox
# over the pipe wake-up (inbox.c's non-Linux fallback), built on Linux too.
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c)) test_inbox_pipe
UNIT_BINS  := $(UNIT_TESTS:%=$(BUILD)/tests/%)

PROGRAMS := $(BUILD)/drivr-console $(BUILD)/drivr-sim

.PHONY: all deps deps-ensure build test test-build test-asan test-run test-unit test-integration \
	check-layers aedes demo install uninstall clean fuzz test-fuzz bench print-version FORCE

all: build

build: $(PROGRAMS)
	@ln -sf $(BUILD)/drivr-console drivr-console
	@ln -sf $(BUILD)/drivr-sim drivr-sim

$(BUILD)/drivr-console: $(MODE_OBJS) $(UI_LIB) $(LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(MODE_OBJS) $(UI_LIB) $(LIB) $(ALL_LDLIBS)

# drivr-sim serves GraphQL over libmicrohttpd; no mode, no ui/.
$(BUILD)/drivr-sim: $(SIM_OBJS) $(LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(SIM_OBJS) $(LIB) $(ALL_LDLIBS) $(SIM_LIBS)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^
$(UI_LIB): $(UI_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c $(BUILD)/flags.stamp
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(OBJ_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The one object that embeds an install path (private: not passed on to its
# prerequisites, the stamps).
$(BUILD)/src/ui/theme.o: private OBJ_CPPFLAGS = -DDRIVR_THEME_DIR='"$(THEMEDIR)"'
$(BUILD)/src/ui/theme.o: $(BUILD)/paths.stamp

# A file holding a value, rewritten only when the value changes, so that
# what depends on it is rebuilt exactly then (as git's GIT-CFLAGS).
$(BUILD)/flags.stamp $(BUILD)/paths.stamp: FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(subst ','\'',$(if $(findstring flags,$(notdir $@)),$(FLAGS_LINE),$(PATHS_LINE)))' >$@.new; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

.SECONDARY:
.SECONDEXPANSION:
# tests/unit/support.c: fixture reading and decoded-value comparisons, shared.
# (No % in the prerequisites but the stem's: make would substitute it.)
# unit_extra_<name>: objects outside the libraries a test needs (test_config
# checks drivr-sim's option table too).
unit_extra_config := $(BUILD)/src/sim/options.o
$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(BUILD)/tests/unit/support.o \
		$$(unit_extra_$$*) \
		$$(if $$(filter ui,$$(firstword $$(subst _, ,$$*))),$(UI_LIB)) $(LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS) $(CMOCKA_LIBS)

# inbox.c (and its test) with the portable wake-up, a pipe; the object is
# linked ahead of the library, so the library's inbox.o is not taken.
$(BUILD)/tests/pipe/%.o: %.c $(BUILD)/flags.stamp
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) -DDRIVR_WAKE_PIPE $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/tests/test_inbox_pipe: $(BUILD)/tests/pipe/tests/unit/test_inbox.o \
		$(BUILD)/tests/unit/support.o $(BUILD)/tests/pipe/src/inbox.o $(LIB)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS) $(CMOCKA_LIBS)

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
# A warning fails it (WERROR=1, passed on to every make below).
test: deps-ensure
	@$(MAKE) --no-print-directory -j2 WERROR=1 test-build
	@$(MAKE) --no-print-directory -j2 WERROR=1 BUILD=build-asan SAN=1 CFLAGS='-O1 -g' test-build
	@$(MAKE) --no-print-directory aedes >build/aedes.log 2>&1 || \
		echo "== make aedes failed (build/aedes.log): test_aedes.sh will say so"
	@echo "== two lanes: build and build-asan (logs: build/test-run.log, build-asan/test-run.log)"
	@( $(MAKE) --no-print-directory WERROR=1 test-run >build/test-run.log 2>&1; \
	   echo $$? >build/test-run.rc; echo "== lane build done" ) & \
	( $(MAKE) --no-print-directory WERROR=1 test-asan >build-asan/test-run.log 2>&1; \
	   echo $$? >build-asan/test-run.rc; echo "== lane build-asan done" ) & \
	wait; \
	cat build/test-run.log build-asan/test-run.log; \
	fail=0; for b in build build-asan; do \
		[ "$$(cat $$b/test-run.rc 2>/dev/null)" = 0 ] || { echo "== FAILED: lane $$b"; fail=1; }; \
	done; \
	$(MAKE) --no-print-directory WERROR=1 test-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS_CI) || fail=1; \
	exit $$fail

test-build: build $(UNIT_BINS)

test-asan: deps-ensure
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 CFLAGS='-O1 -g' test-run

# Every layer runs even when an earlier one failed; the status says if any did.
test-run: build $(UNIT_BINS)
	@fail=0; \
	$(MAKE) --no-print-directory check-layers || fail=1; \
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

# The module graph (tools/check-layers): no include cycle between modules,
# core never includes ui/, drivr-sim never ui/.  Reads the sources only.
check-layers:
	@python3 tools/check-layers .

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
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 $(CFLAGS_WARN) -g -O1 \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined -Iinclude $(PKG_CFLAGS) \
	-DDRIVR_VERSION='"$(VERSION)"' -DDRIVR_THEME_DIR='"$(THEMEDIR)"'

# The modules are instrumented for coverage too (fuzzer-no-link), once for
# all, into the same two libraries as the programs'; a harness links both and
# the linker takes the members it needs.
FUZZ_LIB    := build-fuzz/libdrivr.a
FUZZ_UI_LIB := build-fuzz/libdrivr-ui.a
build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<
$(FUZZ_LIB): $(LIB_SRCS:%.c=build-fuzz/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^
$(FUZZ_UI_LIB): $(UI_SRCS:%.c=build-fuzz/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_UI_LIB) $(FUZZ_LIB)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
		$(FUZZ_UI_LIB) $(FUZZ_LIB) $(PKG_LIBS) $(PAHO_LIBS) -lpthread -lm

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
$(BUILD)/bench/paho_count: tests/bench/paho_count.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_DEFAULT_SOURCE -O2 $(CFLAGS_WARN) $(CPPFLAGS) $(LDFLAGS) -o $@ $< \
		$(PAHO_LIBS) -lpthread $(LDLIBS)
# the render bench draws through the console's own views
$(BUILD)/bench/%: tests/bench/%.c $(UI_LIB) $(LIB) $(BUILD)/flags.stamp
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(UI_LIB) $(LIB) $(ALL_LDLIBS)

# Packages for the bench only (the tests need none of them): time for
# /usr/bin/time; Node for the MQTT.js peer rows (tests/bench/mqttjs), from
# Debian only when no node and npm are on PATH already.  Without Node, or
# when npm ci fails, the bench still runs and marks those rows not measured.
BENCH_DEB_PKGS  := time
BENCH_NODE_PKGS := nodejs npm
MQTTJS_DIR      := tests/bench/mqttjs

bench: deps-ensure
	@$(MAKE) --no-print-directory deps-ensure DEB_PKGS="$(BENCH_DEB_PKGS)"
	@if ! command -v node >/dev/null || ! command -v npm >/dev/null; then \
		$(MAKE) --no-print-directory deps-ensure DEB_PKGS="$(BENCH_NODE_PKGS)" || \
		echo "bench: nodejs and npm not installed: the MQTT.js rows will say so"; fi
	@$(MAKE) --no-print-directory bench-mqttjs || \
		echo "bench: npm ci in $(MQTTJS_DIR) failed: the MQTT.js rows will say so"
	@$(MAKE) --no-print-directory build $(BUILD)/bench/paho_count $(BUILD)/bench/memory_bench \
		$(BUILD)/bench/ingest_bench $(BUILD)/bench/render_bench
	BUILD=$(BUILD) tests/bench/run.sh

# MQTT.js at the exact versions of its lockfile, into $(MQTTJS_DIR)/node_modules
# (git-ignored); npm's own stamp of the install is newer than the lockfile.
.PHONY: bench-mqttjs
bench-mqttjs: $(MQTTJS_DIR)/node_modules/.package-lock.json
$(MQTTJS_DIR)/node_modules/.package-lock.json: $(MQTTJS_DIR)/package.json $(MQTTJS_DIR)/package-lock.json
	cd $(MQTTJS_DIR) && npm ci --ignore-scripts --no-audit --no-fund

# --- demo ----------------------------------------------------------------
demo: deps-ensure
	@$(MAKE) --no-print-directory build
	@BUILD=$(BUILD) exec src/sim/demo.sh

# --- install ---------------------------------------------------------------
# make install PREFIX=/usr DESTDIR=/tmp/pkg (DESTDIR only stages: the programs
# look in PREFIX's paths, rebuilt when PREFIX changes).  uninstall removes
# exactly what install put there, and the directories if left empty.
# The man pages go to MANDIR/man1, the completions where bash-completion
# and zsh look by default under the same prefix (both named after the
# program: bash-completion loads a file by the command's name).
THEMES := $(wildcard themes/*.theme)
MANPAGES := man/drivr-console.1 man/drivr-sim.1
install: build
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(THEMEDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	$(INSTALL) -m 0755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
	$(if $(THEMES),$(INSTALL) -m 0644 $(THEMES) $(DESTDIR)$(THEMEDIR)/)
	$(INSTALL) -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 completion/drivr-console.bash $(DESTDIR)$(BASHCOMPDIR)/drivr-console
	$(INSTALL) -m 0644 completion/_drivr-console $(DESTDIR)$(ZSHCOMPDIR)/_drivr-console

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGRAMS))) \
		$(addprefix $(DESTDIR)$(THEMEDIR)/,$(notdir $(THEMES))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES))) \
		$(DESTDIR)$(BASHCOMPDIR)/drivr-console $(DESTDIR)$(ZSHCOMPDIR)/_drivr-console
	@for d in $(DESTDIR)$(THEMEDIR) $(DESTDIR)$(DATADIR)/drivr-console; do \
		[ ! -d "$$d" ] || rmdir "$$d" 2>/dev/null || echo "uninstall: kept $$d (not empty)"; \
	done

clean:
	rm -rf build build-asan build-fuzz drivr-console drivr-sim

print-version:
	@echo $(VERSION)

-include $(shell find $(BUILD) build-fuzz/obj -name '*.d' 2>/dev/null)
