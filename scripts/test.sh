#!/usr/bin/env bash
# `npm test`: makes sure what the tests talk to is here, then runs jest (arguments pass through).
# The tests need Debian's docker-registry and skopeo, and PostgreSQL at TEST_DATABASE_URL
# (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail

if ! command -v docker-registry >/dev/null || ! command -v skopeo >/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing docker-registry and skopeo" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq docker-registry skopeo >/dev/null
  else
    echo "test: docker-registry and skopeo are missing; install them (Debian packages" \
      "docker-registry and skopeo) and run again" >&2
    exit 1
  fi
fi

if command -v pg_isready >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if [ "$(id -u)" -eq 0 ] && command -v pg_ctlcluster >/dev/null; then
    echo "test: starting PostgreSQL" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
fi

# PGlite loads its WebAssembly through a dynamic import, which jest's VM allows only with this.
exec node --experimental-vm-modules --no-warnings=ExperimentalWarning \
  node_modules/jest/bin/jest.js --runInBand "$@"
