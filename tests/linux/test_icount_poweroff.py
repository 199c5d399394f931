"""Two Linux partitions under -icount (bench/scenarios/linux-doorbell.scn,
the Linux doorbell bench): both power off and the machine with them.  A
Linux vCPU goes off (SYSTEM_OFF) with its virtual timer armed; the timer
then fires on a CPU with no vCPU, whose level the idle CPU kept taking and
deactivating for ever, and under icount's round robin the other partition
never finished its own stop (seen: the bench timed out with linux2's
`stopped` line missing)."""
from pathlib import Path

import pytest

from tessera_sys import ROOT, assert_clean_exit, assert_stopped, boot_scenario
from test_linux import IMAGE, INITRD, NO_IMAGE

SCN = ROOT / "bench" / "scenarios" / "linux-doorbell.scn"
TIMEOUT_S = 120


@pytest.mark.skipif(not (IMAGE.exists() and INITRD.exists()), reason=NO_IMAGE)
def test_both_stop_under_icount():
    r = boot_scenario(SCN, extra=["-icount", "shift=0,sleep=off"], timeout=TIMEOUT_S)
    assert_stopped(r, "linux1")
    assert_stopped(r, "linux2")
    assert_clean_exit(r)
