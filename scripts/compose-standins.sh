#!/usr/bin/env bash
# Build local stand-ins for the images docker-compose.yaml pulls, for machines that reach no container
# registry (our CI). Users never need this: they get the official images.
#
#   fabdemo-standin/debian:bookworm        Debian bookworm (debootstrap, minbase) with python3
#   fabdemo-standin/fabric-peer:<ver>      the pinned Fabric binaries, laid out as in the official images
#   fabdemo-standin/fabric-orderer:<ver>   (binaries in /usr/local/bin, FABRIC_CFG_PATH=/etc/hyperledger/fabric,
#                                          VOLUME /var/hyperledger)
#   fabdemo-standin/fabric-ca:<ver>        the pinned Fabric CA binaries, as in the official image (in
#                                          /usr/local/bin, FABRIC_CA_HOME=/etc/hyperledger/fabric-ca-server)
#   fabdemo-standin/golang:build           this machine's Go toolchain plus the chaincode's modules (offline)
#   fabdemo-standin/python:3.11            Debian's Python 3.11 in a venv with the app's wheels (offline)
#
# Prints the environment that points docker-compose.yaml at them. Needs DOCKER_HOST (or the default
# socket), root for debootstrap, the Fabric binaries (`make setup`) and Go (with a C compiler for Fabric
# CA, which is built into the kit's cache when missing, about two minutes once). Images that exist are kept.
set -euo pipefail
cd "$(dirname "$0")/.."

DOCKER=${DOCKER:-docker}
export DOCKER_BUILDKIT=0 # the classic builder: Debian's engine has no buildx
PY=${PY:-.venv/bin/python}
CACHE=${FABDEMO_STANDIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fabric-demo-kit/standin}
MIRROR=${DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
REPO=fabdemo-standin
mkdir -p "$CACHE"

have() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }
log() { echo "[standins] $*" >&2; }

# Every step that can fail stops the script with its own message (no process substitution or pipe
# hides a failure): test-compose.sh reads the image variables only from a run that exited 0.
fail() { log "error: $*"; exit 1; }

fabric_paths=$("$PY" - <<'EOF'
from fabdemo import context
from fabdemo.network import binaries
settings, topology, _ = context.load()
fabric = binaries.ensure(settings.cache_dir, topology.fabric, settings.fabric_bin, lambda m: None)
print(topology.fabric.version, fabric.bin_dir, fabric.sampleconfig_dir)
EOF
) || fail "the pinned Fabric binaries are not available (run 'make setup')"
read -r FABRIC_VERSION FABRIC_BIN_DIR SAMPLECONFIG <<<"$fabric_paths"

BASE=$REPO/debian:bookworm
if ! have "$BASE"; then
    root=$(mktemp -d "$CACHE/rootfs.XXXX")
    log "debootstrap bookworm (minbase + python3) from $MIRROR"
    debootstrap --variant=minbase --include=python3,python3-venv bookworm "$root" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
        || { tail -20 "$CACHE/debootstrap.log" >&2; fail "debootstrap of bookworm from $MIRROR failed (log: $CACHE/debootstrap.log)"; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | "$DOCKER" import -c 'CMD ["bash"]' - "$BASE" >/dev/null || fail "docker import of $BASE failed"
    rm -rf "$root"
fi

build() { # build <tag> <context dir> (Dockerfile read from stdin)
    "$DOCKER" build -q -t "$1" -f - "$2" >/dev/null || fail "docker build of $1 failed"
}

for node in peer orderer; do
    tag=$REPO/fabric-$node:$FABRIC_VERSION
    have "$tag" && continue
    log "$tag from $FABRIC_BIN_DIR"
    ctx=$(mktemp -d)
    cp "$FABRIC_BIN_DIR/$node" "$ctx/"
    cp -r "$SAMPLECONFIG/msp" "$ctx/msp"
    if [ "$node" = peer ]; then
        cp "$SAMPLECONFIG/core.yaml" "$ctx/"
        files="core.yaml"; port=7051; cmd='["peer", "node", "start"]'
    else
        cp "$SAMPLECONFIG/orderer.yaml" "$SAMPLECONFIG/configtx.yaml" "$ctx/"
        files="orderer.yaml configtx.yaml"; port=7050; cmd='["orderer", "start"]'
    fi
    build "$tag" "$ctx" <<EOF
FROM $BASE
RUN echo 'hosts: files dns' > /etc/nsswitch.conf
ENV FABRIC_CFG_PATH=/etc/hyperledger/fabric FABRIC_VER=$FABRIC_VERSION
COPY $node /usr/local/bin/
COPY msp \${FABRIC_CFG_PATH}/msp
COPY $files \${FABRIC_CFG_PATH}/
VOLUME /etc/hyperledger/fabric
VOLUME /var/hyperledger
EXPOSE $port
CMD $cmd
EOF
    rm -rf "$ctx"
done

# Fabric CA (IDENTITIES=ca): a fresh machine has no binaries yet, so they are built here (progress on stderr).
ca_paths=$("$PY" - <<'EOF'
import sys
from fabdemo import context
from fabdemo.network import binaries
settings, topology, _ = context.load()
say = lambda message: print(f"[standins] {message}", file=sys.stderr)
ca = binaries.ensure_ca(settings.cache_dir, topology.fabric_ca, settings.fabric_ca_bin, say)
print(topology.fabric_ca.version, ca.bin_dir)
EOF
) || fail "the pinned Fabric CA binaries are not available and could not be built (needs Go and a C compiler)"
read -r FABRIC_CA_VERSION FABRIC_CA_BIN_DIR <<<"$ca_paths"

CA_TAG=$REPO/fabric-ca:$FABRIC_CA_VERSION
if ! have "$CA_TAG"; then
    log "$CA_TAG from $FABRIC_CA_BIN_DIR"
    ctx=$(mktemp -d)
    cp "$FABRIC_CA_BIN_DIR/fabric-ca-server" "$FABRIC_CA_BIN_DIR/fabric-ca-client" "$ctx/"
    build "$CA_TAG" "$ctx" <<EOF
FROM $BASE
RUN echo 'hosts: files dns' > /etc/nsswitch.conf
ENV FABRIC_CA_HOME=/etc/hyperledger/fabric-ca-server
COPY fabric-ca-server fabric-ca-client /usr/local/bin/
RUN mkdir -p \${FABRIC_CA_HOME}
EXPOSE 7054
CMD ["sh", "-c", "fabric-ca-server start -b admin:adminpw"]
EOF
    rm -rf "$ctx"
fi

GO_TAG=$REPO/golang:build
if ! have "$GO_TAG"; then
    goroot=$(go env GOROOT)
    log "$GO_TAG from $goroot ($(go version | cut -d' ' -f3)) and the chaincode's modules"
    ctx=$(mktemp -d)
    cp -a "$goroot" "$ctx/go"
    rm -rf "$ctx/go/pkg/obj" "$ctx/go/test" "$ctx/go/api"
    # The chaincode's whole module graph, fetched into a module cache of the image's own with the
    # usual Go proxy (GOPROXY as configured here): the build inside the image runs `go mod download`
    # with GOPROXY=off, so it needs every .mod and .zip of the graph, not only what a host build used.
    (cd chaincode && GOMODCACHE="$ctx/mod" GOFLAGS=-mod=mod go mod download) \
        || fail "downloading the chaincode's Go modules failed (is the Go module proxy reachable?)"
    chmod -R u+w "$ctx/mod"
    build "$GO_TAG" "$ctx" <<'EOF'
FROM fabdemo-standin/debian:bookworm
COPY go /usr/local/go
COPY mod /go/pkg/mod
ENV GOPATH=/go PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GOPROXY=off GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
WORKDIR /go
EOF
    rm -rf "$ctx"
fi

requirements=$("$PY" - <<'EOF'
import tomllib
for dep in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]:
    print(dep)
print("setuptools>=68")
print("wheel")
EOF
) || fail "cannot read the app's dependencies from pyproject.toml"
# Tagged by the dependency list, so a changed pyproject.toml gets a fresh wheelhouse.
PY_TAG=$REPO/python:3.11-$(printf '%s' "$requirements" | sha256sum | cut -c1-12)
if ! have "$PY_TAG"; then
    log "$PY_TAG with the app's dependencies as wheels"
    ctx=$(mktemp -d)
    printf '%s\n' "$requirements" >"$ctx/requirements.txt"
    "$PY" -m pip download --quiet --only-binary=:all: -d "$ctx/wheels" -r "$ctx/requirements.txt" \
        || fail "downloading the app's wheels failed (is PyPI reachable?)"
    build "$PY_TAG" "$ctx" <<'EOF'
FROM fabdemo-standin/debian:bookworm
COPY wheels /wheels
# A venv gives `python` and `pip` on PATH, as in the official python image (and no PEP 668 lock).
RUN python3 -m venv /opt/python && /opt/python/bin/pip install --no-index --find-links /wheels -q setuptools wheel
ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels
EOF
    rm -rf "$ctx"
fi

# What docker-compose.yaml should use instead of the registry images.
cat <<EOF
FABRIC_PEER_IMAGE=$REPO/fabric-peer
FABRIC_ORDERER_IMAGE=$REPO/fabric-orderer
FABRIC_CA_IMAGE=$REPO/fabric-ca
GO_IMAGE=$GO_TAG
CHAINCODE_BASE_IMAGE=$BASE
PYTHON_IMAGE=$PY_TAG
EOF
