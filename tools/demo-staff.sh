#!/usr/bin/env bash
# Demo staff accounts for `make run` (tools/run.sh): one per role, the login
# being the role name (operator, registrar, compliance, director, alternate,
# commission, custodian, analyst, admin), each with a generated password
# kept in var/demo-staff.txt (mode 0600) and printed by make run. Each is
# made with the real steps (docs/staff.md, "Accounts and activation"):
# `hotlinectl user add` gives a one-time activation code, `user activate`
# sets the password (the demo plays the person); compliance is added first,
# so the bootstrap rule of an empty installation grants its role at once,
# and compliance then confirms the director's, the alternate's and the
# custodian's roles (`user confirm`). Each case is sealed to the people its
# rules entitle; the demo case key is the offline recovery key (docs/keys.md).
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
ctl() { "$build/hotlinectl" "$@" --database "$db"; }
# compliance first: the bootstrap grant of an empty installation
for role in compliance "${roles[@]}"; do
	[ "$role" = compliance ] && grep -q '^compliance ' "$tmp" && continue
	out=$(ctl user add "$role" --name "Demo ${role^}" --roles "$role" </dev/null)
	code=$(printf '%s\n' "$out" | sed -n 's/^activation code: //p')
	[ -n "$code" ] || {
		echo "demo-staff.sh: no activation code for $role" >&2
		exit 1
	}
	password=$(od -An -N15 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s\n%s\n' "$code" "$password" | ctl user activate "$role" >/dev/null
	needs=$("${PGBIN:-/usr/lib/postgresql/15/bin}/psql" "$db" -Atq -v r="$role" \
		<<<"SELECT totp_required FROM hotline.staff_role_policy WHERE role = :'r'")
	if [ "$needs" = t ]; then
		secret=$(head -c 20 /dev/urandom | base32)
		printf '%s\n' "$password" | ctl user totp "$role" --secret "$secret" >/dev/null
		printf '%-11s %s   code: oathtool --totp -b %s\n' "$role" "$password" "$secret" >>"$tmp"
	else
		printf '%-11s %s   (no code)\n' "$role" "$password" >>"$tmp"
	fi
done
comp_password=$(awk '$1 == "compliance" { print $2 }' "$tmp")
for role in director alternate custodian; do
	printf '%s\n' "$comp_password" | ctl user confirm "$role" "$role" --by compliance >/dev/null
done
# no grant of a case key: each case is sealed to the people its rules
# entitle (docs/keys.md); cases of an older demo database are moved by
# `hotlinectl case reseal` (idempotent: nothing to do on a fresh one)
"$build/hotlinectl" case reseal --case-key "$var/keys/case.sec" \
	--passphrase-file "$var/keys/demo-passphrase" --database "$db" >/dev/null
mv "$tmp" "$list"
