"""Forms for importing lectures, curating key terms and searching a lecture."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from lessons.models import KeyTerm

TERM_MAX_LENGTH = KeyTerm._meta.get_field("term").max_length
SEARCH_MAX_LENGTH = 100
# Aliases are typed as a list: comma (ASCII or full width) or the enumeration comma 、.
ALIAS_SEPARATORS = re.compile(r"[,，、;；\n]")


class LectureUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Lecture file"),
        help_text=_("A plain-text (.txt) or Word (.docx) file of the lecture."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.docx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.LECTURE_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large: at most %(limit)s."),
                params={"limit": filesizeformat(limit)},
            )
        return upload


class TermForm(forms.Form):
    """The spelling and meaning of a key term, as staff type it."""

    term = forms.CharField(label=_("Term"), max_length=TERM_MAX_LENGTH)
    aliases = forms.CharField(
        label=_("Other spellings"),
        required=False,
        help_text=_("Separate spellings with commas or 、."),
    )
    definition = forms.CharField(
        label=_("Definition"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, instance: KeyTerm | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "term": instance.term,
                    "aliases": "、".join(instance.aliases),
                    "definition": instance.definition,
                    "is_hidden": instance.is_hidden,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_term(self) -> str:
        text = self.cleaned_data["term"]
        others = KeyTerm.objects.filter(term=text)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("A term with this spelling already exists."))
        return text

    def clean_aliases(self) -> list[str]:
        spellings = (s.strip() for s in ALIAS_SEPARATORS.split(self.cleaned_data["aliases"]))
        aliases = list(dict.fromkeys(s for s in spellings if s))
        too_long = [s for s in aliases if len(s) > TERM_MAX_LENGTH]
        if too_long:
            raise forms.ValidationError(
                _("Each spelling may have at most %(limit)d characters: %(spellings)s"),
                params={"limit": TERM_MAX_LENGTH, "spellings": "、".join(too_long)},
            )
        return aliases

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("term") and cleaned["term"] in cleaned.get("aliases", []):
            cleaned["aliases"].remove(cleaned["term"])
        return cleaned


class TermEditForm(TermForm):
    is_hidden = forms.BooleanField(
        label=_("Hidden"),
        required=False,
        help_text=_("Hidden terms are neither listed nor marked."),
    )


class TermMergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=KeyTerm.objects.order_by("sort_key", "term"),
        help_text=_("This term's spellings become the other term's aliases; it is then removed."),
    )

    def __init__(self, *args: Any, source: KeyTerm, **kwargs: Any) -> None:
        self.source = source
        super().__init__(*args, **kwargs)

    def clean_into(self) -> KeyTerm:
        into = self.cleaned_data["into"]
        if into.pk == self.source.pk:
            raise forms.ValidationError(_("A term cannot be merged into itself."))
        return into


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search this lecture"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": _("Search for at most %(limit_value)d characters."),
        },
    )
