#!/usr/bin/env bash
# One command from a fresh machine to a running Bosun: installs Node 24, Podman and a local registry,
# builds Bosun, starts Podman's Docker-compatible API and a registry that notifies Bosun on every push,
# then runs `bosun serve` with the example project in examples/smoke-test.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/setup-machine.sh
export PATH="$HOME/.local/node24/bin:$PATH"
[ -d node_modules ] || npm ci --no-audit --no-fund # the versions in package-lock.json
npm run build --silent

data="$root/.data"
mkdir -p "$data"
sock="$data/podman.sock"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

podman system service --time=0 "unix://$sock" >"$data/podman.log" 2>&1 &
pids+=($!)
export DOCKER_HOST="unix://$sock"
export BOSUN_DEMO_TOKEN="${BOSUN_DEMO_TOKEN:-demo-webhook-token}"

# A real registry on :5000 that tells Bosun's Distribution gateway about every push.
mkdir -p "$data/registry"
cat >"$data/registry.yml" <<YAML
version: 0.1
storage: { filesystem: { rootdirectory: $data/registry }, delete: { enabled: true } }
http: { addr: 127.0.0.1:5000 }
notifications:
  endpoints:
    - name: bosun
      url: http://127.0.0.1:7744/events/distribution/smoke-test
      headers: { Authorization: ["Bearer $BOSUN_DEMO_TOKEN"] }
      timeout: 2s
      threshold: 5
      backoff: 1s
YAML
docker-registry serve "$data/registry.yml" >"$data/registry.log" 2>&1 &
pids+=($!)

cat <<MSG

Bosun is starting on http://127.0.0.1:7744 with the project "smoke-test" (examples/smoke-test).
Push an image to the local registry and watch the project's script run it in a container:

  skopeo copy --dest-tls-verify=false containers-storage:localhost/busybox:test docker://127.0.0.1:5000/demo/app:v1.0.0
  node cli/bin/bosun.js runs list
  node cli/bin/bosun.js logs <run-id>

MSG
# In the background, waited for: a signal to this script (Ctrl-C, `timeout`, `kill`) then runs the trap at
# once, which stops bosun serve, the registry and Podman's service together.
node --no-node-snapshot cli/bin/bosun.js serve --config examples/smoke-test/bosun.yaml --data "$data" &
pids+=($!)
wait "$!"
