"""A GICv2 machine (-M virt,gic-version=2) never crashes the hypervisor:
until GICv2 is supported, the boot CPU refuses it with one console line and
powers off before any other CPU starts or any GIC system register is
touched (those are undefined instructions without a GICv3)."""
from tessera_sys import ROOT, assert_clean_exit, boot_scenario

SCN = ROOT / "tests/system/scenarios/gicv2.scn"
REFUSAL = ("gic: the machine has a GICv2 (arm,cortex-a15-gic); only GICv3 is "
           "supported: powering off")


def test_gicv2_refused_cleanly():
    r = boot_scenario(SCN, timeout=30)
    assert_clean_exit(r)                      # PSCI SYSTEM_OFF: QEMU exits 0
    assert REFUSAL in r.tessera
    assert r.tessera[-1] == REFUSAL
    assert not [ln for ln in r.lines if "PANIC" in ln]
    assert not [ln for ln in r.tessera if " up (mpidr" in ln]
    assert r.lines_of("domU1") == []
