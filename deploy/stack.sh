#!/usr/bin/env bash
# The production-shaped stack on this machine, all on loopback:
# the machine's PostgreSQL and Redis, gunicorn (static files through whitenoise),
# a Celery worker and Celery beat. `up` starts what is not running, `down` stops
# what `up` started (by the PID files under var/run).
set -euo pipefail
cd "$(dirname "$0")/.."

RUN=var/run
LOG=var/log
BIN=.venv/bin
mkdir -p "$RUN" "$LOG"

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/consortium}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
export DEBUG=${DEBUG:-false}
export STATICFILES_STORAGE=${STATICFILES_STORAGE:-whitenoise.storage.CompressedManifestStaticFilesStorage}
BIND=${BIND:-127.0.0.1:8000}
WORKERS=${WEB_WORKERS:-2}

running() { [ -f "$1" ] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }

services() {
  if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly yes --dir "$PWD/var"
  fi
  # Queued tasks survive a Redis restart: append-only persistence, whoever started the server.
  redis-cli -h 127.0.0.1 -p 6379 config set appendonly yes >/dev/null
  for _ in $(seq 1 30); do
    pg_isready -h 127.0.0.1 -p 5432 -q && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "stack: PostgreSQL or Redis did not come up" >&2
  exit 1
}

createdb_if_missing() {
  local name=${DATABASE_URL##*/}
  name=${name%%\?*}
  if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1; then
    createdb -h 127.0.0.1 -U postgres "$name"
  fi
}

up() {
  services
  createdb_if_missing
  $BIN/python manage.py migrate --noinput -v0
  $BIN/python manage.py collectstatic --noinput -v0
  if [ "${SEED:-1}" = 1 ]; then $BIN/python manage.py seed_demo; fi
  if ! running $RUN/gunicorn.pid; then
    $BIN/gunicorn consortium.wsgi:application --bind "$BIND" --workers "$WORKERS" \
      --pid $RUN/gunicorn.pid --daemon --no-control-socket \
      --access-logfile $LOG/access.log --error-logfile $LOG/gunicorn.log --capture-output
  fi
  if ! running $RUN/worker.pid; then
    $BIN/celery -A consortium worker --detach --concurrency 2 --pidfile $RUN/worker.pid \
      --logfile $LOG/worker.log --loglevel INFO
  fi
  if ! running $RUN/beat.pid; then
    $BIN/celery -A consortium beat --detach --pidfile $RUN/beat.pid --schedule $RUN/celerybeat-schedule \
      --logfile $LOG/beat.log --loglevel INFO
  fi
  for _ in $(seq 1 30); do
    # Detached Celery processes write their PID files a moment after returning.
    if curl -fsS -o /dev/null "http://$BIND/accounts/login/" && running $RUN/worker.pid && running $RUN/beat.pid; then
      echo "stack: portal at http://$BIND/ (gunicorn $(cat $RUN/gunicorn.pid), worker $(cat $RUN/worker.pid), beat $(cat $RUN/beat.pid))"
      return 0
    fi
    sleep 1
  done
  echo "stack: the portal did not answer on http://$BIND/ (see $LOG/)" >&2
  exit 1
}

down() {
  for name in beat worker gunicorn; do
    if running $RUN/$name.pid; then
      kill -TERM "$(cat $RUN/$name.pid)"
      for _ in $(seq 1 20); do running $RUN/$name.pid || break; sleep 0.5; done
      echo "stack: stopped $name"
    fi
    rm -f $RUN/$name.pid
  done
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
