#!/usr/bin/env bash
# The browser tests: Debian's chromium driven by playwright-core against a
# throw-away stack (tools/stack.sh).
#   tools/browser.sh BUILD [FILE.test.mjs ...]   (default: every tests/browser/*.test.mjs)
# Screenshots go to build/screenshots. KEEP_STACK=1 keeps the stack's folder
# (database, keys, hotlined.log) after the run instead of deleting it.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:?usage: tools/browser.sh BUILD}
build=$(cd "$build" && pwd)
shift
tests="$repo/tests/browser"
files=("$@") # names under tests/browser; none: node --test finds them all

say() { echo "browser.sh: $*" >&2; }

command -v node >/dev/null || {
	say "node is needed (apt-get install nodejs npm)"
	exit 1
}
[ -x /usr/bin/chromium ] || {
	say "/usr/bin/chromium is needed (apt-get install chromium)"
	exit 1
}

# Never let anything download a browser: the tests use /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -d "$tests/node_modules" ] ||
	[ ! -f "$tests/node_modules/.package-lock.json" ] ||
	[ "$tests/package-lock.json" -nt "$tests/node_modules/.package-lock.json" ]; then
	say "installing the test's node modules (npm ci)"
	(cd "$tests" && npm ci --no-audit --no-fund) >&2
fi

# Under /tmp so that user postgres can reach it when we are root.
stack=$(mktemp -d "${TMPDIR:-/tmp}/hotline-browser.XXXXXX")
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local rc=$?
	"$repo/tools/stack.sh" stop "$stack" || rc=1
	if [ "${KEEP_STACK:-}" = 1 ]; then
		say "stack kept in $stack"
	else
		rm -rf "$stack"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(node -e '
const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')

# tests/browser/common.mjs: the staff pages need a plain-HTTP cookie
export STACK_EXTRA_CONFIG="${STACK_EXTRA_CONFIG:+$STACK_EXTRA_CONFIG
}staff_cookie_secure = no"
url=$("$repo/tools/stack.sh" start "$stack" "$port" "$build")
say "stack at $url"
"$repo/tools/staff-accounts.sh" "$stack" "$build"
# The tests take anonymous reports as their corruption cases: only under an
# organisation's policy to consider anonymous reports may one go to the
# director as corruption (docs/procedure.md, Triage).
"$build/hotlinectl" settings set consider_anonymous_reports on \
	--database "host=$stack/pg/run dbname=hotline user=postgres" >/dev/null

shots="$repo/build/screenshots"
mkdir -p "$shots"

rc=0
(cd "$tests" && HOTLINE_URL="$url" HOTLINE_SCREENSHOTS="$shots" HOTLINE_TEXTS="$build/gen/texts.def" \
	HOTLINE_STAFF="$stack/staff.json" node --test "${files[@]}") || rc=$?
if [ "$rc" != 0 ]; then
	say "browser tests failed; the last lines of hotlined.log:"
	tail -n 60 "$stack/hotlined.log" >&2 || true
else
	say "screenshots in $shots"
fi
exit "$rc"
