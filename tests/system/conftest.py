"""pytest wiring for the system tests: the `boot` fixture and the failure
log (build/test-logs/<module>.<test>.log).  The harness itself is
tessera_sys.py."""
import pytest

import tessera_sys


@pytest.fixture
def boot():
    """boot(scenario, cpu="cortex-a57", smp=None, mem=None, timeout=None,
    stdin=None, extra=None) -> BootResult (see tessera_sys)."""
    return tessera_sys.boot_scenario


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Each test's log starts empty, before any fixture (even a
    module-scoped one that boots) runs."""
    tessera_sys.current_boots.clear()


def _boots_of(item):
    """The test's own boots, then those of fixtures shared across tests
    (a module-scoped fixture boots once for several tests)."""
    boots = list(tessera_sys.current_boots)
    for value in getattr(item, "funcargs", {}).values():
        if isinstance(value, tessera_sys.BootResult) and value not in boots:
            boots.append(value)
    return boots


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep a failed test's consoles; drop a stale log once it passes."""
    outcome = yield
    report = outcome.get_result()
    path = tessera_sys.log_name(item.module.__name__, item.name)
    if report.failed:
        tessera_sys.write_log(path, _boots_of(item), report.longreprtext)
        report.sections.append(("tessera log", f"console kept in {path}"))
    elif report.when == "call" and report.passed and path.exists():
        path.unlink()
