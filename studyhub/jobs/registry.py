"""What each kind of job runs: kind → the dotted path of its function.

A job function is called as ``function(owner, params, progress)``: ``owner`` is the user who
started it (the function checks again what they may see), ``params`` the JSON the view
stored, ``progress(done, total)`` reports how far it is. It returns ``(filename,
content_type, content)`` where content is the file's bytes or the path of a temporary file
(moved into storage, then deleted), and may add a fourth item, a sentence for the job's page
saying what it did. A ``JobError`` it raises is shown to the user as it is.

Dotted paths, not imports: the apps that define the kinds import studyhub, not the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.module_loading import import_string

Progress = Callable[[int, int], None]
JobResult = tuple[str, str, bytes | str | Path] | tuple[str, str, bytes | str | Path, str]
JobFunction = Callable[[Any, dict[str, Any], Progress], JobResult]

JOB_KINDS: dict[str, str] = {
    "export": "groups.exports.jobs.export_job",
    "archive": "groups.archive.jobs.archive_job",
    "roster_import": "groups.org.jobs.roster_import_job",
}


class JobError(Exception):
    """A failure to tell the job's owner in these words (no traceback, no internals)."""


def job_function(kind: str) -> JobFunction:
    """Return the function that runs a kind of job."""
    try:
        return import_string(JOB_KINDS[kind])
    except KeyError as exc:
        raise JobError(f"unknown job kind {kind!r}") from exc
