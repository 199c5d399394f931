"""demo.scn: the design's static shared memory example on virt (DESIGN.md
§6, shared/seeds/shm-dom0less-design.txt).

  region 0x0: host 0x60000000, 2 MiB, owner dom0 (role "owner"), borrowed
              by domU1; dom0 sees it at 0x60000000, domU1 at 0x50000000.
  region 0x1: host 0x60200000, 2 MiB, no owner: dom_shared (0x7ff5);
              domU1 sees it at 0x60000000, domU2 at 0x70000000.

dom0 writes 0x0 and waits for domU1's ack, then powers off, which revokes
domU1's mapping; domU1's next access must abort.  One boot per CPU model and
GIC version (`make run` and `make run GIC=2`)."""
import itertools
import re

import pytest

from tessera_sys import (GIC_VERSIONS, assert_clean_exit, assert_cpus_up, assert_done,
                         assert_no_fail, assert_stopped, boot_scenario)

SZ_2M = 0x200000
HDR = 64                        # guests/shm header at the end of a region
ACK = 8                         # the revoke roles' ack word
WRITER_BYTES = SZ_2M - HDR      # 2097088
REVOKE_BYTES = SZ_2M - HDR - ACK  # 2097080

# (partition, region id, IPA, PA) for every shared mapping of the scenario.
MAPPINGS = [
    ("dom0", "0x0", 0x60000000, 0x60000000),
    ("domU1", "0x0", 0x50000000, 0x60000000),
    ("domU1", "0x1", 0x60000000, 0x60200000),
    ("domU2", "0x1", 0x70000000, 0x60200000),
]
TABLE_START = [
    "shm: regions 2 dom_shared(0x7ff5) owns 1 live",
    "shm: id 0x0 host 0x60000000-0x601fffff size 0x200000 owner dom0(0x0) "
    "refs 2 dom0@0x60000000(owner,mapped) domU1@0x50000000(mapped)",
    "shm: id 0x1 host 0x60200000-0x603fffff size 0x200000 owner "
    "dom_shared(0x7ff5) refs 2 domU1@0x60000000(mapped) "
    "domU2@0x70000000(mapped)",
]
TABLE_OFF = [
    "every partition has stopped: powering off",
    "shm: regions 2 dom_shared(0x7ff5) owns 1 live",
    "shm: id 0x0 host 0x60000000-0x601fffff size 0x200000 owner dom0(0x0) "
    "refs 0 dom0@0x60000000(owner,unmapped) domU1@0x50000000(unmapped)",
    "shm: id 0x1 host 0x60200000-0x603fffff size 0x200000 owner "
    "dom_shared(0x7ff5) refs 0 domU1@0x60000000(unmapped) "
    "domU2@0x70000000(unmapped)",
    "shm: dom_shared (0x7ff5) released its 1 region",
]


@pytest.fixture(scope="module",
                params=list(itertools.product(["cortex-a57", "max"], GIC_VERSIONS)),
                ids=lambda p: f"{p[0]}-gicv{p[1]}")
def demo(request):
    cpu, gic = request.param
    return boot_scenario("demo", cpu=cpu, gic=gic, timeout=60)


def test_exits_cleanly(demo):
    assert_clean_exit(demo)
    assert_cpus_up(demo)


def test_dom0_owner_writes_and_gets_ack(demo):
    dom0 = demo.lines_of("dom0")
    assert "shm: region 0x0 at 0x60000000 size 0x200000" in dom0
    assert f"PASS shm-write 0x0 {REVOKE_BYTES}" in dom0
    assert "PASS shm-ack 0x0" in dom0
    assert_done(demo, "dom0", passes=3)


def test_domu1_verifies_writes_and_sees_revocation(demo):
    dom1 = demo.lines_of("domU1")
    assert "shm: region 0x0 at 0x50000000 size 0x200000" in dom1
    assert "shm: region 0x1 at 0x60000000 size 0x200000" in dom1
    assert f"PASS shm-verify 0x0 {REVOKE_BYTES}" in dom1
    assert f"PASS shm-write 0x1 {WRITER_BYTES}" in dom1
    assert "PASS shm-revoked 0x0" in dom1
    assert_done(demo, "domU1", passes=4)


def test_domu1_reports_poweroff(demo):
    """guests/README.md: a revoke-reader prints `PASS shm-poweroff` just
    before DONE.  demo.scn gives domU1 that role per region
    (shm_role_0x0=revoke-reader)."""
    dom1 = demo.lines_of("domU1")
    assert "PASS shm-poweroff" in dom1
    assert dom1.index("PASS shm-poweroff") == len(dom1) - 2


def test_domu2_verifies_region_1(demo):
    dom2 = demo.lines_of("domU2")
    assert "shm: region 0x1 at 0x70000000 size 0x200000" in dom2
    assert f"PASS shm-verify 0x1 {WRITER_BYTES}" in dom2
    assert_done(demo, "domU2", passes=2)
    assert_no_fail(demo)


def test_revoked_access_logged(demo):
    aborts = [ln for ln in demo.tessera if "data abort" in ln]
    assert len(aborts) == 1, aborts
    assert re.fullmatch(
        r"domU1: data abort: access to shared region 0x0 revoked \(its owner "
        r"stopped\) at IPA 0x50000000 \(pc 0x[0-9a-f]+, read\): injected",
        aborts[0]), aborts[0]
    # The abort comes after dom0 (the owner) asked to power off, and before
    # domU1 stops.  (dom0's own `stopped` line is printed at the end of its
    # teardown, so it may come after the abort.)
    lines = demo.lines
    dom0_done = lines.index("(dom0) DONE 3 passed 0 failed")
    abort = lines.index("(tessera) " + aborts[0])
    dom1_stop = next(i for i, ln in enumerate(lines)
                     if ln.startswith("(tessera) domU1: stopped ("))
    assert dom0_done < abort < dom1_stop
    assert lines.index("(domU1) PASS shm-revoked 0x0") > abort


def test_stage2_shared_mappings(demo):
    for name, rid, ipa, pa in MAPPINGS:
        want = (f"{name}:   IPA 0x{ipa:010x}-0x{ipa + SZ_2M - 1:010x} -> "
                f"PA 0x{pa:010x}     2048 KiB  shared, RW XN")
        assert want in demo.tessera, f"{name}: region {rid}: no `{want}`"
    # Nothing else is shared: exactly these four shared lines.
    shared = [ln for ln in demo.tessera if ln.endswith("shared, RW XN")]
    assert len(shared) == len(MAPPINGS), shared


def test_gic_of_the_host(demo):
    """A GICv2 host: the driver reports its four frames, and every
    partition's CPU interface (Xen's GUEST_GICC_BASE) is the GICV frame,
    mapped; a GICv3 host maps no device."""
    gicv2 = ("gic: GICv2 (arm,cortex-a15-gic): GICD 0x8000000, GICC 0x8010000, "
             "GICH 0x8030000, GICV 0x8040000, maintenance INTID 25")
    devices = [ln for ln in demo.tessera if ln.endswith("device, RW XN")]
    if demo.gic == 2:
        assert gicv2 in demo.tessera
        assert devices == [f"{name}:   IPA 0x0003002000-0x0003003fff -> PA 0x0008040000"
                           "        8 KiB  device, RW XN" for name in ("dom0", "domU1", "domU2")]
    else:
        assert not [ln for ln in demo.tessera if ln.startswith("gic: ")]
        assert devices == []


def test_partition_ids_and_ram(demo):
    want = {"dom0": (0, 1, 128), "domU1": (1, 2, 128), "domU2": (2, 1, 64)}
    for name, (pid, vcpus, mib) in want.items():
        rx = re.compile(rf"^{name}: started \(id {pid}, {vcpus} vCPUs? on "
                        rf"CPU [\d,]+, {mib} MiB at 0x[0-9a-f]+,")
        assert sum(1 for ln in demo.tessera if rx.match(ln)) == 1, name
        ram = (f"{name}:   IPA 0x0040000000-0x{0x40000000 + (mib << 20) - 1:010x}"
               f" -> PA ")
        assert any(ln.startswith(ram) and ln.endswith(f"{mib * 1024} KiB  RAM, RWX")
                   for ln in demo.tessera), f"{name}: no RAM stage-2 line"


def test_ownership_table_after_start(demo):
    t = demo.tessera
    first = t.index(TABLE_START[0])
    assert t[first:first + 3] == TABLE_START
    # Printed once every partition has started.
    assert first > max(i for i, ln in enumerate(t) if ": started (" in ln)


def test_ownership_table_at_power_off(demo):
    for name in ("dom0", "domU1", "domU2"):
        assert_stopped(demo, name)
    assert demo.tessera[-len(TABLE_OFF):] == TABLE_OFF
