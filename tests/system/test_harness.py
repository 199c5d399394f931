"""The harness itself (tessera_sys.py), on plain QEMU with a stub kernel
(stub/stub.S) in place of the hypervisor: console capture, line helpers,
stdin, exit status and the hard timeout."""
import subprocess
import time

import pytest

from tessera_sys import (ROOT, assert_cpus_up, assert_stopped, boot_scenario,
                         log_name, write_log)

STUB_SRC = ROOT / "tests" / "system" / "stub" / "stub.S"
STUB_OUT = ROOT / "build" / "test-stub"
CROSS = "aarch64-linux-gnu-"
HANG_TIMEOUT = 3                # seconds; the stub waits for input forever
KILL_SLACK = 10                 # the kill must not take longer than this

SCENARIO = """chosen = '''
#address-cells = <2>;
#size-cells = <2>;
domU1 {
    compatible = "xen,domain";
    memory = <0 131072>;
    cpus = <1>;
    vpl011;
    module@${g.unit} {
        compatible = "multiboot,kernel", "multiboot,module";
        reg = <0x0 ${g.addr} 0x0 ${g.size}>;
    };
};
'''
[qemu]
smp = 1
mem = "512M"
timeout = 30

[images]
g = "g.bin"
"""


@pytest.fixture(scope="module")
def stub_tree(tmp_path_factory):
    """A tree with the stub as build/tessera.bin and one dummy image."""
    STUB_OUT.mkdir(parents=True, exist_ok=True)
    elf, binary = STUB_OUT / "stub.elf", STUB_OUT / "stub.bin"
    subprocess.run([f"{CROSS}gcc", "-nostdlib", "-static", "-Wl,-Ttext=0",
                    "-Wl,--build-id=none", "-o", elf, STUB_SRC], check=True)
    subprocess.run([f"{CROSS}objcopy", "-O", "binary", elf, binary],
                   check=True)
    tree = tmp_path_factory.mktemp("stub")
    (tree / "build").mkdir()
    (tree / "build" / "tessera.bin").write_bytes(binary.read_bytes())
    (tree / "g.bin").write_bytes(b"\0" * 4096)
    (tree / "stub.scn").write_text(SCENARIO)
    return tree


def boot_stub(tree, **kw):
    return boot_scenario(tree / "stub.scn", root=tree, out=tree / "out", **kw)


def test_console_lines_and_exit(stub_tree):
    r = boot_stub(stub_tree, stdin="hi\nq")
    assert (r.rc, r.timed_out) == (0, False)
    assert r.tessera == ["stub hypervisor", "cpu 0 up", "domU1 stopped"]
    assert r.lines_of("domU1") == ["hello: stub", "PASS stub-ready"]
    assert "hi" in r.lines
    assert "\r" not in r.out
    assert_cpus_up(r)
    assert_stopped(r, "domU1")


def test_cpu_max_and_smp_override(stub_tree):
    r = boot_stub(stub_tree, cpu="max", smp=2, stdin="q")
    assert (r.rc, r.timed_out) == (0, False)
    assert r.cmd[r.cmd.index("-cpu") + 1] == "max"
    assert r.cmd[r.cmd.index("-smp") + 1] == "2"
    with pytest.raises(AssertionError, match=r"cpus up: \[0\], smp 2"):
        assert_cpus_up(r)


def test_stdin_steps_wait_for_output(stub_tree):
    steps = [(r"PASS stub-ready", "one\n"), (r"^one$", "two\n"),
             (r"^two$", "q")]
    r = boot_stub(stub_tree, stdin=steps)
    assert (r.rc, r.timed_out) == (0, False)
    lines = r.lines
    assert lines.index("one") < lines.index("two") < \
        lines.index("(tessera) domU1 stopped")


def test_hard_timeout_kills_qemu(stub_tree):
    start = time.monotonic()
    r = boot_stub(stub_tree, timeout=HANG_TIMEOUT)
    took = time.monotonic() - start
    assert r.timed_out is True
    assert r.rc != 0
    assert HANG_TIMEOUT <= r.elapsed < HANG_TIMEOUT + KILL_SLACK
    assert took < HANG_TIMEOUT + KILL_SLACK
    assert "(domU1) PASS stub-ready" in r.lines     # output before the kill


def test_step_never_matching_times_out(stub_tree):
    r = boot_stub(stub_tree, timeout=HANG_TIMEOUT,
                  stdin=[("never printed", "q")])
    assert r.timed_out is True
    assert "(tessera) domU1 stopped" not in r.lines


def test_failure_log_content(stub_tree, tmp_path):
    r = boot_stub(stub_tree, stdin="q")
    path = tmp_path / "x.log"
    write_log(path, [r], "AssertionError: boom")
    text = path.read_text()
    assert text.startswith("===== boot 1 of 1\n$ qemu-system-aarch64 -M ")
    assert "# exited, status 0, after " in text
    assert "----- console\n(tessera) stub hypervisor\n" in text
    assert text.endswith("===== failure\nAssertionError: boom\n")
    assert log_name("test_hello", "test_exits_cleanly[max]") == \
        ROOT / "build" / "test-logs" / "test_hello.test_exits_cleanly-max.log"
