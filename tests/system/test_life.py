"""The partition life cycle against hostile guests (docs/architecture.md
section 9; guests/life): concurrent SYSTEM_RESET and CPU_ON must never
wedge a partition or the power-off, and CPU_ON must refuse entry points
outside the partition's RAM (PSCI INVALID_ADDRESS, Arm DEN0022 5.6)."""
import re
from pathlib import Path

import pytest

from tessera_sys import (assert_clean_exit, assert_done, assert_no_fail,
                         boot_scenario)

SCN = Path(__file__).resolve().parent / "scenarios"
RESETS = 12                      # life_reset_storm.scn's resets=


@pytest.mark.parametrize("icount", [False, True], ids=["mttcg", "icount"])
def test_reset_during_cpu_on_storm(icount):
    """vCPU1 calls CPU_ON for vCPU2 in a loop while vCPU0 resets the
    partition: each reset must stop all three vCPUs and start again; the
    last run powers off with the storm still on.  Before the fix the
    partition stayed "stopping" for ever with a pending vCPU counted on."""
    extra = ["-icount", "shift=0"] if icount else None
    r = boot_scenario(SCN / "life_reset_storm.scn", extra=extra)
    dom = r.lines_of("domU1")
    runs = [int(m.group(1)) for m in
            map(re.compile(r"life: run (\d+) of \d+").fullmatch, dom) if m]
    assert runs == list(range(1, RESETS + 2)), runs
    t = r.tessera
    resets = [ln for ln in t if re.match(r"domU1: stopped \(SYSTEM_RESET\) after", ln)]
    assert len(resets) == RESETS
    starts = [ln for ln in t if ln.startswith("domU1: started (id 1, 3 vCPUs")]
    assert len(starts) == RESETS + 1
    assert any(re.match(r"domU1: stopped \(SYSTEM_OFF\) after", ln) for ln in t)
    assert "every partition has stopped: powering off" in t
    assert_done(r, "domU1", passes=1)
    assert_no_fail(r)
    assert_clean_exit(r)


def test_cpu_on_entry_outside_ram():
    """domU1 has Xen's guest map, domU2 is direct-mapped (RAM at its host
    address 0x70000000, the host's GIC and UART): each checks against its
    own RAM banks as its DT gives them."""
    r = boot_scenario(SCN / "life_cpu_on.scn")
    for name in ("domU1", "domU2"):
        dom = r.lines_of(name)
        assert "PASS cpu-on-invalid-address 8" in dom, dom
        assert "PASS cpu-on-in-ram" in dom, dom
        assert_done(r, name, passes=2)
    assert_no_fail(r)
    assert_clean_exit(r)


def test_restart_never_runs_out_of_table_pages():
    """700 SYSTEM_RESETs in a row, each start taking a 2-page stage-2 root:
    freed roots must be reused (found by the stress test: after about 500
    starts `cannot build its stage-2 table (error -2)`)."""
    r = boot_scenario(SCN / "life_reset_loop.scn")
    t = r.tessera
    assert sum(ln.startswith("domU1: started (") for ln in t) == 701
    assert not [ln for ln in t if "cannot build" in ln or "failed" in ln]
    assert "PASS reset-loop runs" in r.lines_of("domU1")
    assert_done(r, "domU1", passes=1)
    assert_no_fail(r)
    assert_clean_exit(r)
