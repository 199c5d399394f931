"""Run-time control from Linux userspace (tests/linux/scenarios/control.scn,
docs/hypercalls.md): linux1, a control partition (capabilities = <1>),
drives the others with tessera-ctl through the control device, stock kernel
and /dev/mem only.  It restarts a bare-metal partition that crashed (the
restarted run reports so, its RAM scrubbed first), stops a region's owner
(the borrower's next access aborts), starts it again, and watches the
ownership table change.  linux2 is not a control partition: everything it
tries is refused, with a console line each, and nothing stops."""
import re
from pathlib import Path

import pytest

from tessera_sys import assert_clean_exit, assert_done, boot_scenario
from test_linux import BROKEN_RE, IMAGE, INITRD, NO_IMAGE

SCN = Path(__file__).resolve().parent / "scenarios" / "control.scn"


@pytest.fixture(scope="module")
def run():
    if not (IMAGE.exists() and INITRD.exists()):
        pytest.skip(NO_IMAGE)
    return boot_scenario(SCN)


def steps(r, name):
    """[(command, [output lines], exit status)] of a partition's tctl= steps."""
    out, cur = [], None
    for ln in r.lines_of(name):
        if ln.startswith("tctl: $ tessera-ctl "):
            cur = [ln[len("tctl: $ tessera-ctl "):], [], None]
        elif cur and ln.startswith("tctl: exit "):
            cur[2] = int(ln.split()[-1])
            out.append(tuple(cur))
            cur = None
        elif cur:
            cur[1].append(ln)
    return out


def step(r, name, command, k=0):
    hits = [s for s in steps(r, name) if s[0] == command]
    assert len(hits) > k, f"({name}) no `tessera-ctl {command}` #{k}: {steps(r, name)}"
    return hits[k]


def test_list(run):
    cmd, out, rc = step(run, "linux1", "list")
    assert rc == 0
    rows = [re.split(r"\s+", ln.strip()) for ln in out[1:]]
    assert out[0].split() == ["ID", "NAME", "STATE", "VCPUS", "STARTS"]
    assert rows[0] == ["1", "linux1", "running", "1/1", "1", "control,", "this", "one"]
    # linux2 may have finished (and powered off) by then.
    assert rows[1][:5] in (["2", "linux2", "running", "1/1", "1"],
                           ["2", "linux2", "stopped", "0/1", "1"])
    assert rows[2][:5] == ["3", "crasher", "stopped", "0/1", "1"]
    assert rows[3][:5] == ["4", "owner", "running", "1/1", "1"]
    assert rows[4][:5] == ["5", "borrower", "running", "1/1", "1"]


def test_crashed_partition_restarted(run):
    t = run.tessera
    assert "crash: about to crash" in run.lines_of("crasher")
    assert step(run, "linux1", "wait crasher stopped 120")[2] == 0
    assert step(run, "linux1", "restart crasher") == (
        "restart crasher", ["tessera-ctl: restart crasher: done (running)"], 0)
    first = t.index(next(l for l in t if l.startswith("crasher: stopped (SYSTEM_OFF)")))
    assert t[first + 1:].index("crasher: 64 MiB of RAM scrubbed before its new run") >= 0
    assert "PASS crash-restarted" in run.lines_of("crasher")
    assert_done(run, "crasher", passes=1)


def test_owner_stopped_borrower_aborts(run):
    assert step(run, "linux1", "shm 0x1")[1] == [
        "region 0x1: size 0x200000, owner owner, refs 2, named owner borrower, "
        "mapped owner borrower, revoked -"]
    assert step(run, "linux1", "stop owner") == (
        "stop owner", ["tessera-ctl: stop owner: done (stopped)"], 0)
    t = run.tessera
    assert any(re.match(r"owner: stopped \(stop by linux1\) after \d+ exits", l) for l in t)
    assert any(l.startswith("borrower: data abort: access to shared region 0x1 revoked "
                            "(its owner stopped)") for l in t)
    assert "PASS shm-revoked 0x1" in run.lines_of("borrower")


def test_owner_started_again(run):
    assert step(run, "linux1", "start owner") == (
        "start owner", ["tessera-ctl: start owner: done (running)"], 0)
    assert step(run, "linux1", "shm 0x1", 2)[1] == [
        "region 0x1: size 0x200000, owner owner, refs 1, named owner borrower, "
        "mapped owner, revoked -"]
    rows = [re.split(r"\s+", ln.strip()) for ln in step(run, "linux1", "list", 1)[1][1:]]
    assert rows[2][:5] == ["3", "crasher", "stopped", "0/1", "2"]
    assert rows[3][:5] == ["4", "owner", "running", "1/1", "2"]


def test_non_control_partition_denied(run):
    denied = "denied: this is not a control partition"
    assert steps(run, "linux2") == [
        ("list", [f"tessera-ctl: list: {denied}"], 1),
        ("stop owner", [f"tessera-ctl: owner: {denied}"], 1),
        ("restart linux1", [f"tessera-ctl: linux1: {denied}"], 1),
        ("shm", [f"tessera-ctl: shm: {denied}"], 1),
    ]
    lines = [l for l in run.tessera if l.startswith("linux2: control denied: ")]
    assert lines and all(l.endswith("(not a control partition)") for l in lines)
    # Nothing linux2 asked for happened: linux1 ran on, owner was stopped by linux1 only.
    assert not any(re.match(r"linux1: stopped \((stop|restart) by", l) for l in run.tessera)
    assert not any("by linux2" in l for l in run.tessera)


def test_clean(run):
    assert_done(run, "linux1", passes=0)
    assert_done(run, "borrower", passes=3)
    assert not [l for l in run.lines if BROKEN_RE.search(l)]
    assert not [l for l in run.lines if "FAIL" in l]
    assert_clean_exit(run)
