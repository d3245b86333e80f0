"""`manage.py import_lecture`: the stable JSON, dry runs, and failures with exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lessons.models import Lecture
from tests.conftest import SAMPLE_LECTURE

pytestmark = pytest.mark.django_db


def test_dry_run_json_prints_the_outline_and_saves_nothing():
    out = StringIO()
    call_command("import_lecture", str(SAMPLE_LECTURE), "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["title"].endswith("努力推动组织工作高质量发展")
    assert [s["number"] for s in data["sections"]] == ["一", "二", "三"]
    assert [c["title"] for c in data["sections"][1]["children"]][:2] == ["根本指导思想", "根本任务"]
    assert {"term": "三会一课", "occurrences": 2} in data["terms"]
    assert Lecture.objects.count() == 0


def test_import_then_reimport(capsys):
    call_command("import_lecture", str(SAMPLE_LECTURE))
    call_command("import_lecture", str(SAMPLE_LECTURE))
    assert Lecture.objects.count() == 1
    assert "Already imported" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [(b"", "empty.txt", "文件为空"), (b"%PDF-1.4", "x.pdf", "不支持“x.pdf”的文件类型")],
)
def test_bad_files_fail_and_save_nothing(tmp_path: Path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_lecture", str(path))
    assert Lecture.objects.count() == 0


def test_exit_code_is_not_zero_for_a_bad_file(tmp_path: Path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_lecture", str(path), "--dry-run"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode != 0
    assert "文件为空" in result.stderr
