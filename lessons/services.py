"""Operations that change lessons data: save an imported lecture, curate key terms."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from lessons import importer
from lessons.glossary import standard_definitions
from lessons.models import KeyTerm, Lecture, Section, TermOccurrence
from lessons.text_cache import text_changed


def pinyin_sort_key(text: str) -> str:
    """Return the pinyin spelling a term or a name sorts by alphabetically."""
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(text))[:200]


@transaction.atomic
def lecture_save(
    *, outline: importer.Outline, source_name: str, imported_by: AbstractBaseUser | None = None
) -> tuple[Lecture, bool]:
    """Store a parsed lecture; return it and whether it was new.

    The same text imported again returns the lecture already stored. A revised text with
    the title of a current lecture becomes that lecture's next version: the old version
    stays intact, so sessions that assigned its sections keep pointing at what was read.
    """
    existing = Lecture.objects.filter(source_hash=outline.text_hash).first()
    if existing is not None:
        return existing, False

    previous = Lecture.objects.current().filter(title=outline.title).first()
    lecture = Lecture.objects.create(
        title=outline.title,
        subtitle=outline.subtitle or "",
        speaker=outline.speaker or "",
        delivered_on=outline.delivered_on,
        salutation=outline.salutation or "",
        preamble="\n".join(outline.preamble),
        source_name=source_name[:255],
        source_hash=outline.text_hash,
        version=previous.version + 1 if previous else 1,
        previous_version=previous,
        imported_by=imported_by,
    )
    _create_sections(lecture, outline.sections)
    _ensure_terms(outline.terms)
    lecture_index_terms(lecture=lecture)
    return lecture, True


def _create_sections(lecture: Lecture, nodes: list[importer.OutlineSection]) -> None:
    position = 0

    def create(children: list[importer.OutlineSection], parent: Section | None) -> None:
        nonlocal position
        for node in children:
            position += 1
            section = Section.objects.create(
                lecture=lecture,
                parent=parent,
                number=node.number,
                title=node.title[:300],
                level=node.level,
                position=position,
                body="\n".join(node.paragraphs),
            )
            create(node.children, section)

    create(nodes, None)


def _ensure_terms(terms: Iterable[importer.OutlineTerm]) -> None:
    """Create the extracted terms that no stored term (or alias) already covers.

    A standard term arrives with its shipped definition, so members see it explained at once.
    """
    known: set[str] = set()
    for term, aliases in KeyTerm.objects.values_list("term", "aliases"):
        known.add(term)
        known.update(aliases)
    definitions = standard_definitions()
    KeyTerm.objects.bulk_create(
        [
            KeyTerm(
                term=t.term,
                kind=t.kind,
                definition=definitions.get(t.term, ""),
                sort_key=pinyin_sort_key(t.term),
            )
            for t in terms
            if t.term not in known
        ]
    )


@transaction.atomic
def lecture_index_terms(*, lecture: Lecture) -> None:
    """Recount every stored term's occurrences in the lecture, section by section."""
    spellings: dict[str, KeyTerm] = {}
    for term in KeyTerm.objects.all():
        for spelling in term.spellings:
            spellings[spelling] = term
    TermOccurrence.objects.filter(lecture=lecture).delete()
    text_changed()
    if not spellings:
        return
    pattern = importer.term_pattern(spellings)
    rows: list[TermOccurrence] = []

    def add(text: str, section: Section | None) -> None:
        counts: dict[int, int] = {}
        for spelling, count in importer.count_terms(text, pattern).items():
            term = spellings[spelling]
            counts[term.pk] = counts.get(term.pk, 0) + count
        rows.extend(
            TermOccurrence(term_id=pk, lecture=lecture, section=section, count=count)
            for pk, count in counts.items()
        )

    add(lecture.preamble, None)
    for section in lecture.sections.all():
        add(f"{section.title}\n{section.body}", section)
    TermOccurrence.objects.bulk_create(rows)


def _reindex_all() -> None:
    for lecture in Lecture.objects.all():
        lecture_index_terms(lecture=lecture)


@transaction.atomic
def term_update(
    *, term: KeyTerm, text: str, aliases: list[str], definition: str, is_hidden: bool
) -> KeyTerm:
    """Rename or redefine a term, then recount it wherever it appears."""
    spelling_changed = term.term != text or term.aliases != aliases
    term.term = text
    term.aliases = aliases
    term.definition = definition
    term.is_hidden = is_hidden
    term.sort_key = pinyin_sort_key(text)
    term.full_clean()
    term.save()
    if spelling_changed:
        _reindex_all()
    return term


@transaction.atomic
def term_create(*, text: str, definition: str = "", aliases: list[str] | None = None) -> KeyTerm:
    """Add a term by hand and find it in every lecture."""
    term = KeyTerm(
        term=text,
        aliases=aliases or [],
        definition=definition,
        kind=KeyTerm.Kind.MANUAL,
        sort_key=pinyin_sort_key(text),
    )
    term.full_clean()
    term.save()
    _reindex_all()
    return term


@transaction.atomic
def term_merge(*, source: KeyTerm, into: KeyTerm) -> KeyTerm:
    """Fold one term into another: its spellings become aliases, its counts move over."""
    if source.pk == into.pk:
        raise ValueError("A term cannot be merged into itself.")
    merged = [a for a in [*into.aliases, *source.spellings] if a != into.term]
    into.aliases = list(dict.fromkeys(merged))
    if not into.definition:
        into.definition = source.definition
    into.save()
    source.delete()
    _reindex_all()
    return into
