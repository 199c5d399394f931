"""The shell's `stats` (core/shell.c, docs/architecture.md section 10) on
shell.scn: per partition its exits by reason, aborts and interrupts
injected and stage-2 table pages; then the page pool and every region's
reference count.  A stop and a start of domU2 (region 0x1's writer) gives
back exactly what it took: the same table pages, free pages and
references as before."""
import re

import pytest

from tessera_sys import ROOT, assert_clean_exit, assert_no_fail, boot_scenario

SCN = ROOT / "tests/system/scenarios/shell.scn"
TIMEOUT = 60
LINE_END = r"[^\n]*\n"
REFS_DONE = r"stats: shm references \d+ in 2 regions" + LINE_END

STEPS = [
    (r"\(domU1\) PASS shm-verify 0x1", "stats\r"),
    (REFS_DONE, "stop domU2\r"),
    (r"domU2: stopped \(shell\)" + LINE_END, "stats\r"),
    (REFS_DONE, "start domU2\r"),
    (r"\(domU2\) PASS shm-write" + LINE_END, "stats\r"),
    (REFS_DONE, "stop dom0\r"),
    (r"dom0: stopped \(shell\)" + LINE_END, "stop domU1\r"),
    (r"domU1: stopped \(shell\)" + LINE_END, "stop domU2\r"),
]

PART_RE = re.compile(r"stats: (\w+) (running|stopped|stopping): exits (\d+) \((.*)\), aborts "
                     r"injected (\d+), interrupts injected (\d+), stage-2 table pages (\d+)$")
POOL_RE = re.compile(r"stats: stage-2 page pool: (\d+) free, (\d+) in use$")
REASONS = ["other", "hvc", "smc", "dabt", "iabt", "sysreg", "irq", "serror"]


@pytest.fixture(scope="module")
def session():
    return boot_scenario(SCN, stdin=STEPS, timeout=TIMEOUT)


def snapshots(session):
    """Each `stats` output: {partition: fields}, (free, in use), {region: refs}, total."""
    t = session.tessera
    starts = [i for i, ln in enumerate(t) if PART_RE.match(ln) and
              PART_RE.match(ln).group(1) == "dom0"]
    out = []
    for s in starts:
        parts = {}
        for ln in t[s:s + 3]:
            name, state, total, reasons, aborts, irqs, pages = PART_RE.match(ln).groups()
            by = dict((k, int(v)) for k, v in (w.split() for w in
                                                re.findall(r"[a-z]+ \d+", reasons)))
            assert list(by) == REASONS, reasons
            assert sum(by.values()) == int(total)
            parts[name] = dict(state=state, exits=int(total), by=by, aborts=int(aborts),
                               irqs=int(irqs), pages=int(pages))
        pool = tuple(map(int, POOL_RE.match(t[s + 3]).groups()))
        refs = dict(re.fullmatch(r"stats: shm (\S+) refs (\d+)", ln).groups()
                    for ln in t[s + 4:s + 6])
        total = re.fullmatch(r"stats: shm references (\d+) in 2 regions", t[s + 6]).group(1)
        out.append((parts, pool, {k: int(v) for k, v in refs.items()}, int(total)))
    return out


def test_three_snapshots(session):
    assert_no_fail(session)
    assert_clean_exit(session)
    assert len(snapshots(session)) == 3


def test_everything_running(session):
    parts, (free, used), refs, total = snapshots(session)[0]
    for name in ("dom0", "domU1", "domU2"):
        p = parts[name]
        assert p["state"] == "running"
        # Each guest printed through its emulated UART: data aborts.
        assert p["by"]["dabt"] > 0, p
        assert p["pages"] >= 3, p
        assert p["aborts"] == 0
    assert used == sum(p["pages"] for p in parts.values())
    assert free + used == 1024
    assert refs == {"0x0": 2, "0x1": 2} and total == 4


def test_stop_gives_back(session):
    before, after_stop = snapshots(session)[:2]
    parts, (free, used), refs, total = after_stop
    assert parts["domU2"]["state"] == "stopped"
    assert parts["domU2"]["pages"] == 0
    assert used == before[1][1] - before[0]["domU2"]["pages"]
    assert refs == {"0x0": 2, "0x1": 1} and total == 3


def test_restart_back_at_baseline(session):
    first, _, third = snapshots(session)
    assert third[1] == first[1]                       # free and in-use pages
    assert third[2] == first[2] and third[3] == first[3]
    for name in ("dom0", "domU1", "domU2"):
        assert third[0][name]["pages"] == first[0][name]["pages"]
    # domU2's counters start again from its new start.
    assert third[0]["domU2"]["exits"] < first[0]["domU1"]["exits"] + first[0]["domU2"]["exits"]
