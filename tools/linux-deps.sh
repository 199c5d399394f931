#!/usr/bin/env bash
# Fetches the pieces of the Linux guests (docs/linux-guests.md): Debian's
# arm64 kernel and busybox-static, downloaded with `apt-get download` and
# unpacked with `dpkg -x` under build/linux/ -- never installed system-wide.
# The kernel package is resolved through the linux-image-arm64 metapackage,
# so the ABI number in its name is never written down here.
# Idempotent: a stamp file records what was unpacked; with it present and
# build/linux/Image in place nothing is fetched again.
#
# Outputs:
#   build/linux/Image            uncompressed arm64 Image (Tessera loads only these)
#   build/linux/busybox          static arm64 busybox
#   build/linux/kernel-config    the kernel's /boot/config-*
#   build/linux/root/{kernel,busybox}/   the unpacked packages
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/linux"
dl="$out/dl"
stamp="$out/.deps-ok"

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
log() { echo "linux-deps: $*"; }
die() { echo "linux-deps: error: $*" >&2; exit 1; }

if [ -f "$stamp" ] && [ -f "$out/Image" ] && [ -x "$out/busybox" ]; then
  exit 0
fi

# arm64 packages need the foreign architecture and its package lists;
# tools/deps.sh sets both up (dpkg --add-architecture arm64, apt-get update).
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  bash "$top/tools/deps.sh"
fi
if ! apt-cache show busybox-static:arm64 >/dev/null 2>&1; then
  sudo_ apt-get update -q
fi

# "Depends: linux-image-6.1.0-NN-arm64:arm64" -> linux-image-6.1.0-NN-arm64
kpkg=$(apt-cache depends linux-image-arm64:arm64 |
       sed -n 's/^ *Depends: \(linux-image-[^ :]*\)\(:arm64\)\{0,1\}$/\1/p' | head -n 1)
[ -n "$kpkg" ] || die "apt-cache depends linux-image-arm64:arm64 names no linux-image-* package"
log "kernel package $kpkg"

rm -rf "$out/root" "$dl"
mkdir -p "$dl" "$out/root/kernel" "$out/root/busybox"
(cd "$dl" && apt-get download -q "$kpkg:arm64" busybox-static:arm64)
dpkg -x "$dl"/"$kpkg"_*_arm64.deb "$out/root/kernel"
dpkg -x "$dl"/busybox-static_*_arm64.deb "$out/root/busybox"

vmlinuz=$(ls "$out"/root/kernel/boot/vmlinuz-* | head -n 1)
config=$(ls "$out"/root/kernel/boot/config-* | head -n 1)
[ -f "$vmlinuz" ] || die "no /boot/vmlinuz-* in $kpkg"
cp "$config" "$out/kernel-config"

# Debian's arm64 vmlinuz is an uncompressed Image today; gunzip it should
# that ever change (gzip magic 1f 8b), since Tessera loads raw Images only.
if [ "$(head -c 2 "$vmlinuz" | od -An -tx1 | tr -d ' ')" = "1f8b" ]; then
  log "vmlinuz is gzip-compressed: gunzip into Image"
  gzip -dc "$vmlinuz" > "$out/Image.tmp"
else
  cp "$vmlinuz" "$out/Image.tmp"
fi
# arm64 Image header: the magic "ARM\x64" sits at byte offset 56.
[ "$(dd if="$out/Image.tmp" bs=1 skip=56 count=4 2>/dev/null)" = $'ARM\x64' ] ||
  die "$vmlinuz is not an arm64 Image (no ARM\\x64 magic at offset 56)"
mv "$out/Image.tmp" "$out/Image"

cp "$out/root/busybox/bin/busybox" "$out/busybox"
chmod 755 "$out/busybox"
echo "$kpkg" > "$stamp"
log "ready: $out/Image ($(stat -c %s "$out/Image") bytes), $out/busybox"
