"""The build itself: every header stands alone, and two clean builds of the
same sources in different folders give the same tessera.bin (no dates, no
build paths in the image: -ffile-prefix-map, --build-id=none); and the
fast exit paths reach no code that uses an FP register."""
import hashlib
import re
import shutil
import subprocess

from tessera_sys import ROOT


def test_headers_compile_alone():
    before = set(ROOT.glob("*.d"))
    r = subprocess.run(["make", "-s", "check-headers"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    # Compiling from stdin must not leave a dependency file ("a--.d") behind.
    assert set(ROOT.glob("*.d")) == before


def _build_copy(dest):
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    for f in files:
        (dest / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, dest / f)
    (dest / "build").mkdir()
    (dest / "build" / ".deps-ok").touch()     # packages are there: make test installed them
    deps = ROOT / "build" / "deps" / "arm64" / "usr"
    r = subprocess.run(["make", "-s", f"DEPS_ARM64={deps}", "build/tessera.bin"], cwd=dest,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return hashlib.sha256((dest / "build" / "tessera.bin").read_bytes()).hexdigest()


def test_build_is_reproducible(tmp_path):
    a, b = tmp_path / "one", tmp_path / "second-tree"
    a.mkdir()
    b.mkdir()
    assert _build_copy(a) == _build_copy(b)


# ------------------------------------------------- fast exit paths and FP

OBJDUMP = "aarch64-linux-gnu-objdump"
FUNC_RE = re.compile(r"^[0-9a-f]+ <([^>]+)>:$")
INSN_RE = re.compile(r"^\s+[0-9a-f]+:\s+(\S+)\s*(.*)$")
TARGET_RE = re.compile(r"<([^>+]+)(?:\+0x[0-9a-f]+)?>")
# An FP/SIMD register operand: v0-v31, q/d/s/h/b + number (not s3_0_c12_..., a sysreg).
FP_REG_RE = re.compile(r"(?<![\w.])[vqdshb]([0-9]|[12][0-9]|3[01])(?![\w])")
# The exit paths boot/vectors.S takes with only the caller-saved registers
# saved and CPTR_EL2 left the guest's (FP not trapped): whatever they reach
# must touch no FP register, or the guest's would be lost.
FAST_ROOTS = ("trap_guest_irq_fast", "trap_guest_sync_fast")
# The calls through pointers on the way, and where they go: a level SPI's
# line (struct vgic.spi_level, set by vdev/vpl011.c and vdev/vpl061.c).
INDIRECT = {"vgic_spi_level_changed": {"vpl011_irq_level", "vpl061_irq_level"}}


def _functions():
    out = subprocess.run([OBJDUMP, "-d", "--no-show-raw-insn", str(ROOT / "build/tessera.elf")],
                         capture_output=True, text=True, check=True).stdout
    funcs, cur = {}, None
    for ln in out.splitlines():
        m = FUNC_RE.match(ln)
        if m:
            cur = funcs.setdefault(m.group(1), {"calls": set(), "fp": [], "indirect": []})
            continue
        m = INSN_RE.match(ln)
        if not m or cur is None:
            continue
        op, args = m.group(1), m.group(2)
        target = TARGET_RE.search(args)
        operands = re.sub(r"<[^>]*>|//.*", "", args)
        if op in ("blr", "br"):
            cur["indirect"].append(ln.strip())
        elif target and (op.startswith("b") or op in ("cbz", "cbnz", "tbz", "tbnz")):
            cur["calls"].add(target.group(1))
        if FP_REG_RE.search(operands):
            cur["fp"].append(ln.strip())
    return funcs


def test_fast_exit_paths_touch_no_fp_register():
    """The fast IRQ and HVC exits leave the guest's FP registers live in the
    CPU (no lazy-FP trap armed): nothing they can reach may use one (the
    libraries do: picolibc's printf family, libgcc's popcount), nor call
    through a pointer this check cannot follow."""
    funcs = _functions()
    # The check can fail: picolibc's vsnprintf does use FP registers.
    assert funcs["vsnprintf"]["fp"], "the FP check finds nothing in vsnprintf"
    seen, todo = set(), list(FAST_ROOTS)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        f = funcs[name]
        assert not f["fp"], f"{name} (reached from {FAST_ROOTS}) uses FP: {f['fp'][:3]}"
        assert not f["indirect"] or name in INDIRECT, \
            f"{name} calls through a pointer: {f['indirect'][:3]}"
        todo.extend((f["calls"] | INDIRECT.get(name, set())) - seen)
    assert {"vgic_spi_hw_fast", "vgic_timer_fast", "shm_glue_doorbell_hvc"} <= seen, sorted(seen)
