"""Churn of the life cycle (tests/system/scenarios/cycles.scn): two control
partitions each stop, start and restart a region's owner and its borrower
200 times through the control hypercalls (guests/ctl/cycle.c) while this
test types stop, start and restart commands into the shell, all at once.
Every answer must be one a race can give; no hypervisor panic; and once
both partitions run again, `stats` shows the same stage-2 table pages,
free pool pages and reference counts as before the churn (nothing leaked,
nothing counted twice)."""
import re
import subprocess
import time

import pytest

from tessera_sys import (CTRL_A, ROOT, BootResult, _Reader, _send, _wait, current_boots,
                         scenario_tool)

SCN = ROOT / "tests/system/scenarios/cycles.scn"
TIMEOUT = 600
CYCLES = 200
SHELL_COMMANDS = ["restart owner", "stop borrower", "start borrower", "stop owner",
                  "start owner", "restart borrower"]
SHELL_PAUSE_S = 0.05            # between two shell commands during the churn
MAX_SHELL_COMMANDS = 4000
POLL_S = 0.05

PART_RE = re.compile(r"stats: (\w+) (running|stopped|stopping|starting): exits \d+ \(.*\), "
                     r"aborts injected \d+, interrupts injected \d+, stage-2 table pages (\d+)$")
POOL_RE = re.compile(r"stats: stage-2 page pool: (\d+) free, (\d+) in use$")
REFS_RE = re.compile(r"stats: shm (\S+) refs (\d+)$")


class Console:
    """QEMU with its console read in the background and typed into on demand."""

    def __init__(self, build):
        self.proc = subprocess.Popen(build.cmd, cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.reader = _Reader(self.proc.stdout)
        self.reader.start()
        self.deadline = time.monotonic() + TIMEOUT

    def text(self):
        return self.reader.text()

    def count(self, pattern):
        return len(re.findall(pattern, self.text(), re.M))

    def wait(self, pattern, n=1):
        while self.count(pattern) < n:
            if self.proc.poll() is not None or time.monotonic() >= self.deadline:
                raise AssertionError(f"never saw {n} x /{pattern}/")
            time.sleep(POLL_S)

    def type(self, text, after_pattern=None):
        n = self.count(after_pattern) if after_pattern else 0
        _send(self.proc, text)
        if after_pattern:
            self.wait(after_pattern, n + 1)


def churn():
    build = scenario_tool.build(SCN, root=ROOT)
    start = time.monotonic()
    c = Console(build)
    timed_out = False
    try:
        c.wait(r"^\(ctl[12]\) ctl: cycles wait", 2)
        c.type("stats\r", r"stats: shm references")
        for name in ("owner", "borrower", "ctl1"):
            c.type(CTRL_A * 3, rf"console input now goes to {name}\n")
        c.type("g")
        c.type(CTRL_A * 3, r"console input now goes to ctl2\n")
        c.type("g")
        c.type(CTRL_A * 3, r"console input now goes to the tessera shell\n")
        sent = 0
        while c.count(r"^\(ctl[12]\) ctl: cycles done") < 2 and sent < MAX_SHELL_COMMANDS:
            if c.proc.poll() is not None or time.monotonic() >= c.deadline:
                raise AssertionError("the churn did not end")
            _send(c.proc, SHELL_COMMANDS[sent % len(SHELL_COMMANDS)] + "\r")
            sent += 1
            time.sleep(SHELL_PAUSE_S)
        # Both running again, the borrower after its owner, as at the start.
        c.type("stop borrower\r", r"borrower: stopped|borrower is already stopped")
        c.type("start owner\r", r"owner: started|owner is already running")
        c.type("start borrower\r", r"borrower: started \(")
        c.type("stats\r", r"stats: shm references")
        c.type("stop borrower\r", r"borrower: stopped")
        for name in ("owner", "ctl1", "ctl2"):
            _send(c.proc, f"stop {name}\r")
            time.sleep(POLL_S)
    except AssertionError:
        timed_out = True
    timed_out = _wait(c.proc, c.deadline if not timed_out else time.monotonic()) or timed_out
    c.reader.join()
    c.proc.stdin.close()
    c.proc.stdout.close()
    r = BootResult(build, c.text(), c.proc.returncode, timed_out, time.monotonic() - start)
    r.shell_commands = sent if not timed_out else None
    current_boots.append(r)
    return r


@pytest.fixture(scope="module")
def run():
    return churn()


def stats(r):
    """Each `stats` output: ({partition: (state, table pages)}, (free, used), {region: refs})."""
    t = r.tessera
    out = []
    for i, ln in enumerate(t):
        if not PART_RE.match(ln) or PART_RE.match(ln).group(1) != "owner":
            continue
        parts = {m.group(1): (m.group(2), int(m.group(3)))
                 for m in map(PART_RE.match, t[i:i + 4])}
        pool = tuple(map(int, POOL_RE.match(t[i + 4]).groups()))
        refs = {m.group(1): int(m.group(2)) for m in map(REFS_RE.match, t[i + 5:i + 6])}
        out.append((parts, pool, refs))
    return out


def test_churn_ran_and_ended(run):
    assert not run.timed_out, "the session did not finish (see the log)"
    assert run.rc == 0
    assert run.shell_commands >= len(SHELL_COMMANDS), run.shell_commands
    assert not [l for l in run.lines if "PANIC" in l or "FAIL" in l]


@pytest.mark.parametrize("name", ["ctl1", "ctl2"])
def test_every_answer_is_one_a_race_can_give(run, name):
    lines = run.lines_of(name)
    assert f"PASS ctl-cycles {CYCLES}" in lines
    done = next(l for l in lines if l.startswith("ctl: cycles done: "))
    ok, already, joined, failed, other = map(int, re.findall(r"\d+", done))
    assert other == 0
    assert ok + already + joined + failed == 6 * CYCLES


def test_back_at_baseline(run):
    before, after = stats(run)
    assert before[0] == after[0]          # every partition running, same table pages
    assert all(state == "running" for state, _ in before[0].values())
    assert after[1] == before[1]          # free and used pool pages
    assert after[2] == before[2] == {"0x0": 2}
