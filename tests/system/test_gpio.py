"""The doorbell GPIO from bare-metal guests (tests/system/scenarios/gpio.scn,
guests/ctl/gpio.c, vdev/vpl061.c): the PL061's identification, DATA
address masking, edge and level detection, GPIOIC and GPIOMIS as DDI 0190B
describes them; a rising edge of one partition's ring line and the doorbell
hypercall each reach the other partition's bell line as one interrupt."""
import pytest

from tessera_sys import ROOT, assert_clean_exit, assert_done, assert_no_fail, boot_scenario

SCN = ROOT / "tests/system/scenarios/gpio.scn"
REGISTERS = ["gpio-id", "gpio-data", "gpio-edges", "gpio-edges-both", "gpio-level", "gpio-afsel"]


@pytest.fixture(scope="module")
def run():
    return boot_scenario(SCN)


def test_found_in_the_device_tree(run):
    for name in ("domU1", "domU2"):
        assert "gpio: pl061 at 0x22010000, INTID 95" in run.lines_of(name)


@pytest.mark.parametrize("name", ["domU1", "domU2"])
def test_registers(run, name):
    lines = run.lines_of(name)
    for what in REGISTERS:
        assert f"PASS {what}" in lines, what


def test_ring_line_and_hypercall_reach_the_bell(run):
    assert "PASS gpio-ring-line" in run.lines_of("domU1")
    assert "PASS gpio-ring-hypercall" in run.lines_of("domU1")
    l2 = run.lines_of("domU2")
    for what in ("gpio-bell-from-ring-line", "gpio-bell-from-hypercall", "gpio-bell-cleared"):
        assert f"PASS {what}" in l2, what


def test_clean(run):
    assert_no_fail(run)
    assert_done(run, "domU1", passes=len(REGISTERS) + 2)
    assert_done(run, "domU2", passes=len(REGISTERS) + 3)
    assert_clean_exit(run)
