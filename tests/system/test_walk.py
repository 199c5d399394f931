"""The shell's `walk <name> <IPA>` (core/shell_walk.c over p2m_walk and
shm_describe_addr) on shell.scn: dom0 owns region 0x0 (host 0x60000000),
domU1 borrows it at 0x50000000 and maps dom_shared's region 0x1 at
0x60000000; every guest lingers, so the shell drives the story.

Each walk is checked line by line: the table addresses come from the
hypervisor's page pool (they move with the image), so they are read from
the output and checked against each other (VTTBR's base is the level-1
table, a table descriptor's address is the next level's table); every
other field is exact."""
import re

import pytest

from tessera_sys import ROOT, assert_clean_exit, assert_no_fail, boot_scenario

SCN = ROOT / "tests/system/scenarios/shell.scn"
TIMEOUT = 60
LINE_END = r"[^\n]*\n"
WALK_DONE = r"\(tessera\)   (so |nothing |MMIO window )" + LINE_END
SHM_DONE = r"\(tessera\)   shm: " + LINE_END
IPA_TOO_BIG = 1 << 40           # the 40-bit IPA space of shell.scn's stage 2

STEPS = [
    (r"\(domU1\) PASS shm-verify 0x1", "walk domU1 0x50000000\r"),
    (SHM_DONE, "walk domU1 0x40200000\r"),
    (SHM_DONE, "walk domU2 0x50001234\r"),
    (SHM_DONE, "p2m domU1\r"),
    (r"domU1:   IPA 0x0060000000" + LINE_END, "walk domU1 0x22000000\r"),
    (WALK_DONE, f"walk domU1 {IPA_TOO_BIG:#x}\r"),
    (WALK_DONE, "walk domU1\r"),
    (r"walk <name> <IPA>: " + LINE_END, "walk domU1 0x5x\r"),
    (r"walk <name> <IPA>: " + LINE_END, "walk nosuch 0x0\r"),
    (r"no partition named" + LINE_END, "stop dom0\r"),
    (r"dom0: stopped \(shell\)" + LINE_END, "walk domU1 0x50000000\r"),
    (WALK_DONE, "walk dom0 0x60000000\r"),
    (r"no stage-2 table" + LINE_END, "stop domU1\r"),
    (r"domU1: stopped \(shell\)" + LINE_END, "stop domU2\r"),
]

HEAD = re.compile(r"walk (\S+) IPA (0x[0-9a-f]+): VTTBR_EL2 (0x[0-9a-f]{16}) \(VMID (\d+)\), "
                  r"40-bit IPA, start level 1, 2 root pages")
STEP = re.compile(r"  level (\d): table (0x[0-9a-f]+) index (\d+) desc (0x[0-9a-f]{16}): (.*)")
ATTRS_SHARED = ("    MemAttr 0b1111 Normal outer WB inner WB, S2AP 0b11 read-write, "
                "SH 0b11 inner shareable, AF 1, XN 0b10 execute-never")
ATTRS_RAM = ("    MemAttr 0b1111 Normal outer WB inner WB, S2AP 0b11 read-write, "
             "SH 0b11 inner shareable, AF 1, XN 0b00 executable")
DESC_OA = 0x0000FFFFFFFFF000
BADDR = 0x0000FFFFFFFFFFFE


@pytest.fixture(scope="module")
def session():
    return boot_scenario(SCN, stdin=STEPS, timeout=TIMEOUT)


def walk_at(session, name, ipa, k=0):
    """The k-th `walk` block for (name, ipa): its lines up to the next
    line that is not part of a walk."""
    t = session.tessera
    heads = [i for i, ln in enumerate(t)
             if (m := HEAD.fullmatch(ln)) and m.group(1) == name
             and int(m.group(2), 16) == ipa]
    assert len(heads) > k, f"no walk {name} {ipa:#x} (#{k})"
    i = heads[k]
    j = i + 1
    while j < len(t) and t[j].startswith("  "):
        j += 1
    return t[i:j]


def check_tables(block, vmid, indexes):
    """Head and one line per level; the table chain is consistent.
    Returns the leaf line's text after the descriptor."""
    head = HEAD.fullmatch(block[0])
    assert head and int(head.group(4)) == vmid, block[0]
    vttbr = int(head.group(3), 16)
    assert vttbr >> 48 == vmid
    table = vttbr & BADDR
    for level, (line, index) in enumerate(zip(block[1:], indexes), start=1):
        m = STEP.fullmatch(line)
        assert m, line
        assert int(m.group(1)) == level
        assert int(m.group(2), 16) == table, f"level {level} reads the wrong table"
        assert int(m.group(3)) == index
        desc, what = int(m.group(4), 16), m.group(5)
        if what.startswith("table"):
            table = desc & DESC_OA
            assert desc == table | 0x3
            assert what == f"table, next level at {table:#x}"
    return desc, what


def test_session_ends_cleanly(session):
    assert_clean_exit(session)
    assert_no_fail(session)


def test_walk_borrowed_region(session):
    block = walk_at(session, "domU1", 0x50000000)
    desc, what = check_tables(block, vmid=2, indexes=[1, 128])
    # Level 2, entry 128: a 2 MiB block at 0x60000000 with the shared
    # attributes (DESIGN.md section 6), bits as p2m/p2m_internal.h names them.
    assert desc == 0x00400000600007FD
    assert what == "block of 2 MiB -> PA 0x60000000"
    assert block[3:] == [
        ATTRS_SHARED,
        "  host PA 0x60000000",
        "  shm: region 0x0 host 0x60000000-0x601fffff owner dom0(0x0) refs 2: "
        "domU1 borrows it at 0x50000000, mapped"]


def test_walk_ram(session):
    ram = int(re.search(r"^domU1: started \(.* MiB at (0x[0-9a-f]+),",
                        "\n".join(session.tessera), re.M).group(1), 16)
    block = walk_at(session, "domU1", 0x40200000)
    desc, what = check_tables(block, vmid=2, indexes=[1, 1])
    pa = ram + 0x200000
    assert desc == pa | 0x7FD
    assert what == f"block of 2 MiB -> PA {pa:#x}"
    assert block[3:] == [
        ATTRS_RAM, f"  host PA {pa:#x}: RAM of this partition",
        f"  shm: no shared region at IPA 0x40200000 or PA {pa:#x}"]


def test_walk_dom_shared_region_offset(session):
    """domU2 maps dom_shared's region 0x1 at 0x50000000: an offset inside
    the block carries through to the host address."""
    block = walk_at(session, "domU2", 0x50001234)
    desc, what = check_tables(block, vmid=3, indexes=[1, 128])
    assert desc == 0x00400000602007FD
    assert block[3:] == [
        ATTRS_SHARED, "  host PA 0x60201234",
        "  shm: region 0x1 host 0x60200000-0x603fffff owner dom_shared(0x7ff5) refs 2: "
        "domU2 borrows it at 0x50000000, mapped"]


def test_walk_agrees_with_p2m(session):
    """Every shared run `p2m domU1` prints is where `walk` ends."""
    t = session.tessera
    at = max(i for i, ln in enumerate(t) if ln.startswith("domU1: stage 2: "))
    runs = [re.fullmatch(r"domU1:   IPA (0x[0-9a-f]+)-0x[0-9a-f]+ -> PA (0x[0-9a-f]+) .*", ln)
            for ln in t[at + 1:at + 4]]
    assert all(runs), t[at + 1:at + 4]
    ipa, pa = int(runs[1].group(1), 16), int(runs[1].group(2), 16)
    assert (ipa, pa) == (0x50000000, 0x60000000)
    assert f"  host PA {pa:#x}" in walk_at(session, "domU1", ipa)


def test_walk_mmio_window(session):
    """The emulated UART (its address from the stage-2 line) is not
    mapped: the walk faults and names the MMIO window."""
    uart = int(re.search(r"^domU1: stage 2: .* UART (0x[0-9a-f]+)",
                         "\n".join(session.tessera), re.M).group(1), 16)
    assert uart == 0x22000000, "STEPS walk 0x22000000: keep them in step"
    block = walk_at(session, "domU1", uart)
    assert STEP.fullmatch(block[1]).group(5) == "invalid"
    assert block[2:] == [
        f"  not mapped: an access takes a stage-2 translation fault at level 1 to EL2",
        f"  shm: no shared region at IPA {uart:#x}",
        f"  MMIO window {uart:#x}-{uart + 0xfff:#x}: the hypervisor emulates the access"]


def test_walk_beyond_ipa_space(session):
    block = walk_at(session, "domU1", IPA_TOO_BIG)
    assert block[1:] == [
        "  beyond the 40-bit IPA space: a translation fault, no table read",
        f"  shm: no shared region at IPA {IPA_TOO_BIG:#x}",
        "  nothing is there: the hypervisor injects a data abort into domU1"]


def test_walk_revoked_region_explains_abort(session):
    """After `stop dom0` the borrower's level-2 entry is invalid, and the
    ownership table says why: its owner stopped."""
    block = walk_at(session, "domU1", 0x50000000, k=1)
    desc, what = check_tables(block, vmid=2, indexes=[1, 128])
    assert (desc, what) == (0, "invalid")
    assert block[3:] == [
        "  not mapped: an access takes a stage-2 translation fault at level 2 to EL2",
        "  shm: region 0x0 host 0x60000000-0x601fffff owner dom0(0x0) refs 0: "
        "domU1 borrows it at 0x50000000, revoked (its owner dom0 stopped)",
        "  so the hypervisor injects a data abort into domU1"]
    # The level-1 table is the same one as before the stop.
    before = walk_at(session, "domU1", 0x50000000)
    assert block[:2] == before[:2]


def test_walk_errors(session):
    t = session.tessera
    usage = "walk <name> <IPA>: the stage-2 walk of one guest address"
    assert t.count(usage) == 2              # no address; a bad number
    assert "no partition named 'nosuch' (try: list)" in t
    assert "dom0 is stopped: it has no stage-2 table" in t
