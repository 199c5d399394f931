"""guests/linux/tshm.c built for the host (ASan + UBSan) and run against a
fake /proc/device-tree and a file standing in for /dev/mem (TSHM_DT,
TSHM_MEM).  The expected region bytes come from guests/linux/qemu_check.py's
shm_image, written independently of tshm.c.  Needs only the host gcc."""
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "guests" / "linux"))
from qemu_check import HDR, MESSAGE, shm_image  # noqa: E402

SRC = ROOT / "guests" / "linux" / "tshm.c"
CFLAGS = ["-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-Wshadow",
          "-Wmissing-prototypes", "-Wstrict-prototypes",
          "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
# (xen,id, address, size), in the node-name order tshm reports them
REGIONS = [("0x0", 0x200000, 0x200000), ("my-shm", 0x400000, 0x1000)]
MEM_SIZE = 0x401000
WAIT_S = 20


@pytest.fixture(scope="module")
def tshm(tmp_path_factory):
    exe = tmp_path_factory.mktemp("tshm") / "tshm"
    subprocess.run(["gcc", *CFLAGS, "-o", str(exe), str(SRC)], check=True)
    return exe


def be_cells(*values):
    return b"".join(struct.pack(">II", v >> 32, v & 0xFFFFFFFF) for v in values)


def make_node(parent, name, props):
    node = parent / name
    node.mkdir()
    for prop, value in props.items():
        (node / prop).write_bytes(value)


@pytest.fixture
def machine(tmp_path):
    """A fake DT with REGIONS (plus a node tshm must ignore) and a zeroed
    memory file; returns the environment that points tshm at them."""
    rmem = tmp_path / "dt" / "reserved-memory"
    rmem.mkdir(parents=True)
    (rmem / "#address-cells").write_bytes(struct.pack(">I", 2))
    (rmem / "#size-cells").write_bytes(struct.pack(">I", 2))
    (rmem / "ranges").write_bytes(b"")
    make_node(rmem, "linux,cma", {"compatible": b"shared-dma-pool\0",
                                  "reg": be_cells(0x100000, 0x1000)})
    for i, (ident, addr, size) in enumerate(REGIONS):
        make_node(rmem, "xen-shmem@%x" % addr, {
            "compatible": b"vendor,other\0xen,shared-memory-v1\0",
            "reg": be_cells(addr, size), "xen,id": ident.encode() + b"\0",
            "xen,offset": be_cells(0), "no-map": b""})
    mem = tmp_path / "mem"
    mem.write_bytes(bytes(MEM_SIZE))
    env = dict(os.environ, TSHM_DT=str(tmp_path / "dt"), TSHM_MEM=str(mem))
    return env, mem


def run(tshm, env, *args):
    p = subprocess.run([str(tshm), *args], env=env, capture_output=True,
                       text=True, timeout=WAIT_S * 2)
    return p.returncode, p.stdout


def region_bytes(mem, index):
    _, addr, size = REGIONS[index]
    return mem.read_bytes()[addr:addr + size]


def preload(mem, index, data):
    _, addr, _ = REGIONS[index]
    with open(mem, "r+b") as f:
        f.seek(addr)
        f.write(data)


def test_list(tshm, machine):
    env, _ = machine
    assert run(tshm, env, "list") == (0, (
        "linux: shm 0x0 at 0x200000 size 0x200000\n"
        "linux: shm my-shm at 0x400000 size 0x1000\n"))


def test_write_leaves_the_shared_layout(tshm, machine):
    env, mem = machine
    assert run(tshm, env, "write") == (0, "PASS linux-shm-write 0x0\n"
                                          "PASS linux-shm-write my-shm\n")
    for i, (ident, _, size) in enumerate(REGIONS):
        assert region_bytes(mem, i) == shm_image(ident, size, MESSAGE)


def test_verify_after_write(tshm, machine):
    env, _ = machine
    run(tshm, env, "write")
    assert run(tshm, env, "verify", "0") == (0, (
        'linux: shm 0x0 message "hello from a Tessera Linux"\n'
        "PASS linux-shm-verify 0x0\n"
        'linux: shm my-shm message "hello from a Tessera Linux"\n'
        "PASS linux-shm-verify my-shm\n"))


def test_verify_bare_metal_writer_layout(tshm, machine):
    """guests/shm's writer leaves no message: no message line."""
    env, mem = machine
    for i, (ident, _, size) in enumerate(REGIONS):
        preload(mem, i, shm_image(ident, size))
    assert run(tshm, env, "verify", "0") == (0, "PASS linux-shm-verify 0x0\n"
                                                "PASS linux-shm-verify my-shm\n")


def test_verify_reports_corrupt_word(tshm, machine):
    env, mem = machine
    data = bytearray(shm_image("my-shm", 0x1000, MESSAGE))
    want = struct.unpack_from("<Q", data, 0x100)[0]
    data[0x105] ^= 0x01
    got = struct.unpack_from("<Q", data, 0x100)[0]
    preload(mem, 0, shm_image("0x0", 0x200000, MESSAGE))
    preload(mem, 1, bytes(data))
    rc, out = run(tshm, env, "verify", "0")
    assert rc == 1
    assert out.splitlines()[-1] == (
        "FAIL linux-shm-verify my-shm offset 0x100 got=0x%x want=0x%x" % (got, want))
    assert "PASS linux-shm-verify 0x0" in out.splitlines()


def test_verify_reports_bad_checksum_and_length(tshm, machine):
    env, mem = machine
    data = bytearray(shm_image("my-shm", 0x1000, MESSAGE))
    struct.pack_into("<Q", data, 0x1000 - HDR + 16, 0x1234)    # checksum
    preload(mem, 1, bytes(data))
    data0 = bytearray(shm_image("0x0", 0x200000))
    struct.pack_into("<Q", data0, 0x200000 - HDR + 8, 0x40)     # bytes
    preload(mem, 0, bytes(data0))
    rc, out = run(tshm, env, "verify", "0")
    assert rc == 1
    assert out.splitlines()[0] == "FAIL linux-shm-verify 0x0 bytes got=0x40 want=0x1fffc0"
    assert out.splitlines()[1].startswith("FAIL linux-shm-verify my-shm checksum got=0x")
    assert out.splitlines()[1].endswith(" want=0x1234")


def test_verify_times_out_on_empty_region(tshm, machine):
    env, _ = machine
    start = time.monotonic()
    rc, out = run(tshm, env, "verify", "1")
    assert rc == 1
    assert out.splitlines()[0] == "FAIL linux-shm-verify 0x0 timeout got=0x0 want=0x4d485354"
    assert time.monotonic() - start >= 1


def test_reader_first_then_writer(tshm, machine):
    """The reader boots first and polls; the writer comes later."""
    env, mem = machine
    reader = subprocess.Popen([str(tshm), "verify", str(WAIT_S)], env=env,
                              stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    assert reader.poll() is None, "the reader did not wait for the writer"
    assert run(tshm, env, "write")[0] == 0
    out, _ = reader.communicate(timeout=WAIT_S)
    assert reader.returncode == 0
    assert [ln for ln in out.splitlines() if ln.startswith("PASS")] == [
        "PASS linux-shm-verify 0x0", "PASS linux-shm-verify my-shm"]


def test_rewrite_clears_the_magic_first(tshm, machine):
    """A writer that restarts must unpublish before rewriting: with the
    data zeroed mid-way a reader must not accept the old header."""
    env, mem = machine
    run(tshm, env, "write")
    data = bytearray(region_bytes(mem, 1))
    struct.pack_into("<I", data, 0x1000 - HDR, 0)                # magic cleared
    preload(mem, 1, bytes(data))
    rc, out = run(tshm, env, "verify", "0")
    assert rc == 1
    assert out.splitlines()[-1] == "FAIL linux-shm-verify my-shm timeout got=0x0 want=0x4d485354"


def test_no_region(tshm, machine, tmp_path):
    env, _ = machine
    env = dict(env, TSHM_DT=str(tmp_path / "empty-dt"))
    (tmp_path / "empty-dt" / "reserved-memory").mkdir(parents=True)
    assert run(tshm, env, "write") == (1, "FAIL linux-shm-dt got=0 want=regions\n")


def test_bad_region_node(tshm, machine, tmp_path):
    env, _ = machine
    node = Path(env["TSHM_DT"]) / "reserved-memory" / "xen-shmem@400000"
    (node / "reg").write_bytes(be_cells(0x400000, 0x10))         # below 4 KiB
    rc, out = run(tshm, env, "list")
    assert (rc, out) == (1, "FAIL linux-shm-dt my-shm got=0x10 want=aligned-size>=0x1000\n")


def test_usage(tshm, machine):
    env, _ = machine
    assert run(tshm, env, "read")[0] == 2
