#!/usr/bin/env bash
# Builds Bosun's image, localhost/bosun:<version> by default (image/Containerfile).
#
# No base image can be pulled and RUN steps do not work here, so the root filesystem is assembled on
# this machine and COPY-ed into FROM scratch: Node 24 ($BOSUN_NODE, else ~/.local/node24/bin/node,
# else node on PATH), git, the shared libraries they and the native addons load (at ldd's paths), CA
# certificates, a passwd/group entry for user bosun (10001, the manifests' runAsUser), the built
# packages (`npm run build` first) and their production node_modules.
#
# The image is labelled with a hash of its inputs; when the image already carries that hash the
# script returns at once (BOSUN_IMAGE_REBUILD=1 builds anyway). Prints the image and its size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
node_bin=${BOSUN_NODE:-$HOME/.local/node24/bin/node}
[ -x "$node_bin" ] || node_bin=$(command -v node || true)
node_bin=$(readlink -f "$node_bin")
if [ "$("$node_bin" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 24 ]; then
  echo "build-image: Node 24 is needed (scripts/setup-machine.sh installs it; or set BOSUN_NODE)" >&2
  exit 1
fi
version=$("$node_bin" -p "require('$root/cli/package.json').version")
image=${1:-localhost/bosun:$version}
uid=10001
# The workspaces that run; test-support is for tests only.
packages=(core sdk dispatchfile store gateways watchers executors worker dashboard cli)

for cmd in podman git npm ldd; do
  command -v "$cmd" >/dev/null || { echo "build-image: $cmd is needed" >&2; exit 1; }
done
for p in "${packages[@]}"; do
  [ -d "$root/$p/dist/src" ] || { echo "build-image: $p/dist/src missing: run npm run build" >&2; exit 1; }
done
[ -f "$root/dashboard/dist/assets/index.html" ] || { echo "build-image: the dashboard is not bundled: run npm run build" >&2; exit 1; }

# What goes into the image: this script, the Containerfile, the lock, each package's manifest and
# published files, and the Node binary.
inputs_hash() {
  (
    cd "$root"
    sha256sum "$node_bin" scripts/build-image.sh image/Containerfile package.json package-lock.json
    for p in "${packages[@]}"; do
      find "$p/package.json" "$p/dist/src" "$p/bin" $([ "$p" = sdk ] && echo sdk/src) $([ "$p" = dashboard ] && echo dashboard/dist/assets) -type f 2>/dev/null |
        LC_ALL=C sort | xargs sha256sum
    done
  ) | sha256sum | cut -c1-16
}
hash=$(inputs_hash)
if [ "${BOSUN_IMAGE_REBUILD:-}" != 1 ] &&
  [ "$(podman image inspect --format '{{index .Labels "io.bosun.inputs"}}' "$image" 2>/dev/null)" = "$hash" ]; then
  echo "build-image: $image is up to date (inputs $hash)"
  exit 0
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
rootfs=$ctx/rootfs
app=$rootfs/opt/bosun
mkdir -p "$rootfs"/{usr/local/bin,usr/bin,usr/lib/git-core,etc/ssl/certs,etc/bosun,tmp} "$app" "$ctx/data"
chmod 1777 "$rootfs/tmp"
chmod 0700 "$ctx/data"

# --- Node, git, env (for bosun's `#!/usr/bin/env -S node` line) and the libraries they load.
# strip keeps the dynamic symbols that native addons link against.
cp "$node_bin" "$rootfs/usr/local/bin/node"
if command -v strip >/dev/null; then strip --strip-unneeded "$rootfs/usr/local/bin/node"; fi
cp -L /usr/bin/env "$rootfs/usr/bin/env"
cp -L "$(command -v git)" "$rootfs/usr/bin/git"
git_core=$(git --exec-path)
cp -L "$git_core/git-remote-http" "$rootfs/usr/lib/git-core/git-remote-http"
ln -s git-remote-http "$rootfs/usr/lib/git-core/git-remote-https"
# Clones from a path or file:// run these, which are git itself.
for builtin in git-upload-pack git-receive-pack git-upload-archive; do
  ln -s ../../bin/git "$rootfs/usr/lib/git-core/$builtin"
done

# --- CA certificates, users, groups.
ca=/etc/ssl/certs/ca-certificates.crt
[ -f "$ca" ] || { echo "build-image: $ca missing (Debian's ca-certificates)" >&2; exit 1; }
cp -L "$ca" "$rootfs/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nbosun:x:%s:%s:bosun:/tmp:/sbin/nologin\n' "$uid" "$uid" \
  >"$rootfs/etc/passwd"
printf 'root:x:0:\nbosun:x:%s:\n' "$uid" >"$rootfs/etc/group"

# --- Bosun: each package's manifest and published files (its "files", and the bin of cli), then
# the root's node_modules pruned of dev dependencies. The workspace links in node_modules/@bosun
# point at ../../<package>, which is where the packages go.
for p in "${packages[@]}"; do
  mkdir -p "$app/$p"
  cp "$root/$p/package.json" "$app/$p/"
  (cd "$root/$p" && "$node_bin" -e 'for (const f of require("./package.json").files ?? []) console.log(f)') |
    while read -r f; do
      mkdir -p "$app/$p/$(dirname "$f")"
      cp -a "$root/$p/$f" "$app/$p/$f"
    done
done
cp -a "$root/cli/bin" "$app/cli/"
cp "$root/package-lock.json" "$app/"
# The root manifest without test-support: its dependencies are the tests' alone.
"$node_bin" -e '
  const pkg = require(process.argv[1]);
  pkg.workspaces = pkg.workspaces.filter((w) => w !== "test-support");
  delete pkg.devDependencies;
  require("fs").writeFileSync(process.argv[2], JSON.stringify(pkg, null, 2) + "\n");
' "$root/package.json" "$app/package.json"
cp -a "$root/node_modules" "$app/node_modules"
rm -f "$app/node_modules/@bosun/test-support"
(cd "$app" && PATH="$(dirname "$node_bin"):$PATH" npm prune --omit=dev --offline --no-audit --no-fund \
  --ignore-scripts --loglevel=error >/dev/null)
# Types, source maps, isolated-vm's sources and the other platforms' addons are not needed to run.
rm -rf "$app/node_modules/@types"
find "$app/node_modules" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.map' \) -delete
ivm=$app/node_modules/isolated-vm
rm -rf "$ivm/src" "$ivm/vendor" "$ivm/native-example" "$ivm"/*.tgz
find "$ivm/prebuilds" -mindepth 1 -maxdepth 1 ! -name linux-x64 -exec rm -rf {} +
find "$ivm/prebuilds" -type f ! -name "*.abi$("$node_bin" -p process.versions.modules).glibc.node" -delete
ln -s ../../../opt/bosun/cli/bin/bosun.js "$rootfs/usr/local/bin/bosun"

# --- The libraries the programs and the native addons left in node_modules load. ldd names each
# one (and the loader) by the path the loader finds it at: they keep that path.
elves=("$node_bin" /usr/bin/env "$(command -v git)" "$git_core/git-remote-http")
while IFS= read -r -d '' addon; do elves+=("$addon"); done < <(find "$app/node_modules/" -name '*.node' -type f -print0)
missing=$(ldd "${elves[@]}" 2>/dev/null | grep 'not found' | sort -u || true)
[ -z "$missing" ] || { echo "build-image: libraries not found:"$'\n'"$missing" >&2; exit 1; }
for lib in $(ldd "${elves[@]}" 2>/dev/null | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done

cp "$root/image/Containerfile" "$ctx/Containerfile"
previous=$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
podman build -q -t "$image" \
  --label "org.opencontainers.image.title=bosun" \
  --label "org.opencontainers.image.version=$version" \
  --label "io.bosun.inputs=$hash" \
  "$ctx" >/dev/null
# The build it replaces, once untagged, is only disk space (kept while a container uses it).
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$image")" ] &&
  [ -z "$(podman image inspect --format '{{join .RepoTags ","}}' "$previous" 2>/dev/null)" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "build-image: built $image ($((size / 1000000)) MB, inputs $hash)"
