#!/usr/bin/env bash
# A private PostgreSQL cluster in a folder of ours: no system service, a UNIX
# socket only (no TCP), trust authentication on that socket.
#   tools/pg.sh init DIR             initdb into DIR/data (idempotent)
#   tools/pg.sh start DIR            start it, socket in DIR/run (idempotent)
#   tools/pg.sh stop DIR [MODE]      stop it (MODE: fast, the default, or immediate)
#   tools/pg.sh status DIR           exit 0 when running
#   tools/pg.sh createdb DIR NAME    create database NAME if missing
# PostgreSQL refuses to run as root. When we are root, the cluster belongs to
# the system user 'postgres' (made by Debian's postgresql-common) and every
# server command runs as that user.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: pg.sh init|start|stop|status|createdb DIR}
dir=${2:?usage: pg.sh $cmd DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

if [ ! -x "$PGBIN/initdb" ]; then
	echo "pg.sh: $PGBIN/initdb not found: install PostgreSQL 15 (apt-get install postgresql-15)" >&2
	exit 1
fi

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case "$cmd" in
init)
	if [ -f "$dir/data/PG_VERSION" ]; then
		exit 0
	fi
	mkdir -p "$dir/data" "$dir/run"
	if [ "$(id -u)" = 0 ]; then
		if ! id postgres >/dev/null 2>&1; then
			echo "pg.sh: running as root needs the system user 'postgres' (apt-get install postgresql-15)" >&2
			exit 1
		fi
		chown -R postgres: "$dir"
		if ! runuser -u postgres -- test -w "$dir/data"; then
			echo "pg.sh: user 'postgres' cannot reach $dir (a parent folder is not searchable);" >&2
			echo "pg.sh: put the project in a folder others may enter, e.g. /srv or /tmp" >&2
			exit 1
		fi
	fi
	as_owner "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		echo "pg.sh: initdb failed, see $dir/initdb.log" >&2
		exit 1
	}
	cat >>"$dir/data/postgresql.conf" <<CONF
# set by tools/pg.sh
listen_addresses = ''
unix_socket_directories = '$dir/run'
unix_socket_permissions = 0777
timezone = 'UTC'
log_timezone = 'UTC'
max_connections = 200
shared_buffers = 128MB
fsync = on
synchronous_commit = on
logging_collector = off
log_min_messages = warning
CONF
	;;
start)
	if as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		exit 0
	fi
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null || {
		echo "pg.sh: PostgreSQL did not start, see $dir/postgres.log" >&2
		exit 1
	}
	;;
stop)
	mode=${3:-fast}
	if as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null
	fi
	;;
status)
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
	;;
createdb)
	name=${3:?usage: pg.sh createdb DIR NAME}
	"$PGBIN/psql" -h "$dir/run" -U postgres -d postgres -tAq -v ON_ERROR_STOP=1 \
		-c "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 ||
		"$PGBIN/createdb" -h "$dir/run" -U postgres "$name"
	;;
*)
	echo "usage: pg.sh init|start|stop|status|createdb DIR" >&2
	exit 2
	;;
esac
