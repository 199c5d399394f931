"""partitions.scn: dom0 + domU1 (2 vCPUs) + domU2 on 4 CPUs, each running
guests/smp (DESIGN.md §4, §5): partition ids, vCPU bring-up, RAM size,
stage-2 maps and isolation, then power-off.  partitions_pinned.scn is the
same system with `tessera,cpus` pinning.

One boot per (scenario, CPU model, GIC version), shared by the tests of this
file."""
import re

import pytest

# include/guest_fdt.h GUEST_FDT_MAX_SIZE: the guest DT's slot at the top of guest RAM.
GUEST_DT_SLOT = 0x18000

from tessera_sys import (GIC_VERSIONS, ROOT, assert_clean_exit, assert_cpus_up,
                         assert_done, assert_no_fail, assert_stopped, boot_scenario)

GUEST_RAM_IPA = 0x40000000
MIB = 1 << 20
KIB = 1 << 10
PROBE_OTHER = 0x48000000        # domU2's probe=: just past its 128 MiB
PROBE_OWN = 0x44000000          # domU1 poisons it, domU2 must read its own

# name -> (id, vCPUs, RAM bytes, PASS lines its DONE must count)
PARTITIONS = {
    "dom0": (0, 1, 128 * MIB, 5),
    "domU1": (1, 2, 256 * MIB, 5),
    "domU2": (2, 1, 128 * MIB, 7),
}
# Unpinned: CPUs go to partitions in order, lowest free first (dt/cfg_check.c).
CPUS_DEFAULT = {"dom0": "0", "domU1": "1,2", "domU2": "3"}
# partitions_pinned.scn: domU1 <3 1>, domU2 <0>, dom0 the lowest left.
CPUS_PINNED = {"dom0": "2", "domU1": "3,1", "domU2": "0"}

STARTED_RE = re.compile(
    r"^(\w+): started \(id (\d+), (\d+) vCPUs? on CPU ([\d,]+), (\d+) MiB at "
    r"(0x[0-9a-f]+), entry 0x40200000, dt (0x[0-9a-f]+)\)$")
RAM_MAP_RE = r"^{name}:   IPA 0x(?P<ipa>[0-9a-f]{{10}})-0x(?P<end>[0-9a-f]{{10}}) " \
             r"-> PA 0x(?P<pa>[0-9a-f]{{10}}) +(?P<kib>\d+) KiB  RAM, RWX$"
STOPPED_RE = r"^{name}: stopped \(SYSTEM_OFF\) after \d+ exits, \d+ lazy " \
             r"FP/SIMD saves, {aborts} aborts injected$"

PINNED = str(ROOT / "tests/system/scenarios/partitions_pinned.scn")
BOOTS = [("partitions", "cortex-a57", 3), ("partitions", "max", 3), (PINNED, "cortex-a57", 3),
         ("partitions", "cortex-a57", 2), (PINNED, "cortex-a57", 2)]
# What each partition's stage 2 traps (the GICv2 CPU interface is mapped, GICV).
TRAPPED = {3: "GICD 0x3001000, GICR 0x3020000, UART 0x22000000",
           2: "GICD 0x3001000, UART 0x22000000"}
GICV_MAP = "{name}:   IPA 0x0003002000-0x0003003fff -> PA 0x0008040000        8 KiB  device, RW XN"


@pytest.fixture(scope="module", params=BOOTS,
                ids=["default-a57", "default-max", "pinned-a57", "default-a57-gicv2",
                     "pinned-a57-gicv2"])
def run(request):
    scn, cpu, gic = request.param
    r = boot_scenario(scn, cpu=cpu, gic=gic, timeout=60)
    r.pinning = CPUS_PINNED if "pinned" in scn else CPUS_DEFAULT
    return r


def started(r):
    """name -> match of its one `started` line (asserts there is one)."""
    out = {}
    for m in filter(None, map(STARTED_RE.match, r.tessera)):
        assert m.group(1) not in out, f"{m.group(1)} started twice"
        out[m.group(1)] = m
    return out


def test_exits_cleanly(run):
    assert_clean_exit(run)
    assert_cpus_up(run)


def test_every_partition_done(run):
    for name, (_, _, _, passes) in PARTITIONS.items():
        assert_done(run, name, passes=passes)
        assert "PASS mem-size" in run.lines_of(name)
        assert "PASS cpu-count" in run.lines_of(name)
        assert "PASS affinity-off" in run.lines_of(name)
    assert_no_fail(run)


def test_vcpus_online(run):
    assert "PASS cpus-online 1" in run.lines_of("dom0")
    dom1 = run.lines_of("domU1")
    assert "PASS cpus-online 2" in dom1
    # The secondary sees a virtual MPIDR: affinity 1, whatever its pCPU.
    assert "cpu 1 up mpidr 0x1" in dom1
    assert "PASS cpus-online 1" in run.lines_of("domU2")


def test_bootargs_reach_guests(run):
    assert "smp: cpus 1 bootargs: mem=128M cpus=1" in run.lines_of("dom0")
    assert "smp: cpus 2 bootargs: mem=256M cpus=2 poison=0x44000000" \
        in run.lines_of("domU1")
    assert ("smp: cpus 1 bootargs: mem=128M cpus=1 probe_ok=0x44000000 "
            "probe=0x48000000") in run.lines_of("domU2")


def test_isolation(run):
    assert "smp: poison 0x44000000" in run.lines_of("domU1")
    dom2 = run.lines_of("domU2")
    assert f"PASS isolation-abort {PROBE_OTHER:#x}" in dom2
    assert f"PASS isolation-own {PROBE_OWN:#x}" in dom2
    aborts = [ln for ln in run.tessera if "data abort" in ln]
    assert len(aborts) == 1, aborts
    assert re.fullmatch(
        rf"domU2: data abort: access to unmapped address at IPA "
        rf"{PROBE_OTHER:#x} \(pc 0x[0-9a-f]+, read\): injected", aborts[0]), \
        aborts[0]


def test_started_lines(run):
    got = started(run)
    assert list(got) == ["dom0", "domU1", "domU2"], "start order / set"
    for name, (pid, vcpus, ram, _) in PARTITIONS.items():
        m = got[name]
        assert int(m.group(2)) == pid, f"{name} id"
        assert int(m.group(3)) == vcpus, f"{name} vCPUs"
        assert m.group(4) == run.pinning[name], f"{name} physical CPUs"
        assert int(m.group(5)) * MIB == ram, f"{name} RAM"
        # The guest DT sits in the last 96 KiB of its RAM.
        assert int(m.group(7), 16) == GUEST_RAM_IPA + ram - GUEST_DT_SLOT


def test_host_ram_disjoint(run):
    got = started(run)
    spans = sorted((int(m.group(6), 16), int(m.group(5)) * MIB)
                   for m in got.values())
    for (a, alen), (b, _) in zip(spans, spans[1:]):
        assert a + alen <= b, f"host RAM overlaps: {spans}"
    for base, _ in spans:
        assert base % (2 * MIB) == 0


def test_stage2_lines(run):
    got = started(run)
    for name, (_, _, ram, _) in PARTITIONS.items():
        hdr = [ln for ln in run.tessera if ln.startswith(f"{name}: stage 2: ")]
        assert len(hdr) == 1, hdr
        assert re.fullmatch(
            rf"{name}: stage 2: VMID \d+, \d+-bit IPA, \d+ table pages; "
            rf"trapped: {TRAPPED[run.gic]}", hdr[0])
        rx = re.compile(RAM_MAP_RE.format(name=name))
        maps = [m for m in map(rx.match, run.tessera) if m]
        assert len(maps) == 1, f"{name}: RAM map lines {maps}"
        m = maps[0]
        assert int(m["ipa"], 16) == GUEST_RAM_IPA
        assert int(m["end"], 16) == GUEST_RAM_IPA + ram - 1
        assert int(m["kib"]) * KIB == ram
        assert int(m["pa"], 16) == int(got[name].group(6), 16), \
            f"{name}: stage-2 PA differs from the started line"
        # No shared memory in this scenario: nothing else mapped but, on a
        # GICv2, the CPU interface.
        others = [ln for ln in run.tessera
                  if ln.startswith(f"{name}:   IPA") and "RAM, RWX" not in ln]
        assert others == ([GICV_MAP.format(name=name)] if run.gic == 2 else [])


def test_vmids_distinct(run):
    vmids = [re.search(r"VMID (\d+)", ln).group(1) for ln in run.tessera
             if ": stage 2: VMID" in ln]
    assert len(vmids) == 3 and len(set(vmids)) == 3, vmids


def test_stopped_and_power_off(run):
    for name in PARTITIONS:
        assert_stopped(run, name)
        aborts = 1 if name == "domU2" else 0
        rx = re.compile(STOPPED_RE.format(name=name, aborts=aborts))
        assert sum(1 for ln in run.tessera if rx.match(ln)) == 1, \
            f"{name}: no single `stopped (SYSTEM_OFF)` line with {aborts} aborts"
    tail = run.tessera[-3:]
    assert tail == ["every partition has stopped: powering off",
                    "shm: regions 0 dom_shared(0x7ff5) owns 0 live",
                    "shm: dom_shared (0x7ff5) released its 0 regions"], tail
    # Every stop comes before the power-off line.
    off = run.tessera.index("every partition has stopped: powering off")
    assert all(": stopped (" not in ln for ln in run.tessera[off:])


def test_static_mem_places_ram_at_its_host_address():
    """xen,static-mem = <host-PA size>: domU1's RAM is exactly there (stage 2
    maps IPA 0x40000000 to it) and the guest sees and tests all 128 MiB;
    domU2, without it, is placed elsewhere."""
    from pathlib import Path
    r = boot_scenario(Path(__file__).resolve().parent / "scenarios" / "static_mem.scn")
    t = r.tessera
    assert any(re.fullmatch(r"domU1: started \(id 1, 1 vCPU on CPU 0, 128 MiB at "
                            r"0x70000000, .*\)", l) for l in t), t
    assert any(re.fullmatch(r"domU1:   IPA 0x0040000000-0x0047ffffff -> PA 0x0070000000 .*RAM, RWX",
                            l) for l in t)
    m = [re.fullmatch(r"domU2: started \(id 2, 1 vCPU on CPU 1, 64 MiB at 0x([0-9a-f]+), .*\)", l)
         for l in t]
    base2 = [int(x.group(1), 16) for x in m if x]
    assert len(base2) == 1
    assert base2[0] + 64 * MIB <= 0x70000000 or base2[0] >= 0x78000000
    for dom in ("domU1", "domU2"):
        lines = r.lines_of(dom)
        assert "PASS mem-size" in lines and any(l.startswith("PASS ram-test") for l in lines)
        assert any(l.startswith("DONE") and l.endswith(" 0 failed") for l in lines)
    assert_clean_exit(r)


@pytest.mark.parametrize("gic", GIC_VERSIONS, ids=lambda g: f"gicv{g}")
def test_direct_map_sees_host_addresses(gic):
    """direct-map: domU1's RAM is at IPA == host PA 0x70000000 (stage 2 maps
    it one to one), its DT names the host's UART and GIC (virt's 0x9000000
    and 0x8000000; on a GICv2 the CPU interface at GICC 0x8010000 is the
    GICV frame 0x8040000) and it tests all of its RAM there; domU2 beside
    it keeps Xen's guest map (RAM 0x40000000, PL011 0x22000000)."""
    from pathlib import Path
    r = boot_scenario(Path(__file__).resolve().parent / "scenarios" / "direct_map.scn",
                      gic=gic)
    t = r.tessera
    host = {3: "GICD 0x8000000, GICR 0x80a0000, UART 0x9000000",
            2: "GICD 0x8000000, UART 0x9000000"}[gic]
    assert any(re.fullmatch(r"domU1:   IPA 0x0070000000-0x0077ffffff -> PA 0x0070000000 .*RAM, RWX",
                            l) for l in t), t
    assert any(re.fullmatch(rf"domU1: stage 2: .* trapped: {host}", l) for l in t), t
    assert any(re.fullmatch(rf"domU2: stage 2: .* trapped: {TRAPPED[gic]}", l) for l in t), t
    if gic == 2:
        assert ("domU1:   IPA 0x0008010000-0x0008011fff -> PA 0x0008040000        8 KiB  "
                "device, RW XN") in t
        assert GICV_MAP.format(name="domU2") in t
    d1, d2 = r.lines_of("domU1"), r.lines_of("domU2")
    assert "hello: uart 0x9000000 ram 0x70000000 size 0x8000000 cpus 1" in d1
    assert "hello: uart 0x22000000 ram 0x40000000 size 0x4000000 cpus 1" in d2
    for lines in (d1, d2):
        assert "PASS mem-size" in lines and any(l.startswith("PASS ram-test") for l in lines)
        assert any(l.startswith("DONE") and l.endswith(" 0 failed") for l in lines)
    assert_clean_exit(r)
