"""Booting from U-Boot the way Xen's dom0less users do (DESIGN.md §3).

Debian's u-boot-qemu is QEMU's -bios; the harness types what Xen's CI
(automation/scripts/qemu-smoke-dom0less-arm64.sh) types at the prompt:
virtio scan; dhcp; tftpb 0x40000000 boot.scr; source 0x40000000.  The
script (tools/uboot.py, ImageBuilder's layout) fetches the modules, then
tessera.bin, then QEMU's own DT by tftp, writes /chosen with fdt mknod and
fdt set, and boots with booti.  tessera.bin therefore runs at an address it
was not linked for, with the DT U-Boot edited (its /memory fix-up and
memreserve included).

shared_kernel.scn: two domUs name the same kernel module; each runs its
own copy with its own memory, vCPUs and bootargs."""
import re
import struct

import pytest

from tessera_sys import (ROOT, assert_clean_exit, assert_cpus_up, assert_done,
                         assert_no_fail, boot_scenario)

SCN = ROOT / "tests/system/scenarios/shared_kernel.scn"
LINK_ADDR = 0x40200000               # linker.ld: where -kernel puts the image
IMAGE_SIZE_OFF = 16                  # arm64 Image header: image_size
IMAGE_FLAGS_OFF = 24                 # ... flags
FLAG_ANYWHERE = 1 << 3               # booting.rst flags bit 3
BANNER_RE = re.compile(r"^Tessera: static partitioning hypervisor at EL2, "
                       r"image (0x[0-9a-f]+)-(0x[0-9a-f]+)$")
MEM_RE = re.compile(r"^mem: (free|hypervisor) (0x[0-9a-f]+)-(0x[0-9a-f]+) ")
STARTED_RE = re.compile(r"^(\w+): started \(id (\d+), (\d+) vCPUs? on CPU "
                        r"[\d,]+, (\d+) MiB at (0x[0-9a-f]+),")


def image_header():
    data = (ROOT / "build/tessera.bin").read_bytes()
    size, flags = struct.unpack_from("<QQ", data, IMAGE_SIZE_OFF)
    return len(data), size, flags


@pytest.fixture(scope="module")
def uboot():
    return boot_scenario(SCN, boot="uboot", timeout=90)


@pytest.fixture(scope="module")
def kernel():
    return boot_scenario(SCN, timeout=60)


def banner(r):
    m = next(filter(None, map(BANNER_RE.match, r.tessera)), None)
    assert m, "no banner"
    return int(m.group(1), 16), int(m.group(2), 16)


def test_header_says_place_anywhere():
    file_size, image_size, flags = image_header()
    assert flags & FLAG_ANYWHERE
    # BSS and the boot CPU's stack only: the page pool is no longer in it.
    assert file_size <= image_size < 2 << 20


def test_uboot_boots_where_loaded(uboot):
    assert_clean_exit(uboot)
    assert_cpus_up(uboot)
    start, end = banner(uboot)
    assert start == uboot.build.load_addr != LINK_ADDR
    assert end - start == image_header()[1]
    # U-Boot left the image where tftp put it: no "Moving Image" copy.
    assert "Moving Image" not in uboot.out
    assert "fdt mknod" not in uboot.out      # the script ran silently


def test_uboot_memory_lines(uboot):
    """The image and the hypervisor's run-time memory are never free RAM,
    and the modules U-Boot loaded stay out of both."""
    start, end = banner(uboot)
    spans = [(k, int(a, 16), int(b, 16) + 1)
             for k, a, b in (m.groups() for m in map(MEM_RE.match, uboot.tessera) if m)]
    hyp = [(a, b) for k, a, b in spans if k == "hypervisor"]
    assert len(hyp) == 1
    for kind, a, b in spans:
        if kind == "free":
            assert b <= start or a >= end, (hex(a), hex(b))
            assert b <= hyp[0][0] or a >= hyp[0][1], (hex(a), hex(b))
    module = next(i for i in uboot.build.scenario.images if i.name == "hello")
    assert module.end <= start or module.addr >= end


@pytest.mark.parametrize("how", ["uboot", "kernel"])
def test_shared_kernel_module(how, uboot, kernel):
    r = uboot if how == "uboot" else kernel
    assert_clean_exit(r)
    assert_no_fail(r)
    assert not [ln for ln in r.tessera if ln.startswith("config")]
    got = {m.group(1): m for m in map(STARTED_RE.match, r.tessera) if m}
    assert list(got) == ["domU1", "domU2"]          # DT order kept by the script
    assert [int(got[n].group(4)) for n in got] == [128, 64]
    assert got["domU1"].group(5) != got["domU2"].group(5)
    # One module, two copies: each guest checks its own bootargs against
    # what it sees (mem-size, cpu-count).
    assert "bootargs: mem=128M cpus=1" in r.lines_of("domU1")
    assert "bootargs: mem=64M cpus=2" in r.lines_of("domU2")
    for name in ("domU1", "domU2"):
        assert_done(r, name, 4)
