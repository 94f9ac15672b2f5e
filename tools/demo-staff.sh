#!/usr/bin/env bash
# Demo staff accounts for `make run` (tools/run.sh): one per role, the login
# being the role name (operator, registrar, compliance, director, alternate,
# commission, custodian, analyst, admin), each with a generated password
# kept in var/demo-staff.txt (mode 0600) and printed by make run. Each case
# is sealed to the people its rules entitle; the demo case key is the
# offline recovery key (docs/keys.md).
# The roles that need a TOTP code by default (compliance, director,
# alternate, custodian, admin: migration 0019) get a demo authenticator: a
# random secret per var/, enrolled with hotlinectl user totp and printed
# with the command that makes a code (oathtool --totp -b SECRET). The
# accounts' keys use the server secret in $HOTLINE_ACCOUNT_SECRET (run.sh
# makes var/keys/account.secret). For trying out only.
#   tools/demo-staff.sh BUILD ADMIN_CONNINFO VAR_DIR
set -euo pipefail
build=${1:?usage: tools/demo-staff.sh BUILD ADMIN_CONNINFO VAR_DIR}
db=${2:?usage: tools/demo-staff.sh BUILD ADMIN_CONNINFO VAR_DIR}
var=${3:?usage: tools/demo-staff.sh BUILD ADMIN_CONNINFO VAR_DIR}
list="$var/demo-staff.txt"
[ -s "$list" ] && exit 0

roles=(operator registrar compliance director alternate commission custodian analyst admin)
tmp="$list.tmp"
(umask 077 && : >"$tmp")
echo "== demo staff accounts (passwords in var/demo-staff.txt: for trying out only)"
for role in "${roles[@]}"; do
	out=$("$build/hotlinectl" user add "$role" --name "Demo ${role^}" --roles "$role" \
		--database "$db" </dev/null)
	password=$(printf '%s\n' "$out" | sed -n 's/^password: //p')
	[ -n "$password" ] || {
		echo "demo-staff.sh: no password for $role" >&2
		exit 1
	}
	needs=$("${PGBIN:-/usr/lib/postgresql/15/bin}/psql" "$db" -Atq -v r="$role" \
		<<<"SELECT totp_required FROM hotline.staff_role_policy WHERE role = :'r'")
	if [ "$needs" = t ]; then
		secret=$(head -c 20 /dev/urandom | base32)
		printf '%s\n' "$password" | "$build/hotlinectl" user totp "$role" --secret "$secret" \
			--database "$db" >/dev/null
		printf '%-11s %s   code: oathtool --totp -b %s\n' "$role" "$password" "$secret" >>"$tmp"
	else
		printf '%-11s %s   (no code)\n' "$role" "$password" >>"$tmp"
	fi
done
# no grant of a case key: each case is sealed to the people its rules
# entitle (docs/keys.md); cases of an older demo database are moved by
# `hotlinectl case reseal` (idempotent: nothing to do on a fresh one)
"$build/hotlinectl" case reseal --case-key "$var/keys/case.sec" \
	--passphrase-file "$var/keys/demo-passphrase" --database "$db" >/dev/null
mv "$tmp" "$list"
