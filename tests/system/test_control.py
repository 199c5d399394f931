"""The control hypercalls (include/public/tessera_ctl.h, docs/hypercalls.md)
from bare-metal guests (tests/system/scenarios/control.scn, guests/ctl/hvc.c):
dom0, a control partition, reads who it is, the partitions and the
ownership table, stops, starts and restarts domU1 (each carried out on
domU1's CPU: the stopped lines name who asked), gets INVALID, ALREADY and
NOT_SUPPORTED where they apply, and stops itself without the call
returning; domU2 is refused everything, with a console line each."""
import re

import pytest

from tessera_sys import ROOT, assert_clean_exit, assert_done, assert_no_fail, boot_scenario

SCN = ROOT / "tests/system/scenarios/control.scn"
CONTROL_PASSES = ["ctl-self", "ctl-counts", "ctl-info-self", "ctl-info-peer",
                  "ctl-info-no-such-id", "ctl-shm-no-such-region", "ctl-unknown-call",
                  "ctl-stop", "ctl-stop-again", "ctl-start", "ctl-start-again", "ctl-restart",
                  "ctl-stop-no-such-id", "ctl-stop-peer"]


@pytest.fixture(scope="module")
def run():
    return boot_scenario(SCN)


def test_control_partition(run):
    lines = run.lines_of("dom0")
    for what in CONTROL_PASSES:
        assert f"PASS {what}" in lines, what
    assert "ctl: partition 0 is dom0" in lines
    # domU1: running, 1 vCPU, 1 on, started once.
    assert "ctl: partition 1 is domU1, state word 0x100001102" in lines
    assert ("ctl: region 0x0 owner 0x0 refs 2 named 0x3 mapped 0x3 revoked 0x0 size 0x200000"
            in lines)
    assert "ctl: region 0x0 after the stop: refs 1 mapped 0x1" in lines
    assert_done(run, "dom0", passes=len(CONTROL_PASSES))


def test_operations_named_in_the_log(run):
    t = run.tessera
    stops = [l for l in t if l.startswith("domU1: stopped (")]
    assert [re.match(r"domU1: stopped \((.*?)\)", l).group(1) for l in stops] == [
        "stop by dom0", "restart by dom0", "stop by dom0"]
    assert t.count("domU1: 64 MiB of RAM scrubbed before its new run") == 2


def test_stop_self_does_not_return(run):
    t = run.tessera
    assert "ctl: stopping myself" in run.lines_of("dom0")
    assert any(l.startswith("dom0: stopped (stop by dom0)") for l in t)
    assert t[t.index(next(l for l in t if l.startswith("dom0: stopped (stop by dom0)"))) + 1] == \
        "every partition has stopped: powering off"


def test_non_control_partition_refused(run):
    lines = run.lines_of("domU2")
    assert "PASS ctl-self-not-control" in lines
    assert lines.count("PASS ctl-op-denied") == 3 and lines.count("PASS ctl-op-dom0-denied") == 3
    assert_done(run, "domU2", passes=9)
    assert [l for l in run.tessera if l.startswith("domU2: control denied: ")] == [
        f"domU2: control denied: {what} (not a control partition)" for what in
        ("list 1", "shm 0", "stop 1", "stop 0", "start 1", "start 0", "restart 1", "restart 0")]
    assert not any("by domU2" in l for l in run.tessera)


def test_clean(run):
    assert_no_fail(run)
    assert_clean_exit(run)
