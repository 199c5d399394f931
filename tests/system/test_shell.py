"""The hypervisor shell over the console (DESIGN.md §6, §7; core/shell.c),
on shell.scn: dom0 owns region 0x0 (role "owner") and writes it, domU1
borrows 0x0 and reads 0x0 and 0x1, domU2 writes 0x1 (dom_shared's).  The
guests linger 60 s, so every stop below comes from the shell.

One session per GIC version drives the whole story with (regex, text)
steps (console input arrives as the UART's interrupt through the physical
GIC); each test then checks one part of the console.  The shell does not
echo: a command is known by its reply."""
import re
from pathlib import Path

import pytest

from tessera_sys import (CTRL_A, GIC_VERSIONS, ROOT, assert_clean_exit, assert_no_fail,
                         boot_scenario)

SCN = ROOT / "tests/system/scenarios/shell.scn"
TIMEOUT = 60                    # a stuck step costs this; a good run ~2 s
BYTES = 0x200000 - 64           # guests/shm writer's data bytes

REGION0 = ("shm: id 0x0 host 0x60000000-0x601fffff size 0x200000 owner "
           "dom0(0x0) refs {refs} dom0@0x60000000(owner,{own}) "
           "domU1@0x50000000({borrow})")
REGION1 = ("shm: id 0x1 host 0x60200000-0x603fffff size 0x200000 owner "
           "dom_shared(0x7ff5) refs {refs} domU1@0x60000000({a}) "
           "domU2@0x50000000({b})")
TABLE_HEAD = "shm: regions 2 dom_shared(0x7ff5) owns 1 live"
TABLE_UP = [TABLE_HEAD,
            REGION0.format(refs=2, own="mapped", borrow="mapped"),
            REGION1.format(refs=2, a="mapped", b="mapped")]
TABLE_REVOKED = [TABLE_HEAD,
                 REGION0.format(refs=0, own="unmapped", borrow="revoked"),
                 REGION1.format(refs=2, a="mapped", b="mapped")]
TABLE_OFF = [TABLE_HEAD,
             REGION0.format(refs=0, own="unmapped", borrow="unmapped"),
             REGION1.format(refs=0, a="unmapped", b="unmapped")]
HELP = ["commands: help, list, shm, p2m <name>, walk <name> <IPA>, dev, stop <name>, "
        "start <name>, restart <name>, stats, crash now",
        "CTRL-A three times moves console input between the shell and each "
        "partition"]
CANNOT = "domU1: cannot start: region 0x0 owner dom0 is stopped"
LINE_END = r"[^\n]*\n"

STEPS = [
    (r"\(domU1\) PASS shm-verify 0x1", "help\r"),
    (r"CTRL-A three times" + LINE_END, "list\r"),
    (r"\bdomU2 +id 2 " + LINE_END, "shm\r"),
    (r"shm: id 0x1 " + LINE_END, "p2m domU1\r"),
    (r"domU1:   IPA 0x0060000000" + LINE_END, "frob\r"),
    (r"unknown command" + LINE_END, "p2m nosuch\r"),
    (r"no partition named" + LINE_END, "stop dom0\r"),       # the owner
    (r"dom0: stopped \(shell\)" + LINE_END, "shm\r"),
    (r"shm: id 0x1 " + LINE_END, "restart domU1\r"),        # the borrower
    (r"restart failed" + LINE_END, "list\r"),
    (r"\bdomU2 +id 2 " + LINE_END, "start domU1\r"),
    (r"start failed" + LINE_END, "stop domU1\r"),
    (r"already stopped" + LINE_END, "p2m domU1\r"),
    (r"no stage-2 table" + LINE_END, "start domU2\r"),
    (r"already running" + LINE_END, "start dom0\r"),
    (r"\(dom0\) PASS shm-write" + LINE_END, "start domU1\r"),
    (r"\(domU1\) PASS shm-verify 0x1" + LINE_END, "shm\r"),
    (r"shm: id 0x1 " + LINE_END, "list\r"),
    (r"\bdomU2 +id 2 " + LINE_END, CTRL_A * 3),
    (r"console input now goes to dom0\n", CTRL_A * 3),
    (r"console input now goes to domU1\n", CTRL_A * 3),
    (r"console input now goes to domU2\n", CTRL_A * 3),
    (r"console input now goes to the tessera shell\n", "stop dom0\r"),
    (r"dom0: stopped \(shell\)" + LINE_END, "stop domU1\r"),
    (r"domU1: stopped \(shell\)" + LINE_END, "stop domU2\r"),
]


@pytest.fixture(scope="module", params=GIC_VERSIONS, ids=lambda g: f"gicv{g}")
def session(request):
    return boot_scenario(SCN, stdin=STEPS, timeout=TIMEOUT, gic=request.param)


def block_at(lines, first, n):
    """The n lines starting at the k-th occurrence (first = (line, k))."""
    line, k = first
    idx = [i for i, ln in enumerate(lines) if ln == line]
    assert len(idx) > k, f"`{line}` seen {len(idx)} times, want > {k}"
    return lines[idx[k]:idx[k] + n]


def index_of(lines, pattern, k=0):
    hits = [i for i, ln in enumerate(lines) if re.search(pattern, ln)]
    assert len(hits) > k, f"/{pattern}/ seen {len(hits)} times, want > {k}"
    return hits[k]


def test_session_ends_in_power_off(session):
    assert_clean_exit(session)
    assert_no_fail(session)
    t = session.tessera
    assert t[-len(TABLE_OFF) - 2:] == (
        ["every partition has stopped: powering off"] + TABLE_OFF +
        ["shm: dom_shared (0x7ff5) released its 1 region"])
    # The guests linger: none of them got as far as DONE.
    assert not [ln for ln in session.lines if " DONE " in ln]


def test_help(session):
    assert block_at(session.tessera, (HELP[0], 0), 2) == HELP


def test_list_running(session):
    t = session.tessera
    first = index_of(t, r"^dom0 +id 0 ")
    rows = t[first:first + 3]
    want = [r"dom0 +id 0 +running +vcpus 1 \(on 1\) mem 128 MiB at 0x[0-9a-f]+ starts 1",
            r"domU1 +id 1 +running +vcpus 1 \(on 1\) mem 128 MiB at 0x[0-9a-f]+ starts 1",
            r"domU2 +id 2 +running +vcpus 1 \(on 1\) mem 64 MiB at 0x[0-9a-f]+ starts 1"]
    for row, rx in zip(rows, want):
        assert re.fullmatch(rx, row), row
    # Then the page pool: each partition's stage 2 takes at least 3 pages
    # (two concatenated level-1 roots and a level-2 table).
    m = re.fullmatch(r"stage-2 table pages in use: (\d+)", t[first + 3])
    assert m and int(m.group(1)) >= 9, t[first + 3]


def test_shm_command(session):
    # Printed at boot (k=0), then by the first `shm` (k=1).
    assert block_at(session.tessera, (TABLE_HEAD, 1), 3) == TABLE_UP


def test_p2m_command(session):
    t = session.tessera
    boot = index_of(t, r"^domU1: stage 2: ", 0)
    shell = index_of(t, r"^domU1: stage 2: ", 1)
    if session.gic == 2:                # the CPU interface (GICV) comes first
        gicv = ("domU1:   IPA 0x0003002000-0x0003003fff -> PA 0x0008040000        8 KiB  "
                "device, RW XN")
        assert t[boot + 1] == t[shell + 1] == gicv
        boot, shell = boot + 1, shell + 1
    assert t[shell:shell + 4] == t[boot:boot + 4]
    assert t[shell + 1:shell + 4] == [
        "domU1:   IPA 0x0040000000-0x0047ffffff -> PA "
        + t[boot + 1].split(" -> PA ")[1],
        "domU1:   IPA 0x0050000000-0x00501fffff -> PA 0x0060000000     "
        "2048 KiB  shared, RW XN",
        "domU1:   IPA 0x0060000000-0x00601fffff -> PA 0x0060200000     "
        "2048 KiB  shared, RW XN"]


def test_unknown_command_and_partition(session):
    t = session.tessera
    assert "unknown command 'frob' (try: help)" in t
    assert "no partition named 'nosuch' (try: list)" in t


def test_stop_owner_revokes_borrower(session):
    t = session.tessera
    stop = index_of(t, r"^dom0: stopped \(shell\) after \d+ exits")
    # domU1 keeps running, its region 0x0 revoked and its reference dropped.
    assert t[stop + 1:stop + 4] == TABLE_REVOKED
    assert not [ln for ln in t[:stop] if ln.startswith("domU1: stopped")]


def test_restart_borrower_fails_while_owner_stopped(session):
    t = session.tessera
    at = index_of(t, r"^domU1: stopped \(shell restart\) after \d+ exits")
    assert t[at + 1:at + 3] == [CANNOT, "domU1: restart failed"]
    rows = t[at + 3:at + 6]
    assert re.fullmatch(r"dom0 +id 0 +stopped +vcpus 1 \(on 0\) .* starts 1", rows[0])
    assert re.fullmatch(r"domU1 +id 1 +stopped +vcpus 1 \(on 0\) .* starts 1", rows[1])
    assert re.fullmatch(r"domU2 +id 2 +running +vcpus 1 \(on 1\) .* starts 1", rows[2])
    # Only domU2 runs: the stopped ones gave their table pages back.  (On a
    # GICv2 its CPU interface mapping at 0x3002000 takes a level-2 and a
    # level-3 table more.)
    pages = {3: 3, 2: 5}[session.gic]
    assert t[at + 6] == f"stage-2 table pages in use: {pages}"
    # `start domU1` fails the same way, and the borrower stays stopped.
    assert t[at + 7:at + 9] == [CANNOT, "domU1: start failed"]
    assert t[at + 9:at + 12] == ["domU1 is already stopped",
                                 "domU1 is stopped: it has no stage-2 table",
                                 "domU2 is already running"]


def test_start_owner_then_borrower(session):
    t = session.tessera
    starts = {n: [i for i, ln in enumerate(t) if ln.startswith(f"{n}: started (id ")]
              for n in ("dom0", "domU1", "domU2")}
    assert len(starts["dom0"]) == 2 and len(starts["domU1"]) == 2
    assert len(starts["domU2"]) == 1
    assert starts["dom0"][1] < starts["domU1"][1]
    # Both run their checks again on the reinstalled regions.
    assert session.lines_of("dom0").count(f"PASS shm-write 0x0 {BYTES}") == 2
    dom1 = session.lines_of("domU1")
    assert dom1.count(f"PASS shm-verify 0x0 {BYTES}") == 2
    assert dom1.count(f"PASS shm-verify 0x1 {BYTES}") == 2
    # The table is whole again, and list counts the second starts.
    assert block_at(t, (TABLE_HEAD, 3), 3) == TABLE_UP
    rows = t[index_of(t, r"^dom0 +id 0 ", 2):][:3]
    assert re.fullmatch(r"dom0 +id 0 +running .* starts 2", rows[0]), rows
    assert re.fullmatch(r"domU1 +id 1 +running .* starts 2", rows[1]), rows
    assert re.fullmatch(r"domU2 +id 2 +running .* starts 1", rows[2]), rows


def test_ctrl_a_moves_focus(session):
    t = session.tessera
    first = index_of(t, r"^console input now goes to ")
    assert t[first:first + 4] == [
        "console input now goes to dom0", "console input now goes to domU1",
        "console input now goes to domU2",
        "console input now goes to the tessera shell"]


def test_stop_each_then_power_off(session):
    t = session.tessera
    for name in ("dom0", "domU1", "domU2"):
        assert any(re.match(rf"{name}: stopped \(shell\) after \d+ exits", ln)
                   for ln in t[index_of(t, "goes to the tessera shell"):]), name


# ------------------------------------------------------------ restart, last

def test_failed_restart_of_last_partition_powers_off():
    """DESIGN.md §7: when every partition has stopped, the hypervisor
    powers off.  Here the last running partition (domU1) is restarted
    while its region's owner is stopped: the start fails, nothing runs any
    more, and QEMU must exit."""
    steps = [
        (r"\(domU1\) PASS shm-verify 0x1", "stop domU2\r"),
        (r"domU2: stopped \(shell\)" + LINE_END, "stop dom0\r"),
        (r"dom0: stopped \(shell\)" + LINE_END, "restart domU1\r"),
    ]
    r = boot_scenario(SCN, stdin=steps, timeout=15)
    assert CANNOT in r.tessera
    assert "domU1: restart failed" in r.tessera
    assert "every partition has stopped: powering off" in r.tessera
    assert_clean_exit(r)


def test_crash_report():
    """`crash now` faults at EL2 on purpose: the report names the exception
    class and gives ESR/FAR/HPFAR/ELR/SPSR and all 31 general registers,
    then the machine powers off (issue: walking skeleton, item 2)."""
    steps = [(r"\(domU1\) PASS shm-verify 0x1", "crash\r"),
             (r"crash now: fault at EL2" + LINE_END, "crash now\r")]
    r = boot_scenario(SCN, stdin=steps, timeout=15)
    t = r.tessera
    assert "crashing on purpose (shell)" in t
    i = t.index("crashing on purpose (shell)")
    report = t[i + 1:]
    assert re.fullmatch(r"PANIC: exception at EL2 \(SP_EL2\): EC 0x25 data abort \(EL2\)",
                        report[0]), report[:3]
    m = re.fullmatch(r"ESR_EL2 0x([0-9a-f]{16}) FAR_EL2 0x([0-9a-f]{16}) "
                     r"HPFAR_EL2 0x[0-9a-f]{16}", report[1])
    assert m, report[1]
    assert int(m.group(1), 16) >> 26 == 0x25          # EC: data abort, current EL
    assert int(m.group(2), 16) == 0xff8000000000      # the address it loaded
    assert re.fullmatch(r"ELR_EL2 0x[0-9a-f]{16} SPSR_EL2 0x[0-9a-f]{16} CPU mpidr 0x0",
                        report[2]), report[2]
    regs = " ".join(report[3:19])
    for n in range(31):
        assert re.search(rf"\bx{n}\s+0x[0-9a-f]{{16}}", regs), f"x{n} missing"
    assert not r.timed_out and r.rc == 0       # powered off, not hung


def test_restart_partition_on_the_shell_cpu():
    """The shell runs on CPU 0, inside the exit of the guest that runs there.
    Restarting that very partition must never resume its old run: it starts
    again from its boot module and completes."""
    scn = Path(__file__).resolve().parent / "scenarios" / "restart_cpu0.scn"
    steps = [(r"\(domU1\) fpcheck: loop", "restart domU1\r")]
    r = boot_scenario(scn, stdin=steps, timeout=60)
    t = r.tessera
    assert any(l.startswith("domU1: stopped (shell restart)") for l in t), t
    starts = [l for l in t if l.startswith("domU1: started (id 1, 1 vCPU on CPU 0,")]
    assert len(starts) == 2, starts
    dom = r.lines_of("domU1")
    assert sum(l.startswith("fpcheck: loop") for l in dom) == 2
    assert [l for l in dom if l.startswith("DONE")] == ["DONE 4 passed 0 failed"]
    assert_no_fail(r)
    assert_clean_exit(r)
