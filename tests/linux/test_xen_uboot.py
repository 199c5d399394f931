"""Xen CI's static-shared-mem test on Tessera, booted Xen's way
(scenarios/linux-xen-shm.scn): U-Boot fetches one kernel, one initramfs,
tessera.bin and QEMU's DT by tftp to ImageBuilder's addresses, a boot.scr
writes /chosen with fdt mknod/set, booti starts tessera.bin where it was
loaded.  Two Linux domUs name the same kernel and ramdisk modules and share
"my-shared-mem-0" (256 MiB at guest 0x4000000); each checks
/proc/device-tree/reserved-memory/xen-shmem@4000000/xen,id and reg with
the commands of qemu-smoke-dom0less-arm64.sh (guests/linux/init,
txen_shm=).  On a GICv2 machine (what Xen's CI boots by default) and a GICv3
one.  Skipped without `make linux`."""
import re

import pytest

from tessera_sys import (GIC_VERSIONS, ROOT, assert_clean_exit, assert_done, assert_no_fail,
                         boot_scenario)

SCN = ROOT / "scenarios/linux-xen-shm.scn"
IMAGE, INITRD = ROOT / "build/linux/Image", ROOT / "build/linux/initramfs.cpio.gz"
LINK_ADDR = 0x40200000
BANNER_RE = re.compile(r"^Tessera: static partitioning hypervisor at EL2, "
                       r"image (0x[0-9a-f]+)-")
STARTED_RE = re.compile(r"^(domU\d): started \(id \d+, 1 vCPU on CPU \d, 256 MiB at "
                        r"(0x[0-9a-f]+),")
SHM_RE = re.compile(r"^shm: id my-shared-mem-0 host 0x50000000-0x5fffffff size "
                    r"0x10000000 owner dom_shared\(0x7ff5\) refs 2 "
                    r"domU1@0x4000000\(mapped\) domU2@0x4000000\(mapped\)$")

pytestmark = pytest.mark.skipif(not (IMAGE.exists() and INITRD.exists()),
                                reason="build/linux missing: run `make linux`")


@pytest.fixture(scope="module", params=GIC_VERSIONS, ids=lambda g: f"gicv{g}")
def run(request):
    return boot_scenario(SCN, boot="uboot", timeout=300, gic=request.param)


def test_booted_through_uboot_where_loaded(run):
    assert_clean_exit(run)
    m = next(filter(None, map(BANNER_RE.match, run.tessera)), None)
    assert m and int(m.group(1), 16) == run.build.load_addr != LINK_ADDR
    assert "Starting kernel" in run.out and "Moving Image" not in run.out
    assert not [ln for ln in run.tessera if ln.startswith("config")]


def test_one_kernel_two_domains(run):
    """The script names one kernel and one ramdisk module for both domains."""
    source = (run.build.outdir / "tftp" / "boot.source").read_text()
    assert len(re.findall(r"^tftpb \S+ kernel$", source, re.M)) == 1
    kernel = next(i for i in run.build.scenario.images if i.name == "kernel")
    regs = re.findall(r"^fdt set /chosen/domU\d/module@\w+ reg <(.*)>$", source, re.M)
    assert regs.count(f"0x0 {kernel.addr:#x} 0x0 {kernel.size:#x}") == 2
    got = dict(m.groups() for m in map(STARTED_RE.match, run.tessera) if m)
    assert sorted(got) == ["domU1", "domU2"] and got["domU1"] != got["domU2"]


def test_xen_ci_shared_memory_check(run):
    assert any(SHM_RE.match(ln) for ln in run.tessera)
    for name in ("domU1", "domU2"):
        lines = run.lines_of(name)
        assert "static-shared-mem test passed" in lines, name
        assert "PASS xen-shm-dt my-shared-mem-0" in lines, name
        assert_done(run, name, 1)
    assert_no_fail(run)
