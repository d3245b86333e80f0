"""Staff curate key terms from the term and glossary pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lessons.models import KeyTerm, Lecture, TermOccurrence
from tests.lessons.factories import lecture_from_texts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert the English msgids, whatever the translations say."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def lecture() -> Lecture:
    return lecture_from_texts(
        [
            ("组织生活", ["坚持三会一课，落实三会一课。", "开好组织生活会。"]),
            ("政治建设", ["增强四个意识，坚定四个自信。"]),
        ],
        terms=["三会一课", "四个意识", "四个自信"],
        definitions={"四个自信": "道路自信、理论自信、制度自信、文化自信。"},
    )


def _section_page(client, lecture: Lecture, position: int) -> str:
    return client.get(lecture.sections.get(position=position).get_absolute_url()).content.decode()


def _edit(client, key_term: KeyTerm, **changes):
    term = key_term
    data = {
        "term": term.term,
        "aliases": "、".join(term.aliases),
        "definition": term.definition,
        **changes,
    }
    if data.pop("is_hidden", term.is_hidden):
        data["is_hidden"] = "on"
    return client.post(reverse("lessons:term-update", args=[term.pk]), data)


def _count(term: KeyTerm) -> int:
    return sum(TermOccurrence.objects.filter(term=term).values_list("count", flat=True))


def test_staff_see_the_edit_and_merge_forms(staff_client, lecture):
    term = KeyTerm.objects.get(term="三会一课")
    page = staff_client.get(term.get_absolute_url()).content.decode()
    assert "Edit term" in page
    assert "Merge into another term" in page


def test_rename_shows_the_new_name_everywhere(staff_client, lecture):
    term = KeyTerm.objects.get(term="三会一课")
    response = _edit(staff_client, term, term="三会一课制度", aliases="三会一课")
    assert response["Location"] == term.get_absolute_url()
    page = staff_client.get(term.get_absolute_url()).content.decode()
    assert "Saved the term “三会一课制度”." in page
    assert '<h1 class="h3 mb-2">三会一课制度' in page
    assert "Also written: 三会一课" in page
    # The old spelling is kept as an alias, so the text still links to the term.
    section = _section_page(staff_client, lecture, 1)
    assert 'title="三会一课制度">三会一课</a>' in section
    glossary = staff_client.get(reverse("lessons:lecture-glossary", args=[lecture.pk]))
    assert ">三会一课制度</a>" in glossary.content.decode()


def test_definition_is_saved_and_shown(staff_client, lecture):
    term = KeyTerm.objects.get(term="三会一课")
    _edit(staff_client, term, definition="支部党员大会、支部委员会、党小组会、党课。")
    page = staff_client.get(term.get_absolute_url()).content.decode()
    assert "支部党员大会、支部委员会、党小组会、党课。" in page
    assert 'data-bs-content="支部党员大会、支部委员会、党小组会、党课。"' in _section_page(
        staff_client, lecture, 1
    )


def test_hidden_term_is_not_marked_or_listed(staff_client, member, lecture):
    term = KeyTerm.objects.get(term="四个意识")
    _edit(staff_client, term, is_hidden=True)
    term.refresh_from_db()
    assert term.is_hidden
    member_client = staff_client
    member_client.force_login(member)
    section = _section_page(member_client, lecture, 2)
    assert "增强四个意识，" in section
    assert 'title="四个意识"' not in section
    assert 'title="四个自信">四个自信</a>' in section
    glossary = member_client.get(reverse("lessons:lecture-glossary", args=[lecture.pk]))
    assert "四个意识" not in glossary.content.decode()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"term": ""}, "This field is required."),
        ({"term": "长" * 33}, "Ensure this value has at most 32 characters"),
        ({"term": "四个自信"}, "A term with this spelling already exists."),
        ({"aliases": "短、" + "长" * 33}, "Each spelling may have at most 32 characters"),
    ],
)
def test_invalid_edit_is_a_form_error(staff_client, lecture, changes, error):
    term = KeyTerm.objects.get(term="三会一课")
    response = _edit(staff_client, term, **changes)
    assert response.status_code == 200
    assert error in response.content.decode()
    term.refresh_from_db()
    assert term.term == "三会一课"
    assert term.aliases == []


def test_merge_sums_counts_and_removes_the_source(staff_client, lecture):
    source = KeyTerm.objects.get(term="四个意识")
    into = KeyTerm.objects.get(term="四个自信")
    expected = _count(source) + _count(into)
    response = staff_client.post(reverse("lessons:term-merge", args=[source.pk]), {"into": into.pk})
    assert response["Location"] == into.get_absolute_url()
    assert not KeyTerm.objects.filter(pk=source.pk).exists()
    into.refresh_from_db()
    assert into.aliases == ["四个意识"]
    assert _count(into) == expected
    page = staff_client.get(into.get_absolute_url()).content.decode()
    assert "Merged “四个意识” into “四个自信”." in page
    assert "× 2" in page
    assert staff_client.get(source.get_absolute_url()).status_code == 404
    glossary = staff_client.get(reverse("lessons:lecture-glossary", args=[lecture.pk]))
    assert 'title="Times in this lecture">2</span>' in glossary.content.decode()


def test_merging_into_itself_is_a_form_error(staff_client, lecture):
    term = KeyTerm.objects.get(term="三会一课")
    response = staff_client.post(reverse("lessons:term-merge", args=[term.pk]), {"into": term.pk})
    assert response.status_code == 200
    assert "A term cannot be merged into itself." in response.content.decode()
    assert KeyTerm.objects.filter(pk=term.pk).exists()


def test_add_term_finds_it_in_the_lecture(staff_client, lecture):
    url = reverse("lessons:term-create", args=[lecture.pk])
    response = staff_client.post(url, {"term": "组织生活会", "definition": "每年一次。"})
    assert response["Location"] == reverse("lessons:lecture-glossary", args=[lecture.pk])
    page = staff_client.get(response["Location"]).content.decode()
    assert "Added the term “组织生活会”." in page
    assert "每年一次。" in page
    term = KeyTerm.objects.get(term="组织生活会")
    assert term.kind == KeyTerm.Kind.MANUAL
    assert 'title="组织生活会">组织生活会</a>' in _section_page(staff_client, lecture, 1)


@pytest.mark.parametrize(
    ("term", "error"),
    [
        ("", "This field is required."),
        ("长" * 33, "Ensure this value has at most 32 characters"),
        ("三会一课", "A term with this spelling already exists."),
    ],
)
def test_invalid_new_term_is_a_form_error(staff_client, lecture, term, error):
    before = KeyTerm.objects.count()
    response = staff_client.post(reverse("lessons:term-create", args=[lecture.pk]), {"term": term})
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert "Add a term" in page
    assert KeyTerm.objects.count() == before


def test_members_cannot_curate(member_client, lecture):
    term = KeyTerm.objects.get(term="三会一课")
    other = KeyTerm.objects.get(term="四个意识")
    page = member_client.get(term.get_absolute_url()).content.decode()
    assert "Edit term" not in page
    assert "Merge into another term" not in page
    assert _edit(member_client, term, term="改名").status_code == 403
    merge = member_client.post(reverse("lessons:term-merge", args=[term.pk]), {"into": other.pk})
    assert merge.status_code == 403
    assert set(KeyTerm.objects.values_list("term", flat=True)) == {
        "三会一课",
        "四个意识",
        "四个自信",
    }


@pytest.mark.parametrize("model", ["lecture", "section", "keyterm", "termoccurrence"])
def test_admin_lists_and_searches(admin_client, lecture, model):
    url = reverse(f"admin:lessons_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "三会一课"}).status_code == 200


def test_admin_hides_and_shows_terms(admin_client, lecture):
    term = KeyTerm.objects.get(term="三会一课")
    url = reverse("admin:lessons_keyterm_changelist")
    admin_client.post(url, {"action": "hide", "_selected_action": [term.pk]})
    term.refresh_from_db()
    assert term.is_hidden
    admin_client.post(url, {"action": "unhide", "_selected_action": [term.pk]})
    term.refresh_from_db()
    assert not term.is_hidden
