"""A hostile partition beside an honest one (guests/hostile,
tests/system/scenarios/hostile.scn; guests/README.md "hostile" lists every
attack and its lines).  The suite must be contained: every attack reports
PASS (injected aborts and undefined instructions where expected, harmless
values elsewhere), the hypervisor never panics, the honest partition finds
its RAM, its half of the shared region and its vGIC as it left them and
carries on, and QEMU exits 0.

The narrower tests pin the findings of the hardening issue, each of which
failed before its fix: the PMU and debug registers (MDCR_EL2), AArch32 EL0
(vector offset, 16-bit T32 accesses, CP15 traps), MMIO edges (accesses
running past a window, unaligned UART accesses and their console lines)."""
import re
from pathlib import Path

import pytest

from tessera_sys import (CTRL_A, GIC_VERSIONS, ROOT, assert_clean_exit, assert_no_fail,
                         assert_stopped, boot_scenario)

SCN = Path(__file__).resolve().parent / "scenarios" / "hostile.scn"
ATTACKER_ARGS = 'bootargs = "hostile_role=attacker resets=3 wait_honest=1";'
CPUS = ["cortex-a57", "max"]


def scenario(name, bootargs):
    """hostile.scn with the attacker's bootargs replaced, under build/."""
    text = SCN.read_text()
    assert ATTACKER_ARGS in text
    out = ROOT / "build" / "test-scenarios" / f"hostile-{name}.scn"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text.replace(ATTACKER_ARGS, f'bootargs = "{bootargs}";'))
    return out


def expect(lines, *patterns):
    for p in patterns:
        assert any(re.fullmatch(p, ln) for ln in lines), f"no line matches {p!r}"


def contained(r, attacker_passes):
    """No FAIL, no panic, both partitions done and stopped, exit 0."""
    assert not any("PANIC" in ln for ln in r.lines), "the hypervisor panicked"
    assert_no_fail(r)
    hostile = r.lines_of("hostile")
    done = [ln for ln in hostile if ln.startswith("DONE ")]
    assert done == [f"DONE {attacker_passes} passed 0 failed"], done
    assert "DONE 7 passed 0 failed" in r.lines_of("honest")
    assert_stopped(r, "hostile")
    assert_stopped(r, "honest")
    assert_clean_exit(r)


@pytest.mark.parametrize("cpu", CPUS)
def test_pmu_hidden_debug_emulated_and_reset(cpu):
    """MDCR_EL2: no PMU (it counted EL2's cycles), debug registers that read
    back only what Linux needs, nothing left over after SYSTEM_RESET."""
    r = boot_scenario(scenario("pmu", "hostile_role=attacker resets=2 attacks=pmu,debug"),
                      cpu=cpu)
    h = r.lines_of("hostile")
    expect(h, r"PASS reset-storm", r"PASS reset-fresh-debug-pmu kept",
           r"PASS pmu-hidden ID_AA64DFR0_EL1.PMUVer", r"PASS pmu-registers undefined \d+",
           r"PASS pmu-el2-cycles not countable", r"PASS debug-MDSCR_EL1 0xa000",
           r"PASS debug-os-lock", r"PASS debug-linux-boot registers accessible",
           r"PASS debug-registers harmless \d+")
    assert [ln for ln in h if "debug and PMU state fresh" in ln] == \
        [f"hostile: reset {n}: debug and PMU state fresh" for n in (1, 2)]
    contained(r, 10)


@pytest.mark.parametrize("cpu", CPUS)
def test_aarch32_el0(cpu):
    """T32 and A32 at EL0: 16-bit MMIO skipped by 2 bytes (and an IT block
    moved on), injected aborts at VBAR_EL1 + 0x600, CP15 timer traps
    emulated, interrupts while AArch32 runs."""
    r = boot_scenario(scenario("aarch32", "hostile_role=attacker attacks=aarch32"), cpu=cpu)
    h = r.lines_of("hostile")
    assert "hostile: aarch32 output t32a3i" in h     # what EL0 wrote to the UART
    expect(h, r"PASS aarch32-t32-mmio 16-bit accesses",
           r"PASS aarch32-t32-it-block advanced past the emulated store",
           r"PASS aarch32-a32-mmio",
           r"PASS aarch32-t32-load abort at VBAR_EL1\+0x600",
           r"PASS aarch32-a32-store abort at VBAR_EL1\+0x600",
           r"PASS aarch32-a32-ldrd abort at VBAR_EL1\+0x600",
           r"PASS aarch32-cp15-timer .*", r"PASS aarch32-dcc .*",
           r"PASS aarch32-irq-exit .*")
    expect(r.tessera, r"hostile: data abort: access to the UART that gives no syndrome "
           r"\(use single loads and stores\) at IPA 0x[0-9a-f]+ \(pc 0x[0-9a-f]+, read\): injected")
    contained(r, 9)


@pytest.mark.parametrize("cpu", CPUS)
def test_mmio_edges(cpu):
    """Accesses running past a window's end abort (they were emulated as if
    inside); unaligned UART accesses abort with a line that says so (it
    said "gives no syndrome"); accesses without a syndrome abort."""
    r = boot_scenario(scenario("mmio", "hostile_role=attacker attacks=mmio-edges,mmio-nosyndrome"),
                      cpu=cpu)
    h = r.lines_of("hostile")
    expect(h, r"PASS mmio-normal-mapping UARTFR 0x[0-9a-f]+",
           r"PASS mmio-uart-unaligned aborts 5", r"PASS mmio-straddle-uart aborts 4",
           r"PASS mmio-straddle-gicd aborts 4", r"PASS mmio-straddle-gicr aborts 4",
           r"PASS mmio-nosyndrome uart aborts 1[03]", r"PASS mmio-nosyndrome gicd aborts 1[03]",
           r"PASS mmio-ldar emulated")
    lines = [ln for ln in r.tessera if "data abort" in ln]
    ipa = r"at IPA 0x[0-9a-f]+ \(pc 0x[0-9a-f]+, (read|write)\): injected"
    expect(lines,
           r"hostile: data abort: 4-byte read at offset 0x1 of the UART \(no register of that "
           r"size there\) " + ipa,
           r"hostile: data abort: 4-byte read at offset 0xfe1 of the UART \(no register of that "
           r"size there\) " + ipa,
           r"hostile: data abort: 8-byte read at offset 0xffc runs past the end of the UART " + ipa,
           r"hostile: data abort: 8-byte write at offset 0xfffc runs past the end of the GIC "
           r"distributor " + ipa)
    assert not any("no syndrome" in ln and "offset" in ln for ln in lines)
    contained(r, 8)


# Every attack of the suite, in order, with its verdicts.
SUITE_PASSES = [
    r"reset-storm", r"reset-fresh-debug-pmu kept", r"honest-ready",
    r"pmu-hidden .*", r"pmu-registers undefined \d+", r"pmu-el2-cycles not countable",
    r"debug-MDSCR_EL1 0xa000", r"debug-MDSCR_EL1 0x0", r"debug-os-lock",
    r"debug-linux-boot .*", r"debug-registers harmless \d+",
    r"el2-el3-registers undefined \d+", r"id-registers readable faults", r"id-features hidden",
    r"id-registers read-only", r"ptimer-raz-wi", r"impdef-registers other exceptions",
    r"aarch32-.*", r"mmio-.*", r"gic-sweep gicd .*", r"gic-sweep gicr .*",
    r"gic-irouter-absent routes 6 taken-here \d+ still-pending \d+",
    r"sgi-fuzz writes \d+ delivered-here \d+", r"sgi-after-fuzz",
    r"hvc-owners not-supported \d+", r"hvc-random not-supported \d+", r"hvc-w0-only .*",
    r"hvc-imm-ffff", r"hvc-doorbell-bad-addresses \d+",
    r"psci-cpu-on-absent-targets \d+", r"psci-cpu-on-bad-entries \d+",
    r"psci-cpu-on-storm started \d+ refused \d+", r"psci-cpu-suspend .*",
    r"psci-features-unknown",
    r"cache-set-way faults", r"cache-set-way own-data-kept", r"cache-tlb-el1-ops faults",
    r"cache-by-va on windows and holes", r"cache-tlb-el2-ops undefined",
    r"irq-flood-sgi taken", r"irq-flood-uart-level taken", r"irq-flood-doorbell .*",
    r"uart-sweep .*", r"uart-control-and-long-lines",
    r"ipa-walk blocks 524288 skipped \d+ aborts \d+", r"uart-flood lines 4000",
]
SUITE_PASS_COUNT = 61       # the attacker's DONE line


@pytest.fixture(scope="module", params=GIC_VERSIONS, ids=lambda g: f"gicv{g}")
def suite(request):
    """The whole suite on a GICv3 and a GICv2 machine: on GICv2 the GIC sweeps
    hit the emulated GICv2 distributor and the partition's GICV frame, and
    the absent routes are GICD_ITARGETSR bytes."""
    # The shell must answer while the attacker floods the console.
    steps = [(r"\(hostile\) hostile: attack flood", "list\r")]
    return boot_scenario(SCN, cpu="max", stdin=steps, gic=request.param)


def test_suite_contained(suite):
    contained(suite, SUITE_PASS_COUNT)
    h = suite.lines_of("hostile")
    passes = [ln[len("PASS "):] for ln in h if ln.startswith("PASS ")]
    for p in SUITE_PASSES:
        assert any(re.fullmatch(p, ln) for ln in passes), f"no PASS {p}"


def test_suite_honest_partition_unharmed(suite):
    expect(suite.lines_of("honest"), r"PASS honest-before patterns written",
           r"PASS honest-wait attacker done", r"PASS honest-ram intact",
           r"PASS honest-shm intact", r"PASS honest-gic-state",
           r"PASS honest-sgis-from-outside", r"PASS honest-carried-on psci")
    # The honest one stopped after the attacker, on its own SYSTEM_OFF.
    t = suite.tessera
    stop = [i for i, ln in enumerate(t) if re.match(r"(hostile|honest): stopped \(SYSTEM_OFF\)", ln)]
    assert len(stop) == 2 and t[stop[0]].startswith("hostile") and t[stop[1]].startswith("honest")


def test_suite_console_usable(suite):
    """Guest output is printable text only, rate-limited, and the shell
    answered during the flood."""
    assert "\x1b" not in suite.out and "\x07" not in suite.out
    assert "hostile: control [[2J]0;owned] end" in suite.lines_of("hostile")
    expect(suite.tessera, r"hostile: console output over 256 lines a second: dropping lines",
           r"hostile: \d+ console lines dropped")
    flood = [ln for ln in suite.lines_of("hostile") if re.fullmatch(r"flood \d+", ln)]
    assert 0 < len(flood) < 4000
    expect(suite.tessera, r"hostile +id 1 +running .*", r"honest +id 2 +running .*")


def test_suite_fault_logging_bounded(suite):
    """A million injected aborts: 16 lines, then a count."""
    t = suite.tessera
    assert sum("data abort" in ln for ln in t) == 16
    assert "hostile: further aborts are counted, not logged" in t
    expect(t, r"hostile: stopped \(SYSTEM_OFF\) after \d+ exits, \d+ lazy FP/SIMD saves, "
           r"\d{7,} aborts injected")
