#!/usr/bin/python3
"""Scenario file -> host.dtb + QEMU command line (as Xen's ImageBuilder does).

A scenario (TOML) names the guest images, the QEMU machine and the text of
/chosen (Xen dom0less DTS).  `build` places the images in host RAM, takes
QEMU's own device tree for that machine, adds the /chosen text to it and
writes the QEMU command that boots Tessera with it.  See tools/README.md.

With --boot uboot the same scenario boots the way Xen's dom0less users
boot Xen (ImageBuilder's uboot-script-gen, Xen's qemu-smoke-dom0less-arm64.sh):
U-Boot as QEMU's -bios, every file fetched by tftp into addresses
ImageBuilder's layout gives, and a boot script (boot.scr, mkimage) that
writes the scenario's /chosen into QEMU's own DT with `fdt mknod` and
`fdt set`, then `booti`.

Commands: build | cmdline | run | debug <scenario.scn> [--cpu C] [--smp N]
          [--mem M] [--gic 2|3] [--out DIR] [--kernel IMAGE] [--boot kernel|uboot]
          [--port P] [--batch FILE]
"""
import argparse
import dataclasses
import os
import re
import shlex
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import uboot

ROOT = Path(__file__).resolve().parent.parent
QEMU = "qemu-system-aarch64"
GDB = "gdb-multiarch"
KERNEL = "build/tessera.bin"          # the hypervisor, an arm64 Image;
                                      # `debug` loads the .elf next to it
SCENARIO_OUT = "build/scenarios"
IMAGE_ALIGN = 2 << 20                 # images start on 2 MiB boundaries
DTB_PAD = 4096                        # room for in-place edits (fdtput)
CELL_MAX = 0xFFFFFFFF                 # a placeholder is one 32-bit DT cell
TOOL_TIMEOUT = 60                     # seconds for the dumpdtb run and dtc
GDB_PORT = 1234                       # the port of QEMU's -s
GDB_HOST = "127.0.0.1"                # the gdbstub listens on loopback only
GDB_SCRIPT = ROOT / "tools/gdb/tessera.py"
QEMU_START_S = 0.5                    # a failing QEMU exits within this

# --boot uboot (ImageBuilder's scripts/uboot-script-gen layout and commands)
BOOT_MODES = ("kernel", "uboot")
UBOOT_BIOS = "/usr/lib/u-boot/qemu_arm64/u-boot.bin"   # Debian's u-boot-qemu
UBOOT_MIN_SCRIPT_ADDR = 12 << 20      # ImageBuilder: never below 12 MiB
UBOOT_FDT_SLACK = 1024                # `fdt resize` room beyond the new nodes
UBOOT_TFTP = "tftp"                   # folder QEMU's user network serves
UBOOT_SCRIPT = "boot.scr"
UBOOT_SOURCE = "boot.source"
UBOOT_AUTOBOOT_SCRIPT = "boot.scr.uimg"  # what U-Boot's own autoboot fetches
UBOOT_SCRIPT_LOAD = 0x40000000        # Xen's CI: tftpb 0x40000000 boot.scr
# What Xen's CI types at U-Boot's prompt (console.exp), as harness steps.
UBOOT_STEPS = [
    (r"Hit any key to stop autoboot", "\n"),
    (r"^=> ", f"virtio scan; dhcp; tftpb {UBOOT_SCRIPT_LOAD:#x} {UBOOT_SCRIPT}; "
              f"source {UBOOT_SCRIPT_LOAD:#x}\n"),
]

DEFAULTS = {
    "smp": 4,
    "mem": "2G",
    "cpu": "cortex-a57",
    "gic": 3,
    "extra": [],
    "timeout": 60,
    "module_base": "0x50000000",
}
IMAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
FIELDS = ("addr", "size", "end", "unit")
GIC_VERSIONS = (2, 3)                 # QEMU virt's gic-version values we boot
DTC_POS = re.compile(r"chosen\.dtsi:(\d+)\.(\d+)(-\d+(\.\d+)?)?")  # L.C-[L.]C


class ScenarioError(Exception):
    """A user error: printed as one message, no traceback."""


@dataclasses.dataclass
class Image:
    name: str
    path: Path
    addr: int = 0
    size: int = 0

    @property
    def end(self):
        return self.addr + self.size


@dataclasses.dataclass
class Scenario:
    name: str
    path: Path
    qemu: dict
    images: list
    chosen: str
    chosen_line: int       # line of the .scn holding chosen.dtsi's line 1
    expect: dict
    # [host]: nodes of QEMU's DT to mark xen,passthrough; more DTS text for it.
    passthrough: list = dataclasses.field(default_factory=list)
    host_dts: str = ""


@dataclasses.dataclass
class Build:
    scenario: Scenario
    outdir: Path
    cmd: list
    cpu: str
    smp: int
    mem: str
    timeout: float
    kernel: Path
    boot: str = "kernel"
    load_addr: int = None      # where U-Boot loads the hypervisor (--boot uboot)
    gic: int = 3


# ---------------------------------------------------------------- parsing

def _fail(scn_path, msg):
    raise ScenarioError(f"scenario {scn_path}: {msg}")


def _chosen_line(text):
    """Line number (1-based) of chosen.dtsi's first line in the .scn file.

    tomllib keeps no positions, so find the opening quotes ourselves.  A
    newline right after the opening quotes is not part of the string.
    """
    m = re.search(r"^chosen\s*=\s*('''|\"\"\")(\r?\n)?", text, re.M)
    if not m:
        return 1
    line = text.count("\n", 0, m.start()) + 1
    return line + 1 if m.group(2) else line


def _check_qemu(path, qemu):
    unknown = set(qemu) - set(DEFAULTS)
    if unknown:
        _fail(path, f"[qemu]: unknown key(s) {', '.join(sorted(unknown))} "
                    f"(known: {', '.join(DEFAULTS)})")
    q = dict(DEFAULTS, **qemu)
    if not isinstance(q["smp"], int) or q["smp"] < 1:
        _fail(path, "[qemu] smp: must be a positive integer")
    for key in ("mem", "cpu"):
        if not isinstance(q[key], str) or not q[key]:
            _fail(path, f"[qemu] {key}: must be a non-empty string")
    if q["gic"] not in GIC_VERSIONS:
        _fail(path, f"[qemu] gic: {q['gic']!r} is not one of "
                    f"{', '.join(map(str, GIC_VERSIONS))}")
    if not isinstance(q["extra"], list) or \
            not all(isinstance(a, str) for a in q["extra"]):
        _fail(path, "[qemu] extra: must be a list of strings")
    if not isinstance(q["timeout"], (int, float)) or q["timeout"] <= 0:
        _fail(path, "[qemu] timeout: must be a positive number of seconds")
    q["module_base"] = _parse_int(path, "[qemu] module_base", q["module_base"])
    return q


def _parse_int(path, what, value):
    if isinstance(value, int):
        return value
    try:
        return int(str(value), 0)
    except ValueError:
        _fail(path, f"{what}: {value!r} is not an integer")


def _check_images(path, images, root):
    out = []
    for name, rel in images.items():
        if not IMAGE_NAME.fullmatch(name):
            _fail(path, f"[images] {name!r}: use letters, digits, _ and -")
        if not isinstance(rel, str):
            hint = " (chosen must come before the first [table])" \
                if name == "chosen" else ""
            _fail(path, f"[images] {name}: must be a path string{hint}")
        if name == "chosen" and "{" in rel:
            _fail(path, "chosen is inside [images]: put `chosen = '''...'''` "
                        "before the first [table] of the file")
        out.append(Image(name, root / rel))
    return out


def load_scenario(path, root=ROOT):
    """Parse and check a scenario file; images are not opened yet."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise ScenarioError(f"scenario {path}: cannot read: {e.strerror}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        _fail(path, f"bad TOML: {e}")
    unknown = set(data) - {"qemu", "images", "chosen", "expect", "host"}
    if unknown:
        _fail(path, f"unknown top-level key(s): {', '.join(sorted(unknown))}")
    images = _check_images(path, data.get("images", {}), Path(root))
    chosen = data.get("chosen")
    if not isinstance(chosen, str):
        _fail(path, "missing `chosen = '''<DTS text>'''` (a top-level string, "
                    "before the first [table])")
    host = _check_host(path, data.get("host", {}))
    return Scenario(path.stem, path, _check_qemu(path, data.get("qemu", {})),
                    images, chosen, _chosen_line(text), data.get("expect", {}),
                    passthrough=host.get("passthrough", []),
                    host_dts=host.get("dts", ""))


def _check_host(path, host):
    """[host] passthrough = ["/node", ...]: host nodes given xen,passthrough;
    dts = "...": DTS text appended to the host tree, after its root node."""
    unknown = set(host) - {"passthrough", "dts"}
    if unknown:
        _fail(path, f"[host]: unknown key(s) {', '.join(sorted(unknown))} "
                    "(known: passthrough, dts)")
    nodes = host.get("passthrough", [])
    if not isinstance(nodes, list) or not all(
            isinstance(n, str) and n.startswith("/") and "\n" not in n
            and "}" not in n for n in nodes):
        _fail(path, "[host] passthrough: must be a list of node paths (\"/pl031@9010000\")")
    if not isinstance(host.get("dts", ""), str):
        _fail(path, "[host] dts: must be a string of DTS text")
    return host


# ---------------------------------------------------------------- images

def compile_dts_images(scn, outdir):
    """An image whose path ends in .dts is a partial device tree (Xen's
    multiboot,device-tree module): compiled with dtc into outdir/<name>.dtb,
    which is what gets loaded."""
    for img in scn.images:
        if img.path.suffix != ".dts":
            continue
        if not img.path.is_file():
            _fail(scn.path, f"image {img.name}: {_show(img.path)} not found")
        dtb = outdir / f"{img.name}.dtb"
        _run_tool(scn, f"dtc (image {img.name})",
                  ["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb),
                   str(img.path)])
        img.path = dtb


def place_images(scn, base=None):
    """Give each image its host address: one after another from
    module_base (or @base), each on a 2 MiB boundary; sizes from the files."""
    addr = scn.qemu["module_base"] if base is None else base
    for img in scn.images:
        if not img.path.is_file():
            _fail(scn.path, f"image {img.name}: {_show(img.path)} not found "
                            "(run make first)")
        img.size = img.path.stat().st_size
        if img.size == 0:
            _fail(scn.path, f"image {img.name}: {_show(img.path)} is empty")
        img.addr = _align_up(addr, IMAGE_ALIGN)
        addr = img.end


def _align_up(value, align):
    return (value + align - 1) // align * align


def _placeholder_value(scn, images, key):
    name, _, field = key.partition(".")
    if name not in images or field not in FIELDS:
        known = ", ".join(f"${{{n}.{f}}}" for n in images for f in FIELDS[:3])
        _fail(scn.path, f"chosen: unknown placeholder ${{{key}}} "
                        f"(known: {known or 'none, no [images]'})")
    img = images[name]
    value = getattr(img, "addr" if field == "unit" else field)
    if value > CELL_MAX:
        _fail(scn.path, f"chosen: ${{{key}}} = {value:#x} does not fit one "
                        "32-bit cell: lower module_base")
    return f"{value:x}" if field == "unit" else f"{value:#x}"


def substitute(scn):
    """The chosen text with ${name.addr|size|end|unit} replaced."""
    images = {img.name: img for img in scn.images}
    return PLACEHOLDER.sub(
        lambda m: _placeholder_value(scn, images, m.group(1)), scn.chosen)


# ---------------------------------------------------------------- QEMU / DT

def machine_args(q, cpu, smp, mem, gic=None):
    machine = f"virt,virtualization=on,gic-version={gic or q['gic']}"
    return ["-M", machine, "-cpu", cpu, "-smp", str(smp), "-m", mem]


def _run_tool(scn, what, cmd, cwd=None):
    try:
        res = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True,
                             timeout=TOOL_TIMEOUT)
    except FileNotFoundError:
        _fail(scn.path, f"{what}: {cmd[0]} not installed (run make deps)")
    except subprocess.TimeoutExpired:
        _fail(scn.path, f"{what}: {cmd[0]} timed out")
    if res.returncode != 0:
        _fail(scn.path, f"{what} failed ({shlex.join(cmd)}):\n"
                        f"{(res.stderr + res.stdout).strip()}")
    return res


def dump_qemu_dtb(scn, margs, extra, dtb):
    """QEMU's own DT for this machine (it depends on cpu, smp and mem)."""
    m = list(margs)
    m[1] += f",dumpdtb={dtb}"
    _run_tool(scn, "QEMU dumpdtb", [QEMU, *m, "-nographic", *extra])
    if not dtb.is_file():
        _fail(scn.path, f"QEMU wrote no {dtb}")


def _map_dtc_error(scn, text):
    """Point dtc's chosen.dtsi:L.C positions at the scenario file's lines."""
    def repl(m):
        line = int(m.group(1)) + scn.chosen_line - 1
        return f"{scn.path}:{line}.{m.group(2)}"
    return DTC_POS.sub(repl, text)


def compile_host_dtb(scn, chosen, outdir):
    """host.dtb = QEMU's DT with the chosen text merged into /chosen, and
    the [host] passthrough nodes marked `xen,passthrough` (what Xen users
    do with U-Boot's `fdt set <node> xen,passthrough`).

    dtc merges `&{/chosen} { ... }` into the decompiled QEMU tree in source
    order.  fdtoverlay would do the merge too, but it inserts each new node
    before its siblings, so domU2 would come before domU1 and partition IDs
    (DT order, DESIGN.md §4) would change.
    """
    _run_tool(scn, "dtc (decompile QEMU DT)",
              ["dtc", "-q", "-I", "dtb", "-O", "dts", "-o", "qemu.dts",
               "qemu.dtb"], cwd=outdir)
    (outdir / "chosen.dtsi").write_text(chosen)
    marks = "".join(f"&{{{node}}} {{\n\txen,passthrough;\n}};\n"
                    for node in scn.passthrough)
    (outdir / "host.dts").write_text(
        '/include/ "qemu.dts"\n\n/* from the scenario file */\n'
        '&{/chosen} {\n/include/ "chosen.dtsi"\n};\n' + scn.host_dts + marks)
    cmd = ["dtc", "-q", "-I", "dts", "-O", "dtb", "-p", str(DTB_PAD),
           "-o", "host.dtb", "host.dts"]
    res = subprocess.run(cmd, cwd=outdir, capture_output=True, text=True,
                         timeout=TOOL_TIMEOUT)
    if res.returncode != 0:
        _fail(scn.path, "chosen: dtc error:\n" +
              _map_dtc_error(scn, (res.stderr + res.stdout).strip()))


def qemu_command(margs, kernel, dtb, images, extra):
    cmd = [QEMU, *margs, "-nographic", "-kernel", _show(kernel),
           "-dtb", _show(dtb)]
    for img in images:
        cmd += ["-device", f"loader,file={_show(img.path)},"
                           f"addr={img.addr:#x},force-raw=on"]
    return cmd + list(extra)


def _show(path):
    """A path relative to the project root when inside it (commands run
    from the root), else absolute."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def default_outdir(scn, cpu, smp, mem, boot="kernel", gic=None):
    """build/scenarios/<name>[-<cpu>][-smp<N>][-<mem>][-gic<N>][-uboot]: a
    suffix for each value that differs from the scenario's own."""
    name = scn.name
    if cpu != scn.qemu["cpu"]:
        name += f"-{cpu}"
    if smp != scn.qemu["smp"]:
        name += f"-smp{smp}"
    if mem != scn.qemu["mem"]:
        name += f"-{mem}"
    if gic and gic != scn.qemu["gic"]:
        name += f"-gic{gic}"
    if boot != "kernel":
        name += f"-{boot}"
    return ROOT / SCENARIO_OUT / name


FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END = 1, 2, 3, 4, 9
FDT_TOKEN = 4                          # tokens and cells are 32-bit


@dataclasses.dataclass
class DtNode:
    """One node of a flattened DT: properties (raw bytes) and children,
    both in file order."""
    name: str
    props: dict = dataclasses.field(default_factory=dict)
    children: list = dataclasses.field(default_factory=list)

    def child(self, name):
        return next((c for c in self.children if c.name == name), None)

    def cells(self, prop):
        raw = self.props[prop]
        return [int.from_bytes(raw[i:i + 4], "big")
                for i in range(0, len(raw), 4)]

    def string(self, prop):
        return self.props[prop].rstrip(b"\0").decode()

    def strings(self, prop):
        return self.props[prop].rstrip(b"\0").decode().split("\0")


def read_fdt(data):
    """Parse a flattened DT (the format of devicetree-specification
    chapter 5) into DtNodes; returns the root.  Python's libfdt binding in
    Debian 12 corrupts None's reference count on every failed getprop, so
    the tools read DTs themselves."""
    def be(off):
        return int.from_bytes(data[off:off + 4], "big")
    if be(0) != FDT_MAGIC:
        raise ValueError("not a flattened device tree")
    pos, strings = be(8), be(12)
    stack, root = [], None
    while True:
        token, pos = be(pos), pos + FDT_TOKEN
        if token == FDT_BEGIN_NODE:
            end = data.index(b"\0", pos)
            node = DtNode(data[pos:end].decode())
            if stack:
                stack[-1].children.append(node)
            stack.append(node)
            pos = _align_up(end + 1, FDT_TOKEN)
        elif token == FDT_END_NODE:
            root = stack.pop()
        elif token == FDT_PROP:
            size, nameoff = be(pos), be(pos + 4)
            name_end = data.index(b"\0", strings + nameoff)
            name = data[strings + nameoff:name_end].decode()
            stack[-1].props[name] = bytes(data[pos + 8:pos + 8 + size])
            pos = _align_up(pos + 8 + size, FDT_TOKEN)
        elif token == FDT_END:
            return root
        elif token != FDT_NOP:
            raise ValueError(f"bad FDT token {token:#x}")


def _ram_ranges(dtb):
    """(base, size) of every device_type = "memory" node under the root."""
    root = read_fdt(dtb.read_bytes())
    ac, sc = root.cells("#address-cells")[0], root.cells("#size-cells")[0]
    ranges = []
    for node in root.children:
        if node.props.get("device_type") == b"memory\0":
            ranges += _split_reg(node.cells("reg"), ac, sc)
    return ranges


def _split_reg(cells, ac, sc):
    def num(chunk):
        value = 0
        for c in chunk:
            value = (value << 32) | c
        return value
    step = ac + sc
    return [(num(cells[i:i + ac]), num(cells[i + ac:i + step]))
            for i in range(0, len(cells) - step + 1, step)]


def check_images_in_ram(scn, dtb, mem, images=None):
    ram = _ram_ranges(dtb)
    for img in scn.images if images is None else images:
        if not any(b <= img.addr and img.end <= b + s for b, s in ram):
            _fail(scn.path, f"image {img.name} at {img.addr:#x}-{img.end:#x} "
                            f"is outside RAM (-m {mem}: " +
                  ", ".join(f"{b:#x}-{b + s:#x}" for b, s in ram) +
                  "): raise mem or change module_base")


def uboot_plan(scn, qemu_dtb, kernel, mem):
    """ImageBuilder's addresses for the images, the hypervisor and the DT
    (tools/uboot.py); returns (script, hypervisor, DT) addresses."""
    ram = _ram_ranges(qemu_dtb)
    if not ram:
        _fail(scn.path, "QEMU's DT has no memory node")
    script = uboot.script_addr(min(b for b, _ in ram), UBOOT_MIN_SCRIPT_ADDR)
    place_images(scn, script + uboot.STEP)
    k_addr, dtb_addr = uboot.layout(script, scn.images, kernel.stat().st_size)
    spans = [Image("tessera", kernel, k_addr, kernel.stat().st_size),
             Image("dtb", qemu_dtb, dtb_addr, qemu_dtb.stat().st_size)]
    check_images_in_ram(scn, qemu_dtb, mem, [*scn.images, *spans])
    return script, k_addr, dtb_addr


def uboot_prepare(scn, outdir, kernel, plan, margs, extra):
    """tftp folder, boot.source and boot.scr; returns the QEMU command."""
    script, k_addr, dtb_addr = plan
    qemu_dtb, host_dtb = (outdir / "qemu.dtb").read_bytes(), (outdir / "host.dtb").read_bytes()
    cmds = uboot.chosen_commands(read_fdt(qemu_dtb).child("chosen"),
                                 read_fdt(host_dtb).child("chosen"))
    # [host] passthrough, as Xen's users mark devices (passthrough.txt).
    cmds += [f"fdt set {node} xen,passthrough" for node in scn.passthrough]
    tftp = outdir / UBOOT_TFTP
    files = [(img.name, img.path) for img in scn.images]
    files += [("tessera.bin", kernel), ("virt.dtb", outdir / "qemu.dtb")]
    uboot.tftp_folder(tftp, files)
    loads = [(img.addr, img.name) for img in scn.images]
    loads += [(k_addr, "tessera.bin"), (dtb_addr, "virt.dtb")]
    source = uboot.boot_source(loads, dtb_addr, k_addr, cmds,
                               uboot.fdt_growth(qemu_dtb, host_dtb) + UBOOT_FDT_SLACK)
    (tftp / UBOOT_SOURCE).write_text(source)
    for name in (UBOOT_SCRIPT, UBOOT_AUTOBOOT_SCRIPT):
        uboot.mkimage(tftp / UBOOT_SOURCE, tftp / name, script,
                      lambda msg: _fail(scn.path, msg))
    return [QEMU, *margs, "-nographic", "-bios", UBOOT_BIOS,
            "-device", "virtio-net-pci,netdev=n0",
            "-netdev", f"user,id=n0,tftp={_show(tftp)}", *extra]


def build(scn_path, cpu=None, smp=None, mem=None, out=None, kernel=None,
          extra=None, root=ROOT, boot="kernel", gic=None):
    """Place images, make host.dtb and qemu-cmdline.txt.  Returns a Build.

    root resolves the scenario's image paths and the default kernel (tests
    point it at a tree of stub files); extra is appended to [qemu] extra;
    boot "uboot" boots through U-Boot (module docstring) instead of -kernel.
    cpu, smp, mem and gic override the scenario's [qemu] values.
    """
    scn = load_scenario(scn_path, root)
    q = scn.qemu
    cpu, smp, mem = cpu or q["cpu"], smp or q["smp"], mem or q["mem"]
    if boot not in BOOT_MODES:
        _fail(scn_path, f"boot {boot!r}: one of {', '.join(BOOT_MODES)}")
    gic = gic or q["gic"]
    if gic not in GIC_VERSIONS:
        _fail(scn_path, f"gic {gic!r} is not one of {', '.join(map(str, GIC_VERSIONS))}")
    outdir = Path(out) if out else default_outdir(scn, cpu, smp, mem, boot, gic)
    kernel = Path(kernel) if kernel else Path(root) / KERNEL
    if not kernel.is_file():
        _fail(scn_path, f"hypervisor image {_show(kernel)} not found "
                        "(run make first)")
    outdir.mkdir(parents=True, exist_ok=True)
    compile_dts_images(scn, outdir)
    margs = machine_args(q, cpu, smp, mem, gic)
    extra = [*q["extra"], *(extra or [])]
    dump_qemu_dtb(scn, margs, extra, outdir / "qemu.dtb")
    if boot == "uboot":
        if scn.host_dts:
            _fail(scn_path, "[host] dts: only with -kernel boot (U-Boot's fdt "
                            "commands edit /chosen and mark nodes)")
        plan = uboot_plan(scn, outdir / "qemu.dtb", kernel, mem)
    else:
        place_images(scn)
        check_images_in_ram(scn, outdir / "qemu.dtb", mem)
    compile_host_dtb(scn, substitute(scn), outdir)
    if boot == "uboot":
        cmd = uboot_prepare(scn, outdir, kernel, plan, margs, extra)
    else:
        cmd = qemu_command(margs, kernel, outdir / "host.dtb", scn.images, extra)
    (outdir / "qemu-cmdline.txt").write_text("\n".join(cmd) + "\n")
    return Build(scn, outdir, cmd, cpu, smp, mem, q["timeout"], kernel, boot,
                 plan[1] if boot == "uboot" else None, gic)


# ---------------------------------------------------------------- commands

def _describe(b):
    imgs = ", ".join(f"{i.name}@{i.addr:#x}" for i in b.scenario.images)
    how = " through U-Boot" if b.boot == "uboot" else ""
    gic = f", GICv{b.gic}" if b.gic != b.scenario.qemu["gic"] else ""   # when overridden
    return (f"booting scenario {b.scenario.name} ({imgs or 'no images'}){how} on "
            f"{b.smp} x {b.cpu}, {b.mem}{gic}")


def cmd_build(b):
    print(f"scenario {b.scenario.name}: wrote {_show(b.outdir / 'host.dtb')} "
          f"and {_show(b.outdir / 'qemu-cmdline.txt')}")
    print(shlex.join(b.cmd))
    return 0


def cmd_cmdline(b):
    print(shlex.join(b.cmd))
    return 0


def cmd_run(b):
    print(f"tessera: {_describe(b)}; quit QEMU with Ctrl-A x", flush=True)
    os.chdir(ROOT)
    try:
        os.execvp(b.cmd[0], b.cmd)      # QEMU's exit status becomes ours
    except OSError as e:
        raise ScenarioError(f"cannot start {b.cmd[0]}: {e.strerror}")


def gdb_command(elf, port, batch=None, load_addr=None):
    """gdb-multiarch with the hypervisor's symbols (where the image runs),
    Tessera's gdb commands (tools/gdb/tessera.py: `tessera
    list|vcpus|shm|walk`) and the remote target; with batch, the commands
    of that file run and gdb exits (its status is non-zero when one of them
    failed)."""
    cmd = [GDB, "-q", "-nx", "-ex", _symbol_file(elf, load_addr), "-x", str(GDB_SCRIPT),
           "-ex", f"target remote {GDB_HOST}:{port}"]
    if batch:
        cmd[1:1] = ["-batch"]
        cmd += ["-x", str(batch)]
    return cmd


def cmd_debug(b, port=GDB_PORT, batch=None):
    elf = Path(b.kernel).with_suffix(".elf")
    if not elf.is_file():
        raise ScenarioError(f"{_show(elf)} not found (run make first)")
    log = b.outdir / "console.log"
    print(f"tessera: {_describe(b)}, halted for gdb on :{port}; "
          f"console in {_show(log)} (tail -f it); gdb commands: tessera list, "
          "tessera vcpus, tessera shm, tessera walk <name> <IPA>", flush=True)
    with open(log, "wb") as console:
        qemu = subprocess.Popen([*b.cmd, "-gdb", f"tcp:{GDB_HOST}:{port}", "-S"],
                                cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=console, stderr=subprocess.STDOUT,
                                start_new_session=True)
    # QEMU has its own session (gdb's Ctrl-C must not reach it): whoever
    # must end this run from outside finds it here.
    (b.outdir / "qemu.pid").write_text(f"{qemu.pid}\n")
    try:
        _check_started(qemu, log)
        return subprocess.call(gdb_command(elf, port, batch, b.load_addr), cwd=ROOT)
    finally:
        if qemu.poll() is None:
            os.killpg(qemu.pid, signal.SIGKILL)
        qemu.wait()


ELF_ENTRY_OFFSET = 24                 # e_entry in the ELF64 header


def _symbol_file(elf, load_addr):
    """gdb's symbol-file command: the image runs at its link address (the
    ELF entry) under -kernel, at load_addr when U-Boot put it elsewhere."""
    if load_addr is None:
        return f"symbol-file {elf}"
    data = elf.read_bytes()[ELF_ENTRY_OFFSET:ELF_ENTRY_OFFSET + 8]
    return f"symbol-file -o {load_addr - int.from_bytes(data, 'little'):#x} {elf}"


def _check_started(qemu, log):
    """A QEMU that cannot start (port taken, bad option) exits at once."""
    try:
        qemu.wait(timeout=QEMU_START_S)
    except subprocess.TimeoutExpired:
        return
    raise ScenarioError(f"QEMU exited with status {qemu.returncode}:\n"
                        f"{log.read_text(errors='replace').strip()}")


COMMANDS = {"build": cmd_build, "cmdline": cmd_cmdline, "run": cmd_run,
            "debug": cmd_debug}


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scenario.py",
        description="Scenario file -> host.dtb + QEMU command line.")
    p.add_argument("command", choices=COMMANDS)
    p.add_argument("scenario", help="scenarios/<name>.scn")
    p.add_argument("--cpu", help="QEMU -cpu (default: the scenario's)")
    p.add_argument("--smp", type=int, help="QEMU -smp")
    p.add_argument("--mem", help="QEMU -m, e.g. 2G")
    p.add_argument("--gic", type=int, choices=GIC_VERSIONS,
                   help="QEMU virt gic-version (default: the scenario's)")
    p.add_argument("--out", help="output folder (default: "
                                 "build/scenarios/<name>[-<cpu>])")
    p.add_argument("--kernel", help=f"hypervisor Image (default: {KERNEL})")
    p.add_argument("--boot", choices=BOOT_MODES, default="kernel",
                   help="kernel: QEMU -kernel/-dtb/-device loader (default); "
                        "uboot: U-Boot, tftp and an ImageBuilder-style boot.scr")
    p.add_argument("--port", type=int, default=GDB_PORT,
                   help=f"debug: gdbstub TCP port (default {GDB_PORT})")
    p.add_argument("--batch", help="debug: run this gdb command file in "
                                   "batch mode, then exit")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        b = build(args.scenario, args.cpu, args.smp, args.mem, args.out,
                  args.kernel, boot=args.boot, gic=args.gic)
        if args.command == "debug":
            return cmd_debug(b, args.port, args.batch)
        return COMMANDS[args.command](b)
    except ScenarioError as e:
        print(f"scenario.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
