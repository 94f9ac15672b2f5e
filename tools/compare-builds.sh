#!/usr/bin/env bash
# Compares two builds byte for byte (issue 15: a refactor changes no page,
# no mail and no LMTP answer): walks the same scripted steps on a
# throw-away stack of each checkout in turn (its own build/, migrations,
# tools/stack.sh and tools/staff-accounts.sh), then diffs the answers after
# normalising what differs between any two runs (tests/compare/README.md).
#   tools/compare-builds.sh OLD_CHECKOUT NEW_CHECKOUT [OUT_DIR]
# Each checkout must be built (make all). Prints a line per answer, unified
# diffs of those that differ, a count; exits 0 only when nothing differs.
# OUT_DIR (default: a temporary folder, removed unless something differs)
# keeps the raw answers in OUT_DIR/old and OUT_DIR/new.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage="usage: tools/compare-builds.sh OLD_CHECKOUT NEW_CHECKOUT [OUT_DIR]"
old=$(cd "${1:?$usage}" && pwd)
new=$(cd "${2:?$usage}" && pwd)
for c in "$old" "$new"; do
	for f in build/hotlined build/hotlinectl tools/stack.sh tools/staff-accounts.sh; do
		[ -e "$c/$f" ] || {
			echo "compare-builds.sh: $c/$f is missing (make all?)" >&2
			exit 2
		}
	done
done
out=${3:-}
keep=yes
if [ -z "$out" ]; then
	out=$(mktemp -d /tmp/hotline-compare-out.XXXXXX)
	keep=
fi
rm -rf "$out/old" "$out/new"
mkdir -p "$out"

# One port each for the daemon, the SMTP sink and LMTP, the same for both
# runs (the public URL is in pages and mails), below the ephemeral range.
port() {
	/usr/bin/python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    p = random.randrange(max(1024, low - 12000), low)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            continue
        print(p)
        break
PY
}
ports=(--port "$(port)" --sink-port "$(port)" --lmtp-port "$(port)")

start=$(date +%s)
# nice: the walk shares the machine; it waits on the daemon, not the CPU
nice /usr/bin/python3 "$repo/tests/compare/walk.py" record "$old" "$out/old" "${ports[@]}"
nice /usr/bin/python3 "$repo/tests/compare/walk.py" record "$new" "$out/new" "${ports[@]}"
rc=0
/usr/bin/python3 "$repo/tests/compare/walk.py" diff "$out/old" "$out/new" || rc=$?
echo "compare-builds.sh: $(($(date +%s) - start)) s; answers in $out"
if [ "$rc" = 0 ] && [ -z "$keep" ]; then
	rm -rf "$out"
fi
exit "$rc"
