#!/usr/bin/env bash
# Installs what Bosun needs on a fresh Debian machine: Node 24, Podman (the Docker Engine API for the
# docker executor), Debian's docker-registry and skopeo (for end-to-end tests), PostgreSQL 15's binaries
# (for the PostgreSQL store's tests), and a local test image.
# Idempotent. Prints the PATH line to use Node 24.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
node24="$HOME/.local/node24"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major node)" -lt 24 ] && [ "$(node_major "$node24/bin/node")" -lt 24 ]; then
  echo "setup: installing Node 24 into $node24"
  npm install -g --prefix "$node24" node@24 >/dev/null 2>&1
fi
export PATH="$node24/bin:$PATH"

need=()
# chromium: the dashboard's browser tests drive it headless (playwright-core).
for cmd in podman runc skopeo docker-registry busybox git chromium; do
  command -v "$cmd" >/dev/null 2>&1 || need+=("$cmd")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages (missing: ${need[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq podman runc skopeo docker-registry busybox-static git chromium >/dev/null
fi

# The sandbox's cgroups are hybrid and raising rlimits is refused: podman needs these settings.
conf=/etc/containers/containers.conf
if ! grep -q 'cgroup_manager = "cgroupfs"' "$conf" 2>/dev/null; then
  echo "setup: writing $conf"
  mkdir -p /etc/containers
  cat >"$conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
fi

# PostgreSQL 15's binaries, for the PostgreSQL store's tests (test-support starts throwaway clusters).
# No system cluster: none is created at install, so none is started.
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
  echo "setup: installing postgresql (binaries only, no cluster)"
  mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
fi

bash "$here/build-test-image.sh"
echo "setup: ready (node $(node --version), $(podman --version))"
