"""gdb commands for Tessera, read from the machine's memory (`make debug`
loads this file; docs/tutorial.md shows a session).

    tessera list                 partitions: state, vCPUs, RAM, VMID, stage-2 root
    tessera vcpus                every vCPU: pinned CPU, state, exits, where it is now
    tessera shm                  the ownership table, as the shell's `shm` prints it
    tessera walk <name> <IPA>    a stage-2 walk done in gdb from the tables in memory,
                                 in the shell's `walk` format

The commands read memory with QEMU's gdbstub in physical mode
(`maint packet Qqemu.PhyMemMode:1`, set for the command and cleared
after): the hypervisor's EL2 map is an identity map, so a symbol's address
is its physical address, and the reads do not depend on whether the
selected CPU is in EL2 or inside a guest with its own translation.
Plain Python 3 inside gdb; no module beyond gdb's own.
"""
import gdb

PAGE_SHIFT = 12
LEVEL_BITS = 9
ENTRIES = 1 << LEVEL_BITS
LAST_LEVEL = 3
BLOCK_LEVEL_MIN = 1                  # 4 KiB granule, VTCR_EL2.DS = 0
DESC_VALID = 0x1
DESC_TYPE = 0x3
DESC_TYPE_TABLE = 0x3                # also the level-3 page encoding
DESC_OA = 0x0000FFFFFFFFF000
VTTBR_VMID_SHIFT = 48
CPSR_EL_SHIFT, CPSR_EL_MASK = 2, 0x3  # PSTATE.EL in the gdb cpsr register
EL2 = 2
SHM_PAGE_SHIFT = 12

PART_STATES = {0: "stopped", 1: "starting", 2: "running", 3: "stopping"}   # include/life.h
VCPU_STATES = {0: "off", 1: "on-pending", 2: "on"}
SHM_STATES = ("unmapped", "mapped", "revoked")

# Stage-2 descriptor fields: Arm ARM, "Attribute fields in stage 2 VMSAv8-64
# Block and Page descriptors" (the same names core/shell_walk.c prints).
MEMATTR_DEVICE = ("Device-nGnRnE", "Device-nGnRE", "Device-nGRE", "Device-GRE")
MEMATTR_CACHE = ("?", "NC", "WT", "WB")
S2AP = ("no access", "read-only", "write-only", "read-write")
SH = ("non-shareable", "reserved", "outer shareable", "inner shareable")
XN = ("executable", "EL0-only execute", "execute-never", "EL1-only execute")
SIZE_NAMES = {1 << 30: "1 GiB", 1 << 21: "2 MiB", 1 << 12: "4 KiB"}


class PhysMem:
    """QEMU gdbstub physical-memory mode around a command."""

    def __enter__(self):
        gdb.execute("maint packet Qqemu.PhyMemMode:1", to_string=True)
        return self

    def __exit__(self, *exc):
        gdb.execute("maint packet Qqemu.PhyMemMode:0", to_string=True)
        return False


def u64(addr):
    data = gdb.selected_inferior().read_memory(addr, 8)
    return int.from_bytes(bytes(data), "little")


def cstr(value):
    return value.string(length=-1).split("\0")[0] if value.type.code == gdb.TYPE_CODE_ARRAY \
        else value.string()


def partitions():
    count = int(gdb.parse_and_eval("partition_count"))
    parts = gdb.parse_and_eval("partitions")
    return [parts[i] for i in range(count)]


def part_name(p):
    return cstr(p["cfg"]["name"])


def find_partition(name):
    for p in partitions():
        if part_name(p) == name:
            return p
    raise gdb.GdbError(f"no partition named '{name}'")


def level_shift(level):
    return PAGE_SHIFT + LEVEL_BITS * (LAST_LEVEL - level)


def desc_kind(level, desc):
    if not desc & DESC_VALID:
        return "invalid"
    is_table = desc & DESC_TYPE == DESC_TYPE_TABLE
    if level == LAST_LEVEL:
        return "page" if is_table else "invalid"
    if is_table:
        return "table"
    return "block" if level >= BLOCK_LEVEL_MIN else "invalid"


def field(desc, hi, lo):
    return (desc >> lo) & ((1 << (hi - lo + 1)) - 1)


def attrs_line(desc):
    memattr, s2ap, sh = field(desc, 5, 2), field(desc, 7, 6), field(desc, 9, 8)
    af, xn = field(desc, 10, 10), field(desc, 54, 53)
    outer, inner = memattr >> 2, memattr & 3
    mem = MEMATTR_DEVICE[inner] if outer == 0 else \
        f"Normal outer {MEMATTR_CACHE[outer]} inner {MEMATTR_CACHE[inner]}"
    return (f"    MemAttr 0b{memattr:04b} {mem}, S2AP 0b{s2ap:02b} {S2AP[s2ap]}, "
            f"SH 0b{sh:02b} {SH[sh]}, AF {af}, XN 0b{xn:02b} {XN[xn]}")


def walk_lines(p, ipa):
    """The stage-2 walk of ipa in partition p, from the tables in memory."""
    p2m = p["p2m"]
    root, vmid = int(p2m["root"]), int(p2m["vmid"])
    ipa_bits, start = int(p2m["ipa_bits"]), int(p2m["start_level"])
    pages = int(p2m["root_pages"])
    vttbr = (root & ~1 & ((1 << VTTBR_VMID_SHIFT) - 1)) | (vmid << VTTBR_VMID_SHIFT)
    out = [f"walk {part_name(p)} IPA {ipa:#x}: VTTBR_EL2 0x{vttbr:016x} (VMID {vmid}), "
           f"{ipa_bits}-bit IPA, start level {start}, {pages} root page"
           + ("" if pages == 1 else "s")]
    if ipa >= 1 << ipa_bits:
        return out + [f"  beyond the {ipa_bits}-bit IPA space: a translation fault, "
                      "no table read"]
    table = root
    for level in range(start, LAST_LEVEL + 1):
        index = ipa >> level_shift(level)
        if level != start:
            index &= ENTRIES - 1
        desc = u64(table + 8 * index)
        kind = desc_kind(level, desc)
        span = 1 << level_shift(level)
        what = kind
        if kind == "table":
            what += f", next level at {desc & DESC_OA:#x}"
        elif kind != "invalid":
            what += f" of {SIZE_NAMES[span]} -> PA {desc & DESC_OA & ~(span - 1):#x}"
        out.append(f"  level {level}: table {table:#x} index {index} desc 0x{desc:016x}: "
                   f"{what}")
        if kind == "table":
            table = desc & DESC_OA
            continue
        if kind == "invalid":
            out.append(f"  not mapped: an access takes a stage-2 translation fault at "
                       f"level {level} to EL2")
            return out
        out.append(attrs_line(desc))
        out.append(f"  host PA {(desc & DESC_OA & ~(span - 1)) | (ipa & (span - 1)):#x}")
        return out
    return out


def shm_lines():
    """The ownership table in shm_table_print()'s format (shm/shm_table.c)."""
    t = gdb.parse_and_eval("'shm_glue.c'::table")
    cfg = gdb.parse_and_eval("sys_config").dereference()
    ds = t["dom_shared"]
    out = [f"shm: regions {int(t['region_count'])} dom_shared({int(ds['domid']):#x}) owns "
           f"{int(ds['region_count'])} {'live' if bool(ds['live']) else 'released'}"]
    none = int(gdb.parse_and_eval("(unsigned short)-1"))
    for ri in range(int(t["region_count"])):
        r = t["regions"][ri]
        base = int(r["host_pfn"]) << SHM_PAGE_SHIFT
        size = int(r["page_count"]) << SHM_PAGE_SHIFT
        owner = int(r["owner"])
        oname = "dom_shared" if owner < 0 else cstr(cfg["partitions"][owner]["name"])
        line = (f"shm: id {cstr(cfg['regions'][ri]['id'])} host {base:#x}-{base + size - 1:#x} "
                f"size {size:#x} owner {oname}({int(r['owner_domid']):#x}) "
                f"refs {int(r['refcount'])}")
        i = int(r["first_ref"])
        while i != none:
            ref = cfg["refs"][i]
            part = int(ref["partition"])
            bit = 1 << part
            state = 1 if int(r["installed"]) & bit else 2 if int(r["revoked"]) & bit else 0
            line += (f" {cstr(cfg['partitions'][part]['name'])}@{int(ref['guest_base']):#x}"
                     f"({'owner,' if part == owner else ''}{SHM_STATES[state]})")
            i = int(t["next_ref_of_region"][i])
        out.append(line)
    return out


def cpu_threads():
    """QEMU's gdbstub shows one thread per CPU, in CPU order."""
    return sorted(gdb.selected_inferior().threads(), key=lambda th: th.ptid[1])


def cpu_where(cpu):
    """Where CPU `cpu` is now: its exception level and PC."""
    threads = cpu_threads()
    if cpu >= len(threads):
        return "?"
    keep = gdb.selected_thread()
    try:
        threads[cpu].switch()
        el = (int(gdb.parse_and_eval("$cpsr")) >> CPSR_EL_SHIFT) & CPSR_EL_MASK
        pc = int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFFFFFFFFFF
    finally:
        keep.switch()
    return f"EL{el} pc {pc:#x}" + (" (in the guest)" if el < EL2 else "")


def list_lines():
    out = []
    for p in partitions():
        cfg, p2m = p["cfg"], p["p2m"]
        state = PART_STATES.get(int(p["life"]["state"]), "?")
        root = int(p2m["root"])
        stage2 = (f"VMID {int(p2m['vmid'])} root {root:#x} {int(p2m['table_pages'])} "
                  "table pages") if root else "no stage-2 table"
        out.append(f"{part_name(p):<12} id {int(cfg['id']):<3} {state:<8} "
                   f"vcpus {int(cfg['vcpu_count'])} (on {int(p['life']['vcpus_on'])}) "
                   f"mem {int(cfg['mem_bytes']) >> 20} MiB at {int(cfg['ram_base']):#x} "
                   f"starts {int(p['starts'])}  {stage2}")
    return out


def vcpu_lines():
    pcpus = gdb.parse_and_eval("pcpus")
    ncpu = int(gdb.parse_and_eval("pcpu_count"))
    running = {int(pcpus[c]["vcpu"]): c for c in range(ncpu) if int(pcpus[c]["vcpu"])}
    out = []
    for p in partitions():
        for v in range(int(p["cfg"]["vcpu_count"])):
            vc = p["vcpus"][v]
            cpu = int(vc["pcpu"])
            here = running.get(int(vc.address))
            where = f"running on CPU {here}: {cpu_where(here)}" if here is not None \
                else "not on its CPU"
            # Counted by the CPU the vCPU is pinned to (struct pcpu.exits).
            exits = pcpus[cpu]["exits"]
            n = sum(int(exits[k]) for k in range(exits.type.range()[1] + 1))
            out.append(f"{part_name(p)} vCPU {v}: CPU {cpu}, "
                       f"{VCPU_STATES.get(int(p['life']['vcpu'][v]), '?')}, "
                       f"{n} exits, {where}")
    return out


class Tessera(gdb.Command):
    """Tessera: partitions, vCPUs, the ownership table, stage-2 walks."""

    def __init__(self):
        super().__init__("tessera", gdb.COMMAND_DATA, prefix=True)


class TesseraCommand(gdb.Command):
    fn = None
    args = 0
    usage = ""

    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg)
        if len(words) != self.args:
            raise gdb.GdbError(f"usage: tessera {self.usage}")
        with PhysMem():
            lines = type(self).fn(*words)
        gdb.write("".join(line + "\n" for line in lines))


def _walk(name, ipa):
    try:
        addr = int(ipa, 0)
    except ValueError:
        raise gdb.GdbError(f"walk: {ipa!r} is not a number")
    p = find_partition(name)
    if not int(p["p2m"]["root"]):
        raise gdb.GdbError(f"{name} has no stage-2 table (stopped)")
    return walk_lines(p, addr)


def _command(name, fn, args=0, usage=None):
    doc = {"list": "Partitions: state, vCPUs, RAM, VMID and stage-2 root.",
           "vcpus": "Every vCPU: its CPU, state, exits, and where that CPU is now.",
           "shm": "The ownership table, in the shell's `shm` format.",
           "walk": "tessera walk <name> <IPA>: a stage-2 walk from the tables in memory."}
    cls = type(f"Tessera_{name}", (TesseraCommand,),
               {"__doc__": doc[name], "fn": staticmethod(fn), "args": args,
                "usage": usage or name})
    cls(f"tessera {name}", gdb.COMMAND_DATA)


Tessera()
_command("list", list_lines)
_command("vcpus", vcpu_lines)
_command("shm", shm_lines)
_command("walk", _walk, 2, "walk <name> <IPA>")
