"""docs/tutorial.md, run as a student would run it: every command of the
document, in order, from the project root, and what it prints compared
with what the document says it prints.  The steps come from the markdown
itself, so the document cannot drift from the code:

  ```console            `$ <command>` runs in bash; the lines after it are
  $ make run            what it prints (a selection: lines not shown are
  (tessera) ...         ignored; `...` marks a cut)
  ```
  ```session            typed into the console of the last command (which
  shm                   then keeps running): a line starting with `(` is
  (tessera) shm: ...    output, any other line is typed and Enter pressed;
  ```                   `^A` is Ctrl-A, pressed as written
  <!-- tutorial: insert into FILE after "LINE" -->    the fenced block below
  <!-- tutorial: replace in FILE: "TEXT" -->         it is the edit (the line
                                                      holding TEXT is replaced)
  ```gdb                after `$ make debug`: `(gdb) <command>` lines are
  (gdb) tessera shm     typed into gdb, the others are its output
  ```

How output is compared.  Every line the document shows must appear, in
the output printed after the command or the typed line, after the
normalisation below of both sides.  Order is checked where the system
guarantees it: a guest's own lines, and the hypervisor's lines about one
subject (`(tessera) domU1: ...`, the shell's replies, ...), keep their
order; lines from different CPUs interleave differently from run to run
and are not ordered against each other.  Only these fields are
normalised, each because it changes without the tutorial's subject
changing:
  - the end of the hypervisor image in the banner: it moves with every
    change in code size;
  - stage-2 table addresses in `walk` (and gdb's `tessera list`/`walk`):
    which pool page a table gets depends on the order in which partitions
    started and stopped, and the pool's place on the RAM size and on the
    hypervisor's own run-time memory;
  - exit and lazy FP/SIMD counts in `stopped` lines, and gdb's exit counts
    and PCs: they depend on timing;
  - the guest PC in a data-abort line: it depends on the guest's code
    layout, not on the hypervisor;
  - Linux's printk timestamps.
Nothing else: addresses, sizes, ids, states and messages must match
exactly.  No line of the whole run may say FAIL unless the document shows
it.  Files the tutorial creates or edits under scenarios/ are restored
afterwards."""
import os
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tessera_sys import ROOT

DOC = ROOT / "docs/tutorial.md"
STEP_TIMEOUT = 120            # seconds: a Linux boot under TCG is the slowest step
COMMAND_TIMEOUT = 600         # a command that may build first
POLL_S = 0.1
KILL_WAIT_S = 10
READ_CHUNK = 4096
CTRL_A = "^A"
DEBUG_QEMU_PID = "build/scenarios/demo/qemu.pid"   # `make debug`'s QEMU (own session)

VOLATILE = [
    (re.compile(r"(hypervisor at EL2, image 0x[0-9a-f]+)-0x[0-9a-f]+"), r"\1-<end>"),
    (re.compile(r"VTTBR_EL2 0x[0-9a-f]{16}"), "VTTBR_EL2 <root>"),
    (re.compile(r"level (\d): table 0x[0-9a-f]+ "), r"level \1: table <table> "),
    (re.compile(r"desc 0x[0-9a-f]{16}: table, next level at 0x[0-9a-f]+"),
     "desc <table>: table, next level at <table>"),
    (re.compile(r" root 0x[0-9a-f]+ "), " root <table> "),
    (re.compile(r"after \d+ exits, \d+ lazy FP/SIMD saves"), "after <n> exits, <n> lazy FP/SIMD saves"),
    (re.compile(r", \d+ exits, "), ", <n> exits, "),
    (re.compile(r"(EL\d pc) 0x[0-9a-f]+"), r"\1 <pc>"),
    (re.compile(r"\(pc 0x[0-9a-f]+, "), "(pc <pc>, "),
    (re.compile(r"^(\([\w-]+\) )\[ *\d+\.\d+\] "), r"\1[<time>] "),
]
CPU_UP = re.compile(r"\(tessera\) cpu (\d+) up")


def normalise(line):
    for rx, repl in VOLATILE:
        line = rx.sub(repl, line)
    return line.rstrip()


def order_key(line):
    """Lines with the same key keep their order (see the module text)."""
    m = re.match(r"\(([\w-]+)\) (.*)$", line)
    if not m:
        return "host"
    src, rest = m.groups()
    if src != "tessera":
        return src
    if cpu := CPU_UP.match(line):
        return f"cpu {cpu.group(1)}"
    first = rest.split(" ", 1)[0]
    return f"tessera {first}" if first.endswith(":") and not rest.startswith(" ") else "tessera"


def unmatched(expected, actual):
    """Expected lines not found, in order per key, among the actual ones."""
    pool = {}
    for line in actual:
        pool.setdefault(order_key(line), []).append(normalise(line))
    missing, pos = [], {}
    for line in expected:
        key, want = order_key(line), normalise(line)
        lines, at = pool.get(key, []), pos.get(key, 0)
        while at < len(lines) and lines[at] != want:
            at += 1
        if at == len(lines):
            missing.append(line)
        else:
            pos[key] = at + 1
    return missing


# ------------------------------------------------------------------ steps

@dataclass
class Step:
    kind: str                  # command, input, edit, gdb
    text: str                  # the command, the typed line, the edited file
    expected: list = field(default_factory=list)
    where: str = ""            # doc line, for messages
    op: str = ""               # edit: insert | replace
    anchor: str = ""
    body: str = ""
    session: bool = False


EDIT = re.compile(r'<!-- tutorial: (insert into (\S+) after|replace in (\S+):) "(.*)" -->')


def parse_doc(text):
    steps, lines, i, pending = [], text.split("\n"), 0, None
    while i < len(lines):
        line = lines[i]
        if m := EDIT.match(line.strip()):
            pending = m
        elif line.startswith("```") and len(line) > 3:
            info, body, j = line[3:].strip(), [], i + 1
            while not lines[j].startswith("```"):
                body.append(lines[j])
                j += 1
            steps += block_steps(info, body, pending, f"docs/tutorial.md:{i + 1}", steps)
            pending, i = None, j
        i += 1
    for k, s in enumerate(steps):
        s.session = s.kind == "command" and k + 1 < len(steps) and \
            steps[k + 1].kind in ("input", "gdb")
    return steps


def block_steps(info, body, edit, where, before):
    if edit is not None:
        path, op = edit.group(2) or edit.group(3), "insert" if edit.group(2) else "replace"
        return [Step("edit", path, where=where, op=op, anchor=edit.group(4),
                     body="\n".join(body))]
    out = []
    last = lambda: out[-1] if out else before[-1]          # noqa: E731
    for line in body:
        if not line.strip() or line.strip() == "...":
            continue
        if info == "console" and line.startswith("$ "):
            out.append(Step("command", line[2:], where=where))
        elif info == "session" and not line.startswith("("):
            out.append(Step("input", line, where=where))
        elif info == "gdb" and line.startswith("(gdb) "):
            out.append(Step("gdb", line[len("(gdb) "):], where=where))
        elif info in ("console", "session", "gdb"):
            last().expected.append(line)
    return out


# ------------------------------------------------------------ running them

class Console:
    """A command whose output we read and whose stdin we type into."""

    def __init__(self, cmd):
        self.proc = subprocess.Popen(["bash", "-c", cmd], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.buf, self.lock = bytearray(), threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while chunk := os.read(self.proc.stdout.fileno(), READ_CHUNK):
            with self.lock:
                self.buf += chunk

    def text(self):
        with self.lock:
            return self.buf.decode("utf-8", "replace").replace("\r", "")

    def type(self, line):
        keys = "\x01" * line.count(CTRL_A) if line.replace(CTRL_A, "") == "" else line + "\r"
        self.proc.stdin.write(keys.encode())
        self.proc.stdin.flush()

    def expect(self, step, since):
        """Wait until every line step shows has appeared after `since`."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while True:
            missing = unmatched(step.expected, self.text()[since:].split("\n"))
            if not missing:
                return
            if self.proc.poll() is not None:
                # It ended: its last lines may still be in the pipe.
                self.thread.join(KILL_WAIT_S)
                missing = unmatched(step.expected, self.text()[since:].split("\n"))
                if not missing:
                    return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(self.text()[since:].split("\n")[-60:])
                pytest.fail(f"{step.where}: `{step.text}`: never printed:\n  "
                            + "\n  ".join(missing) + f"\n--- it printed (last lines):\n{tail}")
            time.sleep(POLL_S)

    def kill(self):
        """Ends the command's whole process group (make, QEMU)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=KILL_WAIT_S)

    def finish(self, where, timeout=STEP_TIMEOUT):
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=KILL_WAIT_S)
            pytest.fail(f"{where}: the command did not end after its last step:\n"
                        + self.text()[-3000:])
        finally:
            self.thread.join(KILL_WAIT_S)
        assert self.proc.returncode == 0, \
            f"{where}: exit status {self.proc.returncode}:\n{self.text()[-3000:]}"
        return self.text()


def apply_edit(step):
    path = ROOT / step.text
    text = path.read_text()
    lines = text.split("\n")
    hits = [i for i, ln in enumerate(lines) if step.anchor in ln]
    assert len(hits) == 1, f"{step.where}: `{step.anchor}` is in {step.text} {len(hits)} times"
    new = step.body.split("\n")
    at = hits[0]
    lines[at:at + 1] = lines[at:at + 1] + new if step.op == "insert" else new
    path.write_text("\n".join(lines))


def kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_gdb(cmd, steps, where, tmp):
    """`make debug` with the gdb block's commands as its batch file."""
    batch = tmp / "tutorial.gdb"
    batch.write_text("".join(f"{s.text}\n" for s in steps))
    (ROOT / DEBUG_QEMU_PID).unlink(missing_ok=True)    # never act on a stale pid
    con = Console(f"{cmd} GDB_BATCH={batch} GDB_PORT={free_port()}")
    con.proc.stdin.close()
    try:
        text = con.finish(where, COMMAND_TIMEOUT)
    finally:
        con.kill()
        pid_file = ROOT / DEBUG_QEMU_PID
        if con.proc.returncode != 0 and pid_file.is_file():
            kill_group(int(pid_file.read_text()))
    out = text.split("\n")
    for s in steps:
        missing = unmatched(s.expected, out)
        assert not missing, f"{s.where}: (gdb) {s.text}: never printed:\n  " + \
            "\n  ".join(missing) + "\n--- gdb printed:\n" + text[-4000:]
    return text


def run_steps(steps, tmp):
    """Runs every step; returns everything that was printed."""
    printed, k = [], 0
    while k < len(steps):
        s = steps[k]
        k += 1
        if s.kind == "edit":
            apply_edit(s)
        elif s.kind == "command" and s.session and steps[k].kind == "gdb":
            gdb = []
            while k < len(steps) and steps[k].kind == "gdb":
                gdb.append(steps[k])
                k += 1
            printed.append(run_gdb(s.text, gdb, s.where, tmp))
        elif s.kind == "command":
            k = run_command(s, steps, k, printed)
    return printed


def run_command(s, steps, k, printed):
    """Command s and the typed lines after it; returns the next step's
    index.  Whatever fails, nothing it started outlives it."""
    con = Console(s.text)
    try:
        if not s.session:
            con.proc.stdin.close()
        con.expect(s, 0)
        while s.session and k < len(steps) and steps[k].kind == "input":
            since = len(con.text())
            con.type(steps[k].text)
            con.expect(steps[k], since)
            k += 1
        printed.append(con.finish(s.where, STEP_TIMEOUT if s.session else COMMAND_TIMEOUT))
    finally:
        con.kill()
    return k


@pytest.fixture(scope="module")
def steps():
    return parse_doc(DOC.read_text())


@pytest.fixture(scope="module")
def tutorial_run(steps, tmp_path_factory):
    saved = {p: p.read_bytes() for p in (ROOT / "scenarios").iterdir() if p.is_file()}
    try:
        yield run_steps(steps, tmp_path_factory.mktemp("tutorial"))
    finally:
        for p in (ROOT / "scenarios").iterdir():
            if p.is_file() and p not in saved:
                p.unlink()
        for p, data in saved.items():
            if p.read_bytes() != data:
                p.write_bytes(data)


def test_doc_has_the_steps_the_issue_asks_for(steps):
    """The tutorial covers: the demo, the ownership table, a walk, the
    owner stopped and the borrower's abort, a restart, a region of one's
    own in both spellings, a configuration error, a Linux partition's
    /proc/iomem and /proc/device-tree, and gdb."""
    commands = [s.text for s in steps if s.kind == "command"]
    typed = [s.text for s in steps if s.kind == "input"]
    shown = "\n".join(line for s in steps for line in s.expected)
    edits = "\n".join(s.body for s in steps if s.kind == "edit")
    assert "make run" in commands
    assert "shm" in typed and "stop dom0" in typed
    assert any(t.startswith("walk ") for t in typed)
    assert any(t.startswith(("restart ", "start ")) for t in typed)
    assert "data abort: access to shared region 0x0 revoked" in shown
    assert re.search(r"xen,shm-id = <0x\w+>;", edits) and re.search(r'xen,shm-id = "', edits)
    assert "configuration rejected" in shown
    assert any("/proc/iomem" in t for t in typed)
    assert any("/proc/device-tree" in t for t in typed)
    assert any(c.startswith("make debug") for c in commands)
    assert sum(len(s.expected) for s in steps) >= 60


def test_every_step_prints_what_the_doc_says(tutorial_run):
    """run_steps fails at the first step that does not print what the
    document shows; here the whole run ended."""
    assert tutorial_run


def test_no_unexpected_failure(steps, tutorial_run):
    shown = {normalise(line) for s in steps for line in s.expected}
    bad = [ln for out in tutorial_run for ln in out.split("\n")
           if re.search(r"\bFAIL\b", ln) and normalise(ln) not in shown]
    assert bad == []


def test_matching_can_fail():
    """The comparison itself: a changed address, a wrong order within one
    guest, or a missing line is reported; other CPUs' interleaving is not."""
    actual = ["(domU1) a", "(tessera) dom0: stopped (shell) after 3 exits, 1 lazy FP/SIMD saves",
              "(domU1) b", "(tessera) domU1: data abort at IPA 0x50000000 (pc 0x4020, read)"]
    assert unmatched(["(domU1) a", "(domU1) b"], actual) == []
    assert unmatched(["(domU1) b", "(domU1) a"], actual) == ["(domU1) a"]
    assert unmatched(["(tessera) domU1: data abort at IPA 0x50000000 (pc 0x9999, read)",
                      "(tessera) dom0: stopped (shell) after 9 exits, 0 lazy FP/SIMD saves"],
                     actual) == []
    assert unmatched(["(tessera) domU1: data abort at IPA 0x50000001 (pc 0x4020, read)"],
                     actual) != []
    assert unmatched(["(domU2) c"], actual) == ["(domU2) c"]
