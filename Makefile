# hotline: build, run and test. `make help` lists the targets.
CC       ?= cc
BUILD    ?= build
SANITIZE ?=
PORT     ?= 8080
# seconds each fuzz harness runs under `make fuzz` (make test runs 3 each)
SECONDS  ?= 60

PKGS     := libevent libmicrohttpd libsodium libpq libsystemd jansson libesmtp-1.0 libssl libcrypto gmime-3.0 liboath libqrencode libgfshare
CPPFLAGS := -I. -I$(BUILD)/gen -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS   := -std=c11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral \
            -fstack-protector-strong -D_FORTIFY_SOURCE=2
# full RELRO; also no lazy symbol binding, whose register saves would put
# stale vector registers (bytes of reports) on the stack (base/wipe.c)
LDFLAGS  += -Wl,-z,relro,-z,now
LDLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread

ifneq ($(SANITIZE),)
BUILD    := build/san
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all -U_FORTIFY_SOURCE
LDFLAGS  += -fsanitize=$(SANITIZE)
endif

# every folder but the process (daemon/) and the tool (ctl/), bottom floor
# first (docs/architecture.md; tools/layers.sh checks the order)
LAYERS  := base crypto workflow accounts intake staff desk web
LIB_SRC := $(foreach d,$(LAYERS),$(sort $(wildcard $(d)/*.c)))
# wipe_free.c replaces free() and realloc(): in hotlined only (base/wipe.h)
DAEMON_SRC := daemon/main.c daemon/wipe_free.c
CTL_SRC := $(sort $(wildcard ctl/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/obj/%.o)
CTL_OBJ := $(CTL_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)

.PHONY: all help deps run test unit integration browser bench fuzz fuzz-smoke clean format check-sql check-layers check-format po-update

# tests/tools/: small programs the integration tests run (the dump harness,
# tests/integration/test_account_kdf.py)
TEST_TOOLS := $(BUILD)/tests/dumpread $(BUILD)/tests/account_probe

all: $(BUILD)/hotlined $(BUILD)/hotlinectl $(TEST_TOOLS)

help:
	@echo "make run        build, start PostgreSQL under ./var and hotlined on http://127.0.0.1:$(PORT)/"
	@echo "                (LMTP intake on port PORT+1; the mails it sends kept in var/mail/)"
	@echo "make test       every test layer (unit, integration, browser); SANITIZE=address,undefined for ASan+UBSan"
	@echo "make fuzz       the libFuzzer harnesses (clang, ASan+UBSan) for SECONDS=$(SECONDS) each; crashes in build/fuzz/"
	@echo "make bench      performance figures (not part of make test), also in build/bench-results.txt"
	@echo "make deps       install the Debian packages this needs (as root), or print the apt-get line"
	@echo "make clean      remove build/ (var/ with the demo data is kept)"

deps:
	@tools/deps.sh

# The texts of the pages, from the gettext catalogs in po/ (po/README.md).
TEXTS := $(BUILD)/gen/texts.def
$(TEXTS): po/hotline.pot po/kk.po po/ru.po tools/po2def.sh
	@mkdir -p $(dir $@)
	tools/po2def.sh po/hotline.pot po/kk.po po/ru.po > $@.tmp
	@mv $@.tmp $@

$(BUILD)/obj/%.o: %.c | $(TEXTS)
	@pkg-config --exists $(PKGS) || { echo "Missing -dev packages: run 'make deps' (as root) first, or make run / make test, which do." >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libhotline.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/hotlined: $(DAEMON_OBJ) $(BUILD)/libhotline.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/hotlinectl: $(CTL_OBJ) $(BUILD)/libhotline.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libhotline.a $(TEXTS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libhotline.a $(LDLIBS) -lcmocka

$(BUILD)/tests/%: tests/tools/%.c $(BUILD)/libhotline.a $(TEXTS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libhotline.a $(LDLIBS)

-include $(LIB_OBJ:.o=.d) $(DAEMON_OBJ:.o=.d) $(CTL_OBJ:.o=.d)

# deps first, then a fresh make: the pkg-config flags above are read when a
# make starts, so the one that installed the -dev packages cannot use them.
run: deps
	@$(MAKE) --no-print-directory all
	@PORT=$(PORT) BUILD=$(BUILD) tools/run.sh

unit: $(UNIT_BIN)
	@tools/unit.sh $(UNIT_BIN)

integration: all $(TEST_TOOLS)
	@echo "== integration tests (pytest, real PostgreSQL and hotlined)"
	cd tests/integration && HOTLINE_BUILD=$(abspath $(BUILD)) /usr/bin/python3 -m pytest -q -p no:cacheprovider

browser: all
	@echo "== browser tests (Debian chromium driven by playwright-core)"
	@tools/browser.sh $(abspath $(BUILD))

bench: all
	@tools/bench.sh $(abspath $(BUILD))

# tests/fuzz/: one libFuzzer harness per parser of outside input, built with
# clang by tools/fuzz.sh into build/fuzz/ (docs/fuzzing.md).
fuzz: $(TEXTS)
	@echo "== fuzz ($(SECONDS)s per harness)"
	@SECONDS_EACH=$(SECONDS) TEXTS=$(TEXTS) tools/fuzz.sh

fuzz-smoke: unit
	@echo "== fuzz smoke (3s per harness)"
	@SECONDS_EACH=3 TEXTS=$(TEXTS) tools/fuzz.sh

check-sql:
	@tools/check-sql.sh

# the floors (docs/architecture.md, "Folders") and the layout of every C file
check-layers:
	@tools/layers.sh

check-format:
	@tools/check-format.sh

test: deps
	@$(MAKE) --no-print-directory all check-sql check-layers check-format unit fuzz-smoke integration browser
	@echo "== all test layers passed"

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# After an entry was added to or changed in po/hotline.pot: merge it into
# the translations (a changed English text comes back fuzzy until checked).
po-update:
	for po in po/kk.po po/ru.po; do msgmerge --quiet --update --backup=none --no-wrap $$po po/hotline.pot; done

clean:
	rm -rf build
