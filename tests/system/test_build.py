"""The build itself: every header stands alone, and two clean builds of the
same sources in different folders give the same tessera.bin (no dates, no
build paths in the image: -ffile-prefix-map, --build-id=none)."""
import hashlib
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
