#!/usr/bin/env bash
# Runs cmocka unit test binaries from the repository root and totals them:
#   tools/unit.sh build/unit/test_a build/unit/test_b ...
# Each binary's output is shown as it runs. Counts come from cmocka's
# "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:"
# lines. A binary that crashes, exits non-zero without reporting a failure,
# or reports nothing counts as one more failed test. The last line is
# always "unit: N passed, N failed"; exit 1 when anything failed or no test
# ran.
set -uo pipefail

bins=()
for bin in "$@"; do
	# Made absolute, since we change directory.
	case "$bin" in
	/*) bins+=("$bin") ;;
	*) bins+=("$PWD/$bin") ;;
	esac
done
cd "$(dirname "$0")/.." || exit 1

out=$(mktemp)
trap 'rm -f "$out"' EXIT

passed=0
failed=0
for bin in "${bins[@]}"; do
	name=${bin##*/}
	echo "== $name"
	if [ ! -x "$bin" ]; then
		echo "unit: $bin: not found or not executable"
		failed=$((failed + 1))
		continue
	fi
	# Plain text output whatever the caller's environment asks for.
	CMOCKA_MESSAGE_OUTPUT=STDOUT "$bin" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}

	# cmocka may glue its summary lines to others: match anywhere.
	p=$(grep -ao '\[  PASSED  \] [0-9]* test(s)\.' "$out" | grep -o '[0-9][0-9]*' |
		awk '{ s += $1 } END { print s + 0 }')
	f=$(grep -ao '\[  FAILED  \] [0-9]* test(s), listed below:' "$out" | grep -o '[0-9][0-9]*' |
		awk '{ s += $1 } END { print s + 0 }')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		if [ "$rc" -gt 128 ]; then
			echo "unit: $name: killed by signal $((rc - 128))"
		else
			echo "unit: $name: exit status $rc"
		fi
		f=1
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "unit: $name: ran no test"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done

echo "unit: $passed passed, $failed failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
	exit 1
fi
exit 0
