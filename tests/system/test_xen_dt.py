"""Device trees written for Xen boot unchanged (DESIGN.md §4).

xen_dom0less.scn: Xen's booting.txt style, dom0 module under /chosen with
<0x2>/<0x1> cells, two domUs, no shared memory; each runs guests/hello.
xen_shm_string.scn: upstream Xen's string-id shared memory, both the
<host-PA guest-PA size> form and the <guest-PA size> form where Tessera
picks the host range; domU1 writes, domU2 verifies."""
import itertools
import re

import pytest

from tessera_sys import (GIC_VERSIONS, ROOT, assert_clean_exit, assert_cpus_up,
                         assert_done, assert_no_fail, assert_stopped, boot_scenario)

SCN = ROOT / "tests/system/scenarios"
SZ_2M = 0x200000
MIB = 1 << 20
BYTES = SZ_2M - 64              # guests/shm writer's data bytes
RAM_START, RAM_END = 0x40000000, 0xC0000000    # -m 2G on virt

STARTED_RE = re.compile(r"^(\w+): started \(id (\d+), (\d+) vCPUs? on CPU "
                        r"([\d,]+), (\d+) MiB at (0x[0-9a-f]+),")
BANNER_RE = re.compile(r"^Tessera: static partitioning hypervisor at EL2, "
                       r"image (0x[0-9a-f]+)-(0x[0-9a-f]+)$")


def started(r):
    return {m.group(1): m for m in map(STARTED_RE.match, r.tessera) if m}


# ------------------------------------------------------------ dom0less

@pytest.fixture(scope="module",
                params=list(itertools.product(["cortex-a57", "max"], GIC_VERSIONS)),
                ids=lambda p: f"{p[0]}-gicv{p[1]}")
def dom0less(request):
    cpu, gic = request.param
    return boot_scenario(SCN / "xen_dom0less.scn", cpu=cpu, gic=gic, timeout=60)


def test_dom0less_exits_cleanly(dom0less):
    assert_clean_exit(dom0less)
    assert_cpus_up(dom0less)
    assert not [ln for ln in dom0less.tessera if ln.startswith("config")]


def test_dom0less_partitions(dom0less):
    got = started(dom0less)
    assert list(got) == ["dom0", "domU1", "domU2"]
    for pid, name in enumerate(got):
        m = got[name]
        assert (int(m.group(2)), int(m.group(3)), int(m.group(5))) == \
            (pid, 1, 128), name


def test_dom0less_guests(dom0less):
    for name in ("dom0", "domU1", "domU2"):
        lines = dom0less.lines_of(name)
        # memory = <0 131072> KiB (dom0: dom0_mem=128M), cpus = <1>.
        assert ("hello: uart 0x22000000 ram 0x40000000 size 0x8000000 cpus 1"
                in lines), name
        # Each module's own bootargs reach its partition.
        assert f"bootargs: mem=128M cpus=1 role={name}" in lines, name
        assert "PASS mem-size" in lines and "PASS cpu-count" in lines, name
        assert_done(dom0less, name, passes=4)
        assert_stopped(dom0less, name)
    assert_no_fail(dom0less)
    assert "every partition has stopped: powering off" in dom0less.tessera


# ------------------------------------------------------------ string ids

@pytest.fixture(scope="module")
def shm_string():
    return boot_scenario(SCN / "xen_shm_string.scn", timeout=60)


TABLE_RE = re.compile(
    r"^shm: id (?P<id>\S+) host (?P<lo>0x[0-9a-f]+)-(?P<hi>0x[0-9a-f]+) "
    r"size 0x200000 owner dom_shared\(0x7ff5\) refs 2 "
    r"domU1@(?P<g1>0x[0-9a-f]+)\(mapped\) domU2@(?P<g2>0x[0-9a-f]+)\(mapped\)$")


def table(r):
    return {m["id"]: m for m in map(TABLE_RE.match, r.tessera) if m}


def test_string_ids_exit_cleanly(shm_string):
    assert_clean_exit(shm_string)
    assert not [ln for ln in shm_string.tessera if ln.startswith("config")]
    assert "shm: regions 2 dom_shared(0x7ff5) owns 2 live" in shm_string.tessera
    assert shm_string.tessera[-1] == \
        "shm: dom_shared (0x7ff5) released its 2 regions"


def test_string_id_guests_exchange_data(shm_string):
    w, rd = shm_string.lines_of("domU1"), shm_string.lines_of("domU2")
    # The guests see the ids as strings in /reserved-memory (xen,id).
    assert "shm: region my-shared-mem-1 at 0x50000000 size 0x200000" in w
    assert "shm: region my-shared-mem-2 at 0x50200000 size 0x200000" in w
    assert "shm: region my-shared-mem-1 at 0x60000000 size 0x200000" in rd
    assert "shm: region my-shared-mem-2 at 0x60200000 size 0x200000" in rd
    for rid in ("my-shared-mem-1", "my-shared-mem-2"):
        assert f"PASS shm-write {rid} {BYTES}" in w
        assert f"PASS shm-verify {rid} {BYTES}" in rd
    assert_done(shm_string, "domU1", passes=3)
    assert_done(shm_string, "domU2", passes=3)
    assert_no_fail(shm_string)


def test_host_guest_size_form(shm_string):
    m = table(shm_string)["my-shared-mem-1"]
    assert (m["lo"], m["hi"], m["g1"], m["g2"]) == \
        ("0x70000000", "0x701fffff", "0x50000000", "0x60000000")
    t = shm_string.tessera
    assert ("domU1:   IPA 0x0050000000-0x00501fffff -> PA 0x0070000000     "
            "2048 KiB  shared, RW XN") in t
    assert ("domU2:   IPA 0x0060000000-0x00601fffff -> PA 0x0070000000     "
            "2048 KiB  shared, RW XN") in t


def test_guest_size_form_host_picked(shm_string):
    """<guest-PA size>: the table shows the host range Tessera chose; it
    must be RAM, 2 MiB aligned (a block mapping), clear of the hypervisor,
    the partitions' RAM, the other region and the boot images, and both
    stage-2 tables must map it."""
    tbl = table(shm_string)
    m = tbl["my-shared-mem-2"]
    lo, hi = int(m["lo"], 16), int(m["hi"], 16)
    assert hi - lo + 1 == SZ_2M
    assert lo % SZ_2M == 0
    assert RAM_START <= lo and hi < RAM_END
    busy = []
    b = next(filter(None, map(BANNER_RE.match, shm_string.tessera)))
    busy.append((int(b.group(1), 16), int(b.group(2), 16)))
    for p in started(shm_string).values():
        base = int(p.group(6), 16)
        busy.append((base, base + int(p.group(5)) * MIB))
    other = tbl["my-shared-mem-1"]
    busy.append((int(other["lo"], 16), int(other["hi"], 16) + 1))
    for img in shm_string.build.scenario.images:
        busy.append((img.addr, img.end))
    for start, end in busy:
        assert hi < start or lo >= end, \
            f"picked {lo:#x}-{hi:#x} overlaps {start:#x}-{end:#x}"
    assert (m["g1"], m["g2"]) == ("0x50200000", "0x60200000")
    t = shm_string.tessera
    for name, ipa in (("domU1", 0x50200000), ("domU2", 0x60200000)):
        want = (f"{name}:   IPA 0x{ipa:010x}-0x{ipa + SZ_2M - 1:010x} -> "
                f"PA 0x{lo:010x}     2048 KiB  shared, RW XN")
        assert want in t, want


@pytest.mark.parametrize("scn", ["stdout_alias.scn", "stdout_alias_loop.scn"])
def test_stdout_path_alias_without_a_path_falls_back_to_the_pl011(scn):
    """Xen's examples write stdout-path = "serial0:115200n8"; QEMU's virt DT
    has no /aliases.  The console must still come up (the first PL011) and
    the partition run as usual.  stdout_alias_loop: an alias naming itself,
    on which libfdt's look-up recursed until the EL2 stack overflowed (no
    output at all before the fix; found by fuzz_host_dt)."""
    r = boot_scenario(SCN / scn)
    assert any(l.startswith("Tessera: static partitioning hypervisor") for l in r.tessera)
    assert any(l.startswith("DONE") and l.endswith(" 0 failed") for l in r.lines_of("domU1"))
    assert r.rc == 0 and not r.timed_out
