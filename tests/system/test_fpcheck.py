"""fpcheck.scn: traps, HVCs and injected aborts leave a guest's FP/SIMD and
general registers untouched (DESIGN.md §1).  One boot per CPU model."""
import pytest

from tessera_sys import (assert_clean_exit, assert_done, assert_no_fail,
                         assert_stopped, boot_scenario)

ROUNDS = 2000                   # guests/fpcheck's loop count


@pytest.fixture(scope="module", params=["cortex-a57", "max"])
def fpcheck(request):
    return boot_scenario("fpcheck", cpu=request.param)


def test_exits_cleanly(fpcheck):
    assert_clean_exit(fpcheck)


def test_registers_intact(fpcheck):
    dom = fpcheck.lines_of("domU1")
    assert "PASS fp-canaries" in dom
    assert "PASS gpr-canaries" in dom
    # The fast hypercall path (boot/vectors.S) ran every round, FP untrapped.
    assert f"PASS unknown-hvc {ROUNDS}" in dom


def test_every_abort_injected(fpcheck):
    assert f"PASS aborts-taken {ROUNDS}" in fpcheck.lines_of("domU1")


def test_done_without_failures(fpcheck):
    assert_done(fpcheck, "domU1", passes=4)
    assert_no_fail(fpcheck)
    assert_stopped(fpcheck, "domU1")


def test_lazy_fp_path_exercised(fpcheck):
    """The canaries only prove something if EL2 really used FP/SIMD while the
    guest's registers were live: the stop line counts those lazy saves."""
    import re
    stop = [l for l in fpcheck.tessera if l.startswith("domU1: stopped")]
    assert len(stop) == 1, stop
    m = re.search(r"after (\d+) exits, (\d+) lazy FP/SIMD saves, (\d+) aborts injected", stop[0])
    assert m, stop[0]
    exits, saves, aborts = map(int, m.groups())
    assert aborts == ROUNDS
    assert exits >= 4 * ROUNDS          # two HVCs, a UART read and an abort per round
    assert saves >= 1
