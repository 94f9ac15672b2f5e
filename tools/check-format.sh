#!/usr/bin/env bash
# Fails when a C file of the repository differs from what clang-format
# (Debian's clang-format 14, with the repository's .clang-format) makes of
# it, naming each such file; `make format` rewrites them. Run by make test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || {
	echo "check-format: clang-format is needed (apt-get install clang-format)" >&2
	exit 1
}
bad=0
while IFS= read -r f; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "check-format: $f differs from clang-format's layout (make format)" >&2
		bad=1
	fi
done < <(git ls-files '*.c' '*.h')
[ "$bad" = 0 ] && echo "check-format: ok ($(git ls-files '*.c' '*.h' | wc -l) files)"
exit "$bad"
