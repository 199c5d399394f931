"""A direct-mapped Linux partition (tests/linux/scenarios/direct_map.scn):
Linux finds its RAM at the host address xen,static-mem gives it (IPA ==
host PA), lists it as System RAM in /proc/iomem, and drives the UART and
GIC at the host's own addresses, on a GICv3 and a GICv2 host (there the
CPU interface at virt's GICC 0x8010000 is the GICV frame, 0x8040000)."""
import re
from pathlib import Path

import pytest

from tessera_sys import GIC_VERSIONS, assert_clean_exit, assert_done, boot_scenario
from test_linux import BROKEN_RE, needs_image

SCN = Path(__file__).resolve().parent / "scenarios" / "direct_map.scn"
STAGE2 = {
    3: r"linux1: stage 2: .* trapped: GICD 0x8000000, GICR 0x80a0000, UART 0x9000000",
    2: r"linux1: stage 2: .* trapped: GICD 0x8000000, UART 0x9000000",
}


@needs_image
@pytest.mark.parametrize("gic", GIC_VERSIONS, ids=lambda g: f"gicv{g}")
def test_direct_mapped_linux_ram_at_host_address(gic):
    r = boot_scenario(SCN, gic=gic)
    t = r.tessera
    assert any(l.startswith("linux1:   IPA 0x0080000000-0x008fffffff -> PA 0x0080000000")
               for l in t), t
    assert any(re.fullmatch(STAGE2[gic], l) for l in t), t
    gicv = [l for l in t if l.startswith("linux1:   IPA 0x0008010000-0x0008011fff -> "
                                         "PA 0x0008040000")]
    assert len(gicv) == (1 if gic == 2 else 0), t
    lines = r.lines_of("linux1")
    iomem = [l.split(": ", 1)[1] for l in lines if l.startswith("show /proc/iomem: ")]
    assert "80000000-8fffffff : System RAM" in iomem, iomem
    assert any(l.startswith("09000000-09000fff : ") for l in iomem), iomem
    assert not [l for l in r.lines if BROKEN_RE.search(l)]
    assert "linux: nproc 1" in lines
    assert "linux: shm 0x0 at 0x90000000 size 0x200000" in lines
    assert "PASS linux-shm-write 0x0" in lines
    assert_done(r, "linux1", 1)
    assert_clean_exit(r)
