"""SYSTEM_RESET restarts a partition from its boot modules with its private
RAM scrubbed (docs/architecture.md section 9, guests/ctl/scrub.c): run 1
marks every MiB of RAM the restart does not load again and changes a .data
word, run 2 finds every mark gone and the word at its initial value; the
shared region keeps what run 1 wrote (DESIGN.md §6: regions are not
scrubbed).  Seen failing before the scrub: run 2 read the marks back."""
import pytest

from tessera_sys import ROOT, assert_clean_exit, assert_done, assert_no_fail, boot_scenario

SCN = ROOT / "tests/system/scenarios/scrub.scn"


@pytest.fixture(scope="module")
def run():
    return boot_scenario(SCN)


def test_reset_then_scrubbed(run):
    t = run.tessera
    stop = next(i for i, l in enumerate(t) if l.startswith("domU1: stopped (SYSTEM_RESET) after "))
    assert t[stop + 1] == "domU1: 64 MiB of RAM scrubbed before its new run"
    assert t[stop + 2].startswith("domU1: started (id 1, ")
    # The first start scrubs nothing.
    assert sum("scrubbed" in l for l in t) == 1


def test_second_run_sees_nothing_of_the_first(run):
    lines = run.lines_of("domU1")
    marked = [l for l in lines if l.startswith("scrub: ") and l.endswith("spots marked, resetting")]
    assert len(marked) == 1, marked             # the region's mark survived: one run 1 only
    assert int(marked[0].split()[1]) >= 60       # 64 MiB: a spot in nearly every MiB
    assert "scrub: 0 dirty spots" in lines
    for what in ("scrub-ram-zero", "scrub-image-reloaded", "scrub-region-kept"):
        assert f"PASS {what}" in lines, what
    assert_done(run, "domU1", passes=3)
    assert_no_fail(run)
    assert_clean_exit(run)
