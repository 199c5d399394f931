"""The U-Boot side of tools/scenario.py (--boot uboot): ImageBuilder's
layout and boot script for a scenario.

Xen's dom0less users boot with U-Boot and a script made by ImageBuilder's
scripts/uboot-script-gen: every file is loaded (tftpb) at addresses that
start at RAM base + 2 MiB (the script) and go up in 2 MiB steps, modules
first, the hypervisor after them, the DT last; then the script edits the DT
in place (`fdt addr`, `fdt resize`, `fdt mknod`, `fdt set` under /chosen)
and boots with `booti <hypervisor> - <dtb>`.  This module makes the same
for a scenario: the /chosen text is compiled by dtc (scenario.py), and
every node and property it adds to QEMU's own /chosen becomes one command.
"""
import os
import shlex
import subprocess
from pathlib import Path

STEP = 2 << 20                     # ImageBuilder's offset: 2 MiB between files
FDT_OFF_DT_STRUCT, FDT_SIZE_STRINGS, FDT_SIZE_STRUCT = 8, 32, 36
ASCII_PRINTABLE = range(0x20, 0x7F)
CELL = 4


def align_up(value, align):
    return (value + align - 1) // align * align


def script_addr(ram_base, min_addr):
    """Where ImageBuilder puts the boot script: RAM base + 2 MiB, never
    below its 12 MiB floor."""
    return max(ram_base + STEP, min_addr)


def layout(script, images, kernel_size):
    """ImageBuilder's order: the modules from script + 2 MiB, each on the
    next 2 MiB boundary after the previous file, then the hypervisor, then
    the DT.  Sets each image's addr; returns (hypervisor, DT) addresses."""
    addr = script + STEP
    for img in images:
        img.addr = addr
        addr = align_up(img.end, STEP)
    kernel = addr
    return kernel, align_up(kernel + kernel_size, STEP)


def _is_strings(raw):
    """One or more non-empty NUL-terminated printable strings."""
    if len(raw) < 2 or raw[-1] != 0 or b"\0\0" in raw or raw[0] == 0:
        return False
    return all(b in ASCII_PRINTABLE or b == 0 for b in raw)


def _hush_quote(s):
    """A double-quoted word for U-Boot's hush shell."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") + '"'


def fdt_value(raw):
    """`fdt set` value words giving exactly the bytes @raw (U-Boot's
    cmd/fdt.c: "str" ["str"...] a string list, <cells>, [bytes]); None for
    an empty property."""
    if not raw:
        return None
    if _is_strings(raw):
        return " ".join(_hush_quote(s) for s in raw[:-1].decode().split("\0"))
    if len(raw) % CELL == 0:
        cells = (int.from_bytes(raw[i:i + CELL], "big") for i in range(0, len(raw), CELL))
        return "<" + " ".join(f"{c:#x}" for c in cells) + ">"
    return "[" + " ".join(f"{b:02x}" for b in raw) + "]"


def _prop_name(name):
    return name.replace("#", "\\#")       # hush would start a comment


def _node_commands(path, node, out):
    for name, raw in node.props.items():
        value = fdt_value(raw)
        out.append(f"fdt set {path} {_prop_name(name)}" + (f" {value}" if value else ""))
    _children_commands(path, node.children, out)


def _children_commands(path, children, out):
    """libfdt's fdt_add_subnode (U-Boot's `fdt mknod`) puts a new node
    before its existing siblings: make them last to first, so the DT keeps
    the scenario's order (partition IDs follow it, DESIGN.md §4)."""
    for child in reversed(children):
        out.append(f"fdt mknod {path} {child.name}")
        _node_commands(f"{path}/{child.name}", child, out)


def chosen_commands(qemu_chosen, host_chosen):
    """The fdt commands that turn QEMU's /chosen into the scenario's."""
    out = []
    for name, raw in host_chosen.props.items():
        if qemu_chosen.props.get(name) != raw:
            value = fdt_value(raw)
            out.append(f"fdt set /chosen {_prop_name(name)}" + (f" {value}" if value else ""))
    old = {c.name for c in qemu_chosen.children}
    _children_commands("/chosen", [c for c in host_chosen.children if c.name not in old], out)
    return out


def fdt_growth(qemu_dtb, host_dtb):
    """Bytes the edits add to the structure and strings blocks."""
    def used(data):
        return sum(int.from_bytes(data[o:o + CELL], "big")
                   for o in (FDT_SIZE_STRINGS, FDT_SIZE_STRUCT))
    return max(0, used(host_dtb) - used(qemu_dtb))


def boot_source(loads, dtb_addr, kernel_addr, fdt_cmds, resize):
    """The script, in uboot-script-gen's order: loads, DT edits, booti."""
    lines = [f"tftpb {addr:#x} {name}" for addr, name in loads]
    lines += [f"fdt addr {dtb_addr:#x}", f"fdt resize {resize}"]
    lines += fdt_cmds
    lines += ["setenv fdt_high 0xffffffffffffffff",     # leave the DT where it is
              f"booti {kernel_addr:#x} - {dtb_addr:#x}"]
    return "\n".join(lines) + "\n"


def tftp_folder(folder, files):
    """The folder QEMU serves by tftp: a symlink per file, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, path in files:
        link = folder / name
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(Path(path).resolve(), link)


def mkimage(source, script, load_addr, fail):
    """boot.scr: the script wrapped as a U-Boot legacy image (mkimage -T script)."""
    cmd = ["mkimage", "-A", "arm64", "-T", "script", "-C", "none", "-a", f"{load_addr:#x}",
           "-e", f"{load_addr:#x}", "-d", str(source), str(script)]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                             timeout=60)
    except FileNotFoundError:
        fail("mkimage not installed (u-boot-tools; run make deps)")
    if res.returncode != 0:
        fail(f"mkimage failed ({shlex.join(cmd)}):\n{(res.stderr + res.stdout).strip()}")
