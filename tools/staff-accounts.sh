#!/usr/bin/env bash
# Staff accounts for a throw-away test stack (tools/stack.sh), the same as
# the integration tests' (tests/integration/staff_fixture.py): one account
# per role, the login being the role name, all with one password (added,
# then activated with the one-time code; compliance first, by the bootstrap
# rule, then confirming the other privileged roles); cases sealed to whoever
# their rules entitle (docs/keys.md); TOTP
# required for compliance, director, alternate, custodian and admin (the
# default of migration 0019), enrolled with known secrets. The accounts'
# keys are derived with the stack's account secret and account_kdf
# (tools/stack.sh writes both into DIR/hotlined.conf).
#   tools/staff-accounts.sh DIR BUILD
# Writes DIR/staff.json: {"password": ..., "logins": [...], "totp": {login: base32}}
# (tests/browser/common.mjs reads it). Idempotent: does nothing when
# DIR/staff.json exists.
set -euo pipefail

dir=${1:?usage: tools/staff-accounts.sh DIR BUILD}
build=${2:?usage: tools/staff-accounts.sh DIR BUILD}
[ -f "$dir/staff.json" ] && exit 0

password="staff password (test only)"
roles=(operator registrar compliance director alternate commission custodian analyst admin)
declare -A totp=(
	[director]=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
	[custodian]=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U
	[admin]=KRUGS4ZANFZSA5DIMUQGC3DNNFXCA23F
	[compliance]=MNXW24DMNFQW4Y3FFV2G65DQFUYDAMBR
	[alternate]=MFWHIZLSNZQXIZJNORXXI4BNGAYDAMBS
)
db="host=$dir/pg/run dbname=hotline user=postgres"
kdf=$(sed -n 's/^account_kdf *= *//p' "$dir/hotlined.conf" | tail -n 1)
export HOTLINE_ACCOUNT_SECRET="$dir/account.secret" HOTLINE_ACCOUNT_KDF="${kdf:-moderate}"
ctl() { "$build/hotlinectl" "$@" --database "$db" >/dev/null; }

ctlout() { "$build/hotlinectl" "$@" --database "$db"; }
for role in compliance operator registrar director alternate commission custodian analyst admin; do
	code=$(ctlout user add "$role" --name "Test ${role^}" --roles "$role" </dev/null |
		sed -n 's/^activation code: //p')
	printf '%s\n%s\n' "$code" "$password" | ctl user activate "$role"
done
for role in director alternate custodian; do
	printf '%s\n' "$password" | ctl user confirm "$role" "$role" --by compliance
done
# no grant of a case key: each case is sealed to the people its rules
# entitle (docs/keys.md)
for login in "${!totp[@]}"; do
	printf '%s\n' "$password" | ctl user totp "$login" --secret "${totp[$login]}"
	ctl role totp "$login" on
done

{
	printf '{"password": "%s", "logins": [' "$password"
	sep=
	for role in "${roles[@]}"; do
		printf '%s"%s"' "$sep" "$role"
		sep=", "
	done
	printf '], "totp": {'
	sep=
	for login in compliance director alternate custodian admin; do
		printf '%s"%s": "%s"' "$sep" "$login" "${totp[$login]}"
		sep=", "
	done
	printf '}}\n'
} >"$dir/staff.json.tmp"
mv "$dir/staff.json.tmp" "$dir/staff.json"
echo "staff-accounts.sh: accounts for every role made (password in $dir/staff.json)" >&2
