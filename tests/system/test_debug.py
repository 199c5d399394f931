"""`make debug`'s path, non-interactively: tools/scenario.py debug starts
QEMU halted (-S) with its gdbstub, and gdb-multiarch with the symbols and
tools/gdb/tessera.py runs a command file in batch mode (--batch).  On the
demo (DESIGN.md section 6):

  1. break in shm_glue_print_table (boot, every partition started): list,
     vcpus, shm, and two stage-2 walks read from memory by gdb;
  2. break in shm_lookup_revoked (domU1 touches region 0x0 after its
     owner dom0 powered off; the fault handler asks the ownership table,
     under its lock): the table says revoked, the walk faults.  Both
     breakpoints stop at EL2 only: a guest runs its own code at the same
     addresses;
  3. continue: the demo runs to its normal power-off.

What gdb reads is checked against the hypervisor's own console lines
(the ownership table it prints, the started and stage-2 lines)."""
import os
import re
import signal
import socket
import subprocess
import sys

import pytest

from tessera_sys import ROOT

SCENARIO = ROOT / "scenarios/demo.scn"
TIMEOUT = 120
DESC_OA = 0x0000FFFFFFFFF000

# Breakpoints are virtual addresses, and the guests run their own code at
# the same addresses (linked at 0x40200000, MMU off): only EL2 counts
# (PSTATE.EL, cpsr bits [3:2], is 2).
COMMANDS = """\
break shm_glue_print_table if ($cpsr & 0xc) == 0x8
continue
echo ==== booted\\n
tessera list
tessera vcpus
tessera shm
tessera walk domU1 0x50000000
tessera walk domU2 0x70000000
python
for bad in ("tessera walk nosuch 0x0", "tessera walk domU1 0xZZ", "tessera walk domU1"):
    try:
        gdb.execute(bad)
    except gdb.error as e:
        print("error:", e)
end
delete
break shm_lookup_revoked if ($cpsr & 0xc) == 0x8
continue
echo ==== revoked\\n
tessera shm
tessera walk domU1 0x50000000
echo ==== end\\n
delete
continue
"""

TABLE_START = [
    "shm: regions 2 dom_shared(0x7ff5) owns 1 live",
    "shm: id 0x0 host 0x60000000-0x601fffff size 0x200000 owner dom0(0x0) "
    "refs 2 dom0@0x60000000(owner,mapped) domU1@0x50000000(mapped)",
    "shm: id 0x1 host 0x60200000-0x603fffff size 0x200000 owner "
    "dom_shared(0x7ff5) refs 2 domU1@0x60000000(mapped) "
    "domU2@0x70000000(mapped)",
]
ATTRS_SHARED = ("    MemAttr 0b1111 Normal outer WB inner WB, S2AP 0b11 read-write, "
                "SH 0b11 inner shareable, AF 1, XN 0b10 execute-never")
LIST_RE = re.compile(r"(\S+) +id (\d+) +running +vcpus (\d) \(on \d\) mem (\d+) MiB at "
                     r"(0x[0-9a-f]+) starts 1  VMID (\d) root (0x[0-9a-f]+) (\d+) table pages")


def run_debug(cmd, outdir, timeout=TIMEOUT):
    """Runs a `debug` command; at the timeout it ends the command's process
    group and QEMU's (its own session, pid in outdir/qemu.pid), then fails."""
    (outdir / "qemu.pid").unlink(missing_ok=True)       # never act on a stale pid
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        pid_file = outdir / "qemu.pid"
        qemu = [int(pid_file.read_text())] if pid_file.is_file() else []
        for pid in [proc.pid] + qemu:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        proc.communicate()
        pytest.fail(f"{' '.join(cmd)}: no end after {timeout} s")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("debug")
    cmds = tmp / "commands.gdb"
    cmds.write_text(COMMANDS)
    out = ROOT / "build/scenarios/demo-debug-test"
    res = run_debug([sys.executable, str(ROOT / "tools/scenario.py"), "debug", str(SCENARIO),
                     "--out", str(out), "--port", str(free_port()), "--batch", str(cmds)], out)
    console = (out / "console.log").read_text(errors="replace").replace("\r", "")
    return res, res.stdout.split("\n"), console.split("\n")


def section(lines, name):
    start = lines.index(f"==== {name}")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("===="))
    return [ln for ln in lines[start + 1:end] if not ln.startswith(("Breakpoint ", "Thread "))]


def block(lines, head):
    i = next(i for i, ln in enumerate(lines) if ln.startswith(head))
    j = i + 1
    while j < len(lines) and lines[j].startswith("  "):
        j += 1
    return lines[i:j]


def test_gdb_ran_every_command(session):
    res, out, console = session
    assert res.returncode == 0, res.stderr + res.stdout
    for name in ("booted", "revoked", "end"):
        assert f"==== {name}" in out
    # "Breakpoint 1.1" when the compiler also inlined the function somewhere.
    assert re.search(r"Thread 1 hit Breakpoint 1(\.\d+)?, shm_glue_print_table", res.stdout)
    assert re.search(r"Thread \d hit Breakpoint 2(\.\d+)?, shm_lookup_revoked", res.stdout)


def test_demo_ran_to_power_off(session):
    """Breakpoints change nothing: the demo ends as it always does."""
    _, out, console = session
    assert "[Inferior 1 (process 1) exited normally]" in out
    assert "(tessera) shm: dom_shared (0x7ff5) released its 1 region" in console
    assert "(domU1) PASS shm-revoked 0x0" in console
    assert not [ln for ln in console if "FAIL" in ln]


def test_list_matches_started_lines(session):
    _, out, console = session
    rows = [LIST_RE.fullmatch(ln) for ln in section(out, "booted")[:3]]
    assert all(rows), section(out, "booted")[:3]
    for m, (name, pid, vcpus, mib, vmid) in zip(rows, [("dom0", 0, 1, 128, 1),
                                                       ("domU1", 1, 2, 128, 2),
                                                       ("domU2", 2, 1, 64, 3)]):
        assert (m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                int(m.group(6))) == (name, pid, vcpus, mib, vmid)
        assert int(m.group(8)) == 3           # two root pages + one level-2 table
        started = f"(tessera) {name}: started (id {pid}, "
        line = next(ln for ln in console if ln.startswith(started))
        assert f" MiB at {m.group(5)}," in line


def test_vcpus_pinned_as_started(session):
    _, out, _ = session
    rows = [ln for ln in section(out, "booted") if " vCPU " in ln]
    cpus = [re.match(r"(\S+) vCPU (\d): CPU (\d), ", ln).groups() for ln in rows]
    assert cpus == [("dom0", "0", "0"), ("domU1", "0", "1"), ("domU1", "1", "2"),
                    ("domU2", "0", "3")]


def test_shm_equals_the_hypervisors_print(session):
    """gdb's table, read at the entry of shm_glue_print_table, is exactly
    what that function then prints."""
    _, out, console = session
    got = [ln for ln in section(out, "booted") if ln.startswith("shm: ")]
    assert got == TABLE_START
    printed = [ln[len("(tessera) "):] for ln in console if ln.startswith("(tessera) shm: ")]
    assert printed[:3] == got


def test_walk_from_memory(session):
    _, out, _ = session
    booted = section(out, "booted")
    root = {m.group(1): int(m.group(7), 16)
            for m in map(LIST_RE.fullmatch, booted[:3])}
    for name, ipa, vmid, desc in (("domU1", 0x50000000, 2, 0x00400000600007FD),
                                  ("domU2", 0x70000000, 3, 0x00400000602007FD)):
        lines = block(booted, f"walk {name} IPA {ipa:#x}: ")
        assert lines[0] == (f"walk {name} IPA {ipa:#x}: VTTBR_EL2 "
                            f"0x{root[name] | vmid << 48:016x} (VMID {vmid}), 40-bit IPA, "
                            "start level 1, 2 root pages")
        l1 = re.fullmatch(r"  level 1: table (0x[0-9a-f]+) index 1 desc (0x[0-9a-f]{16}): "
                          r"table, next level at (0x[0-9a-f]+)", lines[1])
        assert l1 and int(l1.group(1), 16) == root[name], lines[1]
        next_table = int(l1.group(2), 16) & DESC_OA
        assert int(l1.group(3), 16) == next_table
        pa = desc & DESC_OA
        index = (ipa >> 21) & 511
        assert lines[2:] == [
            f"  level 2: table {next_table:#x} index {index} desc 0x{desc:016x}: "
            f"block of 2 MiB -> PA {pa:#x}",
            ATTRS_SHARED, f"  host PA {pa:#x}"]


def test_errors_are_gdb_errors(session):
    _, out, _ = session
    booted = section(out, "booted")
    assert "error: no partition named 'nosuch'" in booted
    assert "error: walk: '0xZZ' is not a number" in booted
    assert "error: usage: tessera walk <name> <IPA>" in booted


def test_revoked_borrower_seen_from_gdb(session):
    """At the fault, domU1's mapping of region 0x0 is gone from the table
    and from its stage 2.  (dom0's own unmapping may still be under way
    on its CPU: its refs and state are not checked here.)"""
    _, out, _ = session
    revoked = section(out, "revoked")
    region0 = next(ln for ln in revoked if ln.startswith("shm: id 0x0 "))
    assert region0.endswith(" domU1@0x50000000(revoked)"), region0
    lines = block(revoked, "walk domU1 IPA 0x50000000: ")
    assert re.fullmatch(r"  level 2: table 0x[0-9a-f]+ index 128 desc 0x0{16}: invalid",
                        lines[2]), lines
    assert lines[3:] == ["  not mapped: an access takes a stage-2 translation fault at "
                         "level 2 to EL2"]
