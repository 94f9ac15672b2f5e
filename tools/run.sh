#!/usr/bin/env bash
# `make run`: a complete local hotline under ./var — a private PostgreSQL
# cluster, the schema, demo keys, hotlined on http://127.0.0.1:$PORT/ with
# its e-mail intake (LMTP) on 127.0.0.1:$LMTP_PORT, and a mail sink on
# 127.0.0.1:$MAIL_SINK_PORT that keeps every notice hotlined sends as files
# in var/mail/. Ctrl-C stops the daemon, the sink and the cluster; the next
# run reuses the data. HOTLINE_VAR=DIR puts the data elsewhere (the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
PORT=${PORT:-8080}
LMTP_PORT=${LMTP_PORT:-$((PORT + 1))}
MAIL_SINK_PORT=${MAIL_SINK_PORT:-$((PORT + 2))}
BUILD=${BUILD:-build}
var=${HOTLINE_VAR:-$top/var}
mkdir -p "$var/keys" "$var/mail"
chmod 0755 "$var"
chmod 0700 "$var/keys"

echo "== PostgreSQL cluster in var/pg"
tools/pg.sh init "$var/pg"
tools/pg.sh start "$var/pg"
tools/pg.sh createdb "$var/pg" hotline
admin="host=$var/pg/run dbname=hotline user=postgres"
"$BUILD/hotlinectl" migrate --database "$admin" --dir migrations

pass="$var/keys/demo-passphrase"
if [ ! -f "$pass" ]; then
	echo "== demo keys in var/keys (passphrase in var/keys/demo-passphrase: for trying out only)"
	(umask 077 && echo "demo passphrase, not for production" >"$pass")
	"$BUILD/hotlinectl" keygen --public "$var/keys/custodian.pub" --secret "$var/keys/custodian.sec" --passphrase-file "$pass"
	"$BUILD/hotlinectl" keygen --public "$var/keys/case.pub" --secret "$var/keys/case.sec" --passphrase-file "$pass"
	"$BUILD/hotlinectl" pepper --out "$var/keys/receipt.pepper"
	echo "== demo recipients of notices (change with hotlinectl settings set ...)"
	for kv in director_email=director@example.org alternate_email=board@example.org \
		compliance_email=compliance@example.org "organisation=Demo organisation"; do
		"$BUILD/hotlinectl" settings set "${kv%%=*}" "${kv#*=}" --database "$admin" >/dev/null
	done
fi
# the demo checkpoint key (docs/keys.md, "The checkpoint key"): made apart
# from the other keys so that a var/ from before it gets one too
if [ ! -f "$var/keys/checkpoint.sec" ]; then
	echo "== demo checkpoint key in var/keys (signs the chains' heads; for trying out only)"
	"$BUILD/hotlinectl" checkpoint-key --public "$var/keys/checkpoint.pub" --secret "$var/keys/checkpoint.sec"
fi
# the staff accounts' server secret (docs/staff.md, "Accounts and keys"):
# made apart from the other keys so that a var/ from before it gets one too
if [ ! -f "$var/keys/account.secret" ]; then
	echo "== the staff accounts' server secret in var/keys/account.secret"
	"$BUILD/hotlinectl" account-secret --out "$var/keys/account.secret" >/dev/null
fi
export HOTLINE_ACCOUNT_SECRET="$var/keys/account.secret"
tools/demo-staff.sh "$BUILD" "$admin" "$var"
"$BUILD/hotlinectl" settings set console_url "http://127.0.0.1:$PORT/staff/" --database "$admin" >/dev/null

conf="$var/hotlined.conf"
cat >"$conf" <<CONF
# written by make run (tools/run.sh); see docs/config.md
listen_address = 127.0.0.1
listen_port = $PORT
database = "host=$var/pg/run dbname=hotline user=hotline_app"
receipt_pepper_file = $var/keys/receipt.pepper
custodian_public_key = $var/keys/custodian.pub
case_public_key = $var/keys/case.pub
# the staff accounts' keys are wrapped under it and Argon2id (moderate)
account_secret_file = $var/keys/account.secret
public_url = http://127.0.0.1:$PORT/
# plain HTTP on the loopback, for trying out: browsers would keep a Secure
# cookie from http://127.0.0.1 too, but not every one does; in production
# keep the default (yes) behind TLS
staff_cookie_secure = no
# the e-mail intake (docs/mail-intake.md): an MTA would deliver here; try it
# with swaks (printed below)
lmtp_listen = 127.0.0.1:$LMTP_PORT
outbox_key_file = $var/keys/outbox.key
# notices go to the local sink (tools/smtp_sink.py), which keeps them in
# var/mail/; in production: the organisation's MTA (docs/mail.md)
smtp_server = 127.0.0.1
smtp_port = $MAIL_SINK_PORT
smtp_starttls = no
outbox_retry_min = 5
outbox_retry_max = 60
# signs the heads of the journal and audit chains at start, on reload
# (kill -HUP) and daily; the line goes to this terminal and to var/mail/
checkpoint_secret_key = $var/keys/checkpoint.sec
CONF

daemon_pid=
sink_pid=
stop() {
	trap - INT TERM EXIT
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid" 2>/dev/null || true
		wait "$daemon_pid" 2>/dev/null || true
	fi
	if [ -n "$sink_pid" ] && kill -0 "$sink_pid" 2>/dev/null; then
		kill -TERM "$sink_pid" 2>/dev/null || true
		wait "$sink_pid" 2>/dev/null || true
	fi
	echo "== stopping PostgreSQL"
	tools/pg.sh stop "$var/pg"
}
trap stop INT TERM EXIT

# The mail sink first: hotlined's sender finds it at once.
/usr/bin/python3 tools/smtp_sink.py --port "$MAIL_SINK_PORT" --dir "$var/mail" --text \
	>"$var/mail-sink.log" 2>&1 &
sink_pid=$!
for _ in $(seq 1 50); do
	grep -q '^ready' "$var/mail-sink.log" 2>/dev/null && break
	kill -0 "$sink_pid" 2>/dev/null || {
		echo "the mail sink did not start (var/mail-sink.log):" >&2
		cat "$var/mail-sink.log" >&2
		exit 1
	}
	sleep 0.2
done

"$BUILD/hotlined" -c "$conf" &
daemon_pid=$!
for _ in $(seq 1 50); do
	if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
		break
	fi
	kill -0 "$daemon_pid" 2>/dev/null || { echo "hotlined did not start (see the lines above)" >&2; exit 1; }
	sleep 0.2
done
cat <<MSG

  hotline is running.
    Report form:   http://127.0.0.1:$PORT/
    Status page:   http://127.0.0.1:$PORT/status
    Staff pages:   http://127.0.0.1:$PORT/staff/
      demo accounts, login = role name, password, and how to get the
      second factor's code where the role needs one (var/demo-staff.txt):
$(sed 's/^/        /' "$var/demo-staff.txt")
    Decrypt a case (as the keys' holder):
      $BUILD/hotlinectl case show REG_NO --database "$admin" \\
        --case-key $var/keys/case.sec --passphrase-file $var/keys/demo-passphrase \\
        --custodian-key $var/keys/custodian.sec --custodian-passphrase-file $var/keys/demo-passphrase
    Check the journal and the audit log against the checkpoints mailed so far:
      grep -h hotline-checkpoint $var/mail/*.txt > $var/checkpoints.txt
      $BUILD/hotlinectl journal verify --database "$admin" \\
        --public-key $var/keys/checkpoint.pub --checkpoint-file $var/checkpoints.txt
      (the same with audit verify)
    Take the procedure's steps (docs/cli.md), e.g.:
      $BUILD/hotlinectl case triage REG_NO corruption --database "$admin"
    E-mail intake (LMTP) on 127.0.0.1:$LMTP_PORT; send a test appeal:
      swaks --server 127.0.0.1:$LMTP_PORT --protocol LMTP --from reporter@example.org \\
        --to hotline@localhost --header "Subject: test appeal" --body "A test appeal by mail."
    Notices (and the mailed appeal's acknowledgment) land in $var/mail/,
      one NAME.txt to read (NAME.eml as sent) per mail, from a local sink on
      127.0.0.1:$MAIL_SINK_PORT: ls -t $var/mail/*.txt | head
  Press Ctrl-C to stop the daemon, the mail sink and the database.

MSG
wait "$daemon_pid" || true
