#!/usr/bin/env bash
# Builds localhost/busybox:test from Debian's static busybox (no image can be pulled here).
# A RUN step cannot run in this sandbox; COPY can.
set -euo pipefail
image=${1:-localhost/busybox:test}
if podman image exists "$image"; then exit 0; fi
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/root/bin" "$ctx/root/tmp" "$ctx/root/workspace"
cp "$(command -v busybox)" "$ctx/root/bin/busybox"
for applet in $("$ctx/root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$ctx/root/bin/$applet"
done
printf 'FROM scratch\nCOPY root/ /\nENV PATH=/bin\nCMD ["/bin/sh"]\n' >"$ctx/Containerfile"
podman build -q -t "$image" "$ctx" >/dev/null
echo "setup: built $image"
