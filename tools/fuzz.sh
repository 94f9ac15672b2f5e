#!/usr/bin/env bash
# Builds the libFuzzer harnesses in tests/fuzz/ with clang (ASan + UBSan)
# into build/fuzz/ and runs each for SECONDS seconds (default 3):
#   tools/fuzz.sh [name ...]        (default: every tests/fuzz/fuzz_*.c)
# Each harness runs on a copy of its seed corpus, tests/fuzz/corpus/NAME/,
# in build/fuzz/corpus-work/NAME, so what it finds does not grow the repo.
# A crash, leak, sanitizer report, timeout or OOM leaves its input as
# build/fuzz/crash-NAME-KIND-SHA1 (KIND is libFuzzer's: crash, leak,
# timeout, oom) and counts as a failure.
# The last line is always "fuzz: N passed, N failed"; exit 1 when any
# harness failed or did not build.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

SECONDS_EACH=${SECONDS_EACH:-${FUZZ_SECONDS:-3}}
CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
OUT=build/fuzz
# the texts table made from po/ (the Makefile passes its own)
TEXTS=${TEXTS:-build/gen/texts.def}
PKGS="libsodium libmicrohttpd gmime-3.0 liboath libpq jansson libgfshare libevent"

if [ -z "$CLANG" ]; then
	echo "fuzz: clang not found (apt-get install clang-14 libclang-rt-14-dev)"
	echo "fuzz: 0 passed, 1 failed"
	exit 1
fi

# The project sources each harness needs, compiled into it directly.
sources() {
	case "$1" in
	config) echo base/config.c base/clientaddr.c base/mailmsg.c base/buf.c ;;
	clientaddr) echo base/clientaddr.c ;;
	receipt) echo crypto/receipt.c crypto/keys.c crypto/secret.c ;;
	packet) echo crypto/packet.c crypto/shares.c crypto/keys.c crypto/secret.c ;;
	i18n) echo base/i18n.c ;;
	text) echo base/utf8.c base/html.c base/i18n.c base/buf.c base/log.c ;;
	form) echo intake/form.c intake/spool.c crypto/records.c crypto/random.c crypto/secret.c crypto/wrap.c \
		base/utf8.c base/buf.c base/log.c ;;
	names) echo workflow/names.c ;;
	checkpoint) echo workflow/checkpoint.c crypto/sign.c crypto/keys.c crypto/secret.c crypto/digest.c \
		base/buf.c ;;
	mail) echo intake/mail.c base/utf8.c ;;
	staff_body) echo web/body.c intake/spool.c crypto/records.c crypto/random.c crypto/secret.c crypto/wrap.c \
		base/utf8.c base/buf.c base/log.c ;;
	staff_parsers) echo workflow/calendar.c workflow/journal.c workflow/states.c crypto/digest.c \
		base/buf.c accounts/role.c staff/pattern.c accounts/totp.c accounts/session.c crypto/keys.c \
		crypto/hex.c crypto/random.c crypto/secret.c \
		workflow/procedure.c workflow/recipient.c workflow/notice.c workflow/deadline.c \
		workflow/wfdb.c base/html.c base/i18n.c workflow/freetext.c workflow/names.c crypto/seal.c \
		base/db.c base/log.c ;;
	*) return 1 ;;
	esac
}

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for f in tests/fuzz/fuzz_*.c; do
		n=${f##*/fuzz_}
		names+=("${n%.c}")
	done
fi

# shellcheck disable=SC2086
cflags="-std=c11 -g -O1 -I. -I$(dirname "$TEXTS") -D_GNU_SOURCE $(pkg-config --cflags $PKGS 2>/dev/null)
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
	-Wall -Wextra -Werror -Wno-unused-parameter"
# shellcheck disable=SC2086
libs="$(pkg-config --libs $PKGS 2>/dev/null) -lpthread"

if [ ! -f "$TEXTS" ]; then
	mkdir -p "$(dirname "$TEXTS")"
	tools/po2def.sh po/hotline.pot po/kk.po po/ru.po >"$TEXTS" || exit 1
fi
mkdir -p "$OUT" "$OUT/corpus-work"
passed=0
failed=0
for name in "${names[@]}"; do
	src=tests/fuzz/fuzz_$name.c
	bin=$OUT/fuzz_$name
	if ! deps=$(sources "$name") || [ ! -f "$src" ]; then
		echo "fuzz: $name: no harness $src or no source list in tools/fuzz.sh"
		failed=$((failed + 1))
		continue
	fi
	# Rebuild when the harness or any source it compiles is newer.
	stale=0
	for f in "$src" $deps "$TEXTS"; do
		[ "$f" -nt "$bin" ] && stale=1
	done
	# Headers too: any header of the modules they come from, and the
	# harnesses' own (tests/fuzz/loopback.h, cstring.h).
	for f in crypto/*.h base/*.h workflow/*.h accounts/*.h intake/*.h staff/*.h desk/*.h web/*.h tests/fuzz/*.h; do
		[ "$f" -nt "$bin" ] && stale=1
	done
	if [ "$stale" = 1 ]; then
		echo "== build fuzz_$name"
		# shellcheck disable=SC2086
		if ! "$CLANG" $cflags -o "$bin" "$src" $deps $libs; then
			echo "fuzz: $name: build failed"
			failed=$((failed + 1))
			continue
		fi
	fi

	work=$OUT/corpus-work/$name
	rm -rf "$work"
	mkdir -p "$work"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -rp "tests/fuzz/corpus/$name"/. "$work"/
	fi
	log=$OUT/fuzz_$name.log
	echo "== fuzz_$name for ${SECONDS_EACH}s ($(find "$work" -type f | wc -l) seeds)"
	rm -f "$OUT"/crash-"$name"-*
	"$bin" -max_total_time="$SECONDS_EACH" -timeout=5 -rss_limit_mb=2048 \
		-artifact_prefix="$OUT/crash-$name-" -print_final_stats=1 \
		"$work" >"$log" 2>&1
	rc=$?
	# -a: the log can hold binary dictionary entries.
	stats=$(grep -aE '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" |
		tail -n 3 |
		sed 's/^stat:://' | tr -s ' ' | tr '\n' ' ')
	artifact=$(LC_ALL=C sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -n 1)
	if [ "$rc" -ne 0 ] || [ -n "$artifact" ]; then
		grep -aE 'ERROR|SUMMARY|runtime error|deadly signal|==[0-9]+==' "$log" | head -n 20
		echo "fuzz: $name: FAILED (exit $rc); log $log"
		[ -n "$artifact" ] && echo "fuzz: $name: reproduce with $bin $artifact"
		failed=$((failed + 1))
	else
		echo "fuzz: $name: ok ($stats)"
		passed=$((passed + 1))
	fi
done

echo "fuzz: $passed passed, $failed failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
	exit 1
fi
exit 0
