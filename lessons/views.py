"""Reading pages for lectures, and the staff pages that import lectures and curate terms."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lessons import importer, selectors, services
from lessons.forms import LectureUploadForm, SearchForm, TermEditForm, TermForm, TermMergeForm
from lessons.models import KeyTerm, Lecture
from lessons.panels import section_panels
from lessons.permissions import can_manage_lectures, lecture_manager_required
from studyhub.middleware import upload_limit

logger = logging.getLogger(__name__)

# The uploaded file waits here (base64) between the preview and the confirmation.
IMPORT_SESSION_KEY = "lessons:lecture-import"


def _parse_upload(data: bytes, filename: str) -> importer.Outline:
    """Parse a lecture file; turn any failure into a LectureImportError fit for the user."""
    try:
        return importer.parse_file(data, filename)
    except importer.LectureImportError:
        raise
    except Exception as exc:
        logger.exception("Could not parse the lecture file %r", filename)
        raise importer.LectureImportError(
            _("Could not read this file. Check that it is a lecture saved as .txt or .docx.")
        ) from exc


def lecture_list(request: HttpRequest) -> HttpResponse:
    """List the current version of every lecture."""
    return render(
        request,
        "lessons/lecture_list.html",
        {"lectures": selectors.lecture_list(), "can_manage": can_manage_lectures(request.user)},
    )


@upload_limit(lambda: settings.LECTURE_MAX_UPLOAD_BYTES)
@lecture_manager_required
def lecture_import(request: HttpRequest) -> HttpResponse:
    """Take a lecture file, check that it parses, and show its preview."""
    form = LectureUploadForm()
    if request.method == "POST":
        form = LectureUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outline = _parse_upload(upload.read(), upload.name)
            except importer.LectureImportError as exc:
                form.add_error("file", str(exc))
            else:
                # The file is read once: the preview and the confirmation use what it held.
                request.session[IMPORT_SESSION_KEY] = {
                    "name": upload.name,
                    "outline": outline.to_stash(),
                }
                return redirect("lessons:lecture-import-preview")
    return render(request, "lessons/lecture_import.html", {"form": form})


@lecture_manager_required
def lecture_import_preview(request: HttpRequest) -> HttpResponse:
    """Show what an uploaded lecture will become; save it when confirmed."""
    stash = request.session.get(IMPORT_SESSION_KEY)
    if stash is None or "outline" not in stash:  # none, or stashed by an older version
        messages.info(request, _("Upload a lecture file first."))
        return redirect("lessons:lecture-import")
    if request.method == "POST" and "cancel" in request.POST:
        del request.session[IMPORT_SESSION_KEY]
        return redirect("lessons:lecture-import")
    outline = importer.Outline.from_stash(stash["outline"])
    if request.method == "POST":
        lecture, created = services.lecture_save(
            outline=outline, source_name=stash["name"], imported_by=request.user
        )
        del request.session[IMPORT_SESSION_KEY]
        if created:
            messages.success(request, _("Imported “%(title)s”.") % {"title": lecture.title})
        else:
            messages.info(
                request,
                _("“%(title)s” was already imported; nothing was duplicated.")
                % {"title": lecture.title},
            )
        return redirect(lecture)
    sections = list(outline.walk())
    context = {
        "outline": outline,
        "source_name": stash["name"],
        "contents": selectors.outline_tree(outline.sections),
        "section_count": len(sections),
        "paragraph_count": sum(len(s.paragraphs) for s in sections),
    }
    return render(request, "lessons/lecture_import_preview.html", context)


def lecture_detail(request: HttpRequest, lecture_id: int) -> HttpResponse:
    """Show a lecture: its preamble, table of contents and key terms."""
    page = selectors.get_lecture_page(lecture_id)
    return render(request, "lessons/lecture_detail.html", {"page": page, "lecture": page.lecture})


def section_detail(request: HttpRequest, lecture_id: int, section_id: int) -> HttpResponse:
    """Show one section's text with its key terms marked and linked."""
    page = selectors.get_section_page(lecture_id, section_id)
    context = {
        "page": page,
        "lecture": page.lecture,
        "panels": section_panels(request, page.section),
    }
    return render(request, "lessons/section_detail.html", context)


def _render_glossary(request: HttpRequest, lecture: Lecture, form: TermForm) -> HttpResponse:
    terms = selectors.lecture_terms(lecture)
    can_manage = can_manage_lectures(request.user)
    context = {
        "lecture": lecture,
        "letters": selectors.glossary(terms),
        "term_count": len(terms),
        "can_manage": can_manage,
        "form": form if can_manage else None,
    }
    return render(request, "lessons/lecture_glossary.html", context)


def lecture_glossary(request: HttpRequest, lecture_id: int) -> HttpResponse:
    """List the lecture's key terms A–Z by pinyin, with their counts and definitions."""
    return _render_glossary(request, selectors.get_lecture(lecture_id), TermForm())


@lecture_manager_required
@require_POST
def term_create(request: HttpRequest, lecture_id: int) -> HttpResponse:
    """Add a key term by hand, then return to the glossary."""
    lecture = selectors.get_lecture(lecture_id)
    form = TermForm(request.POST)
    if form.is_valid():
        try:
            term = services.term_create(
                text=form.cleaned_data["term"],
                aliases=form.cleaned_data["aliases"],
                definition=form.cleaned_data["definition"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Added the term “%(term)s”.") % {"term": term.term})
            return redirect("lessons:lecture-glossary", lecture.pk)
    return _render_glossary(request, lecture, form)


def lecture_search(request: HttpRequest, lecture_id: int) -> HttpResponse:
    """Find the sections of a lecture whose heading or text contains a phrase."""
    lecture = selectors.get_lecture(lecture_id)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    hits = selectors.lecture_search(lecture, query) if query else None
    context = {"lecture": lecture, "form": form, "query": query, "hits": hits}
    return render(request, "lessons/lecture_search.html", context)


def _render_term(
    request: HttpRequest,
    term: KeyTerm,
    edit_form: TermEditForm | None = None,
    merge_form: TermMergeForm | None = None,
) -> HttpResponse:
    can_manage = can_manage_lectures(request.user)
    context = {
        "term": term,
        "places": selectors.term_places(term),
        "can_manage": can_manage,
    }
    if can_manage:
        context["edit_form"] = edit_form or TermEditForm(instance=term)
        context["merge_form"] = merge_form or TermMergeForm(source=term)
    return render(request, "lessons/term_detail.html", context)


def term_detail(request: HttpRequest, term_id: int) -> HttpResponse:
    """Show a key term's definition and every place it occurs."""
    return _render_term(request, selectors.get_term_for_user(request.user, term_id))


@lecture_manager_required
@require_POST
def term_update(request: HttpRequest, term_id: int) -> HttpResponse:
    """Rename, redefine or hide a key term."""
    term = selectors.get_term_for_user(request.user, term_id)
    form = TermEditForm(request.POST, instance=term)
    if form.is_valid():
        try:
            services.term_update(
                term=term,
                text=form.cleaned_data["term"],
                aliases=form.cleaned_data["aliases"],
                definition=form.cleaned_data["definition"],
                is_hidden=form.cleaned_data["is_hidden"],
            )
        except ValidationError as exc:
            term.refresh_from_db()
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Saved the term “%(term)s”.") % {"term": term.term})
            return redirect(term)
    return _render_term(request, term, edit_form=form)


@lecture_manager_required
@require_POST
def term_merge(request: HttpRequest, term_id: int) -> HttpResponse:
    """Fold a key term into another one."""
    term = selectors.get_term_for_user(request.user, term_id)
    form = TermMergeForm(request.POST, source=term)
    if form.is_valid():
        source = term.term
        into = services.term_merge(source=term, into=form.cleaned_data["into"])
        messages.success(
            request,
            _("Merged “%(source)s” into “%(into)s”.") % {"source": source, "into": into.term},
        )
        return redirect(into)
    return _render_term(request, term, merge_form=form)
