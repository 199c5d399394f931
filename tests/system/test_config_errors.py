"""Bad configurations fail closed (DESIGN.md §4): the hypervisor prints
every error as `config: <node path>: <property>: <reason>` (reasons from
dt/cfg*.c), then `configuration rejected (N error[s]): ...`, starts no
partition and powers the machine off (QEMU exits 0).

Each case is a small scenario written into the test's tmp_path from the
pieces below, so the configuration and the lines it must produce sit side
by side.  design_example.scn is the design's own example, kept as a file."""
import re
from pathlib import Path

import pytest

from tessera_sys import ROOT, assert_clean_exit, boot_scenario

SCN_DIR = Path(__file__).resolve().parent / "scenarios"
HELLO = "build/guests/hello.bin"
BOOT_TIMEOUT = 30
REJECTED = "configuration rejected ({n} error{s}): no partition started, powering off"

HEADER = '''
#address-cells = <1>;
#size-cells = <1>;
xen,xen-bootargs = "console=dtuart dom0_mem=128M dom0_max_vcpus={dom0_vcpus}";
xen,dom0-bootargs = "mem=128M cpus=1";
'''
DOM0_MODULE = '''
module@${dom0.unit} {
    compatible = "multiboot,kernel", "multiboot,module";
    reg = <${dom0.addr} ${dom0.size}>;
};
'''


def module(img):
    return f'''
    module@${{{img}.unit}} {{
        compatible = "multiboot,kernel", "multiboot,module";
        reg = <${{{img}.addr}} ${{{img}.size}}>;
        bootargs = "mem=128M cpus=1";
    }};'''


def shm(unit, shm_id, mem, role=None):
    """A design-spelling node: xen,shared-mem = <host size guest>."""
    role_prop = f'\n        role = "{role}";' if role else ""
    return f'''
    shm@{unit} {{
        compatible = "xen,domain-shared-memory-v1";
        xen,shm-id = <{shm_id}>;{role_prop}
        xen,shared-mem = <{mem}>;
    }};'''


def domu(name, img=None, memory="0 131072", cpus=1, props="", children=""):
    """A xen,domain node; img=None leaves out the kernel module."""
    mod = module(img) if img else ""
    return f'''
{name} {{
    compatible = "xen,domain";
    #address-cells = <1>;
    #size-cells = <1>;
    memory = <{memory}>;
    cpus = <{cpus}>;
    vpl011;{props}{mod}{children}
}};
'''


def write_scn(tmp_path, chosen, images, name="case", extra_qemu=""):
    imgs = "\n".join(f'{i} = "{HELLO}"' for i in images)
    text = (f"chosen = '''{chosen}'''\n\n[qemu]\ntimeout = {BOOT_TIMEOUT}\n"
            f"{extra_qemu}\n[images]\n{imgs}\n")
    path = tmp_path / f"{name}.scn"
    path.write_text(text)
    return path


def boot_chosen(tmp_path, chosen, images, **kw):
    path = write_scn(tmp_path, chosen, images)
    return boot_scenario(path, out=tmp_path / "out", timeout=BOOT_TIMEOUT, **kw)


def system(tmp_path, dom0_vcpus=1, doms=(), images=("dom0",), dom0=True,
           chosen_extra="", **kw):
    chosen = HEADER.format(dom0_vcpus=dom0_vcpus)
    chosen += (DOM0_MODULE if dom0 else "") + chosen_extra + "".join(doms)
    return boot_chosen(tmp_path, chosen, images, **kw)


def assert_rejected(r, errors):
    """Exactly these config lines, in this order, then the rejected line;
    nothing started, no guest spoke, QEMU powered off cleanly."""
    assert_clean_exit(r)
    got = [ln for ln in r.tessera if ln.startswith("config: ")]
    assert got == errors
    n = len(errors)
    last = REJECTED.format(n=n, s="" if n == 1 else "s")
    assert r.tessera[-1] == last, r.tessera[-3:]
    # The error lines come straight before the verdict.
    assert r.tessera[-1 - n:-1] == errors
    assert not [ln for ln in r.tessera if ": started (" in ln]
    assert not [ln for ln in r.lines
                if ln.startswith("(") and not ln.startswith("(tessera) ")], \
        "a guest printed something"
    assert not [ln for ln in r.tessera if ": stage 2:" in ln]


# ---------------------------------------------------------------- design

def test_design_example_verbatim():
    r = boot_scenario(SCN_DIR / "design_example.scn")
    assert_rejected(r, [
        "config: /chosen/dom0-shared-mem@10000000: xen,shared-mem: "
        "host range 0x10000000-0x1fffffff is not in RAM"])


def test_design_example_images_in_region_1(tmp_path):
    """The same example with the images at 0x50000000, inside region 0x1's
    host range (0x50000000, 512 MiB): each image is an overlap too."""
    text = (SCN_DIR / "design_example.scn").read_text()
    text = text.replace('module_base = "0x80000000"',
                        'module_base = "0x50000000"')
    path = tmp_path / "design_example_low.scn"
    path.write_text(text)
    r = boot_scenario(path, out=tmp_path / "out")
    end = 0x50000000 + (ROOT / HELLO).stat().st_size - 1
    rng = "host range 0x50000000-0x6fffffff overlaps"
    node = "config: /chosen/domU1/domU1-shared-mem@50000000: xen,shared-mem:"
    assert_rejected(r, [
        "config: /chosen/dom0-shared-mem@10000000: xen,shared-mem: "
        "host range 0x10000000-0x1fffffff is not in RAM",
        f"{node} {rng} 0x50000000-{end:#x} of /chosen/module@50000000",
        f"{node} {rng} 0x50200000-{end + 0x200000:#x} of "
        "/chosen/domU1/module@50200000",
        f"{node} {rng} 0x50400000-{end + 0x400000:#x} of "
        "/chosen/domU2/module@50400000",
    ])


# ---------------------------------------------------------------- CPUs

def test_too_many_vcpus(tmp_path):
    r = system(tmp_path, doms=[domu("domU1", "d1", cpus=2),
                               domu("domU2", "d2", cpus=2)],
               images=["dom0", "d1", "d2"])
    assert_rejected(r, [
        "config: /chosen/domU2: cpus: 2 vCPUs, but only 1 of 4 physical CPUs "
        "are free"])


def test_too_many_vcpus_for_two_cpus(tmp_path):
    """The CPU count comes from the host DT: -smp 2 leaves one for domU1."""
    r = system(tmp_path, doms=[domu("domU1", "d1", cpus=2)],
               images=["dom0", "d1"], smp=2)
    assert_rejected(r, [
        "config: /chosen/domU1: cpus: 2 vCPUs, but only 1 of 2 physical CPUs "
        "are free"])


def test_dom0_vcpus_take_every_cpu(tmp_path):
    r = system(tmp_path, dom0_vcpus=4, doms=[domu("domU1", "d1")],
               images=["dom0", "d1"])
    assert_rejected(r, [
        "config: /chosen/domU1: cpus: 1 vCPU, but only 0 of 4 physical CPUs "
        "are free"])


def test_pinning_errors(tmp_path):
    r = system(tmp_path, doms=[
        domu("domU1", "d1", cpus=2, props="\n    tessera,cpus = <2 5>;"),
        domu("domU2", "d2", props="\n    tessera,cpus = <2>;"),
        domu("domU3", "d3", cpus=2, props="\n    tessera,cpus = <1>;"),
    ], images=["dom0", "d1", "d2", "d3"])
    assert_rejected(r, [
        "config: /chosen/domU3: tessera,cpus: 4 bytes for 2 vCPUs, expected "
        "one cell per vCPU (8 bytes)",
        "config: /chosen/domU1: tessera,cpus: physical CPU 5 does not exist "
        "(4 CPUs)",
        "config: /chosen/domU2: tessera,cpus: physical CPU 2 is already used "
        "by /chosen/domU1",
    ])


# ---------------------------------------------------------------- memory

def test_overlapping_static_memory(tmp_path):
    r = system(tmp_path, doms=[
        domu("domU1", "d1", props="\n    xen,static-mem = <0x80000000 0x8000000>;"),
        domu("domU2", "d2", props="\n    xen,static-mem = <0x84000000 0x8000000>;"),
    ], images=["dom0", "d1", "d2"])
    assert_rejected(r, [
        "config: /chosen/domU2: xen,static-mem: 0x84000000-0x8bffffff overlaps "
        "0x80000000-0x87ffffff of /chosen/domU1"])


def test_memory_not_2mib_aligned(tmp_path):
    r = system(tmp_path, doms=[
        domu("domU1", "d1", memory="0 3072"),
        domu("domU2", "d2",
             props="\n    xen,static-mem = <0x80100000 0x8000000>;"),
    ], images=["dom0", "d1", "d2"])
    assert_rejected(r, [
        "config: /chosen/domU1: memory: 3072 KiB (0x300000 bytes) is not a "
        "multiple of 2 MiB",
        "config: /chosen/domU2: xen,static-mem: base 0x80100000 is not 2 MiB "
        "aligned",
    ])


def test_missing_kernel_module(tmp_path):
    r = system(tmp_path, doms=[domu("domU1", "d1"), domu("domU2")],
               images=["dom0", "d1"])
    assert_rejected(r, [
        "config: /chosen/domU2: multiboot,kernel: missing: no kernel module"])


# ---------------------------------------------------------------- shared memory

def test_same_id_different_host_address(tmp_path):
    r = system(tmp_path, doms=[
        domu("domU1", "d1", children=shm("60000000", "0x1",
                                         "0x60000000 0x200000 0x50000000")),
        domu("domU2", "d2", children=shm("60200000", "0x1",
                                         "0x60200000 0x200000 0x50000000")),
    ], images=["dom0", "d1", "d2"])
    assert_rejected(r, [
        "config: /chosen/domU2/shm@60200000: xen,shared-mem: host 0x60200000 "
        "size 0x200000, but host 0x60000000 size 0x200000 at "
        "/chosen/domU1/shm@60000000"])


def test_two_owners(tmp_path):
    mem = "0x60000000 0x200000 0x50000000"
    r = system(tmp_path, doms=[
        domu("domU1", "d1", children=shm("60000000", "0x1", mem, "owner")),
        domu("domU2", "d2", children=shm("60000000", "0x1", mem, "owner")),
    ], images=["dom0", "d1", "d2"])
    assert_rejected(r, [
        "config: /chosen/domU2/shm@60000000: role: 0x1 already has an owner, "
        "/chosen/domU1/shm@60000000"])


def test_bad_role_string(tmp_path):
    mem = "0x60000000 0x200000 0x50000000"
    r = system(tmp_path, doms=[
        domu("domU1", "d1", children=shm("60000000", "0x1", mem, "master")),
        domu("domU2", "d2", children=shm("60000000", "0x1", mem)),
    ], images=["dom0", "d1", "d2"])
    assert_rejected(r, [
        'config: /chosen/domU1/shm@60000000: role: "master" is not "owner" '
        'or "borrower"'])


def test_invalid_shm_id(tmp_path):
    mem = "0x60000000 0x200000 0x50000000"
    r = system(tmp_path, doms=[
        domu("domU1", "d1", children=shm("60000000", "0x127", mem)),
        domu("domU2", "d2", children=shm("60000000", "0x127", mem)),
    ], images=["dom0", "d1", "d2"])
    assert_rejected(r, [
        "config: /chosen/domU1/shm@60000000: xen,shm-id: 0x127 is "
        "INVALID_SHMID, not a usable id",
        "config: /chosen/domU2/shm@60000000: xen,shm-id: 0x127 is "
        "INVALID_SHMID, not a usable id",
    ])


def test_last_valid_shm_id_boots(tmp_path):
    """Control for the case above: 0x126, the last id of the design's
    range, is accepted and both guests see the region."""
    mem = "0x60000000 0x200000 0x50000000"
    r = system(tmp_path, doms=[
        domu("domU1", "d1", children=shm("60000000", "0x126", mem)),
        domu("domU2", "d2", children=shm("60000000", "0x126", mem)),
    ], images=["dom0", "d1", "d2"])
    assert_clean_exit(r)
    assert not [ln for ln in r.tessera if ln.startswith("config")]
    assert ("shm: id 0x126 host 0x60000000-0x601fffff size 0x200000 owner "
            "dom_shared(0x7ff5) refs 2 domU1@0x50000000(mapped) "
            "domU2@0x50000000(mapped)") in r.tessera
    for name in ("dom0", "domU1", "domU2"):
        assert "DONE 4 passed 0 failed" in r.lines_of(name), name


def test_shm_under_chosen_without_dom0(tmp_path):
    r = system(tmp_path, dom0=False, doms=[domu("domU1", "d1")],
               images=["d1"],
               chosen_extra=shm("60000000", "0x1",
                                "0x60000000 0x200000 0x50000000"))
    assert_rejected(r, [
        "config: /chosen/shm@60000000: compatible: shared memory under "
        "/chosen belongs to dom0, but there is no dom0 kernel"])


# ---------------------------------------------------------------- several

def test_several_errors_all_printed(tmp_path):
    """One error of each kind in one configuration: every one is printed,
    in the order the checks run (parse in DT order, then CPUs, then host
    ranges, then guest ranges)."""
    r = system(tmp_path, dom0_vcpus=2, doms=[
        domu("domU1", "d1", memory="0 3072", cpus=2,
             children=shm("60000000", "0x127", "0x60000000 0x200000 0x50000000")),
        domu("domU2", children=shm("60000000", "0x1",
                                   "0x60000000 0x200000 0x40000000", "boss")),
        domu("domU3", "d3", props="\n    xen,static-mem = <0x10000000 0x8000000>;",
             children=shm("60000000", "0x2", "0x60000000 0x200000 0x22000000")),
    ], images=["dom0", "d1", "d3"])
    assert_rejected(r, [
        "config: /chosen/domU1: memory: 3072 KiB (0x300000 bytes) is not a "
        "multiple of 2 MiB",
        "config: /chosen/domU1/shm@60000000: xen,shm-id: 0x127 is "
        "INVALID_SHMID, not a usable id",
        "config: /chosen/domU2: multiboot,kernel: missing: no kernel module",
        'config: /chosen/domU2/shm@60000000: role: "boss" is not "owner" or '
        '"borrower"',
        "config: /chosen/domU2: cpus: 1 vCPU, but only 0 of 4 physical CPUs "
        "are free",
        "config: /chosen/domU3: cpus: 1 vCPU, but only 0 of 4 physical CPUs "
        "are free",
        "config: /chosen/domU3: xen,static-mem: 0x10000000-0x17ffffff is not "
        "in RAM",
        "config: /chosen/domU3/shm@60000000: xen,shared-mem: guest range "
        "0x22000000-0x221fffff overlaps the UART 0x22000000-0x22000fff",
        "config: /chosen/domU3/shm@60000000: xen,shared-mem: guest range "
        "0x22000000-0x221fffff overlaps the doorbell GPIO 0x22010000-0x22010fff",
        "config: /chosen/domU3/shm@60000000: xen,shared-mem: guest range "
        "0x22000000-0x221fffff overlaps the control device 0x22020000-0x2202ffff",
    ])
