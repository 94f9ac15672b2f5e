#!/usr/bin/env bash
# Makes sure the Debian packages in tools/packages.txt are installed.
# Silent when they all are. Otherwise, as root (or with password-less sudo),
# installs the missing ones; else prints the apt-get line to run and exits 1.
# A package counts as installed when an installed package provides it (the
# NodeSource build of nodejs provides npm and conflicts with Debian's).
set -euo pipefail
cd "$(dirname "$0")/.."

list=${HOTLINE_PACKAGES:-tools/packages.txt}
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$list")

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: no dpkg-query: this is not Debian; install the equivalents of: ${wanted[*]}" >&2
	exit 1
fi

# Names provided by installed packages, one a line.
provided() {
	dpkg-query -W -f='${Status}|${Provides}\n' 2>/dev/null |
		sed -n 's/^install ok installed|//p' |
		tr ',' '\n' | sed -e 's/(.*)//' -e 's/[[:space:]]//g' -e '/^$/d' | sort -u
}

missing_packages() {
	local pkg virtual
	virtual=$(provided)
	for pkg in "${wanted[@]}"; do
		if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ]; then
			continue
		fi
		if grep -qxF -- "$pkg" <<<"$virtual"; then
			continue
		fi
		echo "$pkg"
	done
}

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" = 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	as_root=(sudo -n)
else
	printf 'Missing Debian packages. Run as root:\n  apt-get install -y %s\n' "${missing[*]}" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
# Postfix is only for tests/integration/test_postfix.py, which starts its own
# private instance: answer debconf's question with "No configuration" (the
# noninteractive default would be "Internet Site": a system mailer on port 25).
if printf '%s\n' "${missing[@]}" | grep -qx postfix; then
	echo "postfix postfix/main_mailer_type select No configuration" |
		"${as_root[@]}" debconf-set-selections
fi
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}"

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -ne 0 ]; then
	echo "deps.sh: still missing after apt-get install: ${missing[*]}" >&2
	exit 1
fi
