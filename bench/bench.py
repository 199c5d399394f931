#!/usr/bin/python3
"""make bench: the performance figures of DESIGN.md §11 (docs/benchmarks.md).

Every scenario in bench/scenarios/ boots Tessera with bench guests under
QEMU's `-icount shift=0,sleep=off`: one virtual nanosecond per instruction,
summed over all CPUs (QEMU runs them round robin in one thread), so a
CNTPCT value times (1e9 / CNTFRQ) is the number of instructions every CPU
has executed since reset.  The guests print `BENCH <key> <value>` lines;
this script builds them, runs each scenario twice on a GICv3 machine and
twice on a GICv2 one (QEMU virt gic-version=3 and 2; the two runs must
agree: icount is deterministic), prints one table with a column per GIC
version and writes build/bench/results.json.

Exit status: 0 when every run completed and the two runs of each scenario
agreed, 1 otherwise (a figure that is n/a by design is not a failure),
2 when the set-up failed (no hypervisor, guest build error).
"""
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import scenario  # noqa: E402  (tools/scenario.py: host.dtb + QEMU command)

SCN_DIR = ROOT / "bench" / "scenarios"
OUT = ROOT / "build" / "bench"
ICOUNT = ["-icount", "shift=0,sleep=off"]
ICOUNT_SHIFT = 0                 # 2**shift ns of virtual time per instruction
NS_PER_S = 1_000_000_000
RUNS = 2                         # each scenario runs twice: they must agree
RUN_TIMEOUT = 120                # seconds per QEMU run (~1 s; two Linux boots ~10 s)
BENCH_LINE = re.compile(r"^\((?P<part>[^)]+)\) BENCH (?P<key>\S+) (?P<value>.*?)\s*$")
# guests/linux/tdoorbell.c's result line: the Linux round trips are read from it.
LINUX_RT_LINE = re.compile(r"^\((?P<part>[^)]+)\) linux: doorbell \S+ ping \d+ messages"
                           r"(?P<polled> polled)? in \d+ ms \((?P<ns>\d+) ns per round trip\)")
SMCCC_NOT_SUPPORTED = -1
DOORBELL_INTID = 31            # include/public/guest_platform.h GUEST_DOORBELL_INTID
NA_VGIC = "n/a (needs vGIC)"
GIC_VERSIONS = (3, 2)          # QEMU virt gic-version, in table order

# Scenario name -> what it measures (the .scn files say more).
SCENARIOS = {
    "boot1": "one 128 MiB partition",
    "boot2": "two 128 MiB partitions + 2 MiB shared region",
    "boot2-none-4g": "two 128 MiB partitions, no region, -m 4G",
    "boot2-2m-4g": "two 128 MiB partitions + 2 MiB region, -m 4G",
    "boot2-1g-4g": "two 128 MiB partitions + 1 GiB region, -m 4G",
    "hvc": "10000 null HVCs",
    "timer": "virtual timer deadlines",
    "doorbell": "shared-memory doorbell, two partitions",
    "pt": "passed-through PL031 alarm interrupts",
    "linux-doorbell": "Linux userspace round trips, doorbell and polled",
}

# DESIGN.md §11: target and the peers measured the same way (instructions).
FIGURES = [
    ("boot_one", "reset to 128 MiB partition's 1st insn", "<= 300K", "611K", "29.4M"),
    ("boot_two", "2 x 128 MiB + 2 MiB shm, both started", "<= 500K", "761K", "44.4M"),
    ("shm_2m", "shared region set-up, 2 MiB", "<= 20K", "~5K", "420K"),
    ("shm_1g", "shared region set-up, 1 GiB", "<= 20K", "-", "-"),
    ("hvc", "null hypercall round trip", "<= 64", "147", "-"),
    ("timer", "vtimer deadline to guest handler", "<= 100", "200", "-"),
    ("doorbell_send", "doorbell: sender per notify", "<= 200", "335", "-"),
    ("doorbell_recv", "doorbell: receiver entry to handler", "<= 250", "411", "-"),
    ("pt_spi", "passed-through SPI to guest handler", "<= 150", "-", "-"),
    ("linux_rt", "Linux user->user round trip, doorbell", "-", "-", "-"),
    ("linux_rt_polled", "the same round trip, polled", "-", "-", "-"),
]
TARGET_LIMIT = {"boot_one": 300_000, "boot_two": 500_000, "shm_2m": 20_000,
                "shm_1g": 20_000, "hvc": 64, "timer": 100,
                "doorbell_send": 200, "doorbell_recv": 250, "pt_spi": 150}


class BenchError(Exception):
    """A run that did not produce what its figure needs."""


# ---------------------------------------------------------------- building

def build_guests():
    """make bench-guests, through the top Makefile once it includes
    bench/bench.mk, else with the fragment named explicitly."""
    included = "bench/bench.mk" in (ROOT / "Makefile").read_text()
    files = [] if included else ["-f", "Makefile", "-f", "bench/bench.mk"]
    res = subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", *files,
                          "bench-guests"], stdin=subprocess.DEVNULL)
    if res.returncode != 0:
        raise SystemExit("bench: building the bench guests failed")


def run_name(name, gic):
    """The scenario's name in output paths: <name> on GICv3, <name>-gicv2."""
    return name if gic == 3 else f"{name}-gicv{gic}"


def build_scenario(name, gic=3):
    """host.dtb and the QEMU command (tools/scenario.py), icount added."""
    try:
        return scenario.build(SCN_DIR / f"{name}.scn", out=OUT / "scenarios" / run_name(name, gic),
                              extra=ICOUNT, gic=gic)
    except scenario.ScenarioError as e:
        raise SystemExit(f"bench: {e}")


# ---------------------------------------------------------------- running

def parse_bench(text):
    """{partition: {key: [values in order]}} from the console."""
    out = {}
    for line in text.splitlines():
        m = BENCH_LINE.match(line)
        if m:
            out.setdefault(m["part"], {}).setdefault(m["key"], []).append(m["value"])
        m = LINUX_RT_LINE.match(line)
        if m:
            key = "linux_rt_polled_ns" if m["polled"] else "linux_rt_ns"
            out.setdefault(m["part"], {}).setdefault(key, []).append(m["ns"])
    return out


def run_once(b, log):
    """One QEMU run; returns (exit status, console text, seconds)."""
    start = time.monotonic()
    proc = subprocess.Popen(b.cmd, cwd=ROOT, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        text, _ = proc.communicate(timeout=RUN_TIMEOUT)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        text, _ = proc.communicate()
        status = "timeout"
    text = text.decode(errors="replace")
    log.write_text(text)
    return status, text, time.monotonic() - start


def run_scenario(name, gic=3):
    """Build, run RUNS times; returns a dict with every run's BENCH lines."""
    b = build_scenario(name, gic)
    runs = []
    for i in range(RUNS):
        log = OUT / "logs" / f"{run_name(name, gic)}-run{i + 1}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        status, text, secs = run_once(b, log)
        runs.append({"status": status, "seconds": round(secs, 2),
                     "bench": parse_bench(text), "log": str(log.relative_to(ROOT))})
    same = all(r["bench"] == runs[0]["bench"] for r in runs)
    ok = all(r["status"] == 0 and r["bench"] for r in runs)
    return {"runs": runs, "deterministic": same, "ok": ok,
            "cmdline": " ".join(b.cmd)}


# ---------------------------------------------------------------- figures

def value(run, part, key, index=0):
    try:
        return run["bench"][part][key][index]
    except (KeyError, IndexError):
        raise BenchError(f"no `BENCH {key}` from {part} (see {run['log']})")


def ins_per_tick(run, part):
    """Instructions per counter tick: ns per tick times 2**-shift."""
    freq = int(value(run, part, "cntfrq"))
    ns = NS_PER_S // freq
    if ns * freq != NS_PER_S:
        raise BenchError(f"CNTFRQ {freq} Hz is not a whole number of ns per tick")
    return ns >> ICOUNT_SHIFT


def first_insn(run):
    """max over partitions of the first CNTPCT, in instructions."""
    parts = sorted(run["bench"])
    if not parts:
        raise BenchError(f"no BENCH lines (see {run['log']})")
    return max(int(value(run, p, "first_cntpct")) * ins_per_tick(run, p) for p in parts)


def fig_hvc(run):
    n = int(value(run, "domU1", "hvc_iterations"))
    ret = int(value(run, "domU1", "hvc_ret"))
    if ret != SMCCC_NOT_SUPPORTED:
        raise BenchError(f"the null HVC returned {ret}, not NOT_SUPPORTED (-1)")
    ticks = int(value(run, "domU1", "hvc_loop_ticks")) - \
        int(value(run, "domU1", "base_loop_ticks"))
    return round(ticks * ins_per_tick(run, "domU1") / n, 1)


def fig_timer(run):
    status = value(run, "domU1", "timer_status")
    if status != "ok":
        return f"{NA_VGIC}: {status}"
    lat = [int(v) for v in run["bench"]["domU1"].get("timer_latency_ticks", [])]
    if not lat:
        raise BenchError("timer_status ok but no timer_latency_ticks")
    return int(statistics.median(lat)) * ins_per_tick(run, "domU1")


def doorbell_ok(run):
    status = value(run, "domU1", "doorbell_status")
    if status != "ok":
        raise BenchError(f"doorbell_status {status}")


def fig_doorbell_send(run):
    doorbell_ok(run)
    n = int(value(run, "domU1", "doorbell_rings"))
    ticks = int(value(run, "domU1", "doorbell_loop_ticks")) - \
        int(value(run, "domU1", "doorbell_base_ticks"))
    return round(ticks * ins_per_tick(run, "domU1") / n, 1)


def fig_doorbell_recv(run):
    doorbell_ok(run)
    if int(value(run, "domU2", "doorbell_rx_intid")) != DOORBELL_INTID:
        raise BenchError("the receiver took another interrupt")
    ticks = int(value(run, "domU2", "doorbell_rx_cntpct")) - \
        int(value(run, "domU1", "doorbell_tx_cntpct"))
    return ticks * ins_per_tick(run, "domU1")


def fig_pt(run):
    status = value(run, "domU1", "pt_status")
    if status != "ok":
        raise BenchError(f"pt_status {status}")
    lat = [int(v) for v in run["bench"]["domU1"].get("pt_latency_ticks", [])]
    if not lat:
        raise BenchError("pt_status ok but no pt_latency_ticks")
    return int(statistics.median(lat)) * ins_per_tick(run, "domU1")


def fig_linux_rt(key):
    """linux1's ping: nanoseconds per round trip, 1 ns = 1 instruction (shift 0)."""
    def fig(run):
        return int(value(run, "linux1", key)) >> ICOUNT_SHIFT
    return fig


def compute(results, gic):
    """figure key -> one value per run (a number or an n/a string) on @gic."""
    def per_run(name, fn):
        return [fn(r) for r in results[(name, gic)]["runs"]]

    def diff(with_region, base):
        return [first_insn(a) - first_insn(b) for a, b in
                zip(results[(with_region, gic)]["runs"], results[(base, gic)]["runs"])]

    makers = {
        "boot_one": lambda: per_run("boot1", first_insn),
        "boot_two": lambda: per_run("boot2", first_insn),
        "shm_2m": lambda: diff("boot2-2m-4g", "boot2-none-4g"),
        "shm_1g": lambda: diff("boot2-1g-4g", "boot2-none-4g"),
        "hvc": lambda: per_run("hvc", fig_hvc),
        "timer": lambda: per_run("timer", fig_timer),
        "doorbell_send": lambda: per_run("doorbell", fig_doorbell_send),
        "doorbell_recv": lambda: per_run("doorbell", fig_doorbell_recv),
        "pt_spi": lambda: per_run("pt", fig_pt),
        "linux_rt": lambda: per_run("linux-doorbell", fig_linux_rt("linux_rt_ns")),
        "linux_rt_polled": lambda: per_run("linux-doorbell", fig_linux_rt("linux_rt_polled_ns")),
    }
    out = {}
    for key, make in makers.items():
        try:
            out[key] = make()
        except BenchError as e:
            out[key] = [f"error: {e}"] * RUNS
    return out


# ---------------------------------------------------------------- report

def show(v):
    if isinstance(v, str):
        return v
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.1f}"
    return f"{int(v):,}"


def verdict(key, runs):
    v = runs[0]
    if isinstance(v, str):
        return "error" if v.startswith("error") else "n/a"
    if any(r != v for r in runs):
        return "UNSTABLE"
    if key not in TARGET_LIMIT:
        return "-"                   # reported, no target
    return "ok" if v <= TARGET_LIMIT[key] else "over"


def print_table(figures):
    head = ("figure", *(f"GICv{g}" for g in GIC_VERSIONS), "target", "Bao", "Xen 4.22",
            "vs target (" + " / ".join(f"v{g}" for g in GIC_VERSIONS) + ")")
    rows = [(title, *(show(figures[key][f"gicv{g}"]["value"]) for g in GIC_VERSIONS),
             target, bao, xen,
             " / ".join(figures[key][f"gicv{g}"]["verdict"] for g in GIC_VERSIONS))
            for key, title, target, bao, xen in FIGURES]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = "  ".join(("{:<%d}" if i == 0 else "{:>%d}") % w for i, w in enumerate(widths))
    print()
    print(line.format(*head))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line.format(*r))
    print("(instructions summed over all CPUs, QEMU -icount shift=0; "
          "each scenario ran twice per GIC version)")


def qemu_version():
    try:
        out = subprocess.run([scenario.QEMU, "--version"], capture_output=True, text=True)
        return out.stdout.splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def main():
    started = time.monotonic()
    build_guests()
    results = {}
    for gic in GIC_VERSIONS:
        for name in SCENARIOS:
            print(f"bench: {name} ({SCENARIOS[name]}) on GICv{gic} x{RUNS}", flush=True)
            results[(name, gic)] = run_scenario(name, gic)
    values = {gic: compute(results, gic) for gic in GIC_VERSIONS}
    figures = {}
    for key, title, target, bao, xen in FIGURES:
        figures[key] = {"title": title, "target": target, "bao": bao, "xen": xen,
                        "unit": "instructions"}
        for gic in GIC_VERSIONS:
            runs = values[gic][key]
            figures[key][f"gicv{gic}"] = {
                "value": runs[0], "runs": runs,
                "deterministic": all(r == runs[0] for r in runs),
                "verdict": verdict(key, runs)}
    print_table(figures)
    problems = [f"{run_name(*n)}: run status {[r['status'] for r in res['runs']]}"
                for n, res in results.items() if not res["ok"]]
    problems += [f"{run_name(*n)}: the {RUNS} runs printed different BENCH lines"
                 for n, res in results.items() if not res["deterministic"]]
    problems += [f"{k} (GICv{g}): {f[f'gicv{g}']['value']}" for k, f in figures.items()
                 for g in GIC_VERSIONS
                 if isinstance(f[f"gicv{g}"]["value"], str)
                 and f[f"gicv{g}"]["value"].startswith("error")]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps({
        "qemu": qemu_version(), "icount": ICOUNT[1], "runs_per_scenario": RUNS,
        "gic_versions": list(GIC_VERSIONS), "figures": figures,
        "scenarios": {run_name(*n): res for n, res in results.items()},
        "problems": problems}, indent=2) + "\n")
    for p in problems:
        print(f"bench: PROBLEM {p}")
    stable = all(res["deterministic"] for res in results.values())
    print(f"bench: the two runs of every scenario {'agree' if stable else 'DIFFER'}; "
          f"results in {(OUT / 'results.json').relative_to(ROOT)}, logs in "
          f"{(OUT / 'logs').relative_to(ROOT)}/ ({time.monotonic() - started:.0f} s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
