"""Form fields shared by both apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

# The largest primary key a database column holds (a signed 64-bit integer).
LARGEST_ID = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing ids no database can hold as a form error, not a crash.

    SQLite raises OverflowError for an ``IN`` list holding such a number
    (``?kinds=99999999999999999999``), where Django's own exact lookups return no rows.
    """

    def _check_values(self, value: Any):
        for pk in value:
            text = str(pk).strip()
            if text.lstrip("-").isdigit() and not -LARGEST_ID <= int(text) <= LARGEST_ID:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text},
                )
        return super()._check_values(value)
