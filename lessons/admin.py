"""Django admin for lectures, sections, key terms and their occurrences."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lessons.models import KeyTerm, Lecture, Section, TermOccurrence
from lessons.text_cache import text_changed


@admin.register(Lecture)
class LectureAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "imported_at", "imported_by"]
    list_select_related = ["imported_by"]
    search_fields = ["title", "subtitle", "source_name"]
    date_hierarchy = "imported_at"
    raw_id_fields = ["previous_version", "imported_by"]
    readonly_fields = ["source_hash"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["label", "lecture", "level", "position"]
    list_select_related = ["lecture"]
    list_filter = ["level"]
    search_fields = ["title", "body"]
    raw_id_fields = ["lecture", "parent"]
    ordering = ["lecture", "position"]

    @admin.display(description=_("heading"), ordering="position")
    def label(self, section: Section) -> str:
        return section.label


@admin.register(KeyTerm)
class KeyTermAdmin(admin.ModelAdmin):
    list_display = ["term", "kind", "is_hidden", "has_definition"]
    list_filter = ["kind", "is_hidden"]
    search_fields = ["term", "aliases", "definition"]
    readonly_fields = ["sort_key", "updated_at"]
    actions = ["hide", "unhide"]

    @admin.display(description=_("has a definition"), boolean=True)
    def has_definition(self, term: KeyTerm) -> bool:
        return bool(term.definition)

    def _set_hidden(self, request: HttpRequest, queryset: QuerySet, hidden: bool) -> None:
        changed = queryset.update(is_hidden=hidden)
        text_changed()
        message = (
            ngettext("Hid %(count)d term.", "Hid %(count)d terms.", changed)
            if hidden
            else ngettext("Showed %(count)d term.", "Showed %(count)d terms.", changed)
        )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Hide the selected terms"))
    def hide(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_hidden(request, queryset, True)

    @admin.action(description=_("Show the selected terms again"))
    def unhide(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_hidden(request, queryset, False)


@admin.register(TermOccurrence)
class TermOccurrenceAdmin(admin.ModelAdmin):
    list_display = ["term", "lecture", "section", "count"]
    list_select_related = ["term", "lecture", "section"]
    search_fields = ["term__term"]
    autocomplete_fields = ["term"]
    raw_id_fields = ["lecture", "section"]

    # Occurrences decide which terms a section page marks; lecture_index_terms writes them
    # in bulk and says so itself, these are the hand edits.
    def save_model(
        self, request: HttpRequest, obj: TermOccurrence, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        text_changed()

    def delete_model(self, request: HttpRequest, obj: TermOccurrence) -> None:
        super().delete_model(request, obj)
        text_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        text_changed()
