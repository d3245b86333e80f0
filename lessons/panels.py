"""Panels other apps add to the section page, so lessons needs to know nothing of them.

An app registers a provider in its AppConfig.ready(); the section view renders each one.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from lessons.models import Section

SectionPanel = Callable[[HttpRequest, Section], SafeString]
_section_panels: list[SectionPanel] = []


def register_section_panel(provider: SectionPanel) -> SectionPanel:
    """Add a provider of HTML shown under a section's text (idempotent)."""
    if provider not in _section_panels:
        _section_panels.append(provider)
    return provider


def section_panels(request: HttpRequest, section: Section) -> list[SafeString]:
    """Return the HTML of every registered panel for this section and user."""
    return [html for provider in _section_panels if (html := provider(request, section))]
