#!/usr/bin/env python3
"""Instructions Tessera executes, per function, in one bench scenario
(docs/benchmarks.md, "What dominates each figure").

    tools/profile.py <scenario> [--gic 2|3] [--top N] [--diff <scenario>] [--boot]
                     [--callers]

Runs the scenario's QEMU command from build/bench/results.json (so `make
bench` first) with `-d exec,nochain -singlestep`: QEMU logs every executed
instruction. Each one executed at EL2 inside Tessera's image (loaded at the
address the boot line prints) is charged to the build/tessera.elf symbol it belongs
to; instructions of guests are left out. With --diff, the second
scenario's counts are subtracted: e.g. boot2-2m-4g --diff boot2-none-4g is
what a shared region costs, function by function (the stop path
included). --boot stops counting at the first instruction a guest executes
(figure 1's window, as the boot CPU sees it). --callers charges library
code (libfdt's fdt_*, the mem*/str* routines, libgcc's __*) to the Tessera
function that last ran on the same CPU before it: who asked for the work.
"""
import argparse
import bisect
import collections
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ELF = ROOT / "build" / "tessera.elf"
RESULTS = ROOT / "build" / "bench" / "results.json"
NM = "aarch64-linux-gnu-nm"
TRACE_LINE = re.compile(rb"^Trace (\d+): 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/([0-9a-f]+)/")
LIBRARY = re.compile(r"^(_?fdt|mem|str|__)")
IMAGE_LINE = re.compile(r"image (0x[0-9a-f]+)-(0x[0-9a-f]+)")
TIMEOUT_S = 600
# QEMU 7.2's TB flags (target/arm/cpu.h, TBFLAG_ANY): MMUIDX in bits 4-7;
# ARMMMUIdx_E2 (6) is EL2's translation regime, so guests (whose code may
# sit at the same addresses) are left out.
TB_MMUIDX_SHIFT = 4
TB_MMUIDX_MASK = 0xf
MMUIDX_E2 = 6


def symbols():
    """Text symbols as (offsets from _start, names), sorted."""
    out = subprocess.run([NM, "-n", "--defined-only", str(ELF)], check=True,
                         capture_output=True, text=True).stdout
    syms = []
    for ln in out.splitlines():
        addr, kind, name = ln.split()[:3]
        if kind in "tTwW":
            syms.append((int(addr, 16), name))
    base = next(a for a, n in syms if n == "_start")
    return [a - base for a, _ in syms], [n for _, n in syms]


def cmdline(scenario, gic):
    results = json.loads(RESULTS.read_text())
    key = scenario if gic == 3 else f"{scenario}-gicv{gic}"
    try:
        return results["scenarios"][key]["cmdline"].split()
    except KeyError:
        sys.exit(f"profile: no scenario {key} in {RESULTS} (run make bench)")


def profile(scenario, gic, boot_only=False, callers=False):
    """{function: instructions} for one run of the scenario."""
    addrs, names = symbols()
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "trace.log"
        cmd = cmdline(scenario, gic) + ["-d", "exec,nochain", "-singlestep", "-D", str(trace)]
        console = subprocess.run(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True,
                                 timeout=TIMEOUT_S).stdout.decode(errors="replace")
        m = IMAGE_LINE.search(console)
        if not m:
            sys.exit("profile: the console has no 'image <start>-<end>' line")
        lo, hi = int(m.group(1), 16), int(m.group(2), 16)
        counts = collections.Counter()
        caller = {}                     # CPU -> the last non-library function it ran
        with trace.open("rb") as f:
            for ln in f:
                t = TRACE_LINE.match(ln)
                if not t:
                    continue
                cpu, pc = t.group(1), int(t.group(2), 16)
                el2 = (int(t.group(3), 16) >> TB_MMUIDX_SHIFT) & TB_MMUIDX_MASK == MMUIDX_E2
                if boot_only and not el2:
                    break
                if el2 and lo <= pc < hi:
                    i = bisect.bisect_right(addrs, pc - lo) - 1
                    name = names[i] if i >= 0 else "?"
                    if callers and LIBRARY.match(name) and cpu in caller:
                        name = caller[cpu]
                    else:
                        caller[cpu] = name
                    counts[name] += 1
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--gic", type=int, default=3, choices=(2, 3))
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--diff", metavar="SCENARIO")
    ap.add_argument("--boot", action="store_true", help="only up to a guest's first instruction")
    ap.add_argument("--callers", action="store_true",
                    help="charge library code to the Tessera function that called it")
    a = ap.parse_args()
    counts = profile(a.scenario, a.gic, a.boot, a.callers)
    if a.diff:
        counts.subtract(profile(a.diff, a.gic, a.boot, a.callers))
    total = sum(counts.values())
    print(f"{a.scenario}{' - ' + a.diff if a.diff else ''} (GICv{a.gic}): {total:,} instructions in Tessera")
    for name, n in sorted(counts.items(), key=lambda kv: -abs(kv[1]))[:a.top]:
        if n:
            print(f"{n:>10,}  {name}")


if __name__ == "__main__":
    main()
