"""tools/scenario.py: placement, placeholders, host.dtb, command line and
its error messages.  Runs QEMU only for its DT dump, in a scratch tree of
stub files, so it needs neither the hypervisor nor the guests."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tessera_sys import ROOT, scenario_tool as st

MIB = 1 << 20
CHOSEN_TWO = """
#address-cells = <2>;
#size-cells = <2>;
xen,xen-bootargs = "console=dtuart";
domU1 {
    compatible = "xen,domain";
    #address-cells = <1>;
    #size-cells = <1>;
    memory = <0 131072>;
    cpus = <1>;
    vpl011;
    module@${a.unit} {
        compatible = "multiboot,kernel", "multiboot,module";
        reg = <${a.addr} ${a.size}>;
        bootargs = "mem=128M cpus=1";
    };
    shm@0 {
        compatible = "xen,domain-shared-memory-v1";
        xen,shm-id = <0x0>;
        xen,shared-mem = <0x7fe00000 0x200000 0x50000000>;
        role = "owner";
    };
};
domU2 {
    compatible = "xen,domain";
    memory = <0 65536>;
    cpus = <1>;
    module@${b.unit} {
        compatible = "multiboot,kernel", "multiboot,module";
        reg = <0x0 ${b.addr} 0x0 ${b.size}>;
        bootargs = "end=${b.end}";
    };
};
"""


def write_scn(tree, chosen=CHOSEN_TWO, qemu='smp = 2\nmem = "1G"',
              images='a = "img/a.bin"\nb = "img/b.bin"', name="t"):
    path = tree / f"{name}.scn"
    path.write_text(f"chosen = '''{chosen}'''\n\n[qemu]\n{qemu}\n\n"
                    f"[images]\n{images}\n")
    return path


@pytest.fixture
def tree(tmp_path):
    """A project-like tree: build/tessera.bin and two images, a of
    3 MiB + 1 byte and b of 100 bytes."""
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "tessera.bin").write_bytes(b"\0" * 64)
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.bin").write_bytes(b"a" * (3 * MIB + 1))
    (tmp_path / "img" / "b.bin").write_bytes(b"b" * 100)
    return tmp_path


def build(tree, path, **kw):
    return st.build(path, root=tree, out=tree / "out", **kw)


def chosen_of(b):
    return st.read_fdt((b.outdir / "host.dtb").read_bytes()).child("chosen")


def test_images_placed_2mib_aligned(tree):
    b = build(tree, write_scn(tree))
    a, bb = b.scenario.images
    assert (a.addr, a.size) == (0x50000000, 3 * MIB + 1)
    assert (bb.addr, bb.size, bb.end) == (0x50400000, 100, 0x50400064)


def test_host_dtb_has_chosen_in_order(tree):
    b = build(tree, write_scn(tree))
    chosen = chosen_of(b)
    # QEMU's own /chosen properties stay; ours follow in source order.
    assert list(chosen.props)[-3:] == ["#address-cells", "#size-cells",
                                       "xen,xen-bootargs"]
    assert chosen.string("stdout-path") == "/pl011@9000000"
    assert chosen.cells("#address-cells") == [2]
    assert chosen.string("xen,xen-bootargs") == "console=dtuart"
    assert [c.name for c in chosen.children] == ["domU1", "domU2"]
    d1 = chosen.child("domU1")
    assert d1.cells("memory") == [0, 131072]
    assert d1.props["vpl011"] == b""
    mod = d1.child("module@50000000")
    assert mod.strings("compatible") == ["multiboot,kernel",
                                         "multiboot,module"]
    assert mod.cells("reg") == [0x50000000, 3 * MIB + 1]
    shm = d1.child("shm@0")
    assert shm.cells("xen,shm-id") == [0]
    assert shm.cells("xen,shared-mem") == [0x7fe00000, 0x200000, 0x50000000]
    d2 = chosen.child("domU2")
    assert d2.child("module@50400000").cells("reg") == [0, 0x50400000, 0, 100]
    assert d2.child("module@50400000").string("bootargs") == "end=0x50400064"


def test_host_dtb_keeps_qemu_machine(tree):
    b = build(tree, write_scn(tree), cpu="max", smp=3, mem="1536M")
    root = st.read_fdt((b.outdir / "host.dtb").read_bytes())
    cpus = [c for c in root.child("cpus").children
            if c.name.startswith("cpu@")]
    assert len(cpus) == 3
    assert root.child("psci").string("method") == "smc"
    assert st._ram_ranges(b.outdir / "host.dtb") == [(0x40000000, 1536 * MIB)]


def test_cmdline_file_and_order(tree):
    b = build(tree, write_scn(tree), cpu="max")
    want = ["qemu-system-aarch64",
            "-M", "virt,virtualization=on,gic-version=3",
            "-cpu", "max", "-smp", "2", "-m", "1G", "-nographic",
            "-kernel", str(tree / "build" / "tessera.bin"),
            "-dtb", str(tree / "out" / "host.dtb"),
            "-device", f"loader,file={tree}/img/a.bin,addr=0x50000000,"
                       "force-raw=on",
            "-device", f"loader,file={tree}/img/b.bin,addr=0x50400000,"
                       "force-raw=on"]
    assert b.cmd == want
    assert (tree / "out" / "qemu-cmdline.txt").read_text() == \
        "\n".join(want) + "\n"


def test_extra_args_last_and_in_dumpdtb(tree):
    qemu = 'smp = 1\nextra = ["-device", "virtio-rng-device"]'
    b = build(tree, write_scn(tree, qemu=qemu), extra=["-icount", "shift=0"])
    assert b.cmd[-4:] == ["-device", "virtio-rng-device", "-icount", "shift=0"]


def test_default_outdir_names():
    scn = st.Scenario("hello", Path("x"), dict(st.DEFAULTS), [], "", 1, {})
    out = ROOT / "build" / "scenarios"
    assert st.default_outdir(scn, "cortex-a57", 4, "2G") == out / "hello"
    assert st.default_outdir(scn, "max", 4, "2G") == out / "hello-max"
    assert st.default_outdir(scn, "max", 2, "1G") == out / "hello-max-smp2-1G"
    assert st.default_outdir(scn, "cortex-a57", 4, "2G", gic=3) == out / "hello"
    assert st.default_outdir(scn, "max", 4, "2G", gic=2) == out / "hello-max-gic2"


def test_gic_override_reaches_machine_and_dt(tree):
    """gic=2 overrides the scenario's [qemu] gic, as cpu/smp/mem do: QEMU's
    machine and the DT it dumps (a GICv2 with its virtualization frames)."""
    b = build(tree, write_scn(tree), gic=2)
    assert b.gic == 2
    assert b.cmd[1:3] == ["-M", "virt,virtualization=on,gic-version=2"]
    root = st.read_fdt((b.outdir / "host.dtb").read_bytes())
    intc = root.child("intc@8000000")
    assert intc.strings("compatible") == ["arm,cortex-a15-gic"]
    assert len(intc.cells("reg")) == 4 * 4     # GICD, GICC, GICH, GICV
    assert build(tree, write_scn(tree, qemu="gic = 2")).cmd[2].endswith(
        "gic-version=2")


@pytest.mark.parametrize("gic", [1, 4, "3"])
def test_gic_must_be_2_or_3(tree, gic):
    qemu = f"gic = {gic!r}" if isinstance(gic, str) else f"gic = {gic}"
    path = write_scn(tree, qemu=qemu.replace("'", '"'))
    assert error_of(tree, path) == \
        f"scenario {path}: [qemu] gic: {gic!r} is not one of 2, 3"


def error_of(tree, path, **kw):
    with pytest.raises(st.ScenarioError) as e:
        build(tree, path, **kw)
    return str(e.value)


def test_missing_image_says_run_make(tree):
    path = write_scn(tree, images='a = "img/a.bin"\nb = "img/nope.bin"')
    assert error_of(tree, path) == \
        f"scenario {path}: image b: {tree}/img/nope.bin not found " \
        "(run make first)"


def test_missing_kernel_says_run_make(tree):
    (tree / "build" / "tessera.bin").unlink()
    msg = error_of(tree, write_scn(tree))
    assert msg.endswith("build/tessera.bin not found (run make first)")


def test_bad_toml(tree):
    path = tree / "bad.scn"
    path.write_text("[qemu]\nsmp = \n")
    assert error_of(tree, path).startswith(f"scenario {path}: bad TOML: ")


def test_chosen_after_table_is_explained(tree):
    path = tree / "late.scn"
    path.write_text("[images]\na = \"img/a.bin\"\nchosen = '''\nx { };\n'''\n")
    assert "put `chosen = '''...'''` before the first [table]" in \
        error_of(tree, path)


def test_unknown_qemu_key(tree):
    msg = error_of(tree, write_scn(tree, qemu="smpp = 2"))
    assert "[qemu]: unknown key(s) smpp" in msg


def test_unknown_placeholder(tree):
    msg = error_of(tree, write_scn(tree, chosen="x = <${c.addr}>;"))
    assert "chosen: unknown placeholder ${c.addr}" in msg


def test_dtc_error_names_scenario_line(tree):
    chosen = '\ndomU1 {\n    compatible = "xen,domain"\n    cpus = <1>;\n};\n'
    path = write_scn(tree, chosen=chosen)
    msg = error_of(tree, path)
    # chosen's text starts on line 2 of the file; the missing ';' after
    # line 3 makes dtc stop at line 4.
    assert msg.startswith(f"scenario {path}: chosen: dtc error:\n")
    assert f"Error: {path}:4.5-" not in msg
    where = re.escape(str(path))
    assert re.search(rf"Error: {where}:4\.\d+ syntax error", msg)


def test_image_outside_ram(tree):
    qemu = 'mem = "256M"\nmodule_base = "0x4fe00000"'
    msg = error_of(tree, write_scn(tree, qemu=qemu))
    assert "image a at 0x4fe00000-0x50100001 is outside RAM (-m 256M: " \
           "0x40000000-0x50000000)" in msg


def run_cli(*args):
    tool = str(ROOT / "tools" / "scenario.py")
    return subprocess.run([sys.executable, tool, *map(str, args)],
                          capture_output=True, text=True, timeout=60)


def test_cli_cmdline_prints_command_only(tree):
    path = write_scn(tree, images=f'a = "{tree}/img/a.bin"\n'
                                  f'b = "{tree}/img/b.bin"')
    res = run_cli("cmdline", path, "--kernel", tree / "build" / "tessera.bin",
                  "--out", tree / "o", "--smp", 1)
    assert (res.returncode, res.stderr) == (0, "")
    assert res.stdout == " ".join(
        (tree / "o" / "qemu-cmdline.txt").read_text().split()) + "\n"
    assert res.stdout.startswith("qemu-system-aarch64 -M virt,virtualization"
                                 "=on,gic-version=3 -cpu cortex-a57 -smp 1 ")


def test_cli_gic_option(tree):
    path = write_scn(tree, images=f'a = "{tree}/img/a.bin"\n'
                                  f'b = "{tree}/img/b.bin"')
    res = run_cli("cmdline", path, "--kernel", tree / "build" / "tessera.bin",
                  "--out", tree / "o", "--gic", 2)
    assert (res.returncode, res.stderr) == (0, "")
    assert res.stdout.startswith("qemu-system-aarch64 -M virt,virtualization"
                                 "=on,gic-version=2 ")


def test_cli_error_exit_2(tree):
    path = write_scn(tree, images=f'a = "{tree}/img/zz.bin"\nb = "x"')
    res = run_cli("build", path, "--kernel", tree / "build" / "tessera.bin")
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == f"scenario.py: scenario {path}: image a: " \
                         f"{tree}/img/zz.bin not found (run make first)\n"


@pytest.mark.parametrize("name", ["hello", "fpcheck"])
def test_project_scenarios_build(tree, name):
    """The shipped scenarios give the partition Xen dom0less reads."""
    src = ROOT / "scenarios" / f"{name}.scn"
    scn = st.load_scenario(src, tree)
    for img in scn.images:
        img.path.parent.mkdir(parents=True, exist_ok=True)
        img.path.write_bytes(b"\0" * 4096)
    chosen = chosen_of(build(tree, src))
    assert chosen.cells("#address-cells") == [2]
    assert chosen.cells("#size-cells") == [2]
    assert chosen.string("xen,xen-bootargs") == "console=dtuart"
    dom = chosen.child("domU1")
    assert dom.strings("compatible") == ["xen,domain"]
    assert dom.cells("memory") == [0, 131072]
    assert dom.cells("cpus") == [1]
    assert "vpl011" in dom.props
    mod = dom.child("module@50000000")
    assert mod.strings("compatible") == ["multiboot,kernel",
                                         "multiboot,module"]
    reg = mod.cells("reg")
    assert reg in ([0, 0x50000000, 0, 4096], [0x50000000, 4096])
    assert len(reg) == 2 * dom.cells("#address-cells")[0]
    assert mod.string("bootargs") == "mem=128M cpus=1"


# ------------------------------------------------------------ --boot uboot

def test_uboot_layout_is_imagebuilders(tree):
    """Script at RAM base + 2 MiB, modules from the next 2 MiB step, then
    the hypervisor, then the DT, each after the previous file's end."""
    b = build(tree, write_scn(tree), boot="uboot")
    a, bb = b.scenario.images
    assert (a.addr, bb.addr) == (0x40400000, 0x40800000)
    assert b.load_addr == 0x40a00000
    tftp = b.outdir / "tftp"
    source = (tftp / "boot.source").read_text().splitlines()
    assert source[:4] == ["tftpb 0x40400000 a", "tftpb 0x40800000 b",
                          "tftpb 0x40a00000 tessera.bin", "tftpb 0x40c00000 virt.dtb"]
    assert source[4] == "fdt addr 0x40c00000"
    assert re.fullmatch(r"fdt resize \d+", source[5])
    assert source[-2:] == ["setenv fdt_high 0xffffffffffffffff",
                           "booti 0x40a00000 - 0x40c00000"]
    assert (tftp / "a").resolve() == (tree / "img" / "a.bin").resolve()
    assert (tftp / "boot.scr").read_bytes()[:4] == b"\x27\x05\x19\x56"   # uImage magic
    assert "-bios" in b.cmd and "-kernel" not in b.cmd
    assert f"user,id=n0,tftp={tftp}" in b.cmd or any(
        arg.endswith("tftp=" + st._show(tftp)) for arg in b.cmd)


def test_uboot_fdt_commands(tree):
    """Every node and property of the scenario's /chosen becomes one command;
    siblings are made last to first, since fdt mknod inserts before them."""
    b = build(tree, write_scn(tree), boot="uboot")
    cmds = [ln for ln in (b.outdir / "tftp" / "boot.source").read_text().splitlines()
            if ln.startswith("fdt mknod") or ln.startswith("fdt set")]
    assert cmds[:3] == ["fdt set /chosen \\#address-cells <0x2>",
                        "fdt set /chosen \\#size-cells <0x2>",
                        'fdt set /chosen xen,xen-bootargs "console=dtuart"']
    mknods = [c for c in cmds if c.startswith("fdt mknod")]
    assert mknods == ["fdt mknod /chosen domU2", "fdt mknod /chosen/domU2 module@40800000",
                      "fdt mknod /chosen domU1", "fdt mknod /chosen/domU1 shm@0",
                      "fdt mknod /chosen/domU1 module@40400000"]
    assert "fdt set /chosen/domU1 vpl011" in cmds
    assert ('fdt set /chosen/domU1/module@40400000 compatible "multiboot,kernel" '
            '"multiboot,module"') in cmds
    assert "fdt set /chosen/domU1/shm@0 xen,shared-mem <0x7fe00000 0x200000 0x50000000>" in cmds
    assert 'fdt set /chosen/domU2/module@40800000 bootargs "end=0x40800064"' in cmds


@pytest.mark.parametrize("raw, words", [
    (b"", None),
    (b"abc\0", '"abc"'),
    (b"a b\0c\0", '"a b" "c"'),
    (b'say "$x\\"\0', '"say \\"\\$x\\\\\\""'),
    (b"\0\0\0\x01\0\0\0\x02", "<0x1 0x2>"),
    (b"\x01\x02\x03", "[01 02 03]"),
    (b"ab\0\0", "<0x61620000>"),         # a NUL inside: cells, same bytes
])
def test_uboot_fdt_value(raw, words):
    """fdt set words that give back exactly the property's bytes."""
    import uboot
    assert uboot.fdt_value(raw) == words


# ---------------------------------------------------------------- passthrough

PARTIAL = """/dts-v1/;
/ {
	passthrough {
		compatible = "simple-bus";
		ranges;
	};
};
"""


def test_passthrough_marks_and_partial_dtb(tree):
    """[host] passthrough marks QEMU's nodes; [host] dts adds to the tree; an
    image ending in .dts is compiled by dtc and loaded as the DTB."""
    (tree / "img" / "p.dts").write_text(PARTIAL)
    path = write_scn(tree, images='a = "img/a.bin"\nb = "img/b.bin"\np = "img/p.dts"')
    path.write_text(path.read_text() + '\n[host]\npassthrough = ["/pl031@9010000"]\n'
                    'dts = "/ { extra@1 { reg = <0x0 0x1 0x0 0x1>; }; };"\n')
    b = build(tree, path)
    root = st.read_fdt((b.outdir / "host.dtb").read_bytes())
    assert "xen,passthrough" in root.child("pl031@9010000").props
    assert "xen,passthrough" not in root.child("pl011@9000000").props
    assert root.child("extra@1") is not None
    p = b.scenario.images[2]
    assert p.path == b.outdir / "p.dtb"
    assert st.read_fdt(p.path.read_bytes()).child("passthrough") is not None
    assert f"loader,file={st._show(p.path)},addr={p.addr:#x},force-raw=on" in b.cmd


def test_passthrough_errors(tree):
    (tree / "img" / "bad.dts").write_text("/ { oops")
    path = write_scn(tree, images='a = "img/a.bin"\nb = "img/bad.dts"')
    assert "dtc (image b) failed" in error_of(tree, path)
    path = write_scn(tree)
    path.write_text(path.read_text() + '\n[host]\npassthrough = ["pl031"]\n')
    assert "[host] passthrough: must be a list of node paths" in error_of(tree, path)
    path = write_scn(tree)
    path.write_text(path.read_text() + '\n[host]\npasthrough = []\n')
    assert "[host]: unknown key(s) pasthrough (known: passthrough, dts)" in error_of(tree, path)
    path = write_scn(tree)
    path.write_text(path.read_text() + '\n[host]\npassthrough = ["/nowhere@1"]\n')
    assert "Label or path /nowhere@1 not found" in error_of(tree, path)


def test_passthrough_marks_through_uboot(tree):
    """With --boot uboot the marks are U-Boot fdt commands, as Xen's users
    write them; extra host DTS text has no such spelling and is refused."""
    path = write_scn(tree)
    path.write_text(path.read_text() + '\n[host]\npassthrough = ["/pl031@9010000"]\n')
    b = build(tree, path, boot="uboot")
    source = (b.outdir / "tftp" / "boot.source").read_text().splitlines()
    assert "fdt set /pl031@9010000 xen,passthrough" in source
    assert source.index("fdt set /pl031@9010000 xen,passthrough") < source.index(
        "setenv fdt_high 0xffffffffffffffff")
    path.write_text(path.read_text() + 'dts = "/ { };"\n')
    with pytest.raises(st.ScenarioError) as e:
        build(tree, path, boot="uboot")
    assert "[host] dts: only with -kernel boot" in str(e.value)
