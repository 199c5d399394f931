"""Interrupts seen from inside a partition (scenarios/irq-*.scn, guests/irq):
the virtual timer, SGIs, priorities, an SGI storm and the vpl011's
interrupts through Tessera's virtual GIC, on a GICv3 and on a GICv2 host
(QEMU virt gic-version=3 and 2: the partition gets the same version).  One
boot per scenario, CPU model and GIC version; each must print every PASS
line below, no FAIL, DONE and exit 0.  docs/interrupts.md describes the
path and the guest's lines."""
import itertools
import re

import pytest

from tessera_sys import (CTRL_A, GIC_VERSIONS, assert_clean_exit, assert_done,
                         assert_no_fail, assert_stopped, boot_scenario)

CPUS = ["cortex-a57", "max"]
SGI_ROUNDS = 1000               # irq-sgi.scn's sgi_rounds
TIMER_TICKS = 200               # irq-timer.scn: 200 ms at 1 ms
TOLERANCE = 0.10
STORM_MIN_IRQS = 10             # guests/irq/irq_storm.c STORM_MIN_IRQS

def _expect(lines, *patterns):
    for p in patterns:
        assert any(re.fullmatch(p, ln) for ln in lines), \
            f"no line matches {p!r}"


def _check(r, passes):
    assert_clean_exit(r)
    assert_no_fail(r)
    assert_done(r, "domU1", passes=passes)
    assert_stopped(r, "domU1")
    # The guest found the GIC version of the machine in its DT.
    _expect(r.lines_of("domU1"), rf"irq: cpus \d+ gic v{r.gic} .*")


def _params():
    return [pytest.param(c, g, id=f"{c}-gicv{g}")
            for c, g in itertools.product(CPUS, GIC_VERSIONS)]


@pytest.mark.parametrize("cpu,gic", _params())
def test_timer(cpu, gic):
    r = boot_scenario("irq-timer", cpu=cpu, gic=gic)
    dom = r.lines_of("domU1")
    m = [re.fullmatch(r"PASS timer-rate (\d+)", ln) for ln in dom]
    counts = [int(x.group(1)) for x in m if x]
    assert len(counts) == 1, f"timer-rate lines: {dom}"
    assert abs(counts[0] - TIMER_TICKS) <= TIMER_TICKS * TOLERANCE
    _expect(dom, "PASS timer-masked", "PASS timer-unmasked",
            "PASS timer-not-early")
    _check(r, passes=4)


@pytest.mark.parametrize("cpu,gic", _params())
def test_sgi(cpu, gic):
    r = boot_scenario("irq-sgi", cpu=cpu, gic=gic)
    _expect(r.lines_of("domU1"), "PASS sgi-self",
            f"PASS sgi-pingpong {SGI_ROUNDS}", "PASS cpu1-off")
    _check(r, passes=3)


@pytest.mark.parametrize("cpu,gic", _params())
def test_sgi_coalesce(cpu, gic):
    r = boot_scenario("irq-sgi-coalesce", cpu=cpu, gic=gic)
    _expect(r.lines_of("domU1"), "PASS sgi-coalesce")
    _check(r, passes=1)


@pytest.mark.parametrize("cpu,gic", _params())
def test_priority(cpu, gic):
    r = boot_scenario("irq-priority", cpu=cpu, gic=gic)
    _expect(r.lines_of("domU1"), "PASS priority-mask", "PASS priority-order")
    _check(r, passes=2)


@pytest.mark.parametrize("cpu,gic", _params())
def test_storm(cpu, gic):
    r = boot_scenario("irq-storm", cpu=cpu, gic=gic)
    dom = r.lines_of("domU1")
    _expect(dom, r"PASS storm-progress [1-9]\d*", "PASS cpu1-off")
    irqs = [int(m.group(1)) for m in
            map(re.compile(r"PASS storm-irqs (\d+)").fullmatch, dom) if m]
    assert irqs and irqs[0] >= STORM_MIN_IRQS, dom
    _check(r, passes=3)


# The guest configures INTID 33 level-sensitive from the DT (as Linux does):
# its list register gets EOI = 1, which hits BUG_MAINT_LOOP.
@pytest.mark.parametrize("cpu,gic", _params())
def test_uart_tx(cpu, gic):
    r = boot_scenario("irq-uart", cpu=cpu, gic=gic)
    _expect(r.lines_of("domU1"), "PASS uart-tx-irq", "PASS uart-tx-quiet")
    _check(r, passes=2)


@pytest.mark.parametrize("cpu,gic", _params())
def test_uart_level(cpu, gic):
    r = boot_scenario("irq-uart-level", cpu=cpu, gic=gic)
    _expect(r.lines_of("domU1"), "PASS uart-level")
    _check(r, passes=1)


@pytest.mark.parametrize("cpu,gic", _params())
def test_uart_rx(cpu, gic):
    """CTRL-A three times gives the console to domU1, then 'x' arrives as a
    receive interrupt."""
    steps = [(r"irq: uart-rx waiting for input", CTRL_A * 3),
             (r"console input now goes to domU1", "x")]
    r = boot_scenario("irq-uart-rx", cpu=cpu, gic=gic, stdin=steps)
    _expect(r.lines_of("domU1"), "PASS uart-rx 'x'")
    _check(r, passes=1)


@pytest.mark.parametrize("cpu,gic", _params())
def test_gicd_registers(cpu, gic):
    """The distributor's own registers: on GICv2 TYPER's CPU count,
    ITARGETSR0-7 and an SPI's byte, GICD_SGIR's self and all-but-self
    filters, [CS]PENDSGIR; on GICv3 TYPER and ARE."""
    r = boot_scenario("irq-gicd", cpu=cpu, gic=gic)
    want = ["PASS gicd-typer"]
    if gic == 2:
        want += ["PASS gicd-itargets", "PASS gicd-itargets-spi", "PASS gicd-sgir-self",
                 "PASS gicd-sgir-others", "PASS gicd-spendsgir"]
    _expect(r.lines_of("domU1"), *want)
    _check(r, passes=len(want))


@pytest.mark.parametrize("cpu,gic", _params())
def test_spi_wake(cpu, gic):
    """vCPU1 sleeps in WFI (not trapped) while vCPU0 routes, enables or pends
    an SPI for it, or turns on the distributor: its CPU must be kicked,
    or the interrupt waits for ever (docs/interrupts.md)."""
    r = boot_scenario("irq-spi-wake", cpu=cpu, gic=gic)
    _expect(r.lines_of("domU1"), "PASS spi-wake-pend", "PASS spi-wake-enable",
            "PASS spi-wake-route", "PASS spi-wake-group", "PASS cpu1-off")
    _check(r, passes=5)
