"""Device passthrough in Xen's dom0less format (docs/passthrough.md): a
partition's multiboot,device-tree module lists devices under /passthrough,
the host nodes carry xen,passthrough.

The PL031 cases boot scenarios/pt_rtc.scn with guests/pt; the configuration
errors are small scenarios written into tmp_path from the pieces below (a
partial tree per partition, compiled by the scenario tool), so each case
shows what it configures next to the lines it must produce.  The RTC runs
on a GICv3 and a GICv2 host; the configuration errors do not depend on it.
"""
import re
from pathlib import Path

import pytest

from tessera_sys import GIC_VERSIONS, assert_clean_exit, boot_scenario

SCN_DIR = Path(__file__).resolve().parent / "scenarios"
PT_RTC = SCN_DIR / "pt_rtc.scn"
HELLO = "build/guests/hello.bin"
BOOT_TIMEOUT = 30
REJECTED = "configuration rejected ({n} error{s}): no partition started, powering off"
MODULE_RE = re.compile(r"module@[0-9a-f]+:")
# Exits per passed-through interrupt: one on GICv3 (the guest's EOI
# deactivates the physical SPI through the HW link); two on GICv2, whose
# link goes through the EOI maintenance interrupt (vgic/vgic_lr.h: QEMU's
# GICv2 does not re-signal after a GICH_LR.HW deactivation).
EXITS_PER_IRQ = {3: 1, 2: 2}
gics = pytest.mark.parametrize("gic", GIC_VERSIONS, ids=lambda g: f"gicv{g}")

# QEMU virt's devices (hw/arm/virt.c a15memmap / a15irqmap).
RTC = ("/pl031@9010000", "0x0 0x9010000 0x0 0x1000", "<0 2 4>")
UART = ("/pl011@9000000", "0x0 0x9000000 0x0 0x1000", "<0 1 4>")
GPIO = ("/pl061@9030000", "0x0 0x9030000 0x0 0x1000", "<0 7 4>")


def device(name, host, xen_reg, irqs=None, path=True, extra=""):
    """One /passthrough child: Xen's three properties plus the guest's own."""
    xen_path = f'\n\t\t\txen,path = "{host}";' if path else ""
    interrupts = f"\n\t\t\tinterrupts = {irqs};" if irqs else ""
    return f'''
		{name} {{
			interrupt-parent = <&gic>;{interrupts}
			xen,reg = <{xen_reg}>;{xen_path}
			xen,force-assign-without-iommu;{extra}
		}};'''


def partial(*devices):
    return ("/dts-v1/;\n/ {\n\t#address-cells = <2>;\n\t#size-cells = <2>;\n"
            "\tgic: gic {\n\t\t#interrupt-cells = <3>;\n\t\tinterrupt-controller;\n\t};\n"
            "\tpassthrough {\n\t\tcompatible = \"simple-bus\";\n\t\tranges;\n"
            "\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;"
            + "".join(devices) + "\n\t};\n};\n")


def domain(name, has_dtb):
    dtb = f'''
    module@${{{name}_dtb.unit}} {{
        compatible = "multiboot,device-tree", "multiboot,module";
        reg = <0x0 ${{{name}_dtb.addr}} 0x0 ${{{name}_dtb.size}}>;
    }};''' if has_dtb else ""
    return f'''
{name} {{
    compatible = "xen,domain";
    #address-cells = <2>;
    #size-cells = <2>;
    memory = <0 131072>;
    cpus = <1>;
    vpl011;
    module@${{{name}.unit}} {{
        compatible = "multiboot,kernel", "multiboot,module";
        reg = <0x0 ${{{name}.addr}} 0x0 ${{{name}.size}}>;
    }};{dtb}
}};'''


def boot_partials(tmp_path, partials, marks, host_dts=""):
    """One partition per entry of partials (name -> partial DT text)."""
    chosen = "#address-cells = <2>;\n#size-cells = <2>;\n"
    images = []
    for name, text in partials.items():
        chosen += domain(name, True)
        (tmp_path / f"{name}.dts").write_text(text)
        images += [f'{name} = "{HELLO}"', f'{name}_dtb = "{tmp_path / name}.dts"']
    marks_toml = ", ".join(f'"{m}"' for m in marks)
    host = f"[host]\npassthrough = [{marks_toml}]\ndts = '''{host_dts}'''\n"
    scn = tmp_path / "case.scn"
    scn.write_text(f"chosen = '''{chosen}'''\n\n[qemu]\ntimeout = {BOOT_TIMEOUT}\n\n"
                   f"{host}\n[images]\n" + "\n".join(images) + "\n")
    return boot_scenario(scn, out=tmp_path / "out", timeout=BOOT_TIMEOUT)


def assert_rejected(r, errors):
    """Exactly these config lines (module addresses left out), then the
    rejected line; nothing started, QEMU powered off cleanly."""
    assert_clean_exit(r)
    got = [MODULE_RE.sub("module:", ln) for ln in r.tessera if ln.startswith("config: ")]
    assert got == errors
    n = len(errors)
    assert r.tessera[-1] == REJECTED.format(n=n, s="" if n == 1 else "s")
    assert not [ln for ln in r.tessera if ": started (" in ln]


# ---------------------------------------------------------------- errors

def test_console_uart_passed_through(tmp_path):
    r = boot_partials(tmp_path, {"domU1": partial(
        device("uart@9000000", UART[0], f"{UART[1]} 0x0 0x9000000"))}, [UART[0]])
    dev = "config: /chosen/domU1/module:/passthrough/uart@9000000"
    assert_rejected(r, [
        f"{dev}: xen,reg: host range 0x9000000-0x9000fff overlaps the console UART "
        "0x9000000-0x9000fff (Tessera's own)",
        f"{dev}: xen,path: /pl011@9000000: SPI 1 (INTID 33) is the console UART's: "
        "Tessera's own"])


def test_range_outside_host_node(tmp_path):
    r = boot_partials(tmp_path, {"domU1": partial(
        device("rtc", RTC[0], "0x0 0x9011000 0x0 0x1000 0x0 0x9010000", RTC[2]))}, [RTC[0]])
    assert_rejected(r, [
        "config: /chosen/domU1/module:/passthrough/rtc: xen,reg: host range "
        "0x9011000-0x9011fff is outside /pl031@9010000's reg (0x9010000-0x9010fff)"])


def test_same_device_in_two_partitions(tmp_path):
    rtc = partial(device("rtc", RTC[0], f"{RTC[1]} 0x0 0x9010000", RTC[2]))
    r = boot_partials(tmp_path, {"domU1": rtc, "domU2": rtc}, [RTC[0]])
    assert_rejected(r, [
        "config: /chosen/domU2/module:/passthrough/rtc: xen,path: /pl031@9010000 is "
        "already assigned to /chosen/domU1"])


def test_same_spi_in_two_partitions(tmp_path):
    """A second host device on the RTC's SPI 2 (added to virt's tree)."""
    extra = ("/ {\n\ttimer2@9100000 {\n\t\treg = <0x0 0x9100000 0x0 0x1000>;\n"
             "\t\tinterrupts = <0 2 4>;\n\t};\n};\n")
    r = boot_partials(tmp_path, {
        "domU1": partial(device("rtc", RTC[0], f"{RTC[1]} 0x0 0x9010000", RTC[2])),
        "domU2": partial(device("t2", "/timer2@9100000",
                                "0x0 0x9100000 0x0 0x1000 0x0 0x9100000", RTC[2]))},
        [RTC[0], "/timer2@9100000"], host_dts=extra)
    assert_rejected(r, [
        "config: /chosen/domU2/module:/passthrough/t2: xen,path: /timer2@9100000: "
        "SPI 2 (INTID 34) is already assigned to /chosen/domU1"])


def test_xen_reg_over_guest_ram(tmp_path):
    r = boot_partials(tmp_path, {"domU1": partial(
        device("rtc", RTC[0], f"{RTC[1]} 0x0 0x40010000", RTC[2]))}, [RTC[0]])
    assert_rejected(r, [
        "config: /chosen/domU1/module:/passthrough/rtc: xen,reg: guest range "
        "0x40010000-0x40010fff overlaps guest RAM 0x40000000-0x47ffffff"])


def test_missing_xen_path(tmp_path):
    r = boot_partials(tmp_path, {"domU1": partial(
        device("rtc", RTC[0], f"{RTC[1]} 0x0 0x9010000", RTC[2], path=False))}, [RTC[0]])
    assert_rejected(r, [
        "config: /chosen/domU1/module:/passthrough/rtc: xen,path: missing: the host node "
        "of the device (its interrupts, and the MMIO xen,reg may map)"])


def test_host_node_not_marked(tmp_path):
    r = boot_partials(tmp_path, {"domU1": partial(
        device("gpio", GPIO[0], f"{GPIO[1]} 0x0 0x9030000", GPIO[2]))}, [RTC[0]])
    assert_rejected(r, [
        "config: /chosen/domU1/module:/passthrough/gpio: xen,path: /pl061@9030000 has no "
        "xen,passthrough property (the host tree marks what may be assigned)"])


# ---------------------------------------------------------------- the RTC

@gics
def test_rtc_mapped_into_the_guest(gic):
    """Stage 2 maps the RTC's page Device-nGnRE at the xen,reg guest address;
    the guest finds it under /passthrough and reads the PL031's ID."""
    r = boot_scenario(PT_RTC, gic=gic)
    assert_clean_exit(r)
    assert "pt:   IPA 0x0009010000-0x0009010fff -> PA 0x0009010000        4 KiB  " \
           "device, RW XN" in r.tessera
    pt = r.lines_of("pt")
    assert "pt: rtc 0x9010000 size 0x1000 intid 34" in pt
    assert "PASS pt-rtc-id" in pt
    assert not [ln for ln in pt if ln.startswith("FAIL")]


STOPPED_RE = re.compile(r"^pt: stopped \((.*)\) after (\d+) exits")
QUIET = "pt: devices quiesced: 1 SPI, 0 enabled, 0 pending, 0 active; 1 MMIO range unmapped"


def rtc_variant(tmp_path, bootargs, name):
    """pt_rtc.scn with other guest bootargs."""
    text = PT_RTC.read_text().replace('bootargs = "pt_alarms=1000";',
                                      f'bootargs = "{bootargs}";')
    path = tmp_path / f"{name}.scn"
    path.write_text(text)
    return path


def exits(r):
    return [int(m.group(2)) for m in map(STOPPED_RE.match, r.tessera) if m]


@gics
def test_rtc_alarms_hardware_linked(tmp_path, gic):
    """1000 alarms, each one interrupt, none lost (guests/pt/pt.c).  On
    GICv3 each costs the partition one exit: the guest's EOI deactivates
    the physical SPI through the hardware-linked list register, with no
    maintenance interrupt (a software-deactivated one would take two); on
    GICv2 two (EXITS_PER_IRQ).  The run with no alarm is the baseline for
    everything else the guest does."""
    r = boot_scenario(PT_RTC, gic=gic)
    assert_clean_exit(r)
    pt = r.lines_of("pt")
    assert "PASS pt-alarms 1000" in pt
    assert "PASS pt-rtc-quiet" in pt
    assert "DONE 3 passed 0 failed" in pt
    assert "pt: devices: 1, 1 MMIO range, SPI 34 (level) to CPU 0" in r.tessera
    assert QUIET in r.tessera
    base = boot_scenario(rtc_variant(tmp_path, "pt_alarms=0", "none"), gic=gic)
    assert_clean_exit(base)
    assert "PASS pt-rtc-id" in base.lines_of("pt")
    extra = exits(r)[0] - exits(base)[0]
    want = 1000 * EXITS_PER_IRQ[gic]
    assert want <= extra <= want + 150, f"{extra} exits for 1000 alarms"


@gics
def test_rtc_stop_and_restart(tmp_path, gic):
    """Stopping quiesces the SPI at the physical distributor and unmaps the
    RTC; a restart gives both back and the guest's 1000 alarms work again."""
    steps = [(r"\(pt\) pt: waiting", "dev\r"),
             (r"dev   SPI 34: .*\n", "restart pt\r"),
             (r"\(pt\) pt: waiting", "dev\r"),
             (r"dev   SPI 34: .*\n", "stop pt\r")]
    r = boot_scenario(rtc_variant(tmp_path, "pt_alarms=1000 pt_wait=1", "wait"), stdin=steps,
                      gic=gic)
    assert_clean_exit(r)
    t = r.tessera
    assert t.count("dev /pl031@9010000 -> pt (running)") == 2
    assert t.count("dev   MMIO 0x9010000-0x9010fff at IPA 0x9010000") == 2
    assert t.count("dev   SPI 34: enabled, not pending, not active") == 2
    assert [ln for ln in t if STOPPED_RE.match(ln)][0].startswith("pt: stopped (shell restart)")
    assert t.count(QUIET) == 2
    assert t.count("pt: devices: 1, 1 MMIO range, SPI 34 (level) to CPU 0") == 2
    assert r.lines_of("pt").count("PASS pt-alarms 1000") == 2
    assert not [ln for ln in r.lines_of("pt") if ln.startswith("FAIL")]


@gics
def test_rtc_through_uboot(gic):
    """Xen's users' flow: U-Boot fetches the partial DT like any module and
    its script marks the host node with `fdt set /pl031@9010000
    xen,passthrough` (tools/uboot.py); Tessera, loaded elsewhere than -kernel
    puts it, gives the partition the RTC all the same."""
    r = boot_scenario(PT_RTC, boot="uboot", timeout=90, gic=gic)
    assert_clean_exit(r)
    assert "pt: devices: 1, 1 MMIO range, SPI 34 (level) to CPU 0" in r.tessera
    pt = r.lines_of("pt")
    assert "PASS pt-rtc-id" in pt
    assert "PASS pt-alarms 1000" in pt
    assert "DONE 3 passed 0 failed" in pt
