"""Doorbells between Linux userspace processes of two partitions, with the
stock Debian kernel and no module of ours (tests/linux/scenarios/doorbell.scn,
docs/shared-memory.md section 11): the region's ring and bell lines of the
doorbell GPIO appear as GPIO lines named after the region; a process that
sleeps in read() until rung uses no CPU meanwhile; 10,000 messages go back
and forth through the region and its doorbells, none lost or repeated (each
side checks every sequence number and payload, and a ring that never comes
fails after 20 s); the same exchange polled runs for comparison."""
import re
from pathlib import Path

import pytest

from tessera_sys import assert_clean_exit, assert_done, assert_no_fail, boot_scenario
from test_linux import BROKEN_RE, IMAGE, INITRD, NO_IMAGE

SCN = Path(__file__).resolve().parent / "scenarios" / "doorbell.scn"
MESSAGES = 10000
POLLED = 1000
KICK_DELAY_MS = 2000            # the kicker sleeps this long before ringing
WAIT_CPU_MAX_MS = 100           # CPU time the sleeping waiter may use meanwhile

WAIT_RE = re.compile(r"linux: doorbell 0x0 waited (\d+) ms, cpu (\d+) ms$")
EXCHANGE_RE = re.compile(r"linux: doorbell 0x0 (ping|pong) (\d+) messages( polled)? in (\d+) ms "
                         r"\((\d+) ns per round trip\), cpu (\d+) ms, wakeups (\d+)$")


@pytest.fixture(scope="module")
def run():
    if not (IMAGE.exists() and INITRD.exists()):
        pytest.skip(NO_IMAGE)
    return boot_scenario(SCN)


def exchanges(r, name):
    return [EXCHANGE_RE.match(l).groups() for l in r.lines_of(name) if EXCHANGE_RE.match(l)]


def test_lines_named_after_the_region(run):
    for name in ("linux1", "linux2"):
        lines = run.lines_of(name)
        assert "linux: doorbell line 22010000.pl061 /dev/gpiochip0 0 ring-0x0" in lines
        assert "linux: doorbell line 22010000.pl061 /dev/gpiochip0 1 bell-0x0" in lines


def test_waiter_sleeps_without_cpu(run):
    assert "PASS linux-doorbell-kick 0x0" in run.lines_of("linux1")
    l2 = run.lines_of("linux2")
    assert "PASS linux-doorbell-wait 0x0" in l2
    waited, cpu = next(map(int, WAIT_RE.match(l).groups()) for l in l2 if WAIT_RE.match(l))
    assert waited >= KICK_DELAY_MS * 9 // 10, waited
    assert cpu <= WAIT_CPU_MAX_MS, f"the waiter used {cpu} ms of CPU in {waited} ms"


def test_ten_thousand_messages_each_answered(run):
    assert f"PASS linux-doorbell-ping 0x0 {MESSAGES}" in run.lines_of("linux1")
    assert f"PASS linux-doorbell-pong 0x0 {MESSAGES}" in run.lines_of("linux2")
    for name in ("linux1", "linux2"):
        side, count, polled, _, _, _, wakeups = exchanges(run, name)[0]
        assert (int(count), polled) == (MESSAGES, None)
        # Asleep on the bell, not spinning: about one wake-up per message, never more.
        assert MESSAGES // 2 <= int(wakeups) <= MESSAGES, (side, wakeups)


def test_polled_exchange_for_comparison(run):
    for name, side in (("linux1", "ping"), ("linux2", "pong")):
        assert f"PASS linux-doorbell-{side} 0x0 {POLLED}" in run.lines_of(name)
        _, count, polled, _, _, _, wakeups = exchanges(run, name)[1]
        assert (int(count), polled, int(wakeups)) == (POLLED, " polled", 0)


def test_clean_run(run):
    assert_no_fail(run)
    assert_done(run, "linux1", passes=3)
    assert_done(run, "linux2", passes=3)
    assert not [l for l in run.lines if BROKEN_RE.search(l)]
    assert_clean_exit(run)
