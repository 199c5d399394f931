"""Life-cycle stress (docs/architecture.md sections 6 and 9): the shell
starts, stops and restarts partitions at random while the guests of
stress.scn storm CPU_ON/CPU_OFF on several vCPUs and end their runs with
SYSTEM_RESET (every vCPU at once), the last CPU_OFF or SYSTEM_OFF.  Then
every guest is calmed ('q' on its console), restarted, and the system must
be back where it started: every partition running and stable, the stage-2
page pool and the shared-memory references as right after boot; then the
shell stops everything and the machine powers off.

Each boot runs the storm for TESSERA_STRESS_S seconds (default 20, which
keeps the file near a minute of wall time in `make test`); `make stress`
runs it for minutes (docs/architecture.md section 11).  With and without
-icount shift=0: deterministic round robin and real parallel threads find
different interleavings."""
import os
import random
import re
import time
from pathlib import Path

import pytest

from tessera_sys import CTRL_A, assert_clean_exit, boot_scenario

SCN = Path(__file__).resolve().parent / "scenarios" / "stress.scn"
PARTS = ["domA", "domB", "domC"]        # configuration order: the CTRL-A cycle
STORM_S = float(os.environ.get("TESSERA_STRESS_S", "20"))
SEED = int(os.environ.get("TESSERA_STRESS_SEED", "1"))
GAP_S = (0.0, 0.25)                     # pause between two shell commands
SETTLE_S = 60                           # per partition, to become calm
BAD = re.compile(r"PANIC|life cycle:|FAIL|unhandled exception|not started: the machine")

# Never `stop domA`: domA restarts itself and is only ever restarted, so the
# machine cannot power off in the middle (every partition stopped).
COMMANDS = (["restart domA", "start domA"] +
            [f"{verb} {p}" for p in ("domB", "domC")
             for verb in ("restart", "stop", "start", "start")] +
            ["list", "shm", "p2m domB", "p2m domA"])


class Story:
    """What the driver did, for the assertions after QEMU has exited."""
    sent = 0                # shell commands of the storm


def _focus(con, index, mark):
    """Press CTRL-A three times @index+1 times: from the shell to PARTS[index]."""
    for k in range(index + 1):
        want = PARTS[k]
        con.send(CTRL_A * 3)
        m = con.wait_for(rf"console input now goes to {want}\n", mark, timeout=30)
        assert m, f"no focus switch to {want}"
        mark = m.end()
    return mark


def _back_to_shell(con, index, mark):
    for _ in range(len(PARTS) - index):
        con.send(CTRL_A * 3)
        m = con.wait_for(r"console input now goes to [^\n]+\n", mark, timeout=30)
        assert m, "no focus switch"
        mark = m.end()
    assert m.group(0).endswith("the tessera shell\n"), m.group(0)
    return mark


def _calm(con, index, mark):
    """'q' to PARTS[index], then restart it until a run of it says calm."""
    name = PARTS[index]
    for _ in range(3):
        mark = _focus(con, index, mark)
        con.send("q")
        mark = _back_to_shell(con, index, mark)
        con.send(f"restart {name}\r")
        started = con.wait_for(rf"^\(tessera\) {name}: started \(", mark, timeout=SETTLE_S)
        if started is None:
            mark = len(con.text())
            continue
        calm = con.wait_for(rf"^\({name}\) life: calm$", started.end(), timeout=SETTLE_S)
        if calm:
            return calm.end()
        mark = started.end()
    raise AssertionError(f"{name} never became calm")


def _driver(story, rng):
    def drive(con):
        m = con.wait_for(r"^\(tessera\) shm: regions ", 0, timeout=120)
        assert m, "the boot did not get as far as the ownership table"
        # One command at a time, each followed by an unknown word whose
        # reply says the shell is done with it: the shell shares CPU 0 with
        # domA's vCPU0, and a backlog of commands would starve that vCPU
        # (under -icount the shell is slower than the wall clock).
        end = time.monotonic() + STORM_S
        mark = m.end()
        while time.monotonic() < end and con.alive():
            story.sent += 1
            con.send(f"{rng.choice(COMMANDS)}\rmark{story.sent}\r")
            m = con.wait_for(rf"unknown command 'mark{story.sent}'", mark, timeout=120)
            assert m, f"the shell did not answer command {story.sent}"
            mark = m.end()
            time.sleep(rng.uniform(*GAP_S))
        for i in range(len(PARTS)):
            mark = _calm(con, i, mark)
        con.send("list\r")
        m = con.wait_for(r"^\(tessera\) stage-2 table pages in use: \d+$", mark, timeout=60)
        assert m, "no list reply"
        con.send("shm\r")
        m = con.wait_for(r"^\(tessera\) shm: id 0x1 .*$", m.end(), timeout=60)
        assert m, "no shm reply"
        for name in reversed(PARTS):
            con.send(f"stop {name}\r")
        con.wait_for(r"every partition has stopped: powering off", m.end(), timeout=60)
    return drive


def _boot_block(lines, head):
    """The shm table printed right after the boot: its head line and the region lines."""
    i = lines.index(head)
    block = [lines[i]]
    for ln in lines[i + 1:]:
        if not ln.startswith("shm: id "):
            break
        block.append(ln)
    return block


@pytest.mark.parametrize("icount", [False, True], ids=["mttcg", "icount"])
def test_life_cycle_storm(icount):
    story, rng = Story(), random.Random(SEED + icount)
    extra = ["-icount", "shift=0"] if icount else None
    r = boot_scenario(SCN, extra=extra, stdin=_driver(story, rng),
                      timeout=STORM_S + 8 * SETTLE_S)
    t = r.tessera
    assert not [ln for ln in r.lines if BAD.search(ln)], \
        [ln for ln in r.lines if BAD.search(ln)][:5]
    assert story.sent > 0
    # The guests did storm: restarts from both sides.
    for name, how in (("domA", "SYSTEM_RESET"), ("domB", "its last vCPU called CPU_OFF"),
                      ("domC", "SYSTEM_OFF")):
        assert any(ln.startswith(f"{name}: stopped ({how})") for ln in t), (name, how)
    assert any(ln.startswith("domA: stopped (shell restart)") for ln in t)

    # Baseline: the pages the three stage-2 tables took at boot, and the
    # ownership table printed once all three had started.
    first = {}
    for ln in t:
        m = re.match(r"(dom[ABC]): stage 2: VMID \d+, \d+-bit IPA, (\d+) table pages", ln)
        if m and m.group(1) not in first:
            first[m.group(1)] = int(m.group(2))
    assert sorted(first) == PARTS
    head = "shm: regions 5 dom_shared(0x7ff5) owns 4 live"
    boot_table = _boot_block(t, head)
    assert len(boot_table) == 6, boot_table

    # After the storm and the settling restarts: all running with one vCPU
    # (calm), the pool and the references as at boot.
    rows = [ln for ln in t if re.match(r"dom[ABC] +id \d+ ", ln)]
    for name, row in zip(PARTS, rows[-3:]):
        assert re.fullmatch(rf"{name} +id \d+ +running +vcpus \d \(on 1\) .*", row), row
    pools = [int(m.group(1)) for m in
             map(re.compile(r"stage-2 table pages in use: (\d+)$").match, t) if m]
    assert pools[-1] == sum(first.values()), (pools[-1], first)
    tables = [i for i, ln in enumerate(t) if ln == head]
    final_table = t[tables[-2]:tables[-2] + 6]     # the last `shm` before the power-off one
    assert final_table == boot_table, (final_table, boot_table)

    # Every start was matched by a stop, and the machine powered off.
    for name in PARTS:
        starts = sum(ln.startswith(f"{name}: started (") for ln in t)
        stops = sum(ln.startswith(f"{name}: stopped (") for ln in t)
        assert starts == stops, (name, starts, stops)
    assert "every partition has stopped: powering off" in t
    off = t.index("every partition has stopped: powering off")
    def persist(name, host):
        return (f"shm: id life-{name} host {host:#x}-{host + 0x1fffff:#x} size 0x200000 "
                f"owner dom_shared(0x7ff5) refs 0 {name}@0x70000000(unmapped)")
    assert t[off + 2:off + 7] == [
        "shm: id 0x0 host 0x60000000-0x601fffff size 0x200000 owner domA(0x1) refs 0 "
        "domA@0x50000000(owner,unmapped) domB@0x50000000(unmapped)",
        persist("domA", 0x60400000),
        "shm: id 0x1 host 0x60200000-0x603fffff size 0x200000 owner dom_shared(0x7ff5) refs 0 "
        "domB@0x60000000(unmapped) domC@0x50000000(unmapped)",
        persist("domB", 0x60600000), persist("domC", 0x60800000)], t[off:off + 8]
    assert_clean_exit(r)
