#!/usr/bin/python3
"""Pictures from the running system: console logs -> SVG (docs/pictures/).

The hypervisor prints what it does: the image and free RAM at boot
(`mem:`), each partition's start and stage-2 map (`started`, `stage 2`,
`IPA ... -> PA`), the ownership table (`shm:`), stops, and the shell's
`walk` of one address.  This tool reads those lines back and draws them:

  memory map   host physical memory, each partition's guest view with an
               arrow to the host range it maps, the shared regions with
               owner and borrowers, dom_shared;
  stage 2      one partition's translation tree: VTTBR_EL2, the level-1
               root, the level-2 table, the blocks and where they go, and
               one descriptor's bits.

Commands:
  render <log> <out.svg> --map [--table N] [--cmdline FILE]
  render <log> <out.svg> --tree <partition>
  capture <dir>     boot the demo and the tutorial's scenario (scripted
                    shell input), keep their consoles in <dir>
  update            capture into build/pictures, render into docs/pictures
  check             capture into build/pictures, render there, compare with
                    docs/pictures (exit 1 when a picture is stale)

Plain Python 3 standard library.  Addresses that move whenever the code
changes size (the end of the image, the page-pool tables, free-range ends
next to boot modules) are left out of the pictures on purpose, so that a
picture goes stale only when what it shows changes.
"""
import argparse
import dataclasses
import difflib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import scenario as scenario_tool  # noqa: E402

PICTURES = ROOT / "docs/pictures"
CAPTURE_DIR = ROOT / "build/pictures"
MIB = 1 << 20
KIB = 1 << 10
GIB = 1 << 30
ENTRIES = 512                        # 4 KiB granule: entries per table
LEVEL_SPAN = {1: GIB, 2: 2 * MIB, 3: 4 * KIB}

# ------------------------------------------------------------ console lines

PREFIX = re.compile(r"^\((tessera)\) (.*)$")
RE_IMAGE = re.compile(r"Tessera: .* image (0x[0-9a-f]+)-(0x[0-9a-f]+)")
RE_FREE = re.compile(r"mem: free (0x[0-9a-f]+)-(0x[0-9a-f]+) ")
RE_RAM = re.compile(r"mem: (\d+) MiB RAM, ")
RE_HYP = re.compile(r"mem: hypervisor (0x[0-9a-f]+)-(0x[0-9a-f]+) \(\d+ KiB: (.*)\)$")
RE_STARTED = re.compile(r"(\S+): started \(id (\d+), (\d+) vCPUs? on CPU ([\d,]+), (\d+) MiB "
                        r"at (0x[0-9a-f]+), ")
RE_STAGE2 = re.compile(r"(\S+): stage 2: VMID (\d+), (\d+)-bit IPA, \d+ table pages; "
                       r"trapped: (.*)$")
RE_RUN = re.compile(r"(\S+):   IPA (0x[0-9a-f]+)-(0x[0-9a-f]+) -> PA (0x[0-9a-f]+) +\d+ KiB  "
                    r"(\S+),")
RE_STOPPED = re.compile(r"(\S+): stopped \(")
RE_SHM_HEAD = re.compile(r"shm: regions (\d+) dom_shared\((0x[0-9a-f]+)\) owns (\d+) (\w+)$")
RE_SHM_REGION = re.compile(r"shm: id (\S+) host (0x[0-9a-f]+)-(0x[0-9a-f]+) size (0x[0-9a-f]+) "
                           r"owner (\S+)\((0x[0-9a-f]+)\) refs (\d+)(.*)$")
RE_SHM_USER = re.compile(r" (\S+)@(0x[0-9a-f]+)\((owner,)?(\w+)\)")
RE_WALK_HEAD = re.compile(r"walk (\S+) IPA (0x[0-9a-f]+): VTTBR_EL2 (0x[0-9a-f]+) \(VMID (\d+)\), "
                          r"(\d+)-bit IPA, start level (\d), (\d+) root pages?$")
RE_WALK_STEP = re.compile(r"  level (\d): table (0x[0-9a-f]+) index (\d+) desc (0x[0-9a-f]+): "
                          r"(\w+)(?:, next level at (0x[0-9a-f]+)| of (\d+) (KiB|MiB|GiB) -> "
                          r"PA (0x[0-9a-f]+))?$")
UNITS = {"KiB": KIB, "MiB": MIB, "GiB": GIB}


class PictureError(Exception):
    """Input the tool cannot draw: one message, no traceback."""


@dataclasses.dataclass
class Partition:
    name: str
    pid: int
    vcpus: int
    cpus: str
    ram_base: int
    ram_size: int
    vmid: int = 0
    ipa_bits: int = 0
    trapped: str = ""
    runs: list = dataclasses.field(default_factory=list)   # (ipa, size, pa, kind)
    running: bool = True


@dataclasses.dataclass
class User:
    name: str
    ipa: int
    owner: bool
    state: str


@dataclasses.dataclass
class Region:
    rid: str
    host: int
    size: int
    owner: str
    domid: int
    refs: int
    users: list


@dataclasses.dataclass
class Table:
    """One print of the ownership table, with the partitions' states then."""
    regions: list
    dom_shared_id: int
    dom_shared_owns: int
    live: bool
    running: dict


@dataclasses.dataclass
class WalkStep:
    level: int
    index: int
    desc: int
    kind: str
    span: int
    oa: int


@dataclasses.dataclass
class Walk:
    name: str
    ipa: int
    vmid: int
    start_level: int
    root_pages: int
    steps: list


@dataclasses.dataclass
class Log:
    image: tuple = None
    hyp: tuple = None          # run-time memory the hypervisor took: (start, end, what)
    free: list = dataclasses.field(default_factory=list)
    ram_mib: int = 0
    partitions: dict = dataclasses.field(default_factory=dict)
    tables: list = dataclasses.field(default_factory=list)
    walks: list = dataclasses.field(default_factory=list)


def _int(text):
    return int(text, 16) if text.startswith("0x") else int(text)


def hypervisor_lines(text):
    for raw in text.replace("\r", "").split("\n"):
        m = PREFIX.match(raw)
        if m:
            yield m.group(2)


def parse_log(text):
    """Every fact the pictures need, in console order."""
    log, table, walk = Log(), None, None
    for line in hypervisor_lines(text):
        table = _parse_table_line(log, table, line)
        walk = _parse_walk_line(log, walk, line)
        _parse_boot_line(log, line)
    return log


def _parse_boot_line(log, line):
    if m := RE_IMAGE.search(line):
        log.image = (_int(m.group(1)), _int(m.group(2)))
    elif m := RE_FREE.match(line):
        log.free.append((_int(m.group(1)), _int(m.group(2)) + 1))
    elif m := RE_RAM.match(line):
        log.ram_mib = int(m.group(1))
    elif m := RE_HYP.match(line):
        log.hyp = (_int(m.group(1)), _int(m.group(2)) + 1, m.group(3))
    elif m := RE_STARTED.match(line):
        name = m.group(1)
        log.partitions[name] = Partition(name, int(m.group(2)), int(m.group(3)), m.group(4),
                                         _int(m.group(6)), int(m.group(5)) * MIB)
    elif m := RE_STAGE2.match(line):
        p = log.partitions.get(m.group(1))
        if p:
            p.vmid, p.ipa_bits, p.trapped, p.runs = (int(m.group(2)), int(m.group(3)),
                                                     m.group(4), [])
    elif m := RE_RUN.match(line):
        p = log.partitions.get(m.group(1))
        if p:
            ipa, last, pa = _int(m.group(2)), _int(m.group(3)), _int(m.group(4))
            p.runs.append((ipa, last + 1 - ipa, pa, m.group(5)))
    elif m := RE_STOPPED.match(line):
        if m.group(1) in log.partitions:
            log.partitions[m.group(1)].running = False


def _parse_table_line(log, table, line):
    """Collects a `shm: regions` head and its region lines into log.tables."""
    if m := RE_SHM_HEAD.match(line):
        table = Table([], _int(m.group(2)), int(m.group(3)), m.group(4) == "live",
                      {n: p.running for n, p in log.partitions.items()})
        table.expect = int(m.group(1))
        if table.expect == 0:
            log.tables.append(table)
        return table
    m = RE_SHM_REGION.match(line)
    if table is None or not m:
        return None if not line.startswith("shm: id ") else table
    users = [User(u.group(1), _int(u.group(2)), bool(u.group(3)), u.group(4))
             for u in RE_SHM_USER.finditer(m.group(8))]
    table.regions.append(Region(m.group(1), _int(m.group(2)), _int(m.group(4)), m.group(5),
                                _int(m.group(6)), int(m.group(7)), users))
    if len(table.regions) == table.expect:
        log.tables.append(table)
        return None
    return table


def _parse_walk_line(log, walk, line):
    if m := RE_WALK_HEAD.match(line):
        walk = Walk(m.group(1), _int(m.group(2)), int(m.group(4)), int(m.group(6)),
                    int(m.group(7)), [])
        log.walks.append(walk)
        return walk
    if walk is None or not line.startswith("  "):
        return None
    if m := RE_WALK_STEP.match(line):
        level = int(m.group(1))
        oa = _int(m.group(6) or m.group(9) or "0")
        walk.steps.append(WalkStep(level, int(m.group(3)), _int(m.group(4)), m.group(5),
                                   LEVEL_SPAN.get(level, 0), oa))
    return walk


def read_images(path):
    """(name, addr, size) per line of a capture's images file, written by
    `capture` from the scenario tool's placement of the boot modules."""
    out = []
    for line in Path(path).read_text().split("\n"):
        if line.strip():
            name, addr, size = line.split()[:3]
            out.append((name, _int(addr), _int(size)))
    return out


# ------------------------------------------------------------------- SVG

FONT = "DejaVu Sans, Verdana, sans-serif"
MONO = "DejaVu Sans Mono, Menlo, monospace"
INK = "#222222"
GREY = "#888888"
FREE = "#ffffff"
TAKEN = "#e6e6e6"
IMAGE = "#c9c9c9"
REGION = "#f6d58e"
REVOKED = "#c0392b"
DOM_SHARED = "#9e9e9e"
PALETTE = ["#6fa8dc", "#93c47d", "#b4a7d6", "#f9a66c", "#76c7c0", "#e06666", "#c27ba0",
           "#a2c4c9"]


def esc(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


class Svg:
    """Just the elements the pictures use; integer coordinates only, so the
    same facts always give the same bytes."""

    def __init__(self, width, title):
        self.width, self.items, self.height = width, [], 0
        self.title = title

    def _grow(self, y):
        self.height = max(self.height, int(y))

    def rect(self, x, y, w, h, fill, stroke=INK, dash=False, extra=""):
        d = ' stroke-dasharray="4 3"' if dash else ""
        self.items.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" '
                          f'stroke="{stroke}"{d}{extra}/>')
        self._grow(y + h)

    def text(self, x, y, text, size=12, anchor="start", mono=False, color=INK, bold=False):
        weight = ' font-weight="bold"' if bold else ""
        self.items.append(f'<text x="{x}" y="{y}" font-family="{MONO if mono else FONT}" '
                          f'font-size="{size}" text-anchor="{anchor}" fill="{color}"{weight}>'
                          f'{esc(text)}</text>')
        self._grow(y + 4)

    def line(self, x1, y1, x2, y2, color=INK, dash=False, width=1):
        d = ' stroke-dasharray="5 4"' if dash else ""
        self.items.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{color}" '
                          f'stroke-width="{width}"{d}/>')

    def arrow(self, x1, y1, x2, y2, color, dash=False):
        """A curve from (x1, y1) to an arrowhead at (x2, y2)."""
        mid = (x1 + x2) // 2
        d = ' stroke-dasharray="6 4"' if dash else ""
        self.items.append(f'<path d="M {x1} {y1} C {mid} {y1} {mid} {y2} {x2} {y2}" fill="none" '
                          f'stroke="{color}" stroke-width="2"{d} marker-end="url(#head)"/>')

    def elbow(self, x1, y1, x2, y2, color="#555555"):
        """Right from (x1, y1), then down to an arrowhead at (x2, y2)."""
        self.items.append(f'<path d="M {x1} {y1} L {x2} {y1} L {x2} {y2}" fill="none" '
                          f'stroke="{color}" stroke-width="2" marker-end="url(#head)"/>')

    def render(self, margin=16):
        h = self.height + margin
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{h}" '
                f'viewBox="0 0 {self.width} {h}">\n<title>{esc(self.title)}</title>\n'
                '<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" '
                'orient="auto"><path d="M 0 0 L 8 4 L 0 8 z" fill="#444444"/></marker></defs>\n'
                f'<rect x="0" y="0" width="{self.width}" height="{h}" fill="#ffffff"/>\n')
        return head + "\n".join(self.items) + "\n</svg>\n"


def hexa(v):
    return f"0x{v:08x}" if v < 1 << 32 else f"{v:#x}"


def size_text(n):
    for unit, div in (("GiB", GIB), ("MiB", MIB), ("KiB", KIB)):
        if n >= div and n % div == 0:
            return f"{n // div} {unit}"
    return f"{n:#x} bytes"


# ----------------------------------------------------------- memory map

@dataclasses.dataclass
class Band:
    start: int
    end: int
    kind: str            # ram, region, image, module, free, taken
    label: str = ""
    note: str = ""
    color: str = FREE
    stable_end: bool = False   # the end address means something: label it
    y: int = 0
    h: int = 0


BAND_HEIGHT = {"ram": 46, "region": 40, "image": 40, "module": 22, "free": 16, "taken": 16}


def partition_colors(log):
    order = sorted(log.partitions.values(), key=lambda p: p.pid)
    return {p.name: PALETTE[i % len(PALETTE)] for i, p in enumerate(order)}


def region_note(region):
    users = ", ".join(f"{u.name}@{hexa(u.ipa)}" + (" (revoked)" if u.state == "revoked"
                                                   else "")
                      for u in region.users if not u.owner)
    return f"borrowers: {users}" if users else "no borrower"


def known_bands(log, table, images, colors):
    """The ranges the log names, in no order."""
    bands = []
    if log.image:
        bands.append(Band(log.image[0], log.image[1], "image", "Tessera image",
                          "code and data", IMAGE))
    if log.hyp:
        bands.append(Band(log.hyp[0], log.hyp[1], "image", "Tessera at run time", log.hyp[2],
                          IMAGE))
    for name, addr, size in images:
        bands.append(Band(addr, addr + size, "module", f"boot module: {name}", "", TAKEN))
    for p in log.partitions.values():
        bands.append(Band(p.ram_base, p.ram_base + p.ram_size, "ram",
                          f"{p.name} RAM, {size_text(p.ram_size)}", "", colors[p.name],
                          True))
    for r in table.regions:
        owner = f"owner {r.owner}"
        bands.append(Band(r.host, r.host + r.size, "region",
                          f"region {r.rid}, {size_text(r.size)}, {owner}", region_note(r),
                          REGION, True))
    return sorted(bands, key=lambda b: b.start)


def host_bands(log, table, images, colors):
    """Host RAM from its lowest known address up, every byte in one band:
    what the log names, then free (per the boot's `mem: free` lines) and
    taken-at-boot (the host DT and anything else the boot reserved)."""
    known = known_bands(log, table, images, colors)
    starts = [a for a, _ in log.free] + [b.start for b in known]
    if not starts or not log.ram_mib:
        raise PictureError("no `mem:` lines: give the boot log")
    base = min(starts) & ~(MIB - 1)
    end = base + log.ram_mib * MIB
    out, at = [], base
    for b in known + [Band(end, end, "end")]:
        if b.start > at:
            out += gap_bands(log.free, at, b.start)
        if b.kind != "end":
            out.append(b)
            at = max(at, b.end)
    return out, base, end


def gap_bands(free, start, end):
    """[start, end) split into free and taken pieces."""
    cuts = sorted({start, end} | {x for a, b in free for x in (a, b) if start < x < end})
    pieces = []
    for a, b in zip(cuts, cuts[1:]):
        is_free = any(fa <= a and b <= fb for fa, fb in free)
        kind = "free" if is_free else "taken"
        if pieces and pieces[-1].kind == kind:
            pieces[-1].end = b
        else:
            pieces.append(Band(a, b, kind, "free" if is_free else "taken at boot (host DT, ...)",
                               "", FREE if is_free else TAKEN))
    return pieces


@dataclasses.dataclass
class GuestBand:
    ipa: int
    size: int
    host: int
    label: str
    color: str
    state: str = "mapped"       # mapped, revoked, unmapped
    y: int = 0
    h: int = 0


def guest_bands(p, table, colors):
    """What partition p's stage 2 maps: its RAM runs (from the stage-2
    lines) and every region it names (from the ownership table), in IPA
    order."""
    out = [GuestBand(ipa, size, pa, f"RAM, {size_text(size)}", colors[p.name])
           for ipa, size, pa, kind in p.runs if kind == "RAM"]
    for r in table.regions:
        for u in r.users:
            if u.name != p.name:
                continue
            how = "owner" if u.owner else f"from {r.owner}" if r.owner == "dom_shared" \
                else f"borrowed from {r.owner}"
            out.append(GuestBand(u.ipa, r.size, r.host, f"region {r.rid}, {how}", REGION,
                                 u.state))
    return sorted(out, key=lambda g: g.ipa)


MAP_W = 1060
HOST_X, HOST_W = 130, 320
GUEST_X, GUEST_W = 620, 260
TOP = 74


def layout_host(bands, y):
    for b in bands:
        b.y, b.h = y, BAND_HEIGHT[b.kind]
        y += b.h
    if bands[-1].kind in ("free", "taken"):
        bands[-1].h += 10          # room for the last two address labels
    return y


def draw_host(svg, bands, base, end):
    svg.text(HOST_X + HOST_W // 2, TOP - 12, "host physical memory", 14, "middle", bold=True)
    if bands[0].kind in ("free", "taken"):
        svg.text(HOST_X - 6, bands[0].y + 4, hexa(base), 11, "end", mono=True)
    for i, b in enumerate(bands):
        svg.rect(HOST_X, b.y, HOST_W, b.h, b.color, stroke=GREY if b.kind in ("free", "taken")
                 else INK)
        if b.kind in ("free", "taken"):
            svg.text(HOST_X + 8, b.y + b.h - 3, b.label, 10, color=GREY)
        else:
            svg.text(HOST_X + 8, b.y + (15 if b.note else b.h // 2 + 5), b.label, 12)
            if b.note:
                svg.text(HOST_X + 8, b.y + 31, b.note, 10)
            svg.text(HOST_X - 6, b.y + 10, hexa(b.start), 11, "end", mono=True)
        nxt = bands[i + 1] if i + 1 < len(bands) else None
        if b.stable_end and (nxt is None or nxt.kind in ("free", "taken")):
            svg.text(HOST_X - 6, b.y + b.h + 4, hexa(b.end), 11, "end", mono=True)
    last = bands[-1]
    if not last.stable_end:
        svg.text(HOST_X - 6, last.y + last.h + 4, hexa(end), 11, "end", mono=True)


def host_band_of(bands, pa):
    return next((b for b in bands if b.start <= pa < b.end), None)


def draw_partition(svg, p, gbands, hbands, y, arrows):
    """One partition's guest view at y; its arrows go to `arrows` (drawn
    once every partition is placed).  Returns the y below it."""
    state = "running" if p.running else "stopped: no stage-2 table"
    svg.text(GUEST_X, y, f"{p.name}: guest view (IPA), id {p.pid}, VMID {p.vmid}, {state}",
             12, bold=True)
    svg.text(GUEST_X, y + 15, f"not mapped, emulated: {p.trapped}", 10, color=GREY)
    y += 24
    for g in gbands:
        g.y, g.h = y, 36 if g.label.startswith("RAM") else 28
        y += g.h + 6
        faded = g.state != "mapped" or not p.running
        svg.rect(GUEST_X, g.y, GUEST_W, g.h, g.color if not faded else "#f4f4f4",
                 stroke=REVOKED if g.state == "revoked" else INK, dash=faded)
        note = "" if g.state == "mapped" and p.running else \
            " [revoked]" if g.state == "revoked" else " [stopped]"
        svg.text(GUEST_X + 8, g.y + g.h // 2 + 4, g.label + note, 11,
                 color=REVOKED if g.state == "revoked" else INK)
        svg.text(GUEST_X + GUEST_W + 6, g.y + 10, hexa(g.ipa), 11, mono=True)
        target = host_band_of(hbands, g.host)
        if target is not None:
            arrows.append((target, g, faded))
    return y + 14


def draw_arrows(svg, arrows):
    """Arrows into one host band end at evenly spaced points, in the order
    of their guest bands, so that they do not pile up."""
    for target in {id(t): t for t, _, _ in arrows}.values():
        mine = sorted((a for a in arrows if a[0] is target), key=lambda a: a[1].y)
        for k, (_, g, faded) in enumerate(mine):
            hy = target.y + target.h * (k + 1) // (len(mine) + 1)
            revoked = g.state == "revoked"
            svg.arrow(GUEST_X - 2, g.y + g.h // 2, HOST_X + HOST_W + 2, hy,
                      REVOKED if revoked else "#555555", dash=faded)
            if revoked:
                svg.text(HOST_X + HOST_W + 14, g.y + 4, "revoked: an access aborts", 10,
                         color=REVOKED, bold=True)


def pick_table(log, which):
    """The N-th ownership table printed (1-based), or with "revoked" the
    first one in which some partition's mapping is revoked."""
    if which == "revoked":
        table = next((t for t in log.tables for r in t.regions for u in r.users
                      if u.state == "revoked"), None)
    else:
        table = log.tables[int(which) - 1] if 0 < int(which) <= len(log.tables) else None
    if table is None:
        raise PictureError(f"no ownership table {which} in the log "
                           f"({len(log.tables)} printed)")
    return table


def render_map(log, which=1, images=(), title=""):
    table = pick_table(log, which)
    colors = partition_colors(log)
    hbands, base, end = host_bands(log, table, images, colors)
    svg = Svg(MAP_W, title or "Tessera memory map")
    svg.text(16, 24, title or "Tessera: host memory and what each partition maps", 16,
             bold=True)
    svg.text(16, 44, "drawn from the hypervisor's console by tools/pictures.py; not to scale",
             11, color=GREY)
    layout_host(hbands, TOP)
    draw_host(svg, hbands, base, end)
    y, arrows = TOP, []
    svg.text(GUEST_X + GUEST_W // 2, TOP - 12, "partitions", 14, "middle", bold=True)
    for p in sorted(log.partitions.values(), key=lambda q: q.pid):
        p.running = table.running.get(p.name, p.running)
        y = draw_partition(svg, p, guest_bands(p, table, colors), hbands, y, arrows)
    draw_arrows(svg, arrows)
    draw_dom_shared(svg, table, y)
    return svg.render()


def draw_dom_shared(svg, table, y):
    owned = [r.rid for r in table.regions if r.owner == "dom_shared"]
    what = ", ".join(f"region {rid}" for rid in owned) or "no region"
    svg.rect(GUEST_X, y, GUEST_W + 150, 36, "#f4f4f4", stroke=DOM_SHARED, dash=True)
    svg.text(GUEST_X + 8, y + 15,
             f"dom_shared ({table.dom_shared_id:#x}, {'live' if table.live else 'released'}): "
             f"owns {what}", 11, bold=True)
    svg.text(GUEST_X + 8, y + 30, "the system domain: no RAM, no vCPU, no stage 2", 10)


# ----------------------------------------------------------- stage-2 tree

@dataclasses.dataclass
class Entries:
    """Consecutive entries of one table with the same meaning."""
    first: int
    last: int
    kind: str                # invalid, table, block, page
    text: str = ""
    desc: int = 0
    child: object = None     # the next-level TableBox of a table entry
    y: int = 0


@dataclasses.dataclass
class TableBox:
    level: int
    ipa: int                 # first IPA the table translates
    entries: int
    rows: dict = dataclasses.field(default_factory=dict)   # first index -> Entries
    y: int = 0
    h: int = 0


def leaf_walk(log, name, ipa):
    """The last walk of `name` at `ipa` that ended at a block or page."""
    for w in reversed(log.walks):
        if w.name == name and w.ipa == ipa and w.steps and \
                w.steps[-1].kind in ("block", "page"):
            return w
    raise PictureError(f"no `walk {name} {ipa:#x}` ending at a mapping in the log "
                       "(capture walks the first and last byte of every run)")


def run_meaning(log, table, p, ipa, pa, kind):
    if kind == "RAM":
        return f"RAM -> PA {hexa(pa)}"
    for r in table.regions if table else ():
        if r.host <= pa < r.host + r.size:
            return f"region {r.rid} -> PA {hexa(pa)}"
    return f"{kind} -> PA {hexa(pa)}"


def tree_add_run(root, log, table, p, run):
    """Puts one p2m run into the tree, checked against the walks of its
    first and last byte: same tables, consecutive leaf entries."""
    ipa, size, pa, kind = run
    first, last = leaf_walk(log, p.name, ipa), leaf_walk(log, p.name, ipa + size - 1)
    if [s.index for s in first.steps[:-1]] != [s.index for s in last.steps[:-1]]:
        raise PictureError(f"{p.name}: run at {ipa:#x} spans two tables: not drawn")
    box = root
    for step in first.steps[:-1]:
        row = box.rows.setdefault(step.index, Entries(step.index, step.index, "table"))
        if row.child is None:
            span = LEVEL_SPAN[step.level]
            row.child = TableBox(step.level + 1, ipa - ipa % span, ENTRIES)
        box = row.child
    leaf, end = first.steps[-1], last.steps[-1]
    count = end.index - leaf.index + 1
    if count * leaf.span != size:
        raise PictureError(f"{p.name}: run at {ipa:#x} is not {count} whole entries")
    what = run_meaning(log, table, p, ipa, pa, kind)
    box.rows[leaf.index] = Entries(leaf.index, end.index, leaf.kind, what, leaf.desc)


def build_tree(log, name, table):
    p = log.partitions.get(name)
    if p is None or not p.runs:
        raise PictureError(f"no stage-2 lines of {name} in the log")
    w = next((w for w in log.walks if w.name == name), None)
    if w is None:
        raise PictureError(f"no `walk {name} ...` in the log")
    root = TableBox(w.start_level, 0, ENTRIES * w.root_pages)
    for run in p.runs:
        tree_add_run(root, log, table, p, run)
    return p, w, root


def table_rows(box):
    """Used entries plus the invalid stretches between them."""
    out, at = [], 0
    for first in sorted(box.rows):
        row = box.rows[first]
        if first > at:
            out.append(Entries(at, first - 1, "invalid"))
        out.append(row)
        at = row.last + 1
    if at < box.entries:
        out.append(Entries(at, box.entries - 1, "invalid"))
    return out


def entry_ipa(box, index):
    return box.ipa + index * LEVEL_SPAN.get(box.level, 0)


def row_text(box, row, trapped):
    span = LEVEL_SPAN.get(box.level, 0)
    idx = f"[{row.first}]" if row.first == row.last else f"[{row.first}..{row.last}]"
    lo, hi = entry_ipa(box, row.first), entry_ipa(box, row.last + 1) - 1
    where = f"IPA {hexa(lo)}-{hexa(hi)}"
    if row.kind == "invalid":
        inside = [name for name, at in trapped if lo <= at <= hi]
        extra = f": {', '.join(inside)} here, trapped and emulated" if inside else ""
        return idx, f"invalid, {where}{extra}"
    if row.kind == "table":
        return idx, f"table, {where}"
    n = row.last - row.first + 1
    what = f"{n} {row.kind}s of {size_text(span)}" if n > 1 else \
        f"{row.kind} of {size_text(span)}"
    return idx, f"{what}, {where}: {row.text}"


def trapped_windows(p):
    """(name, guest address) of each emulated window on the stage-2 line."""
    return [(m.group(1), _int(m.group(2)))
            for m in re.finditer(r"(\w+) (0x[0-9a-f]+)", p.trapped)]


TREE_W = 1060
ROW_H = 20
ROOT_W, CHILD_W = 560, 720


def draw_table(svg, box, x, y, w, title, trapped):
    rows = table_rows(box)
    box.y, box.h = y, 22 + ROW_H * len(rows)
    svg.rect(x, y, w, box.h, "#fbfbfb")
    svg.text(x + 8, y + 15, title, 12, bold=True)
    for k, row in enumerate(rows):
        ry = y + 22 + ROW_H * k
        fill = {"invalid": "#ffffff", "table": "#dfe9f5"}.get(row.kind, REGION if "region"
                                                              in row.text else "#d9ead3")
        svg.rect(x, ry, w, ROW_H, fill, stroke=GREY)
        idx, text = row_text(box, row, trapped)
        svg.text(x + 6, ry + 14, idx, 11, mono=True)
        svg.text(x + 96, ry + 14, text, 11, color=GREY if row.kind == "invalid" else INK)
        row.y = ry
    return y + box.h


DESC_FIELDS = [  # (hi, lo, name): a level-2 stage-2 block descriptor, Arm ARM D8
    (63, 55, "other bits"), (54, 53, "XN"), (52, 48, "other bits"),
    (47, 21, "output address"), (20, 11, "other bits"), (10, 10, "AF"), (9, 8, "SH"),
    (7, 6, "S2AP"), (5, 2, "MemAttr"), (1, 0, "type")]
DESC_MEANING = {  # the value each field has in a Tessera mapping, in words
    "XN": {0: "executable", 2: "execute-never"}, "AF": {1: "accessed"},
    "SH": {3: "inner shareable"}, "S2AP": {3: "read-write"},
    "MemAttr": {0xF: "Normal, write-back", 0x1: "Device-nGnRE"}, "type": {1: "block"}}
DESC_WIDTHS = [84, 80, 76, 170, 84, 60, 90, 70, 104, 56]


def draw_descriptor(svg, desc, x, y, what):
    svg.text(x, y, what, 12, bold=True)
    y += 10
    for (hi, lo, name), w in zip(DESC_FIELDS, DESC_WIDTHS):
        value = (desc >> lo) & ((1 << (hi - lo + 1)) - 1)
        bits = f"{hi}" if hi == lo else f"{hi}:{lo}"
        shown = f"{value << lo:#x}" if name == "output address" else \
            (f"0b{value:0{hi - lo + 1}b}" if hi - lo < 5 else f"{value:#x}")
        fill = "#fff2cc" if name in ("XN", "AF", "SH", "S2AP", "MemAttr", "type") else "#ffffff"
        svg.rect(x, y, w, 50, fill)
        svg.text(x + w // 2, y + 14, bits, 10, "middle", mono=True, color=GREY)
        svg.text(x + w // 2, y + 29, name, 10, "middle")
        svg.text(x + w // 2, y + 44, shown, 11, "middle", mono=True, bold=True)
        words = DESC_MEANING.get(name, {}).get(value)
        if words:
            svg.text(x + w // 2, y + 64, words, 9, "middle", color=GREY)
        x += w
    return y + 70


def render_tree(log, name, which=1):
    table = pick_table(log, which)
    p, w, root = build_tree(log, name, table)
    svg = Svg(TREE_W, f"{name}'s stage-2 translation tables")
    svg.text(16, 24, f"{name}'s stage 2: the tables the MMU walks for every guest access", 16,
             bold=True)
    svg.text(16, 44, f"VMID {p.vmid}, {p.ipa_bits}-bit IPA, 4 KiB granule, start at level "
             f"{w.start_level} ({w.root_pages} concatenated root pages); from the `p2m` and "
             "`walk` shell commands", 11, color=GREY)
    svg.rect(16, 70, 110, 40, "#dfe9f5")
    svg.text(71, 87, "VTTBR_EL2", 12, "middle", bold=True)
    svg.text(71, 102, f"VMID {p.vmid}, root", 10, "middle")
    trapped = trapped_windows(p)
    y = draw_table(svg, root, 170, 64, ROOT_W,
                   f"level {root.level} root table: {root.entries} entries of "
                   f"{size_text(LEVEL_SPAN[root.level])}", trapped)
    svg.arrow(128, 90, 168, 90, "#555555")
    y = draw_children(svg, root, 170, y + 24, trapped)
    leaf = next((w2.steps[-1] for w2 in log.walks if w2.name == name and w2.steps and
                 w2.steps[-1].kind == "block" and (w2.steps[-1].desc >> 53) & 3), None)
    if leaf is not None:
        draw_descriptor(svg, leaf.desc, 16, y + 20,
                        f"one block descriptor: 0x{leaf.desc:016x} (level {leaf.level}, "
                        f"entry {leaf.index}), as the walk read it")
    return svg.render()


def draw_children(svg, box, parent_x, y, trapped):
    """Each table entry's next-level table, to the right and below it."""
    for row in table_rows(box):
        if row.child is None:
            continue
        x = parent_x + 60
        title = (f"level {row.child.level} table for IPA {hexa(row.child.ipa)}-"
                 f"{hexa(row.child.ipa + LEVEL_SPAN[box.level] - 1)}: 512 entries of "
                 f"{size_text(LEVEL_SPAN[row.child.level])}")
        top = y
        y = draw_table(svg, row.child, x, y, CHILD_W, title, trapped)
        svg.elbow(parent_x + ROOT_W, row.y + ROW_H // 2, parent_x + ROOT_W + 20, top - 2)
        y = draw_children(svg, row.child, x, y + 24, trapped)
    return y


# ------------------------------------------------------------ capturing

SESSION_TIMEOUT = 120          # seconds for one boot with its shell steps
READ_CHUNK = 4096
POLL_S = 0.05
KILL_WAIT_S = 10
LINE_END = r"[^\n]*\n"
TREE_PARTITION = "domU1"


class Session:
    """QEMU with a console we read and type into: each step waits for a
    regular expression in the output that came after the previous step,
    then sends text (or what a function of the output so far returns)."""

    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.buf, self.lock = bytearray(), threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while chunk := os.read(self.proc.stdout.fileno(), READ_CHUNK):
            with self.lock:
                self.buf += chunk

    def text(self):
        with self.lock:
            return self.buf.decode("utf-8", "replace").replace("\r", "")

    def run(self, steps, timeout):
        deadline, seen = time.monotonic() + timeout, 0
        try:
            for pattern, send in steps:
                seen = self._wait_for(pattern, seen, deadline)
                data = send(self.text()) if callable(send) else send
                self.proc.stdin.write(data.encode())
                self.proc.stdin.flush()
            self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise PictureError(f"the capture did not end within {timeout} s:\n"
                               + self.text()[-2000:])
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=KILL_WAIT_S)
            self.reader.join(KILL_WAIT_S)
        if self.proc.returncode != 0:
            raise PictureError(f"QEMU exited with status {self.proc.returncode}")
        return self.text()

    def _wait_for(self, pattern, seen, deadline):
        rx = re.compile(pattern, re.M)
        while True:
            m = rx.search(self.text(), seen)
            if m:
                return m.end()
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise PictureError(f"the console never printed /{pattern}/:\n"
                                   + self.text()[-2000:])
            time.sleep(POLL_S)


def tree_walks(text):
    """After `p2m domU1`: a walk of the first and last byte of each run."""
    log = parse_log(text)
    cmds = []
    for ipa, size, _, _ in log.partitions[TREE_PARTITION].runs:
        cmds += [f"walk {TREE_PARTITION} {ipa:#x}\r", f"walk {TREE_PARTITION} {ipa + size - 1:#x}\r"]
    return "".join(cmds)


# The tutorial's scenario, driven as docs/tutorial.md does by hand: every
# partition up, the stage-2 map and walks of domU1, then the owner of
# region 0x0 stops (the table now shows domU1's mapping revoked), then
# everything stops.
TUTORIAL_STEPS = [
    (r"\(dom0\) PASS shm-ack 0x0" + LINE_END, f"p2m {TREE_PARTITION}\r"),
    (rf"{TREE_PARTITION}:   IPA 0x0060000000" + LINE_END, tree_walks),
    (r"\(tessera\)   shm: region 0x1 " + LINE_END, "stop dom0\r"),
    (r"\(domU1\) PASS shm-revoked 0x0" + LINE_END, "shm\r"),
    (r"\(tessera\) shm: id 0x1 " + LINE_END, "stop domU1\r"),
    (r"domU1: stopped \(shell\)" + LINE_END, "stop domU2\r"),
]

CAPTURES = {
    # name: (scenario, shell steps)
    "demo": ("scenarios/demo.scn", []),
    "tutorial": ("scenarios/tutorial.scn", TUTORIAL_STEPS),
}


def capture(outdir):
    """Boot each capture's scenario; its console goes to <outdir>/<name>.log
    and its boot modules (name, address, size) to <name>.images."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for name, (scn, steps) in CAPTURES.items():
        b = scenario_tool.build(ROOT / scn, out=ROOT / "build/scenarios" / f"{name}-pictures")
        text = Session(b.cmd).run(steps, SESSION_TIMEOUT)
        (outdir / f"{name}.log").write_text(text)
        (outdir / f"{name}.images").write_text(
            "".join(f"{img.name} {img.addr:#x} {img.size:#x}\n" for img in b.scenario.images))


# The pictures in docs/pictures: file -> (capture, how to draw it).
PICTURES_FROM = {
    "memory-map.svg": ("demo", {"map": 1, "title": "The demo after boot: host memory and "
                                                   "what each partition maps"}),
    "memory-map-revoked.svg": ("tutorial", {"map": "revoked", "title": "After `stop dom0`: domU1's "
                                                               "mapping of region 0x0 revoked"}),
    f"stage2-{TREE_PARTITION}.svg": ("tutorial", {"tree": TREE_PARTITION}),
}


def render_all(capdir, outdir):
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for fname, (cap, how) in PICTURES_FROM.items():
        log = parse_log((Path(capdir) / f"{cap}.log").read_text())
        if "tree" in how:
            svg = render_tree(log, how["tree"])
        else:
            svg = render_map(log, how["map"], read_images(Path(capdir) / f"{cap}.images"),
                             how["title"])
        (outdir / fname).write_text(svg)


def check(capdir, rendered):
    """Lines of a diff for each stale or missing picture; empty when all
    are current."""
    problems = []
    for fname in sorted(PICTURES_FROM):
        want = PICTURES / fname
        got = (Path(rendered) / fname).read_text()
        have = want.read_text() if want.is_file() else ""
        if got != have:
            problems.append(f"docs/pictures/{fname} is stale (run `make pictures`):")
            problems += list(difflib.unified_diff(have.split("\n"), got.split("\n"),
                                                  "committed", "from the running system",
                                                  n=1, lineterm=""))[:40]
    extra = sorted(f.name for f in PICTURES.glob("*.svg") if f.name not in PICTURES_FROM)
    problems += [f"docs/pictures/{f} is made by nothing (remove it)" for f in extra]
    return problems


def main(argv=None):
    p = argparse.ArgumentParser(prog="pictures.py", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("render", help="one picture from one console log")
    r.add_argument("log")
    r.add_argument("out")
    how = r.add_mutually_exclusive_group(required=True)
    how.add_argument("--map", action="store_true", help="the memory map")
    how.add_argument("--tree", metavar="PARTITION", help="a partition's stage-2 tree")
    r.add_argument("--table", default="1",
                   help="draw the state at the N-th ownership-table print (default 1), "
                        "or at the first with a revoked mapping (`revoked`)")
    r.add_argument("--images", help="boot modules: lines of `name address size`")
    r.add_argument("--title", default="")
    c = sub.add_parser("capture", help="boot the scenarios, keep their consoles")
    c.add_argument("dir")
    sub.add_parser("update", help="capture and render into docs/pictures")
    sub.add_parser("check", help="capture, render, compare with docs/pictures")
    args = p.parse_args(argv)
    try:
        return COMMANDS[args.cmd](args)
    except (PictureError, scenario_tool.ScenarioError, OSError) as e:
        print(f"pictures.py: {e}", file=sys.stderr)
        return 2


def cmd_render(args):
    log = parse_log(Path(args.log).read_text())
    svg = render_tree(log, args.tree, args.table) if args.tree else \
        render_map(log, args.table, read_images(args.images) if args.images else (), args.title)
    Path(args.out).write_text(svg)
    return 0


def cmd_capture(args):
    capture(args.dir)
    return 0


def cmd_update(args):
    capture(CAPTURE_DIR)
    render_all(CAPTURE_DIR, PICTURES)
    print(f"pictures.py: wrote {', '.join(sorted(PICTURES_FROM))} in docs/pictures")
    return 0


def cmd_check(args):
    capture(CAPTURE_DIR)
    render_all(CAPTURE_DIR, CAPTURE_DIR / "svg")
    problems = check(CAPTURE_DIR, CAPTURE_DIR / "svg")
    print("\n".join(problems) if problems else
          f"pictures.py: docs/pictures matches the running system ({len(PICTURES_FROM)} "
          "pictures)")
    return 1 if problems else 0


COMMANDS = {"render": cmd_render, "capture": cmd_capture, "update": cmd_update,
            "check": cmd_check}

if __name__ == "__main__":
    sys.exit(main())
