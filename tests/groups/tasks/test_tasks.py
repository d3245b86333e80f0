"""Study tasks: issuing, each branch's progress computed in SQL, the dashboard and export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groups.models import SessionKind, StudyNote, StudySession, TaskTarget
from groups.reading import services as reading
from groups.tasks.selectors import State, task_rows
from groups.tasks.services import task_create
from tests.groups.factories import P, grow_organisation, kind, make_session, mark


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def held_for(task, branch, **extra) -> StudySession:
    """A session for the task that started an hour ago in the branch."""
    return make_session(branch, starts_at=timezone.now() - timedelta(hours=2), task=task, **extra)


def states(user, task) -> dict[str, str]:
    return {row.target.branch.code: row.state for row in task_rows(user, task)}


def test_all_branches_expand_to_the_issuers_party_branches(org, task):
    assert sorted(TaskTarget.objects.filter(task=task).values_list("branch__code", flat=True)) == [
        "a",
        "b",
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deadline": -1}, "deadline"),
        ({"targets": "group_a"}, "targets"),
        ({"issuer": "branch_a", "targets": "branch_b"}, "targets"),
        ({"sections": []}, "sections"),
    ],
)
def test_task_create_refuses(org, books, change, field):
    fields = {
        "user": None,
        "issuer": org.committee,
        "title": "任务",
        "sections": books.sections[:1],
        "kinds": [kind(SessionKind.STUDY)],
        "deadline": timezone.localdate(),
    }
    fields.update(change)
    if "deadline" in change:
        fields["deadline"] = timezone.localdate() + timedelta(days=change["deadline"])
    if "targets" in change:
        fields["targets"] = [getattr(org, change["targets"])]
    if "issuer" in change:
        fields["issuer"] = getattr(org, change["issuer"])
    with pytest.raises(ValidationError) as error:
        task_create(**fields)
    assert field in error.value.error_dict


def test_progress_from_not_scheduled_to_done(org, books, task):
    user = org.secretary_parent.user
    assert states(user, task) == {"a": State.NOT_SCHEDULED, "b": State.NOT_SCHEDULED}
    make_session(org.branch_b, task=task)
    session = held_for(task, org.branch_a)
    assert states(user, task) == {"a": State.HELD, "b": State.SCHEDULED}
    # Attendance taken, but 张伟 and 李明 have not read both sections.
    mark(session, org.member_a, P)
    assert states(user, task)["a"] == State.HELD
    for member in (org.member_a, org.secretary_a):
        for section in books.sections[:2]:
            reading.reading_mark_read(member=member, section=section)
    rows = {row.target.branch.code: row for row in task_rows(user, task)}
    assert rows["a"].state == State.DONE
    assert (rows["a"].target.expected, rows["a"].target.attended) == (2, 1)
    assert rows["a"].target.readers == 2


def test_cancelled_and_other_kinds_do_not_count(org, task):
    held_for(task, org.branch_a, status="cancelled", cancel_reason="改期")
    make_session(org.branch_b, SessionKind.THEMED_DAY, task=task)
    assert states(org.secretary_parent.user, task) == {
        "a": State.NOT_SCHEDULED,
        "b": State.NOT_SCHEDULED,
    }


def test_notes_when_required(org, books, task):
    task.requires_reading, task.requires_notes = False, True
    task.save()
    session = held_for(task, org.branch_a)
    mark(session, org.member_a, P)
    StudyNote.objects.create(member=org.member_a, section=books.sections[0], text="心得")
    assert states(org.secretary_parent.user, task)["a"] == State.HELD
    StudyNote.objects.create(member=org.secretary_a, section=books.sections[1], text="体会")
    assert states(org.secretary_parent.user, task)["a"] == State.DONE


def test_a_branch_sees_only_its_own_row(org, task):
    assert list(states(org.secretary_a.user, task)) == ["a"]


def test_dashboard_shows_overdue_and_drills_down(org, task, login, frozen_now):
    session = make_session(org.branch_b, task=task)
    client = login("secretary_parent")
    with time_machine.travel(frozen_now + timedelta(days=6), tick=False):
        page = client.get(task.get_absolute_url()).content.decode()
    assert page.count("text-bg-danger") == 2
    assert reverse("groups:session-detail", args=[session.pk]) in page


def test_export_csv(org, task, login):
    held_for(task, org.branch_a)
    response = login("secretary_parent").get(
        reverse("groups:task-export", args=[task.pk]) + "?format=csv"
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Branch", "State"]
    assert [row[:2] for row in rows[1:]] == [
        ["第一党支部", "held, not complete"],
        ["第二党支部", "not scheduled"],
    ]


def test_issue_through_the_form(org, books, login):
    response = login("secretary_parent").post(
        reverse("groups:task-create"),
        {
            "issuer": org.committee.pk,
            "title": "学习第二部分",
            "lecture": books.sections[0].lecture_id,
            "sections": [books.sections[1].pk],
            "kinds": [kind(SessionKind.STUDY).pk],
            "deadline": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "requires_reading": "on",
            "targets": [org.branch_b.pk],
        },
    )
    assert response.status_code == 302
    target = TaskTarget.objects.get()
    assert target.branch == org.branch_b


def test_a_branch_secretary_may_not_issue(org, login):
    assert login("secretary_a").get(reverse("groups:task-create")).status_code == 403


# Session + user (2), the task with its issuer (1), sections and kinds (2), the rows with
# their progress (1); the page's base template (menus) the rest.
DASHBOARD_QUERIES = 12


@pytest.mark.parametrize("branches", [2, 200])
def test_dashboard_queries_do_not_grow(org, books, login, branches, django_assert_max_num_queries):
    more = (
        grow_organisation(org.committee, branches=branches - 2, members=branches * 3)
        if branches > 2
        else [org.branch_a]
    )
    task = task_create(
        user=None,
        issuer=org.committee,
        title="任务",
        sections=books.sections[:2],
        kinds=[kind(SessionKind.STUDY)],
        deadline=timezone.localdate() + timedelta(days=3),
    )
    for branch in more[::3]:
        held_for(task, branch)
    client = login("secretary_parent")
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(task.get_absolute_url())
    assert response.content.decode().count('data-state="') == branches
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("groups:task-export", args=[task.pk]) + "?format=xlsx")
    assert response.status_code == 200


def test_schedule_for_the_task_prefills_and_links(org, books, task, login):
    client = login("secretary_a")
    page = client.get(reverse("groups:session-create") + f"?task={task.pk}").content.decode()
    assert 'value="学习新时代党的组织路线"' in page
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client.post(
        reverse("groups:session-create"),
        {
            "branch": org.branch_a.pk,
            "kind": kind(SessionKind.STUDY).pk,
            "topic": task.title,
            "day": day,
            "start_time": "14:30",
            "end_time": "16:00",
            "lecture": books.sections[0].lecture_id,
            "sections": [s.pk for s in books.sections[:2]],
            "task": task.pk,
        },
    )
    assert response.status_code == 302
    assert StudySession.objects.get(topic=task.title, task=task).branch == org.branch_a
    assert states(org.secretary_a.user, task) == {"a": State.SCHEDULED}
