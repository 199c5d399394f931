"""Device passthrough with Linux (scenarios/passthrough.scn,
docs/passthrough.md): the direct-mapped linux1 owns QEMU's virtio-blk
device (virtio-mmio transport 0xa003e00, SPI 47), loads Debian's
virtio_mmio and virtio_blk modules, reads its 8 MiB disk and checks every
byte, while linux2 takes data from it through a shared region; on a GICv3
and a GICv2 host.

guests/linux/tblk.c, the byte check, is also built for the host and run on
the disk image guests/linux/mkdisk.py writes, and on a damaged copy, so the
check is known to fail when a byte is wrong."""
import subprocess
import sys
from pathlib import Path

import pytest

from tessera_sys import GIC_VERSIONS, assert_clean_exit, assert_done, boot_scenario
from test_linux import BROKEN_RE, needs_image

ROOT = Path(__file__).resolve().parents[2]
SCN = ROOT / "scenarios" / "passthrough.scn"
DISK = ROOT / "build" / "linux" / "pt-disk.img"
DISK_BYTES = 8 << 20
CFLAGS = ["-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror",
          "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]

needs_disk = pytest.mark.skipif(not DISK.exists(), reason="build/linux/pt-disk.img missing: "
                                "run `make linux`")


@needs_image
@needs_disk
@pytest.mark.parametrize("gic", GIC_VERSIONS, ids=lambda g: f"gicv{g}")
def test_linux_reads_its_own_disk_next_to_a_sharing_partition(gic):
    r = boot_scenario(SCN, gic=gic)
    t = r.tessera
    assert "linux1:   IPA 0x000a003000-0x000a003fff -> PA 0x000a003000        4 KiB  " \
           "device, RW XN" in t
    assert "linux1: devices: 1, 1 MMIO range, SPI 79 (edge) to CPU 0" in t
    l1, l2 = r.lines_of("linux1"), r.lines_of("linux2")
    assert "linux: blk /dev/vda 8388608 bytes" in l1
    assert f"PASS linux-blk-verify {DISK_BYTES}" in l1
    assert "PASS linux-shm-write 0x0" in l1
    assert "PASS linux-shm-verify 0x0" in l2
    assert_done(r, "linux1", 2)
    assert_done(r, "linux2", 1)
    assert "linux1: devices quiesced: 1 SPI, 0 enabled, 0 pending, 0 active; 1 MMIO range " \
           "unmapped" in t
    assert not [ln for ln in r.lines if BROKEN_RE.search(ln)]
    assert_clean_exit(r)


@pytest.fixture(scope="module")
def tblk(tmp_path_factory):
    exe = tmp_path_factory.mktemp("tblk") / "tblk"
    subprocess.run(["gcc", *CFLAGS, "-o", str(exe), str(ROOT / "guests/linux/tblk.c")],
                   check=True)
    return exe


def run(exe, path, size):
    p = subprocess.run([str(exe), "verify", str(path), str(size)], capture_output=True,
                       text=True)
    return p.returncode, p.stdout.strip()


def test_tblk_checks_every_byte(tblk, tmp_path):
    disk = tmp_path / "disk.img"
    subprocess.run([sys.executable, str(ROOT / "guests/linux/mkdisk.py"), str(disk),
                    "--size", str(1 << 20)], check=True)
    assert run(tblk, disk, 1 << 20) == (0, f"PASS linux-blk-verify {1 << 20}")
    assert run(tblk, disk, 2 << 20) == (1, f"FAIL linux-blk-size got={1 << 20} "
                                           f"want={2 << 20}")
    data = bytearray(disk.read_bytes())
    data[0x7ffff] ^= 0x10
    disk.write_bytes(data)
    rc, out = run(tblk, disk, 1 << 20)
    assert rc == 1
    assert out == (f"FAIL linux-blk-verify 0x7ffff got=0x{data[0x7ffff]:02x} "
                   f"want=0x{data[0x7ffff] ^ 0x10:02x}")
