"""Walk every URL of the project with absurd input and prove that none of it is a 500.

Each page is requested, as a branch secretary and as the 组织部's staff, with every query
parameter it reads set in turn to each absurd value; then every form the page renders is
posted with one field at a time absurd and the others as rendered. Whatever comes back may be
a form error, a 404 or a redirect, never a server error, and a form error saves nothing.
(Issue 9, item 12.)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from groups.leave import makeup
from groups.leave import services as leave
from groups.minutes import services as minutes
from groups.models import (
    BranchExemption,
    CalendarToken,
    KindRule,
    PublicHoliday,
    SessionKind,
)
from lessons.models import KeyTerm
from studyhub.accounts import user_uid
from studyhub.converters import IdConverter
from studyhub.models import Job
from tests.groups.factories import Org, make_sessions, missed, png_bytes

pytestmark = pytest.mark.django_db

HUGE = "9" * 20  # more than any database integer column holds

ABSURD: list[str | list[str]] = [
    HUGE,
    "-1",
    "0",
    "1e309",
    "nan",
    "abc",
    "",
    "%00",
    "\x00",
    "2026-13-45",
    "99999-01-01",
    "../../etc/passwd",
    "x" * 10_000,
    [str(n) for n in range(1, 1001)],
    "党" * 500,
]

# Query parameters that views read straight from request.GET, besides their forms' fields.
COMMON_PARAMETERS = [
    "page",
    "q",
    "sort",
    "year",
    "month",
    "day",
    "branch",
    "kinds",
    "categories",
    "period",
    "from",
    "to",
    "when",
    "format",
    "report",
    "token",
    "next",
]

PERSONAS = ["secretary_a", "staff"]


@dataclass
class World:
    """One of everything a URL can name, all in 第一党支部 (secretary_a's branch)."""

    org: Org
    objects: dict[str, Any] = field(default_factory=dict)


def build_world(org: Org) -> World:
    sessions = make_sessions(org)
    section = sessions.past.sections.select_related("lecture").first()
    term = KeyTerm.objects.create(term="三会一课", definition="组织生活")
    asked = leave.leave_request(session=sessions.upcoming, member=org.member_a, reason="出差")
    task = missed(sessions.past, org.member_a)
    makeup.makeup_submit(makeup=task, note="心得")
    photo = SimpleUploadedFile("合影.png", png_bytes(), "image/png")
    attachment = minutes.attachment_add(session=sessions.past, upload=photo, by=None)
    themed_day = SessionKind.objects.get(code="themed_day")
    return World(
        org=org,
        objects={
            "lecture": section.lecture,
            "section": section,
            "term": term,
            "upcoming": sessions.upcoming,
            "past": sessions.past,
            "leave": asked,
            "makeup": task,
            "attachment": attachment,
            "kind": themed_day,
            "rule": KindRule.objects.create(
                branch=org.branch_a, kind=themed_day, required_count=1, period="month"
            ),
            "exemption": BranchExemption.objects.create(
                branch=org.group_a, kind=themed_day, reason="人数少"
            ),
            "holiday": PublicHoliday.objects.create(day=date(2027, 5, 1), name="劳动节"),
            "calendar": CalendarToken.objects.create(user=org.secretary_a.user),
            "job": Job.objects.create(owner=org.secretary_a.user, kind="export", title="导出"),
        },
    )


# What each URL's path arguments point at, by URL name. A new URL must be added here.
URL_KWARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "home": lambda w: {},
    "login": lambda w: {},
    "logout": lambda w: {},
    "set_language": lambda w: {},
    "favicon": lambda w: {},
    "healthz": lambda w: {},
    "two_factor:setup": lambda w: {},
    "password_change": lambda w: {},
    "password_change_done": lambda w: {},
    "password_reset": lambda w: {},
    "password_reset_done": lambda w: {},
    "password_reset_confirm": lambda w: {"uidb64": user_uid(w.org.member_a.user), "token": "x-y"},
    "password_reset_complete": lambda w: {},
    "two_factor:disable": lambda w: {},
    "two_factor:backup-codes": lambda w: {},
    "two_factor:verify": lambda w: {},
    "admin:index": lambda w: {},
    "lessons:lecture-list": lambda w: {},
    "lessons:lecture-import": lambda w: {},
    "lessons:lecture-import-preview": lambda w: {},
    "lessons:lecture-detail": lambda w: {"lecture_id": w.objects["lecture"].pk},
    "lessons:section-detail": lambda w: {
        "lecture_id": w.objects["lecture"].pk,
        "section_id": w.objects["section"].pk,
    },
    "lessons:lecture-glossary": lambda w: {"lecture_id": w.objects["lecture"].pk},
    "lessons:term-create": lambda w: {"lecture_id": w.objects["lecture"].pk},
    "lessons:lecture-search": lambda w: {"lecture_id": w.objects["lecture"].pk},
    "lessons:term-detail": lambda w: {"term_id": w.objects["term"].pk},
    "lessons:term-update": lambda w: {"term_id": w.objects["term"].pk},
    "lessons:term-merge": lambda w: {"term_id": w.objects["term"].pk},
    "groups:branch-list": lambda w: {},
    "groups:branch-detail": lambda w: {"pk": w.org.branch_a.pk},
    "groups:roster-export": lambda w: {"pk": w.org.branch_a.pk},
    "groups:roster-import": lambda w: {"pk": w.org.branch_a.pk},
    "groups:roster-import-preview": lambda w: {"pk": w.org.branch_a.pk},
    "groups:member-me": lambda w: {},
    "groups:member-detail": lambda w: {"pk": w.org.member_a.pk},
    "groups:member-invite": lambda w: {"pk": w.org.member_a.pk},
    "groups:branch-invite": lambda w: {"pk": w.org.branch_a.pk},
    "groups:invitation-accept": lambda w: {
        "uidb64": user_uid(w.org.member_a.user),
        "token": "x-y",
    },
    "groups:reading-mark-read": lambda w: {"section_id": w.objects["section"].pk},
    "groups:reading-note-save": lambda w: {"section_id": w.objects["section"].pk},
    "groups:reading-section-notes": lambda w: {"section_id": w.objects["section"].pk},
    "groups:session-reading": lambda w: {"session_id": w.objects["past"].pk},
    "groups:session-reading-remind": lambda w: {"session_id": w.objects["upcoming"].pk},
    "groups:session-list": lambda w: {},
    "groups:calendar-month": lambda w: {},
    "groups:session-create": lambda w: {},
    "groups:session-detail": lambda w: {"pk": w.objects["upcoming"].pk},
    "groups:session-edit": lambda w: {"pk": w.objects["upcoming"].pk},
    "groups:session-cancel": lambda w: {"pk": w.objects["upcoming"].pk},
    "groups:session-ics": lambda w: {"pk": w.objects["upcoming"].pk},
    "groups:series-create": lambda w: {},
    "groups:calendar-subscription": lambda w: {},
    "groups:calendar-feed": lambda w: {"token": w.objects["calendar"].token},
    "groups:compliance": lambda w: {},
    "groups:rules": lambda w: {},
    "groups:kind-default-save": lambda w: {"pk": w.objects["kind"].pk},
    "groups:kind-rule-save": lambda w: {},
    "groups:kind-rule-delete": lambda w: {"pk": w.objects["rule"].pk},
    "groups:exemption-save": lambda w: {},
    "groups:exemption-delete": lambda w: {"pk": w.objects["exemption"].pk},
    "groups:holidays": lambda w: {},
    "groups:holiday-save": lambda w: {},
    "groups:holiday-delete": lambda w: {"pk": w.objects["holiday"].pk},
    "groups:report-index": lambda w: {},
    "groups:report-members": lambda w: {},
    "groups:report-matrix": lambda w: {},
    "groups:report-ledger": lambda w: {},
    "groups:report-ledger-print": lambda w: {},
    "groups:report-branches": lambda w: {},
    "groups:report-branches-print": lambda w: {},
    "groups:report-follow-up": lambda w: {},
    "groups:checkin": lambda w: {},
    "groups:checkin-session": lambda w: {"pk": w.objects["past"].pk},
    "groups:checkin-display": lambda w: {"pk": w.objects["past"].pk},
    "groups:report-export": lambda w: {},
    "groups:leave-ask": lambda w: {"session_id": w.objects["upcoming"].pk},
    "groups:leave-pending": lambda w: {},
    "groups:leave-approve": lambda w: {"pk": w.objects["leave"].pk},
    "groups:leave-reject": lambda w: {"pk": w.objects["leave"].pk},
    "groups:makeup-mine": lambda w: {},
    "groups:makeup-review": lambda w: {},
    "groups:makeup-detail": lambda w: {"pk": w.objects["makeup"].pk},
    "groups:makeup-confirm": lambda w: {"pk": w.objects["makeup"].pk},
    "groups:minutes-edit": lambda w: {"session_id": w.objects["past"].pk},
    "groups:minutes-attachment-add": lambda w: {"session_id": w.objects["past"].pk},
    "groups:minutes-attachment": lambda w: {"token": w.objects["attachment"].token},
    "groups:minutes-attachment-delete": lambda w: {"token": w.objects["attachment"].token},
    "groups:minutes-record": lambda w: {"session_id": w.objects["past"].pk},
    "groups:attendance-take": lambda w: {"pk": w.objects["past"].pk},
    "groups:attendance-mark-all": lambda w: {"pk": w.objects["past"].pk},
    "groups:attendance-headcounts": lambda w: {"pk": w.objects["past"].pk},
    "groups:attendance-row": lambda w: {
        "pk": w.objects["past"].pk,
        "member_pk": w.org.member_a.pk,
    },
    "groups:attendance-history": lambda w: {
        "pk": w.objects["past"].pk,
        "member_pk": w.org.member_a.pk,
    },
    "groups:attendance-signin-sheet": lambda w: {"pk": w.objects["past"].pk},
    "groups:branch-archive": lambda w: {"pk": w.org.branch_a.pk},
    "jobs:job-list": lambda w: {},
    "jobs:job-detail": lambda w: {"pk": w.objects["job"].pk},
    "jobs:job-progress": lambda w: {"pk": w.objects["job"].pk},
    "jobs:job-download": lambda w: {"pk": w.objects["job"].pk},
}


def project_patterns() -> Iterator[tuple[str, URLPattern]]:
    """Yield (namespaced name, pattern) for every URL of the project but the admin's models.

    The admin's own pages are Django's and are walked by Django's test suite; its index stays.
    """

    def walk(patterns, namespace: str) -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif namespace != "admin:" or pattern.name == "index":
                yield f"{namespace}{pattern.name or ''}", pattern

    yield from walk(get_resolver().url_patterns, "")


URL_NAMES = [name for name, _ in project_patterns()]


def test_every_url_of_the_project_is_walked():
    assert sorted(URL_NAMES) == sorted(URL_KWARGS)


class Forms(HTMLParser):
    """Collect each <form method=post> of a page: its action and its fields' rendered values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._single = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._fields = {}
            self.forms.append((a.get("action", ""), self._fields))
        if tag == "option" and self._fields is not None and self._select:
            if "selected" in a:
                self._fields[self._select].append(a.get("value", ""))
            elif self._first_option is None:
                self._first_option = a.get("value", "")
            return
        if self._fields is None or not a.get("name"):
            return
        name = a["name"]
        if name == "csrfmiddlewaretoken":
            return
        values = self._fields.setdefault(name, [])
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    values.append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                values.append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            values.append("")
        elif tag == "select":
            # A browser sends a single select's first option when none is selected.
            self._select, self._first_option = name, None
            self._single = "multiple" not in a
        if tag == "button" and a.get("value"):
            values.append(a["value"])

    def handle_data(self, data: str) -> None:
        if self._fields is not None and self._textarea:
            self._fields[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select and self._fields is not None:
            values = self._fields[self._select]
            if not values and self._single and self._first_option:
                values.append(self._first_option)
            self._select = None


def context_forms(response) -> Iterator[BaseForm]:
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            if isinstance(value, BaseForm):
                yield value
            elif isinstance(value, BaseFormSet):
                yield from value.forms


class RecordingQueryDict(QueryDict):
    """A query string that remembers which names the view looked up, present or not."""

    def __init__(self, *args: Any, read: set[str] | None = None, **kwargs: Any) -> None:
        self.read: set[str] = set()  # filling looks names up: those are not the view's reads
        super().__init__(*args, **kwargs)
        self.read = set() if read is None else read

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def getlist(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().getlist(key, default)

    def copy(self) -> RecordingQueryDict:
        return RecordingQueryDict(self.urlencode(), mutable=True, read=self.read)


def record_query_reads(get_response):
    """Test middleware: hand the view a recording query string; put its reads on the response."""

    def middleware(request):
        request.GET = RecordingQueryDict(request.META.get("QUERY_STRING", ""))
        response = get_response(request)
        response.query_reads = request.GET.read
        return response

    return middleware


def query_parameters(client: Client, url: str, page) -> list[str]:
    """Return the names the page's view looks up: as the page is, and with every candidate set.

    The candidates are the common names and the fields of the page's forms; setting them binds
    filter forms (`request.GET or None`), which then read their fields too.
    """
    fields = {form.add_prefix(name) for form in context_forms(page) for name in form.fields}
    candidates = dict.fromkeys(fields | set(COMMON_PARAMETERS), "1")
    probe, _failure = request(client, "get", url, candidates)
    return sorted(getattr(page, "query_reads", set()) | getattr(probe, "query_reads", set()))


def has_form_errors(response) -> bool:
    return any(form.errors for form in context_forms(response) if form.is_bound)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in ("groups", "lessons")
        for model in apps.get_app_config(app).get_models()
    }


def request(
    client: Client, method: str, url: str, data: dict, *, check: Callable[[Any], str] | None = None
) -> tuple[Any, str]:
    """Make one request, check what it wrote, then undo it; return (response, failure or "")."""
    with transaction.atomic():
        try:
            response = getattr(client, method)(url, data)
        except Exception as exc:  # noqa: BLE001 — the walker reports every escape, not the first
            transaction.set_rollback(True)
            return None, f"{type(exc).__name__}: {exc}"[:300]
        failure = "500" if response.status_code >= 500 else (check(response) if check else "")
        transaction.set_rollback(True)
    return response, failure


@pytest.fixture
def world(org, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.record_query_reads"]
    return build_world(org)


def shown(value: str | list[str]) -> str:
    return f"[{len(value)} ids]" if isinstance(value, list) else repr(value[:20])


# Forms in the layout of every page: the language switch is walked on the home page only,
# and logging out would end the walk.
LAYOUT_FORMS = {"set_language": "home", "logout": None}


def page_forms(url: str, html: str, page_name: str) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """Yield (action, rendered fields) of each distinct post form of a page."""
    parser = Forms()
    parser.feed(html)
    layout = {reverse(name): home for name, home in LAYOUT_FORMS.items()}
    seen = set()
    for action, fields in parser.forms:
        target = (action or url).split("?")[0] if action.startswith("/") or not action else url
        if target in layout and layout[target] != page_name:
            continue
        key = (action or url, tuple(sorted(fields)))
        if fields and key not in seen:
            seen.add(key)
            yield action or url, fields


# What a user types into a new, empty form, so that its other fields are valid while one is
# absurd (edit forms render their object's values, which are valid already).
TYPED = {
    "topic": "学习新时代党的组织路线",
    "day": "2026-11-20",
    "first_day": "2026-11-20",
    "start_time": "14:30",
    "end_time": "16:00",
    "count": "4",
    "interval": "1",
    "reason": "出差",
    "name": "元旦",
    "term": "四议两公开",
    "required_count": "1",
}


def forms_as_persona(client: Client, url: str, name: str) -> list[tuple[str, dict]]:
    page, failure = request(client, "get", url, {})
    assert not failure, failure
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return []
    return [
        (action, {k: v or ([TYPED[k]] if k in TYPED else v) for k, v in fields.items()})
        for action, fields in page_forms(url, page.content.decode(), name)
    ]


def query_failures(client: Client, url: str) -> list[str]:
    """Request the page with each parameter it reads set in turn to each absurd value."""
    page, failure = request(client, "get", url, {})
    if failure:
        return [f"GET {url}: {failure}"]
    failures = []
    for parameter in query_parameters(client, url, page):
        for value in ABSURD:
            _response, failure = request(client, "get", url, {parameter: value})
            if failure:
                failures.append(f"GET ?{parameter}={shown(value)}: {failure}")
    return failures


def form_failures(client: Client, forms: list[tuple[str, dict]]) -> list[str]:
    """Post each form with one field at a time absurd; a form error must have saved nothing."""
    before = row_counts()

    def saved_nothing_on_error(response) -> str:
        if has_form_errors(response) and row_counts() != before:
            return "a form error, yet rows were saved"
        return ""

    failures = []
    for action, fields in forms:
        for field_name in fields:
            for value in ABSURD:
                data = {**fields, field_name: value}
                _response, failure = request(
                    client, "post", action, data, check=saved_nothing_on_error
                )
                if failure:
                    failures.append(f"POST {action} {field_name}={shown(value)}: {failure}")
    return failures


@pytest.mark.parametrize("name", URL_NAMES)
def test_absurd_input_is_never_a_500(world, client, persona, name):
    """Walk the page's query parameters as each persona, then post its forms as the persona
    who is shown more of them."""
    url = reverse(name, kwargs=URL_KWARGS[name](world))
    failures, shown_forms = [], {}
    for persona_name in PERSONAS:
        client.force_login(persona(persona_name))
        failures += [f"{persona_name} {failure}" for failure in query_failures(client, url)]
        shown_forms[persona_name] = forms_as_persona(client, url, name)
    poster = max(PERSONAS, key=lambda p: len(shown_forms[p]))
    client.force_login(persona(poster))
    failures += [f"{poster} {failure}" for failure in form_failures(client, shown_forms[poster])]
    assert not failures, "\n".join(failures)


INT_PATHS = [
    name
    for name, pattern in project_patterns()
    if any(isinstance(c, IntConverter | IdConverter) for c in pattern.pattern.converters.values())
]


@pytest.mark.parametrize("name", INT_PATHS)
def test_a_path_id_no_database_holds_is_a_404(world, login, name):
    """An id in the path past any column's range is a 404, however the view looks it up."""
    client, kwargs = login("staff"), URL_KWARGS[name](world)
    marker = 987_654_321  # reverse() refuses the absurd id itself: put it in the built path
    for key, number, method in itertools.product(kwargs, [HUGE, str(2**63)], ["get", "post"]):
        url = reverse(name, kwargs={**kwargs, key: marker}).replace(str(marker), number)
        response, failure = request(client, method, url, {})
        assert not failure, (method, url, failure)
        assert response.status_code in (404, 405), (method, url, response.status_code)
