"""hello.scn: one partition boots, checks its platform and powers off.
One boot per CPU model, shared by the tests of this file."""
import re

import pytest

from tessera_sys import (assert_clean_exit, assert_cpus_up, assert_done,
                         assert_no_fail, assert_stopped, boot_scenario)

GUEST_RAM = 128 << 20           # memory = <0 131072> KiB in hello.scn


@pytest.fixture(scope="module", params=["cortex-a57", "max"])
def hello(request):
    return boot_scenario("hello", cpu=request.param)


def test_exits_cleanly(hello):
    assert_clean_exit(hello)


def test_banner_then_cpus(hello):
    assert hello.tessera, "no (tessera) line: the hypervisor printed nothing"
    first = hello.lines.index("(tessera) " + hello.tessera[0])
    assert not any(ln.startswith("(domU1) ") for ln in hello.lines[:first]), \
        "a guest line came before the hypervisor's banner"
    assert_cpus_up(hello)


def test_guest_sees_its_platform(hello):
    dom = hello.lines_of("domU1")
    assert any(re.match(r"hello: uart 0x22000000( |$)", ln) for ln in dom), \
        "no `hello: uart 0x22000000` line"
    assert "hello: uart 0x22000000 ram 0x40000000 size 0x8000000 cpus 1" in dom
    assert "bootargs: mem=128M cpus=1" in dom
    assert "PASS mem-size" in dom
    assert "PASS cpu-count" in dom


def test_guest_checks_pass(hello):
    dom = hello.lines_of("domU1")
    assert "PASS psci-version" in dom
    ram = [m for m in map(re.compile(r"^PASS ram-test (\d+) bytes$").match,
                          dom) if m]
    assert len(ram) == 1, "no `PASS ram-test <bytes> bytes` line"
    assert GUEST_RAM // 2 < int(ram[0].group(1)) <= GUEST_RAM
    assert_done(hello, "domU1", passes=2)
    assert_no_fail(hello)


def test_partition_stopped(hello):
    assert_stopped(hello, "domU1")
