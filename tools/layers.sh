#!/usr/bin/env bash
# The floor plan, checked (docs/architecture.md, "Folders"):
#  1. a folder includes only folders on its own floor or below, never one
#     above it;
#  2. only crypto/ calls libsodium: no other file includes <sodium.h> or
#     names a sodium_*, crypto_*, randombytes_* function or constant.
# Run by `make test`; prints each breach as FILE:LINE and exits 1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Bottom floor first. Folders on one line share a floor and may not include
# each other (the process and the tool stand side by side).
floors=(
	"base"
	"crypto"
	"workflow"
	"accounts"
	"intake"
	"staff"
	"desk"
	"web"
	"daemon ctl"
)

declare -A floor_of
for i in "${!floors[@]}"; do
	for d in ${floors[$i]}; do floor_of[$d]=$i; done
done

bad=0
breach() {
	echo "layers: $*" >&2
	bad=1
}

for dir in "${!floor_of[@]}"; do
	[ -d "$dir" ] || continue
	mine=${floor_of[$dir]}
	while IFS=: read -r file line target; do
		to=${target%%/*}
		[ "$to" = "$dir" ] && continue
		[ -n "${floor_of[$to]+x}" ] || continue # build/gen, the texts table
		if [ "${floor_of[$to]}" -gt "$mine" ] ||
			{ [ "${floor_of[$to]}" -eq "$mine" ] && [ "$to" != "$dir" ]; }; then
			breach "$file:$line includes $target, a floor above $dir/ (or beside it)"
		fi
	done < <(grep -Hno '^#include "[^"]*"' "$dir"/*.[ch] 2>/dev/null |
		sed -E 's/^([^:]*):([0-9]*):#include "([^"]*)"/\1:\2:\3/')
done

# libsodium: its header and its three prefixes, outside crypto/ (comments
# and strings are not told apart: name the function differently there too).
while IFS= read -r hit; do
	breach "$hit calls libsodium outside crypto/"
done < <(for dir in "${!floor_of[@]}"; do
	[ "$dir" = crypto ] || [ ! -d "$dir" ] || grep -HnE '#include <sodium\.h>|\b(sodium|crypto|randombytes)_[a-z0-9_]+' "$dir"/*.[ch] 2>/dev/null || true
done | sed -E 's/^([^:]*:[0-9]*):.*/\1/')

[ "$bad" = 0 ] && echo "layers: ok (${#floor_of[@]} folders)"
exit "$bad"
