"""bandit finds nothing in the application's code: each finding it would report has been reviewed
where it stands (`# nosec BXXX # why`), so a new one fails here."""
from __future__ import annotations

import json
import subprocess
import sys

from portal.config import PROJECT_ROOT

PACKAGES = ["portal", "forums", "proposals", "events", "demo"]


def test_bandit_reports_nothing():
    done = subprocess.run([sys.executable, "-m", "bandit", "-q", "-r", "-f", "json", *PACKAGES],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    assert not report["errors"], report["errors"]
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert not findings, "\n".join(findings)
