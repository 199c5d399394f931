"""A GICv2 machine (-M virt,gic-version=2, tests/system/scenarios/gicv2.scn):
the hypervisor finds the GICv2 and its virtualization frames in the host DT
and runs the partition on it.  The same machine's DT, edited, describes GICs
it cannot use: a GICv2 without its GICH/GICV reg entries, and a GIC without
virtualization extensions.  Each is refused with one console line naming
why, then a power-off before any other CPU starts or any GIC register of
the CPU interface is touched (on v3 those are system registers, undefined
instructions on a GICv2 machine).  The interrupt tests themselves run on
both versions (test_irq.py and the other GIC_VERSIONS matrices)."""
import subprocess

from tessera_sys import (ROOT, assert_clean_exit, assert_cpus_up, assert_done,
                         assert_stopped, boot_scenario, run_qemu, scenario_tool)

SCN = ROOT / "tests/system/scenarios/gicv2.scn"
INTC = "/intc@8000000"
FOUND = ("gic: GICv2 (arm,cortex-a15-gic): GICD 0x8000000, GICC 0x8010000, "
         "GICH 0x8030000, GICV 0x8040000, maintenance INTID 25")
OFF = "gic: no usable interrupt controller: powering off"


def test_gicv2_machine_runs_a_partition():
    r = boot_scenario(SCN, timeout=30)
    assert_clean_exit(r)
    assert FOUND in r.tessera
    assert_cpus_up(r)
    assert_done(r, "domU1", passes=4)
    assert_stopped(r, "domU1")
    assert not [ln for ln in r.lines if "PANIC" in ln]


def boot_edited(tmp_path, *fdtput):
    """gicv2.scn with its host DT changed by `fdtput <args>` before the boot."""
    b = scenario_tool.build(SCN, out=tmp_path / "out")
    dtb = b.outdir / "host.dtb"
    subprocess.run(["fdtput", str(dtb), *fdtput], check=True)
    out, rc, timed_out, _ = run_qemu(b.cmd, 30)
    tessera = [ln[len("(tessera) "):] for ln in out.replace("\r", "").split("\n")
               if ln.startswith("(tessera) ")]
    assert not timed_out and rc == 0, out
    assert "PANIC" not in out
    assert not [ln for ln in tessera if " up (mpidr" in ln], tessera
    return tessera


def test_gicv2_without_virtualization_frames_refused(tmp_path):
    t = boot_edited(tmp_path, "-t", "x", INTC, "reg",
                    "0", "0x8000000", "0", "0x10000", "0", "0x8010000", "0", "0x10000")
    assert t[-2:] == ["gic: arm,cortex-a15-gic needs reg entry 2, the virtual interface "
                      "control (GICH) (at least 4 KiB)", OFF]


def test_gic_without_virtualization_extensions_refused(tmp_path):
    t = boot_edited(tmp_path, "-t", "s", INTC, "compatible", "arm,cortex-a9-gic")
    assert t[-2:] == ["gic: arm,cortex-a9-gic has no virtualization extensions "
                      "(no list registers)", OFF]
