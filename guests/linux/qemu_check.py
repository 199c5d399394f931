#!/usr/bin/python3
"""Boots the Linux guest (build/linux/Image + initramfs.cpio.gz) on plain
QEMU virt, no hypervisor, and checks its console lines and the shared
region's bytes.  `make linux-check`; `--case NAME` runs one case.  Prints
one closing line "N passed, M failed", exits non-zero on any failure.

Like Tessera's partitions, the guest must see its shared region in
/reserved-memory and *outside* /memory.  QEMU rewrites /memory of a -kernel
boot to the whole of -m, so the kernel, initramfs, DTB and a trampoline
(x0 = DTB, x1-x3 = 0, branch to the Image) are loaded with -device loader:
QEMU gives 512 MiB, /memory says 256 MiB, the region sits just above.
RAM is a memory-backend-file, so the writer's bytes are read from the file
after QEMU exits and checked against the layout computed here,
independently of tshm.c; reader cases preload the region.
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINUX = os.path.join(ROOT, "build", "linux")
WORK = os.path.join(LINUX, "check")
IMAGE = os.path.join(LINUX, "Image")
INITRD = os.path.join(LINUX, "initramfs.cpio.gz")
QEMU = ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-nographic"]
TIMEOUT_S = 240
SHOW = False                     # --show: print every console
M64 = (1 << 64) - 1

QEMU_MEM = 512 << 20
RAM_BASE = 0x40000000
DT_RAM_SIZE = 256 << 20          # /memory: the first 256 MiB of QEMU's 512
TRAMP_ADDR = 0x40100000
IMAGE_ADDR = 0x40200000          # RAM base + 2 MiB, as QEMU's own loader
INITRD_ADDR = 0x48000000
DTB_ADDR = 0x4fe00000
SHM = ("0x0", 0x50000000, 0x200000)   # xen,id, address, size: above /memory
HDR = 64
MAGIC = 0x4D485354
MESSAGE = b"hello from a Tessera Linux"
CORRUPT_OFF = 0x54320
BOOTARGS = "console=ttyAMA0 earlycon=pl011,0x9000000 loglevel=5 nokaslr"

# ldr x0, DTB; ldr x4, IMAGE; mov x1/x2/x3, xzr; br x4; .quad DTB, IMAGE
TRAMPOLINE = struct.pack("<6I2Q", 0x580000C0, 0x580000E4, 0xAA1F03E1,
                         0xAA1F03E2, 0xAA1F03E3, 0xD61F0080,
                         DTB_ADDR, IMAGE_ADDR)


def fnv1a(s):
    h = 0xCBF29CE484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001B3) & M64
    return h


def shm_image(ident, size, message=b""):
    """What a writer leaves in a region: data words, then the header."""
    seed = fnv1a(ident)
    words = [seed ^ (((i + 1) * 0x9E3779B97F4A7C15) & M64)
             for i in range((size - HDR) // 8)]
    csum = 0
    for w in words:
        csum = (((csum << 7) | (csum >> 57)) & M64) ^ w
    data = struct.pack("<%dQ" % len(words), *words)
    return data + struct.pack("<IIQQQ32s", MAGIC, 1, size - HDR, csum, seed,
                              message)


def make_dtb(name, smp, bootargs, regions=(SHM,)):
    """QEMU's own DT with less /memory, /reserved-memory, initrd, bootargs."""
    base = os.path.join(WORK, "virt-smp%d.dtb" % smp)
    if not os.path.exists(base):
        subprocess.run(QEMU + ["-cpu", "cortex-a57", "-smp", str(smp), "-m",
                               str(QEMU_MEM >> 20) + "M",
                               "-machine", "dumpdtb=" + base],
                       check=True, capture_output=True)
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", base],
                         check=True, capture_output=True, text=True).stdout
    dts, n = re.subn(r"(memory@40000000 \{\s*reg = <0x00 0x40000000 0x00 )0x[0-9a-f]+>",
                     r"\g<1>0x%x>" % DT_RAM_SIZE, dts)
    assert n == 1, "QEMU's DT has no memory@40000000 node as expected"
    nodes = "".join(
        "\t\txen-shmem@%x {\n\t\t\tcompatible = \"xen,shared-memory-v1\";\n"
        "\t\t\treg = <0x0 0x%x 0x0 0x%x>;\n\t\t\txen,id = \"%s\";\n"
        "\t\t\txen,offset = <0x0 0x0>;\n\t\t\tno-map;\n\t\t};\n"
        % (addr, addr, size, ident) for ident, addr, size in regions)
    initrd_end = INITRD_ADDR + os.path.getsize(INITRD)
    dts = dts.replace(
        "\tchosen {",
        "\treserved-memory {\n\t\t#address-cells = <0x2>;\n"
        "\t\t#size-cells = <0x2>;\n\t\tranges;\n%s\t};\n\n"
        "\tchosen {\n\t\tbootargs = \"%s\";\n"
        "\t\tlinux,initrd-start = <0x0 0x%x>;\n\t\tlinux,initrd-end = <0x0 0x%x>;"
        % (nodes, bootargs, INITRD_ADDR, initrd_end), 1)
    out = os.path.join(WORK, name + ".dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, "-"],
                   input=dts, check=True, text=True)
    return out


def loader(path, addr, extra=""):
    return ["-device", "loader,file=%s,addr=0x%x,force-raw=on%s" % (path, addr, extra)]


def write_file(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def ram_file(name):
    """A fresh, zeroed file backing the whole of QEMU's RAM."""
    path = os.path.join(WORK, name + ".ram")
    with open(path, "wb") as f:
        f.truncate(QEMU_MEM)
    return path


def linux_boot(name, smp, bootargs, preload=(), cpu="cortex-a57"):
    """QEMU arguments and the RAM file of one boot."""
    dtb = make_dtb(name, smp, BOOTARGS + " " + bootargs)
    ram = ram_file(name)
    args = ["-cpu", cpu, "-smp", str(smp), "-m", str(QEMU_MEM >> 20) + "M",
            "-object", "memory-backend-file,id=ram,size=%d,mem-path=%s,share=on"
            % (QEMU_MEM, ram), "-machine", "memory-backend=ram"]
    args += loader(os.path.join(WORK, "tramp.bin"), TRAMP_ADDR, ",cpu-num=0")
    args += loader(dtb, DTB_ADDR) + loader(IMAGE, IMAGE_ADDR) + loader(INITRD, INITRD_ADDR)
    for path, addr in preload:
        args += loader(path, addr)
    return args, ram


def read_region(ram, region=SHM):
    with open(ram, "rb") as f:
        f.seek(region[1] - RAM_BASE)
        return f.read(region[2])


def run_case(name, args, expect, check_ram=None):
    """expect: regexes that must match whole lines, in this order;
    check_ram(ram file) -> error text or None, once QEMU has exited."""
    qemu_args, ram = args
    start = time.monotonic()
    try:
        p = subprocess.run(QEMU + qemu_args, capture_output=True, text=True,
                           timeout=TIMEOUT_S)
        out, rc = p.stdout + p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode(errors="replace"), "timeout"
    elapsed = time.monotonic() - start
    lines = out.replace("\r", "").splitlines()
    pos, missing = 0, None
    for pat in expect:
        while pos < len(lines) and not re.fullmatch(pat, lines[pos]):
            pos += 1
        if pos == len(lines):
            missing = pat
            break
        pos += 1
    ram_err = check_ram(ram) if check_ram and missing is None else None
    ok = missing is None and rc == 0 and ram_err is None
    print("%s %s (%.1f s)" % ("ok  " if ok else "FAIL", name, elapsed))
    if not ok or SHOW:
        print("  rc=%s missing=%r ram=%s\n  " % (rc, missing, ram_err) + "\n  ".join(lines))
    os.unlink(ram)
    return ok


def check_written(ram):
    got, want = read_region(ram), shm_image(SHM[0], SHM[2], MESSAGE)
    if got == want:
        return None
    off = next(i for i in range(len(want)) if got[i] != want[i])
    return "region byte 0x%x got=0x%02x want=0x%02x" % (off, got[off], want[off])


def cases():
    write_file("tramp.bin", TRAMPOLINE)
    good = write_file("shm.bin", shm_image(SHM[0], SHM[2], MESSAGE))
    bad = bytearray(shm_image(SHM[0], SHM[2]))
    want_word = struct.unpack_from("<Q", bad, CORRUPT_OFF)[0]
    bad[CORRUPT_OFF + 3] ^= 0x10
    got_word = struct.unpack_from("<Q", bad, CORRUPT_OFF)[0]
    corrupt = write_file("shm-bad.bin", bytes(bad))
    shm_line = r"linux: shm 0x0 at 0x50000000 size 0x200000"
    return [
        ("writer-smp2", linux_boot("writer", 2, "tshm=writer"), [
            r"linux: nproc 2", shm_line, r"PASS linux-shm-write 0x0",
            r"DONE 1 passed 0 failed"], check_written),
        ("reader-smp1", linux_boot("reader", 1, "tshm=reader",
                                   preload=((good, SHM[1]),)), [
            r"linux: nproc 1", shm_line,
            r'linux: shm 0x0 message "%s"' % MESSAGE.decode(),
            r"PASS linux-shm-verify 0x0", r"DONE 1 passed 0 failed"], None),
        ("writer-cpu-max", linux_boot("writer-max", 2, "tshm=writer", cpu="max"), [
            r"linux: nproc 2", shm_line, r"PASS linux-shm-write 0x0",
            r"DONE 1 passed 0 failed"], check_written),
        ("reader-corrupt", linux_boot("corrupt", 1, "tshm=reader tshm_timeout=2",
                                      preload=((corrupt, SHM[1]),)), [
            shm_line, r"FAIL linux-shm-verify 0x0 offset 0x%x got=0x%x want=0x%x"
            % (CORRUPT_OFF, got_word, want_word), r"DONE 0 passed 1 failed"], None),
        ("reader-timeout", linux_boot("timeout", 1, "tshm=reader tshm_timeout=1"), [
            shm_line, r"FAIL linux-shm-verify 0x0 timeout got=0x0 want=0x4d485354",
            r"DONE 0 passed 1 failed"], None),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", action="append", help="run only this case")
    ap.add_argument("--show", action="store_true", help="print every console")
    args = ap.parse_args()
    global SHOW
    SHOW = args.show
    for path in (IMAGE, INITRD):
        if not os.path.exists(path):
            print("missing %s: run make linux" % path)
            return 2
    os.makedirs(WORK, exist_ok=True)
    results = [run_case(n, a, e, c) for n, a, e, c in cases()
               if not args.case or n in args.case]
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
