"""A direct-mapped Linux partition (tests/linux/scenarios/direct_map.scn):
Linux finds its RAM at the host address xen,static-mem gives it (IPA ==
host PA), lists it as System RAM in /proc/iomem, and drives the UART and
GIC at the host's own addresses."""
from pathlib import Path

from tessera_sys import assert_clean_exit, assert_done, boot_scenario
from test_linux import BROKEN_RE, needs_image

SCN = Path(__file__).resolve().parent / "scenarios" / "direct_map.scn"


@needs_image
def test_direct_mapped_linux_ram_at_host_address():
    r = boot_scenario(SCN)
    t = r.tessera
    assert any(l.startswith("linux1:   IPA 0x0080000000-0x008fffffff -> PA 0x0080000000")
               for l in t), t
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
