"""docs/pictures/*.svg are drawn from the running system (tools/pictures.py):
`pictures.py check` boots the demo and the tutorial's scenario (with the
shell steps of its capture), redraws every picture and compares it with
the committed one, so a change in what the hypervisor prints that makes a
picture stale fails here (`make pictures` redraws them).

The other tests use the consoles that check captured (build/pictures/)
to show that the pictures follow the facts: change one console line and
the picture changes; a log without the needed lines is refused."""
import re
import subprocess
import sys

import pytest

from tessera_sys import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import pictures  # noqa: E402

TIMEOUT = 300


@pytest.fixture(scope="module")
def checked():
    res = subprocess.run([sys.executable, str(ROOT / "tools/pictures.py"), "check"],
                         cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT,
                         stdin=subprocess.DEVNULL)
    return res


def demo_log():
    return (pictures.CAPTURE_DIR / "demo.log").read_text()


def test_committed_pictures_are_current(checked):
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "docs/pictures matches the running system (3 pictures)" in checked.stdout


def test_docs_use_every_picture_and_only_generated_ones(checked):
    """Each picture is shown in docs/, and every picture docs/ shows is one
    of the generated ones."""
    shown = set()
    for md in list((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]:
        for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md.read_text()):
            assert target.startswith(("pictures/", "docs/pictures/")), (md.name, target)
            shown.add(target.split("/")[-1])
    assert shown == set(pictures.PICTURES_FROM)


def test_parse_demo(checked):
    log = pictures.parse_log(demo_log())
    assert sorted(log.partitions) == ["dom0", "domU1", "domU2"]
    assert log.ram_mib == 2048
    t = log.tables[0]
    assert [(r.rid, r.host, r.size, r.owner) for r in t.regions] == [
        ("0x0", 0x60000000, 0x200000, "dom0"), ("0x1", 0x60200000, 0x200000, "dom_shared")]
    assert [(u.name, u.ipa, u.owner, u.state) for u in t.regions[0].users] == [
        ("dom0", 0x60000000, True, "mapped"), ("domU1", 0x50000000, False, "mapped")]
    assert log.partitions["domU2"].runs[-1] == (0x70000000, 0x200000, 0x60200000, "shared")


def test_map_follows_the_console(checked):
    """Move region 0x1 in the console text: the picture shows the new host
    address and not the old one."""
    text = demo_log()
    before = pictures.render_map(pictures.parse_log(text), 1)
    moved = text.replace("shm: id 0x1 host 0x60200000-0x603fffff",
                         "shm: id 0x1 host 0x70200000-0x703fffff")
    after = pictures.render_map(pictures.parse_log(moved), 1)
    def y_of(svg, label):
        return int(re.search(rf'y="(\d+)"[^>]*>{re.escape(label)}<', svg).group(1))

    region, ram = "region 0x1, 2 MiB, owner dom_shared", "domU1 RAM, 128 MiB"
    assert y_of(before, region) < y_of(before, ram) < y_of(after, region)
    assert ">0x70200000<" in after and ">0x70200000<" not in before


def test_revoked_map_marks_the_borrower(checked):
    log = pictures.parse_log((pictures.CAPTURE_DIR / "tutorial.log").read_text())
    svg = pictures.render_map(log, "revoked")
    assert "region 0x0, borrowed from dom0 [revoked]" in svg
    assert "revoked: an access aborts" in svg
    assert "dom0: guest view (IPA), id 0, VMID 1, stopped" in svg


def test_tree_needs_walks(checked):
    """The stage-2 picture is drawn from walks; without them it is refused
    with a message, never guessed."""
    log = pictures.parse_log(demo_log())
    with pytest.raises(pictures.PictureError, match=r"no `walk domU1 \.\.\.` in the log"):
        pictures.render_tree(log, "domU1")


def test_tree_checks_runs_against_walks(checked):
    """A walk that contradicts the p2m run (the run's last byte in another
    entry than its size says) is refused."""
    text = (pictures.CAPTURE_DIR / "tutorial.log").read_text()
    bad = re.sub(r"(walk domU1 IPA 0x47ffffff:[^\n]*\n[^\n]*\n[^\n]*index )63 ", r"\g<1>62 ",
                 text)
    assert bad != text
    with pytest.raises(pictures.PictureError, match="run at 0x40000000 is not 63 whole entries"):
        pictures.render_tree(pictures.parse_log(bad), "domU1")
