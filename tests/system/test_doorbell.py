"""The shared-memory doorbell (include/public/tessera_hvc.h): a writer rings
TESSERA_HVC_SHM_DOORBELL for its region after writing it; every other
partition with the region mapped takes PPI 15 (INTID 31) on vCPU 0 (its DT's
/hypervisor node) and only then verifies the data.  scenarios: the demo with
shm_doorbell=1 (tests/system/scenarios/doorbell.scn), on a GICv3 and a GICv2
host."""
import itertools
from pathlib import Path

import pytest

from tessera_sys import GIC_VERSIONS, assert_clean_exit, assert_no_fail, boot_scenario

SCN = Path(__file__).resolve().parent / "scenarios" / "doorbell.scn"


@pytest.fixture(scope="module",
                params=list(itertools.product(["cortex-a57", "max"], GIC_VERSIONS)),
                ids=lambda p: f"{p[0]}-gicv{p[1]}")
def run(request):
    cpu, gic = request.param
    return boot_scenario(SCN, cpu=cpu, gic=gic)


def test_rings_reach_exactly_the_peers(run):
    # region 0x0: dom0 -> domU1; region 0x1: domU1 -> domU2 (one peer each)
    assert "PASS shm-doorbell-ring 0x0 1" in run.lines_of("dom0")
    assert "PASS shm-doorbell-ring 0x1 1" in run.lines_of("domU1")


def test_readers_take_the_interrupt_then_verify(run):
    d1, d2 = run.lines_of("domU1"), run.lines_of("domU2")
    assert d1.index("PASS shm-doorbell 0x0") < d1.index("PASS shm-verify 0x0 2097080")
    assert d2.index("PASS shm-doorbell 0x1") < d2.index("PASS shm-verify 0x1 2097088")
    assert "PASS shm-doorbell 0x1" not in d1        # a writer is not rung by itself


def test_clean(run):
    assert_no_fail(run)
    for dom, n in (("dom0", 4), ("domU1", 7), ("domU2", 3)):
        assert f"DONE {n} passed 0 failed" in run.lines_of(dom)
    assert_clean_exit(run)
