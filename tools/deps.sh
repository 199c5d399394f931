#!/usr/bin/env bash
# Installs what Tessera needs (DESIGN.md §1), idempotently: Debian packages
# system-wide, and the arm64 libfdt into build/deps (libfdt-dev and
# libfdt-dev:arm64 conflict in Debian 12, so the target copy is unpacked, not
# installed).  Linux guest pieces (kernel, busybox) are fetched by
# tools/linux-deps.sh only when a Linux scenario is built.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/build/deps"

pkgs=(gcc-aarch64-linux-gnu picolibc-aarch64-linux-gnu libfdt-dev
      device-tree-compiler qemu-system-arm libcmocka-dev python3-pytest
      python3-libfdt cpio gdb-multiarch make gcc libc6-dev-arm64-cross
      u-boot-qemu u-boot-tools clang libclang-rt-14-dev)

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
need_arm64=0
dpkg --print-foreign-architectures | grep -qx arm64 || need_arm64=1
[ -f "$deps/arm64/usr/lib/aarch64-linux-gnu/libfdt.a" ] || need_arm64=1

if [ ${#missing[@]} -eq 0 ] && [ $need_arm64 -eq 0 ]; then
  exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  sudo_ dpkg --add-architecture arm64
fi
sudo_ apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
if [ ! -f "$deps/arm64/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
  mkdir -p "$deps/dl"
  (cd "$deps/dl" && apt-get download libfdt-dev:arm64 2>/dev/null)
  dpkg -x "$deps"/dl/libfdt-dev_*_arm64.deb "$deps/arm64"
fi
echo "deps: ready"
