"""Stage-2 TLB maintenance across CPUs (p2m/p2m_hw.c): when an owner's stop
revokes a borrower's mapping, the borrower's CPU must not keep using it.
tests/system/test_demo.py covers a 2 MiB region (whole-VMID invalidation);
here a 64 KiB one takes the by-IPA path (TLBI IPAS2E1IS per page, then
VMALLE1IS), run from the owner's CPU with the borrower's VTTBR loaded.

What QEMU cannot show: its TLB is not tagged by VMID, and the owner's own
whole-VMID invalidation follows the revoke within the same stop, so this
test passes even without the by-IPA operations (tried).  It shows that the
path runs on both CPU models and the borrower loses access; the operands
are checked by tests/unit/test_p2m.c (test_tlbi_ipa_ops, and the fake TLB
hook receives the table whose VTTBR is loaded)."""
import re
from pathlib import Path

import pytest

from tessera_sys import (assert_clean_exit, assert_done, assert_no_fail,
                         boot_scenario)

SCN = Path(__file__).resolve().parent / "scenarios" / "revoke_small.scn"
BYTES = 0x10000 - 72            # revoke-owner data bytes (guests/README.md)


@pytest.mark.parametrize("cpu", ["cortex-a57", "max"])
def test_small_region_revoked_on_the_borrowers_cpu(cpu):
    r = boot_scenario(SCN, cpu=cpu)
    dom0, dom1 = r.lines_of("dom0"), r.lines_of("domU1")
    assert "shm: region 0x0 at 0x50000000 size 0x10000" in dom1
    assert f"PASS shm-verify 0x0 {BYTES}" in dom1
    assert "PASS shm-ack 0x0" in dom0
    assert "PASS shm-revoked 0x0" in dom1, dom1
    aborts = [ln for ln in r.tessera if "data abort" in ln]
    assert len(aborts) == 1, aborts
    assert re.fullmatch(r"domU1: data abort: access to shared region 0x0 revoked \(its "
                        r"owner stopped\) at IPA 0x50000000 \(pc 0x[0-9a-f]+, read\): "
                        r"injected", aborts[0]), aborts[0]
    assert_done(r, "domU1", passes=4)
    assert_no_fail(r)
    assert_clean_exit(r)
