"""System-test harness: build a scenario, boot it in QEMU under a hard
timeout, capture the console (DESIGN.md §9).

    r = boot_scenario("hello", cpu="max")
    r.out            whole console, \\r stripped
    r.rc             QEMU's exit status (negative: killed by that signal)
    r.timed_out      True when the hard timeout killed QEMU
    r.lines_of("domU1")   that partition's lines, "(domU1) " stripped
    r.tessera        the hypervisor's lines, "(tessera) " stripped

stdin is None (nothing is sent), a string sent at once, a list of
(regex, text) steps: each text is sent once its regex has matched console
output that came after the previous step's match, or a driver: a callable
driver(console) with a Console (send, text, wait_for, alive) that runs
while QEMU does, for conversations the steps cannot express (the stress
test's timed command storm).  QEMU's -nographic mux
takes Ctrl-A as its escape: send CTRL_A to pass one Ctrl-A to the machine.
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import scenario as scenario_tool  # noqa: E402  (tools/ is not a package)

LOG_DIR = ROOT / "build" / "test-logs"
# The test matrix: every test that involves interrupts runs on both GIC
# versions of QEMU virt (-M virt,gic-version=N; scenario.py's gic override).
GIC_VERSIONS = (3, 2)
CTRL_A = "\x01\x01"          # -nographic mux: Ctrl-A Ctrl-A sends one Ctrl-A
READ_CHUNK = 4096
POLL_S = 0.05                # how often the step loop looks at the output
KILL_WAIT_S = 10             # after SIGKILL, QEMU must be gone by then

# Every boot of the running test, for the failure log (conftest.py).
current_boots = []


class BootResult:
    def __init__(self, build, out, rc, timed_out, elapsed):
        self.build = build
        self.cmd = build.cmd if build else []
        self.smp = build.smp if build else None
        self.cpu = build.cpu if build else None
        self.gic = build.gic if build else None
        self.out = out
        self.rc = rc
        self.timed_out = timed_out
        self.elapsed = elapsed

    @property
    def lines(self):
        return self.out.split("\n")

    def lines_of(self, name):
        prefix = f"({name}) "
        return [ln[len(prefix):] for ln in self.lines if ln.startswith(prefix)]

    @property
    def tessera(self):
        return self.lines_of("tessera")

    def describe(self):
        """Header of the failure log: how QEMU was run and how it ended."""
        how = "killed by the hard timeout" if self.timed_out else "exited"
        return (f"$ {scenario_tool.shlex.join(self.cmd)}\n"
                f"# {how}, status {self.rc}, after {self.elapsed:.1f} s\n")


def scenario_path(scenario):
    """A name ("hello") means scenarios/<name>.scn; a path is used as is."""
    p = Path(scenario)
    if p.suffix == ".scn" or p.is_absolute():
        return p
    return ROOT / "scenarios" / f"{scenario}.scn"


class _Reader(threading.Thread):
    """Drains QEMU's output so it never blocks on a full pipe."""

    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.buf = bytearray()
        self.lock = threading.Lock()

    def run(self):
        while chunk := os.read(self.stream.fileno(), READ_CHUNK):
            with self.lock:
                self.buf += chunk

    def text(self):
        with self.lock:
            return self.buf.decode("utf-8", "replace").replace("\r", "")


def _send(proc, text):
    try:
        proc.stdin.write(text.encode() if isinstance(text, str) else text)
        proc.stdin.flush()
    except (BrokenPipeError, OSError):
        pass                              # QEMU already gone: rc tells why


def _feed_steps(proc, reader, steps, deadline):
    """Send each step's text when its regex appears; False on timeout."""
    seen = 0
    for pattern, text in steps:
        rx = re.compile(pattern, re.M)
        while True:
            m = rx.search(reader.text(), seen)
            if m:
                seen = m.end()
                _send(proc, text)
                break
            if proc.poll() is not None:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_S)
    return True


class Console:
    """What a driver gets: send text, read the console so far, wait for a
    regex in the output after a position, and whether QEMU still runs."""

    def __init__(self, proc, reader, deadline):
        self.proc = proc
        self.reader = reader
        self.deadline = deadline

    def send(self, text):
        _send(self.proc, text)

    def text(self):
        return self.reader.text()

    def alive(self):
        return self.proc.poll() is None and time.monotonic() < self.deadline

    def wait_for(self, pattern, start=0, timeout=None):
        """The first match of pattern at or after offset start, or None when
        QEMU ends, the run's deadline passes or timeout seconds do."""
        rx = re.compile(pattern, re.M)
        end = self.deadline if timeout is None else \
            min(self.deadline, time.monotonic() + timeout)
        while True:
            m = rx.search(self.text(), start)
            if m:
                return m
            if self.proc.poll() is not None or time.monotonic() >= end:
                return None
            time.sleep(POLL_S)


def _wait(proc, deadline):
    try:
        proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)   # QEMU and anything it started
        proc.wait(timeout=KILL_WAIT_S)
        return True


def run_qemu(cmd, timeout, stdin=None, cwd=ROOT):
    """Run cmd in its own process group; kill the group at the deadline.
    Returns (console text, exit status, timed out, seconds)."""
    start = time.monotonic()
    deadline = start + timeout
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    reader = _Reader(proc.stdout)
    reader.start()
    timed_out = False
    if isinstance(stdin, (str, bytes)):
        _send(proc, stdin)
    elif callable(stdin):
        try:
            stdin(Console(proc, reader, deadline))
        except BaseException as e:
            if proc.poll() is None:               # never leave QEMU behind
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=KILL_WAIT_S)
            reader.join(KILL_WAIT_S)
            e.console = (reader.text(), proc.returncode, time.monotonic() - start)
            raise
        timed_out = time.monotonic() >= deadline
    elif stdin is not None:
        timed_out = not _feed_steps(proc, reader, stdin, deadline)
    if timed_out:
        deadline = time.monotonic()
    timed_out = _wait(proc, deadline) or timed_out
    reader.join(KILL_WAIT_S)
    proc.stdin.close()
    proc.stdout.close()
    return reader.text(), proc.returncode, timed_out, time.monotonic() - start


def boot_scenario(scenario, cpu="cortex-a57", smp=None, mem=None,
                  timeout=None, stdin=None, extra=None, kernel=None,
                  root=None, out=None, boot="kernel", gic=None):
    """Build the scenario into build/scenarios/... and boot it.

    gic (2 or 3) overrides the scenario's [qemu] gic, as cpu/smp/mem do.

    timeout defaults to the scenario's [qemu] timeout; extra is appended to
    the QEMU command (and to the dumpdtb run, since devices change the DT);
    kernel/root/out override the hypervisor image, the folder image paths
    are relative to, and the output folder (the harness's own tests use
    them with a stub kernel).  boot="uboot" boots through U-Boot
    (tools/uboot.py): the harness first types at U-Boot's prompt what Xen's
    CI types (scenario.UBOOT_STEPS), then stdin's steps follow.
    """
    build = scenario_tool.build(scenario_path(scenario), cpu=cpu, smp=smp,
                                mem=mem, out=out, kernel=kernel, extra=extra,
                                root=root or ROOT, boot=boot, gic=gic)
    if boot == "uboot":
        stdin = [*scenario_tool.UBOOT_STEPS,
                 *([(r"\(tessera\) Tessera: ", stdin)] if isinstance(stdin, str)
                   else (stdin or []))]
    try:
        out_text, rc, timed_out, elapsed = run_qemu(
            build.cmd, timeout or build.timeout, stdin)
    except BaseException as e:                    # a driver failed: keep what QEMU printed
        if hasattr(e, "console"):
            text, rc, elapsed = e.console
            current_boots.append(BootResult(build, text, rc, False, elapsed))
        raise
    result = BootResult(build, out_text, rc, timed_out, elapsed)
    current_boots.append(result)
    return result


def log_name(module, test_name):
    """build/test-logs/<module>.<test name>.log, e.g.
    test_hello.test_hello_boots-max.log."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
    return LOG_DIR / f"{module}.{safe}.log"


def write_log(path, boots, failure_text):
    """Everything a failed test saw: each boot's command, ending, console,
    then pytest's failure report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = []
    for i, b in enumerate(boots, 1):
        parts.append(f"===== boot {i} of {len(boots)}\n{b.describe()}"
                     f"----- console\n{b.out}\n")
    parts.append(f"===== failure\n{failure_text}\n")
    path.write_text("".join(parts))


# ------------------------------------------------ shared assertions

DONE_RE = re.compile(r"^DONE (\d+) passed (\d+) failed$")


def assert_clean_exit(r):
    assert not r.timed_out, \
        f"QEMU killed by the timeout after {r.elapsed:.0f} s"
    assert r.rc == 0, f"QEMU exit status {r.rc}"


def assert_no_fail(r):
    bad = [ln for ln in r.lines if "FAIL" in ln]
    assert bad == [], f"FAIL lines: {bad}"


def assert_done(r, name, passes):
    """The guest's last verdict: `DONE <n> passed 0 failed`, n == the
    number of PASS lines it printed, and at least the ones listed."""
    lines = r.lines_of(name)
    done = [m for m in map(DONE_RE.match, lines) if m]
    assert len(done) == 1, f"({name}) DONE lines: {done}"
    n_pass = sum(1 for ln in lines if ln.startswith("PASS "))
    assert int(done[0].group(1)) == n_pass
    assert int(done[0].group(2)) == 0
    assert n_pass >= passes


def assert_cpus_up(r):
    """One `(tessera) cpu <n> up` per physical CPU, n = 0..smp-1."""
    up = sorted(int(m.group(1)) for m in
                map(re.compile(r"^cpu (\d+) up\b").match, r.tessera) if m)
    assert up == list(range(r.smp)), f"cpus up: {up}, smp {r.smp}"


def assert_stopped(r, name):
    rx = re.compile(rf"\b{re.escape(name)}\b.*\bstopped\b")
    assert any(rx.search(ln) for ln in r.tessera), \
        f"no (tessera) line says {name} stopped"
