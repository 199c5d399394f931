"""pytest wiring for the Linux-guest tests: the same `boot` fixture and
failure logs (build/test-logs/<module>.<test>.log) as tests/system, taken
from tests/system/conftest.py rather than copied."""
import importlib.util
import sys
from pathlib import Path

SYSTEM = Path(__file__).resolve().parents[1] / "system"
sys.path.insert(0, str(SYSTEM))          # tessera_sys, as tests/system sees it

_spec = importlib.util.spec_from_file_location("tessera_system_conftest",
                                               SYSTEM / "conftest.py")
_system = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_system)

boot = _system.boot
pytest_runtest_setup = _system.pytest_runtest_setup
pytest_runtest_makereport = _system.pytest_runtest_makereport
