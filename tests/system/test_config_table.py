"""docs/configuration.md section 11 and dt/cfg_props.c are one table: every
property and compatible the code gives a status appears in the docs with
that status (supported, ignored, rejected), so neither drifts alone."""
import re

from tessera_sys import ROOT

RULE_RE = re.compile(r'\{ "([^"]+)", CFG_(SUPPORTED|IGNORED|REJECTED)')
STATUS = {"SUPPORTED": "supported", "IGNORED": "ignored", "REJECTED": "rejected"}


def docs_rows():
    text = (ROOT / "docs/configuration.md").read_text()
    section = text.split("## 11. Every Xen property")[1]
    rows = {}
    for line in section.splitlines():
        cols = [c.strip() for c in line.split("|")]
        if len(cols) < 5 or not cols[2].startswith("`"):
            continue
        for name in re.findall(r"`([^`]+)`", cols[2]):
            rows.setdefault(name, set()).add(cols[3].split()[0])
    return rows


def test_every_rule_is_documented_with_its_status():
    code = (ROOT / "dt/cfg_props.c").read_text()
    rules = RULE_RE.findall(code)
    assert len(rules) > 40
    rows = docs_rows()
    for name, status in rules:
        assert name in rows, f"{name} is not in docs/configuration.md section 11"
        assert STATUS[status] in rows[name], (name, status, rows[name])
