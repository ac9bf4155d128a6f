#!/usr/bin/env bash
# `make test-compose`: the Compose runtime, end to end, against a real Docker engine.
#
# On CI (root, Debian's docker.io installed, no registry reachable) it starts its own dockerd on a
# private socket, builds stand-in images from the pinned Fabric binaries and Debian packages
# (scripts/compose-standins.sh), points the image variables at them, runs tests/compose, and stops
# that dockerd by its pid. Only the image sources differ from what a user runs.
#
# On a laptop with Docker:  TEST_DOCKER_HOST=existing make test-compose  uses the running engine and
# the official images (add STANDINS=1 to use stand-ins there too).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
started=$(date +%s)
DOCKERD_PID=""
RUN_DIR=${FABDEMO_TEST_DOCKER_RUN:-/run/fabdemo-ci-docker}
SOCK=$RUN_DIR.sock

stop_dockerd() {
    if [ -n "$DOCKERD_PID" ]; then
        echo "[test-compose] stopping dockerd (pid $DOCKERD_PID)"
        kill -TERM "$DOCKERD_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$DOCKERD_PID" 2>/dev/null; then kill -KILL "$DOCKERD_PID" 2>/dev/null || true; fi
        DOCKERD_PID=""
    fi
}
trap stop_dockerd EXIT

if [ "${TEST_DOCKER_HOST:-}" = existing ]; then
    echo "[test-compose] using the running Docker engine (${DOCKER_HOST:-default socket})"
    STANDINS=${STANDINS:-0}
elif [ -n "${TEST_DOCKER_HOST:-}" ]; then
    export DOCKER_HOST=$TEST_DOCKER_HOST
    STANDINS=${STANDINS:-1}
else
    command -v dockerd >/dev/null || { echo "dockerd not found: install docker.io (or TEST_DOCKER_HOST=existing)"; exit 1; }
    [ "$(id -u)" = 0 ] || { echo "starting dockerd needs root (or use TEST_DOCKER_HOST=existing)"; exit 1; }
    mkdir -p "$RUN_DIR"
    # Its own socket, state and data root, so it never touches another engine on this machine. No
    # masquerading: containers reach each other on their bridge and the host reaches them through
    # ports published on 127.0.0.1, but no container can reach beyond this machine.
    dockerd --host "unix://$SOCK" --data-root "${FABDEMO_TEST_DOCKER_DATA:-/var/lib/fabdemo-ci-docker}" \
        --exec-root "$RUN_DIR/exec" --pidfile "$RUN_DIR/dockerd.pid" --ip-masq=false \
        >"$RUN_DIR/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    export DOCKER_HOST=unix://$SOCK
    for _ in $(seq 1 150); do
        docker version >/dev/null 2>&1 && break
        kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -20 "$RUN_DIR/dockerd.log"; exit 1; }
        sleep 0.2
    done
    echo "[test-compose] dockerd pid $DOCKERD_PID on $DOCKER_HOST"
    STANDINS=${STANDINS:-1}
fi

if [ "$STANDINS" = 1 ]; then
    t=$(date +%s)
    # Captured first, read after: a failed build stops here with its own message, never later on an
    # unset image variable.
    standin_env=$(bash scripts/compose-standins.sh) \
        || { echo "[test-compose] error: the stand-in images could not be built (see above)" >&2; exit 1; }
    while IFS= read -r line; do export "${line?}"; done <<<"$standin_env"
    for var in FABRIC_PEER_IMAGE FABRIC_ORDERER_IMAGE FABRIC_CA_IMAGE GO_IMAGE CHAINCODE_BASE_IMAGE PYTHON_IMAGE; do
        [ -n "${!var:-}" ] || { echo "[test-compose] error: compose-standins.sh printed no $var" >&2; exit 1; }
    done
    echo "[test-compose] stand-in images ready in $(($(date +%s) - t))s: $FABRIC_PEER_IMAGE, $FABRIC_ORDERER_IMAGE, $FABRIC_CA_IMAGE"
fi

export FABDEMO_COMPOSE_TEST=1
set +e
"$PY" -m pytest -q -p no:cacheprovider tests/compose "$@"
status=$?
set -e
stop_dockerd
echo "[test-compose] finished in $(($(date +%s) - started))s"
exit $status
