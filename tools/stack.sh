#!/usr/bin/env bash
# A complete throw-away hotline stack for tests: a private PostgreSQL, the
# migrated database, fresh keys and pepper, and hotlined on 127.0.0.1.
#   tools/stack.sh start DIR PORT BUILD   start it (idempotent), print its URL on stdout
#   tools/stack.sh stop DIR               stop hotlined and PostgreSQL (idempotent)
# Everything lives in DIR: pg/ (the cluster), case.{pub,sec}, custodian.{pub,sec},
# pp (the passphrase of both secret keys), pepper, account.secret, hotlined.conf,
# hotlined.log, hotlined.pid. Progress goes to stderr; stdout carries the URL only.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage="usage: tools/stack.sh start DIR PORT BUILD | stop DIR"
cmd=${1:?$usage}
dir=${2:?$usage}

say() { echo "stack.sh: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# The pid in DIR/hotlined.pid when that process is alive and is hotlined.
daemon_pid() {
	local pid
	[ -f "$dir/hotlined.pid" ] || return 1
	pid=$(cat "$dir/hotlined.pid" 2>/dev/null) || return 1
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q hotlined || return 1
	echo "$pid"
}

healthy() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1/healthz" 2>/dev/null)" = 200 ]
}

stop_daemon() {
	local pid i
	pid=$(daemon_pid) || {
		rm -f "$dir/hotlined.pid"
		return 0
	}
	say "stopping hotlined (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	# request_timeout (15 s by default) for the requests in flight, and a margin
	for ((i = 0; i < 250; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "hotlined (pid $pid) did not stop within 25 s of SIGTERM; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/hotlined.pid"
}

case "$cmd" in
start)
	port=${3:?$usage}
	build=${4:?$usage}
	[[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$port'"
	build=$(cd "$build" && pwd) || die "no build folder $4"
	for bin in hotlined hotlinectl; do
		[ -x "$build/$bin" ] || die "$build/$bin is missing: run make all"
	done
	command -v curl >/dev/null || die "curl is needed (apt-get install curl)"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	# user postgres must be able to enter DIR when we are root
	chmod 0755 "$dir"
	url="http://127.0.0.1:$port"

	if daemon_pid >/dev/null && healthy "$url"; then
		say "already running"
		echo "$url/"
		exit 0
	fi
	stop_daemon

	"$repo/tools/pg.sh" init "$dir/pg"
	"$repo/tools/pg.sh" start "$dir/pg"
	"$repo/tools/pg.sh" createdb "$dir/pg" hotline
	"$build/hotlinectl" migrate --database "host=$dir/pg/run dbname=hotline user=postgres" \
		--dir "$repo/migrations" >&2 || die "hotlinectl migrate failed"

	if [ ! -s "$dir/pp" ]; then
		(
			umask 077
			echo "stack-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" >"$dir/pp"
		)
	fi
	for key in case custodian; do
		if [ ! -s "$dir/$key.pub" ] || [ ! -s "$dir/$key.sec" ]; then
			rm -f "$dir/$key.pub" "$dir/$key.sec"
			"$build/hotlinectl" keygen --public "$dir/$key.pub" --secret "$dir/$key.sec" \
				--passphrase-file "$dir/pp" >&2 || die "hotlinectl keygen ($key) failed"
		fi
	done
	if [ ! -s "$dir/pepper" ]; then
		rm -f "$dir/pepper"
		"$build/hotlinectl" pepper --out "$dir/pepper" >&2 || die "hotlinectl pepper failed"
	fi
	if [ ! -s "$dir/account.secret" ]; then
		rm -f "$dir/account.secret"
		"$build/hotlinectl" account-secret --out "$dir/account.secret" >&2 ||
			die "hotlinectl account-secret failed"
	fi

	cat >"$dir/hotlined.conf" <<CONF
# written by tools/stack.sh for a throw-away test stack
listen_address = 127.0.0.1
listen_port = $port
database = host=$dir/pg/run dbname=hotline user=hotline_app
receipt_pepper_file = $dir/pepper
account_secret_file = $dir/account.secret
# Argon2id's preset of the staff accounts: interactive keeps the test suites
# fast (STACK_ACCOUNT_KDF=moderate, the product's default, for make bench)
account_kdf = ${STACK_ACCOUNT_KDF:-interactive}
custodian_public_key = $dir/custodian.pub
case_public_key = $dir/case.pub
public_url = $url/
CONF
	# more settings for benchmarks and experiments, one "key = value" a line
	if [ -n "${STACK_EXTRA_CONFIG:-}" ]; then
		printf '%s\n' "$STACK_EXTRA_CONFIG" >>"$dir/hotlined.conf"
	fi

	say "starting hotlined on $url/ (log: $dir/hotlined.log)"
	"$build/hotlined" -c "$dir/hotlined.conf" </dev/null >>"$dir/hotlined.log" 2>&1 &
	echo $! >"$dir/hotlined.pid"

	for ((i = 0; i < 150; i++)); do
		if healthy "$url"; then
			echo "$url/"
			exit 0
		fi
		daemon_pid >/dev/null || break
		sleep 0.1
	done
	if daemon_pid >/dev/null; then
		say "hotlined did not answer 200 on $url/healthz within 15 s; its log:"
	else
		say "hotlined exited; its log:"
	fi
	cat "$dir/hotlined.log" >&2 || true
	stop_daemon
	exit 1
	;;
stop)
	[ -d "$dir" ] || exit 0
	dir=$(cd "$dir" && pwd)
	stop_daemon
	if [ -f "$dir/pg/data/PG_VERSION" ]; then
		"$repo/tools/pg.sh" stop "$dir/pg"
	fi
	;;
*)
	echo "$usage" >&2
	exit 2
	;;
esac
