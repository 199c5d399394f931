#!/usr/bin/python3
"""Runs every test guest on plain QEMU virt (no hypervisor) and checks its
output lines exactly, including cases that must FAIL, so that a guest whose
checks cannot fail is caught too.  `make guests-check`; prints one closing
line "N passed, M failed" and exits non-zero on any failure.

shm needs a /reserved-memory region outside /memory.  QEMU rewrites /memory
of a -kernel boot to the whole of -m, so those cases load the DTB, the guest
and a 5-instruction trampoline (x0 = DTB, branch to the image) with
-device loader instead, and describe less RAM in /memory than -m gives.
Region contents for the reader cases are made here, independently of shm.c.
"""
import os
import re
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "guests")
WORK = os.path.join(BUILD, "check")
QEMU = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-nographic"]
TIMEOUT_S = 30
PT_GIC = ["-machine", "gic-version=3"]
M64 = (1 << 64) - 1

RAM_BASE = 0x40000000
DT_RAM_SIZE = 0x7000000        # /memory says 112 MiB of the 128 MiB given
DTB_ADDR = 0x47f00000
TRAMP_ADDR = 0x40180000        # QEMU puts its own DTB at RAM base
IMAGE_ADDR = 0x40200000
SHM1 = ("my-shared-mem-1", 0x47000000, 0x200000)
SHM2 = ("0x1", 0x47400000, 0x1000)
HDR = 64
CORRUPT_OFF = 0x12345

# ldr x0, [pc+16]; ldr x1, [pc+20]; br x1; nop; .quad DTB; .quad IMAGE
TRAMPOLINE = struct.pack("<4I2Q", 0x58000080, 0x580000A1, 0xD61F0020,
                         0xD503201F, DTB_ADDR, IMAGE_ADDR)


def fnv1a(s):
    h = 0xCBF29CE484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001B3) & M64
    return h


def shm_words(ident, nbytes):
    seed = fnv1a(ident)
    return seed, [seed ^ (((i + 1) * 0x9E3779B97F4A7C15) & M64)
                  for i in range(nbytes // 8)]


def shm_image(ident, size):
    """What a writer leaves in a region: data words, then the header."""
    seed, words = shm_words(ident, size - HDR)
    csum = 0
    for w in words:
        csum = (((csum << 7) | (csum >> 57)) & M64) ^ w
    data = struct.pack("<%dQ" % len(words), *words)
    return data + struct.pack("<IIQQQ32x", 0x4D485354, 1, size - HDR, csum, seed)


def shm_node(ident, base, size, no_map=True):
    return ("\t\txen-shmem@%x {\n\t\t\tcompatible = \"xen,shared-memory-v1\";\n"
            "\t\t\treg = <0x0 0x%x 0x0 0x%x>;\n\t\t\txen,id = \"%s\";\n"
            "\t\t\txen,offset = <0x0 0x0>;\n%s\t\t};\n"
            % (base, base, size, ident, "\t\t\tno-map;\n" if no_map else ""))


def make_dtb(name, bootargs, regions):
    """QEMU's own DT with less /memory, a /reserved-memory node and bootargs."""
    base = os.path.join(WORK, "virt.dtb")
    if not os.path.exists(base):
        subprocess.run(QEMU + ["-m", "128M", "-machine", "dumpdtb=" + base],
                       check=True, capture_output=True)
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", base],
                         check=True, capture_output=True, text=True).stdout
    dts = re.sub(r"(memory@40000000 \{\s*reg = <0x00 0x40000000 0x00 )0x[0-9a-f]+>",
                 r"\g<1>0x%x>" % DT_RAM_SIZE, dts)
    nodes = "".join(shm_node(*r) for r in regions)
    dts = dts.replace("\tchosen {",
                      "\treserved-memory {\n\t\t#address-cells = <0x2>;\n"
                      "\t\t#size-cells = <0x2>;\n\t\tranges;\n%s\t};\n\n"
                      "\tchosen {\n\t\tbootargs = \"%s\";" % (nodes, bootargs), 1)
    out = os.path.join(WORK, name + ".dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, "-"],
                   input=dts, check=True, text=True)
    return out


def pt_dtb(name, rtc_base):
    """QEMU's own DT with the /passthrough node a partition owning the PL031
    would see (docs/passthrough.md), its reg at @rtc_base; a GICv3 machine
    (PT_GIC), as the guest's GIC driver wants."""
    base = os.path.join(WORK, "virt-gicv3.dtb")
    if not os.path.exists(base):
        subprocess.run(QEMU + ["-m", "128M"] + PT_GIC + ["-machine", "dumpdtb=" + base],
                       check=True, capture_output=True)
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", base],
                         check=True, capture_output=True, text=True).stdout
    node = ("\tpassthrough {\n\t\tcompatible = \"simple-bus\";\n\t\tranges;\n"
            "\t\t#address-cells = <0x2>;\n\t\t#size-cells = <0x2>;\n"
            "\t\trtc@%x {\n\t\t\tcompatible = \"arm,pl031\";\n"
            "\t\t\treg = <0x0 0x%x 0x0 0x1000>;\n\t\t\tinterrupts = <0x0 0x2 0x4>;\n"
            "\t\t};\n\t};\n\n\tchosen {" % (rtc_base, rtc_base))
    out = os.path.join(WORK, name + ".dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, "-"],
                   input=dts.replace("\tchosen {", node, 1), check=True, text=True)
    return out


def loader(path, addr):
    return ["-device", "loader,file=%s,addr=0x%x" % (path, addr)]


def write_file(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def shm_boot(name, bootargs, regions=(SHM1, SHM2), preload=()):
    dtb = make_dtb(name, bootargs, regions)
    args = ["-m", "128M"] + loader(os.path.join(WORK, "tramp.bin"), TRAMP_ADDR)
    args[-1] += ",cpu-num=0"
    args += loader(dtb, DTB_ADDR) + loader(os.path.join(BUILD, "shm.bin"), IMAGE_ADDR)
    for path, addr in preload:
        args += loader(path, addr)
    return args


def kernel_boot(guest, bootargs, mem="128M", smp=1):
    args = ["-m", mem, "-smp", str(smp), "-kernel", os.path.join(BUILD, guest + ".bin")]
    return args + (["-append", bootargs] if bootargs else [])


def run_case(name, args, expect):
    """expect: regexes that must match whole lines, in this order."""
    try:
        p = subprocess.run(QEMU + args, capture_output=True, text=True,
                           timeout=TIMEOUT_S)
        out, rc = p.stdout, p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode(errors="replace"), "timeout"
    lines = out.splitlines()
    pos, missing = 0, None
    for pat in expect:
        while pos < len(lines) and not re.fullmatch(pat, lines[pos]):
            pos += 1
        if pos == len(lines):
            missing = pat
            break
        pos += 1
    ok = missing is None and rc == 0
    print("%s %s" % ("ok  " if ok else "FAIL", name))
    if not ok:
        print("  rc=%s missing=%r\n  " % (rc, missing) + "\n  ".join(lines))
    return ok


def cases():
    shm1_img = write_file("shm1.bin", shm_image(SHM1[0], SHM1[2]))
    shm2_img = write_file("shm2.bin", shm_image(SHM2[0], SHM2[2]))
    bad = bytearray(shm_image(SHM1[0], SHM1[2]))
    want_byte = bad[CORRUPT_OFF]
    bad[CORRUPT_OFF] ^= 0x40
    shm1_bad = write_file("shm1bad.bin", bytes(bad))
    write_file("tramp.bin", TRAMPOLINE)
    full = ((shm1_img, SHM1[1]), (shm2_img, SHM2[1]))
    n1, n2 = SHM1[2] - HDR, SHM2[2] - HDR
    regions = [r"shm: region my-shared-mem-1 at 0x47000000 size 0x200000",
               r"shm: region 0x1 at 0x47400000 size 0x1000", r"PASS shm-dt"]
    return [
        ("hello", kernel_boot("hello", "mem=128M cpus=1"), [
            r"hello: uart 0x9000000 ram 0x40000000 size 0x8000000 cpus 1",
            r"bootargs: mem=128M cpus=1", r"PASS mem-size", r"PASS cpu-count",
            r"PASS psci-version", r"PASS ram-test 134057984 bytes",
            r"DONE 4 passed 0 failed"]),
        ("hello-mismatch", kernel_boot("hello", "mem=0x10000000 cpus=2", smp=1), [
            r"FAIL mem-size got=0x8000000 want=0x10000000",
            r"FAIL cpu-count got=1 want=2", r"PASS psci-version",
            r"DONE 2 passed 2 failed"]),
        ("fpcheck", kernel_boot("fpcheck", ""), [
            r"fpcheck: iterations 2000 abort 0xc000000 conduit hvc",
            r"fpcheck: loop \.{32}", r"PASS fp-canaries", r"PASS gpr-canaries",
            r"PASS aborts-taken 2000", r"DONE 3 passed 0 failed"]),
        ("fpcheck-no-abort", kernel_boot("fpcheck", "abort_addr=0x20000000 iterations=100"), [
            r"FAIL aborts-taken got=0 want=100", r"DONE 2 passed 1 failed"]),
        ("smp", kernel_boot("smp", "mem=128M cpus=4 probe=0xc000000 probe_ok=0x44100000",
                            smp=4), [
            r"PASS cpu-count", r"cpu 1 up mpidr 0x1", r"cpu 2 up mpidr 0x2",
            r"cpu 3 up mpidr 0x3", r"PASS cpus-online 4", r"PASS affinity-off",
            r"PASS isolation-abort 0xc000000", r"PASS isolation-own 0x44100000",
            r"PASS mem-size", r"PASS ram-quick 2097152 bytes", r"DONE 7 passed 0 failed"]),
        ("smp-isolation-fail", kernel_boot(
            "smp", "probe=0x44000000 poison=0x44200000 probe_ok=0x44200000", smp=2), [
            r"smp: poison 0x44200000", r"cpu 1 up mpidr 0x1", r"PASS cpus-online 2",
            r"FAIL isolation-read 0x44000000 got=0x[0-9a-f]+ want=abort",
            r"FAIL isolation-own 0x44200000 got=0x5a5a5a5a5a5a5a5a want=own-data",
            r"DONE 3 passed 2 failed"]),
        ("shm-dt", shm_boot("dt", ""), regions + [r"DONE 1 passed 0 failed"]),
        ("shm-dt-bad", shm_boot("dtbad", "", regions=[
            ("in-ram", 0x46000000, 0x1000), ("mapped", 0x47000000, 0x1000, False)]), [
            r"FAIL shm-dt in-ram got=inside-memory want=outside-memory",
            r"FAIL shm-dt mapped got=no-no-map want=no-map", r"DONE 0 passed 2 failed"]),
        ("shm-writer", shm_boot("writer", "shm_role=writer"), regions + [
            r"PASS shm-write my-shared-mem-1 %d" % n1, r"PASS shm-write 0x1 %d" % n2,
            r"DONE 3 passed 0 failed"]),
        ("shm-reader", shm_boot("reader", "shm_role=reader", preload=full), regions + [
            r"PASS shm-verify my-shared-mem-1 %d" % n1, r"PASS shm-verify 0x1 %d" % n2,
            r"DONE 3 passed 0 failed"]),
        ("shm-reader-corrupt", shm_boot("corrupt", "shm_role=reader shm_id=my-shared-mem-1",
                                        preload=((shm1_bad, SHM1[1]),)), [
            r"FAIL shm-verify my-shared-mem-1 offset 0x%x got=0x%02x want=0x%02x"
            % (CORRUPT_OFF, want_byte ^ 0x40, want_byte), r"DONE 1 passed 1 failed"]),
        ("shm-reader-timeout", shm_boot("timeout", "shm_role=reader shm_id=0x1 "
                                        "shm_timeout_ms=200"), [
            r"FAIL shm-verify 0x1 timeout got=0x0 want=0x4d485354",
            r"DONE 1 passed 1 failed"]),
        ("shm-revoke-reader-unrevoked", shm_boot("revoke", "shm_role=revoke-reader shm_id=0x1 "
                                                 "shm_timeout_ms=200", preload=full), [
            r"PASS shm-verify 0x1 %d" % n2, r"FAIL shm-revoked 0x1 got=readable want=abort",
            r"PASS shm-poweroff", r"DONE 3 passed 1 failed"]),
        ("shm-revoke-owner-no-ack", shm_boot("owner", "shm_role=revoke-owner shm_id=0x1 "
                                             "shm_timeout_ms=200"), [
            r"PASS shm-write 0x1 %d" % (n2 - 8), r"FAIL shm-ack 0x1 got=0x0 want=0x4b434152",
            r"DONE 2 passed 1 failed"]),
        ("pt", kernel_boot("pt", "pt_alarms=1000") + PT_GIC + ["-dtb", pt_dtb("pt", 0x9010000)], [
            r"pt: rtc 0x9010000 size 0x1000 intid 34", r"PASS pt-rtc-id",
            r"PASS pt-alarms 1000", r"PASS pt-rtc-quiet", r"DONE 3 passed 0 failed"]),
        ("pt-no-device", kernel_boot("pt", ""), [
            r"FAIL pt-dt got=-1 want=/passthrough/\*arm,pl031\*", r"DONE 0 passed 1 failed"]),
        ("pt-not-an-rtc", kernel_boot("pt", "pt_alarms=0") + PT_GIC +
         ["-dtb", pt_dtb("pt-uart", 0x9000000)], [
            r"FAIL pt-rtc-id 0 got=0x11 want=0x31", r"DONE 0 passed 1 failed"]),
    ]


def main():
    os.makedirs(WORK, exist_ok=True)
    results = [run_case(n, a, e) for n, a, e in cases()]
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
