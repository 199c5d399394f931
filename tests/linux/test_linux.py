"""linux.scn: two Debian Linux partitions under Tessera share a 2 MiB region;
linux1 (2 vCPUs) writes it, linux2 (1 vCPU) verifies it (docs/linux-guests.md),
on a GICv3 and on a GICv2 host: each partition's Linux drives the GIC of the
host's version (/proc/interrupts names its irqchip and counts the timer,
UART and, on the SMP partition, IPIs).  Also checks the initramfs
`make linux` builds.

The boots are skipped, not failed, when build/linux/Image is missing (run
`make linux`); `make test` builds it first, so there they always run."""
import itertools
import os
import re
import subprocess
from pathlib import Path

import pytest

from tessera_sys import (GIC_VERSIONS, assert_clean_exit, assert_done,
                         assert_no_fail, assert_stopped, boot_scenario)

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "build" / "linux"
IMAGE = LINUX / "Image"
INITRD = LINUX / "initramfs.cpio.gz"
BOOT_TIMEOUT_S = 240            # Linux under TCG, two partitions at once
EM_AARCH64 = 183
PT_INTERP = 3

NO_IMAGE = "build/linux/Image or initramfs.cpio.gz missing: run `make linux`"
needs_image = pytest.mark.skipif(not (IMAGE.exists() and INITRD.exists()),
                                 reason=NO_IMAGE)

# Linux's name for the GIC in /proc/interrupts (irq-gic.c, irq-gic-v3.c).
IRQCHIP = {2: "GIC-0", 3: "GICv3"}
VTIMER_INTID = 27
UART_INTID = 32                 # Xen's GUEST_VPL011_SPI

# Kernel lines about the interrupt controller, timer or UART that report a
# problem; and generic signs of a broken kernel, wherever they appear.
DEVICE_RE = re.compile(r"GIC|gic|arch_timer|timer|pl011|ttyAMA|uart|irq", re.I)
TROUBLE_RE = re.compile(r"error|fail|warn|invalid|unable|bad", re.I)
BROKEN_RE = re.compile(r"Kernel panic|Oops|BUG:|WARNING:|Call trace|"
                       r"Unable to handle|rcu.*stall|hung_task|soft lockup")


# ---------------------------------------------------------------- initramfs

def cpio_listing():
    """`cpio -itv` of the initramfs, by the system's cpio (not our writer)."""
    raw = subprocess.run(["gzip", "-dc", str(INITRD)], check=True,
                         capture_output=True).stdout
    p = subprocess.run(["cpio", "-itv", "--quiet"], input=raw, check=True,
                       capture_output=True)
    return {ln.split()[-1] if "->" not in ln else ln.split()[-3]: ln
            for ln in p.stdout.decode().splitlines()}, raw


def cpio_extract(raw, name):
    p = subprocess.run(["cpio", "-i", "--to-stdout", "--quiet", name],
                       input=raw, check=True, capture_output=True)
    return p.stdout


def elf_facts(data):
    """(machine, has PT_INTERP) of a 64-bit little-endian ELF."""
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1
    machine = int.from_bytes(data[18:20], "little")
    phoff = int.from_bytes(data[32:40], "little")
    phentsize = int.from_bytes(data[54:56], "little")
    phnum = int.from_bytes(data[56:58], "little")
    types = [int.from_bytes(data[phoff + i * phentsize:][:4], "little")
             for i in range(phnum)]
    return machine, PT_INTERP in types


@needs_image
def test_initramfs_has_init_and_busybox():
    entries, raw = cpio_listing()
    for name in ("init", "bin/busybox", "bin/tshm", "bin/tblk", "bin/sh", "sbin/poweroff",
                 "sbin/insmod", "lib/modules/virtio_mmio.ko", "lib/modules/virtio_blk.ko",
                 "dev/console", "proc", "sys", "dev", "tmp"):
        assert name in entries, f"{name} missing from the initramfs"
    assert entries["init"].startswith("-rwxr-xr-x")
    assert entries["dev/console"].startswith("crw-------")
    assert re.search(r"\b5,\s+1\b", entries["dev/console"])
    assert entries["bin/sh"].endswith("bin/sh -> busybox")
    assert cpio_extract(raw, "init") == (ROOT / "guests/linux/init").read_bytes()
    for prog in ("bin/busybox", "bin/tshm", "bin/tblk"):
        machine, dynamic = elf_facts(cpio_extract(raw, prog))
        assert machine == EM_AARCH64, f"{prog}: e_machine {machine}"
        assert not dynamic, f"{prog} needs a dynamic loader: must be static"


@needs_image
def test_image_is_uncompressed_arm64():
    head = IMAGE.read_bytes()[:64]
    assert head[56:60] == b"ARM\x64", "no arm64 Image magic at offset 56"


def test_mkinitramfs_rejects_bad_list(tmp_path):
    lst = tmp_path / "bad.list"
    lst.write_text("dir /bin 0755 0 0\nfile /x missing/file 0755 0 0\n")
    p = subprocess.run(["/usr/bin/python3", str(ROOT / "guests/linux/mkinitramfs.py"),
                        str(lst), str(tmp_path / "out.gz"), "--root", str(tmp_path)],
                       capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr == f"mkinitramfs: {lst}:2: {tmp_path}/missing/file: no such file\n"
    assert not (tmp_path / "out.gz").exists()


# ---------------------------------------------------------------- boots

@pytest.fixture(scope="module",
                params=list(itertools.product(["cortex-a57", "max"], GIC_VERSIONS)),
                ids=lambda p: f"{p[0]}-gicv{p[1]}")
def linux(request):
    if not (IMAGE.exists() and INITRD.exists()):
        pytest.skip(NO_IMAGE)
    cpu, gic = request.param
    return boot_scenario("linux", cpu=cpu, gic=gic, timeout=BOOT_TIMEOUT_S)


def interrupts(r, name):
    """/proc/interrupts rows of @name (tshow=): {label: (counts, rest)}."""
    rows = [l.split(": ", 1)[1] for l in r.lines_of(name)
            if l.startswith("show /proc/interrupts: ")]
    assert rows, f"({name}) printed no /proc/interrupts"
    ncpu = len(rows[0].split())
    out = {}
    for row in rows[1:]:
        label, _, rest = row.strip().partition(":")
        fields = rest.split()
        out[label] = ([int(f) for f in fields[:ncpu]], " ".join(fields[ncpu:]))
    return out


def test_linux_drives_the_hosts_gic(linux):
    """The virtual timer arrives through the GIC of the host's version, where
    the UART's SPI is wired too (the vpl011's TX FIFO never fills, so Linux
    may not need its interrupt); linux1's two vCPUs exchanged IPIs (SGIs)."""
    chip = IRQCHIP[linux.gic]
    for name in ("linux1", "linux2"):
        rows = interrupts(linux, name)
        by_desc = {rest: counts for counts, rest in rows.values()}
        timer = [c for d, c in by_desc.items()
                 if re.fullmatch(rf"{chip} +{VTIMER_INTID} Level +arch_timer", d)]
        uart = [c for d, c in by_desc.items()
                if re.fullmatch(rf"{chip} +{UART_INTID} Level +uart-pl011", d)]
        assert timer and sum(timer[0]) > 0, f"({name}) timer row: {rows}"
        assert uart, f"({name}) UART row: {rows}"
    ipis = sum(sum(c) for label, (c, _) in interrupts(linux, "linux1").items()
               if label.startswith("IPI"))
    assert ipis > 0


def test_exits_cleanly(linux):
    assert_clean_exit(linux)


def test_vcpu_counts(linux):
    assert "linux: nproc 2" in linux.lines_of("linux1")
    assert "linux: nproc 1" in linux.lines_of("linux2")


def test_region_in_device_tree(linux):
    assert "linux: shm 0x0 at 0x50000000 size 0x200000" in linux.lines_of("linux1")
    assert "linux: shm 0x0 at 0x60000000 size 0x200000" in linux.lines_of("linux2")


def test_data_crosses_partitions(linux):
    assert "PASS linux-shm-write 0x0" in linux.lines_of("linux1")
    l2 = linux.lines_of("linux2")
    assert 'linux: shm 0x0 message "hello from a Tessera Linux"' in l2
    assert "PASS linux-shm-verify 0x0" in l2
    assert_done(linux, "linux1", passes=1)
    assert_done(linux, "linux2", passes=1)
    assert_no_fail(linux)


def test_no_device_errors(linux):
    bad = [f"({name}) {ln}" for name in ("linux1", "linux2")
           for ln in linux.lines_of(name)
           if (DEVICE_RE.search(ln) and TROUBLE_RE.search(ln)) or BROKEN_RE.search(ln)]
    assert bad == [], f"kernel trouble: {bad}"


def test_partitions_stopped(linux):
    assert_stopped(linux, "linux1")
    assert_stopped(linux, "linux2")
