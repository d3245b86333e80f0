"""Forms for sessions, series, cancelling, filters and compliance; none of them writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from groups import conf
from groups.dates import day_out_of_range
from groups.models import Branch, Member, SessionKind, StudySession
from groups.models.sessions import Period
from groups.org.forms import BranchChoiceField
from groups.permissions import managed_branches, scope_members, visible_branches
from groups.sessions.recurrence import WEEKDAY_CODES, Pattern, RuleError, build_rule, local_to_utc
from lessons.models import Lecture, Section
from studyhub.fields import ModelMultipleChoiceField
from studyhub.widgets import DateInput, TimeInput

WEEKDAY_CHOICES = list(
    zip(
        WEEKDAY_CODES,
        [
            _("Monday"),
            _("Tuesday"),
            _("Wednesday"),
            _("Thursday"),
            _("Friday"),
            _("Saturday"),
            _("Sunday"),
        ],
        strict=True,
    )
)
NTH_CHOICES = [
    (1, _("first")),
    (2, _("second")),
    (3, _("third")),
    (4, _("fourth")),
    (-1, _("last")),
]
PATTERN_CHOICES = [
    (Pattern.WEEKLY.value, _("Every week on the chosen weekdays")),
    (Pattern.MONTHLY_WEEKDAY.value, _("A weekday of the month (e.g. the first Friday)")),
    (Pattern.MONTHLY_DAY.value, _("A day of the month (a 31st skips shorter months)")),
    (Pattern.MONTHLY_LAST_DAY.value, _("The last day of the month")),
    (Pattern.CUSTOM.value, _("Custom RRULE (RFC 5545)")),
]


# Where the shared fields go, after each form's own "when" fields.
DETAILS_ORDER = ["location", "online_url", "host", "recorder", "agenda", "lecture", "sections"]


def check_sane_day(day: date) -> None:
    """Raise a form error for a day outside the accepted range (groups/dates.py)."""
    problem = day_out_of_range(day)
    if problem:
        raise forms.ValidationError(problem)


class SectionSelect(forms.SelectMultiple):
    """A multi-select whose options carry their lecture, so the page can filter them."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        instance = getattr(option["value"], "instance", None)
        if instance is not None:
            option["attrs"]["data-lecture"] = instance.lecture_id
        return option


class SectionChoiceField(ModelMultipleChoiceField):
    """Sections grouped by lecture, indented by level, so a long outline stays readable."""

    def label_from_instance(self, obj: Section) -> str:
        return "\u3000" * (obj.level - 1) + obj.label


class ReadingFieldsMixin(forms.Form):
    """A lecture to pick from, and the sections of it assigned as reading."""

    lecture = forms.ModelChoiceField(
        label=_("Lecture"),
        queryset=Lecture.objects.none(),
        required=False,
        widget=forms.Select(attrs={"data-lecture-select": ""}),
        help_text=_("Choose a lecture to list its sections."),
    )
    sections = SectionChoiceField(
        label=_("Assigned reading"),
        queryset=Section.objects.none(),
        required=False,
        widget=SectionSelect(attrs={"size": 12, "data-section-select": ""}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several sections."),
    )

    def setup_reading(self) -> None:
        lectures = Lecture.objects.current()
        self.fields["lecture"].queryset = lectures
        self.fields["sections"].queryset = Section.objects.filter(
            lecture__in=lectures
        ).select_related("lecture")

    def clean_reading(self, cleaned: dict[str, Any]) -> None:
        """Keep the chosen sections in outline order; they must be of the chosen lecture."""
        sections = list(cleaned.get("sections") or [])
        lecture = cleaned.get("lecture")
        if lecture and any(s.lecture_id != lecture.pk for s in sections):
            self.add_error("sections", _("Choose sections of the chosen lecture only."))
        cleaned["sections"] = sorted(sections, key=lambda s: (s.lecture_id, s.position))


class SessionDetailsForm(ReadingFieldsMixin, forms.Form):
    """The fields shared by a session and a series."""

    branch = BranchChoiceField(label=_("Branch"), queryset=Branch.objects.none())
    kind = forms.ModelChoiceField(label=_("Kind"), queryset=SessionKind.objects.all())
    topic = forms.CharField(label=_("Topic"), max_length=200)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    host = forms.ModelChoiceField(
        label=_("Host (主持人)"), queryset=Member.objects.none(), required=False
    )
    recorder = forms.ModelChoiceField(
        label=_("Recorder (记录人)"), queryset=Member.objects.none(), required=False
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # A branch outside the user's scope is not a choice: a tampered POST is a form error.
        self.fields["branch"].queryset = managed_branches(user).select_related("kind")
        members = scope_members(user).active().select_related("branch")
        self.fields["host"].queryset = members
        self.fields["recorder"].queryset = members
        self.setup_reading()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_reading(cleaned)
        branch = cleaned.get("branch")
        for name in ("host", "recorder"):
            person = cleaned.get(name)
            if (
                branch
                and person
                and not (
                    person.branch.path.startswith(branch.path)
                    or branch.path.startswith(person.branch.path)
                )
            ):
                self.add_error(name, _("Choose someone from this branch or the ones above it."))
        return cleaned


class SessionForm(SessionDetailsForm):
    """Schedule or edit one session (one occurrence of a series)."""

    day = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends"), widget=TimeInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = [
        "branch",
        "kind",
        "topic",
        "day",
        "start_time",
        "end_time",
        *DETAILS_ORDER,
        "notes",
    ]

    @classmethod
    def initial_from(cls, session: StudySession) -> dict[str, Any]:
        """Return the form's initial values for an existing session."""
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        reading = session.reading
        return {
            "branch": session.branch,
            "kind": session.kind,
            "topic": session.topic,
            "day": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "location": session.location,
            "online_url": session.online_url,
            "host": session.host,
            "recorder": session.recorder,
            "agenda": session.agenda,
            "notes": session.notes,
            "status": session.status,
            "lecture": reading[0].lecture if reading else None,
            "sections": reading,
        }

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        check_sane_day(day)
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", _("The session must end after it starts."))
            else:
                cleaned["starts_at"] = local_to_utc(day, start)
                cleaned["ends_at"] = local_to_utc(day, end)
        return cleaned

    def session_fields(self) -> dict[str, Any]:
        """Return the cleaned values as session_schedule()/session_update() take them."""
        data = self.cleaned_data
        names = [
            "kind",
            "topic",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "host",
            "recorder",
            "agenda",
            "notes",
            "sections",
        ]
        return {name: data[name] for name in names}


class SessionEditForm(SessionForm):
    """Edit a session: its status too (cancelling has its own page), and for a series, scope."""

    ONE, FOLLOWING = "one", "following"

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (StudySession.Status.SCHEDULED, StudySession.Status.SCHEDULED.label),
            (StudySession.Status.HELD, StudySession.Status.HELD.label),
        ],
    )
    scope = forms.ChoiceField(
        label=_("Apply to"),
        choices=[
            (ONE, _("This session only")),
            (FOLLOWING, _("This and the following sessions of the series (same time of day)")),
        ],
        initial=ONE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, session: StudySession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        # A session does not change branch (its expected members hang on it).
        self.fields["branch"].disabled = True
        self.fields["branch"].queryset = Branch.objects.filter(pk=session.branch_id)
        if session.series_id is None or session.is_cancelled:
            del self.fields["scope"]

    def session_fields(self) -> dict[str, Any]:
        return {**super().session_fields(), "status": self.cleaned_data["status"]}

    @property
    def applies_to_following(self) -> bool:
        return self.cleaned_data.get("scope") == self.FOLLOWING


class SeriesForm(SessionDetailsForm):
    """Schedule a recurring series: a pattern, a first day, an end, a time of day."""

    # The fields each pattern uses; the page hides the others (static/js/series-form.js).
    pattern_fields = {
        Pattern.WEEKLY.value: ["interval", "weekdays"],
        Pattern.MONTHLY_WEEKDAY.value: ["interval", "nth", "weekday"],
        Pattern.MONTHLY_DAY.value: ["interval", "month_day"],
        Pattern.MONTHLY_LAST_DAY.value: ["interval"],
        Pattern.CUSTOM.value: ["custom_rule"],
    }

    pattern = forms.ChoiceField(
        label=_("Repeats"), choices=PATTERN_CHOICES, initial=Pattern.WEEKLY.value
    )
    interval = forms.IntegerField(
        label=_("Every"),
        min_value=1,
        max_value=12,
        initial=1,
        help_text=_("weeks or months: 3 months is once a quarter"),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the weekday of the first date."),
    )
    nth = forms.TypedChoiceField(
        label=_("Which"), choices=NTH_CHOICES, coerce=int, required=False, initial=1
    )
    weekday = forms.ChoiceField(
        label=_("Weekday"), choices=WEEKDAY_CHOICES, required=False, initial="FR"
    )
    month_day = forms.IntegerField(
        label=_("Day of the month"), min_value=1, max_value=31, required=False
    )
    custom_rule = forms.CharField(
        label=_("Custom rule"),
        required=False,
        max_length=200,
        help_text=_("e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=1FR (no UNTIL or COUNT)"),
    )
    first_day = forms.DateField(label=_("From"), widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    count = forms.IntegerField(
        label=_("Or this many times"),
        min_value=1,
        max_value=conf.MAX_OCCURRENCES,
        required=False,
    )
    start_time = forms.TimeField(label=_("Starts"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends"), widget=TimeInput())

    field_order = [
        "branch",
        "kind",
        "topic",
        "pattern",
        "interval",
        "weekdays",
        "nth",
        "weekday",
        "month_day",
        "custom_rule",
        "first_day",
        "until",
        "count",
        "start_time",
        "end_time",
        *DETAILS_ORDER,
    ]

    def clean_first_day(self) -> date:
        day = self.cleaned_data["first_day"]
        check_sane_day(day)
        return day

    def clean_until(self) -> date | None:
        day = self.cleaned_data.get("until")
        if day:
            check_sane_day(day)
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("until") is None and cleaned.get("count") is None:
            self.add_error("until", _("End the series on a date or after a number of sessions."))
        elif cleaned.get("until") and cleaned.get("count"):
            self.add_error("count", _("Give an end date or a number of sessions, not both."))
        first, until = cleaned.get("first_day"), cleaned.get("until")
        if first and until and until < first:
            self.add_error("until", _("The series ends before it starts."))
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end:
            if end <= start:
                self.add_error("end_time", _("The session must end after it starts."))
            else:
                cleaned["duration"] = datetime.combine(date.min, end) - datetime.combine(
                    date.min, start
                )
        if cleaned.get("pattern") and cleaned.get("interval"):
            try:
                cleaned["rule"] = build_rule(
                    pattern=cleaned["pattern"],
                    interval=cleaned["interval"],
                    weekdays=cleaned.get("weekdays") or self._first_weekday(cleaned),
                    month_day=cleaned.get("month_day"),
                    nth=cleaned.get("nth"),
                    weekday=cleaned.get("weekday"),
                    custom=cleaned.get("custom_rule") or "",
                )
            except RuleError as exc:
                field = {
                    Pattern.WEEKLY.value: "weekdays",
                    Pattern.MONTHLY_DAY.value: "month_day",
                    Pattern.MONTHLY_WEEKDAY.value: "nth",
                    Pattern.CUSTOM.value: "custom_rule",
                }.get(cleaned["pattern"])
                self.add_error(field, str(exc))
        return cleaned

    @staticmethod
    def _first_weekday(cleaned: dict[str, Any]) -> tuple[str, ...]:
        first = cleaned.get("first_day")
        return (WEEKDAY_CODES[first.weekday()],) if first else ()

    def recurrence(self) -> dict[str, Any]:
        """Return the cleaned values as series_preview() takes them."""
        data = self.cleaned_data
        return {
            "rule": data["rule"],
            "first_day": data["first_day"],
            "start_time": data["start_time"],
            "duration": data["duration"],
            "until": data.get("until"),
            "count": data.get("count"),
        }

    def series_fields(self) -> dict[str, Any]:
        """Return the cleaned values as series_schedule() takes them."""
        data = self.cleaned_data
        names = [
            "branch",
            "kind",
            "topic",
            "location",
            "online_url",
            "host",
            "recorder",
            "agenda",
            "sections",
        ]
        return {**self.recurrence(), **{name: data[name] for name in names}}


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("for cancelling", "Reason"),
        max_length=200,
        help_text=_("Members see this reason on the session and in their calendar."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the session is cancelled."))
        return reason


class SessionFilterForm(forms.Form):
    """The branch subtree and kind a list or calendar shows (GET)."""

    branch = BranchChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("All my branches"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    kind = forms.ModelChoiceField(
        label=_("Kind"),
        queryset=SessionKind.objects.all(),
        required=False,
        empty_label=_("All kinds"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = visible_branches(user).order_by("path")

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class ComplianceForm(forms.Form):
    branch = BranchChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[(p, label) for p, label in Period.choices if p != Period.WEEK],
        initial=Period.MONTH,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    day = forms.DateField(
        label=_("Including the day"),
        widget=DateInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = managed_branches(user).order_by("path")

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        check_sane_day(day)
        return day


class HolidayForm(forms.Form):
    """A day the 组织部 adds to the holiday calendar (or works on, with day_off unticked)."""

    day = forms.DateField(label=_("Day"), widget=DateInput(attrs={"class": "form-control"}))
    name = forms.CharField(
        label=_("Name"), max_length=50, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    day_off = forms.BooleanField(
        label=_("Day off"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select"})


class KindDefaultForm(forms.Form):
    """A kind's default rule: how many sessions per period (both empty: none)."""

    required_count = forms.IntegerField(
        label=_("Sessions required"),
        min_value=1,
        max_value=31,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )
    period = forms.ChoiceField(
        label=_("per"), choices=[("", "—"), *Period.choices], required=False, widget=_select()
    )


class KindRuleForm(forms.Form):
    """A rule for a kind in a branch's subtree (0 sessions: no requirement there)."""

    branch = BranchChoiceField(label=_("Branch"), queryset=Branch.objects.all(), widget=_select())
    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=SessionKind.objects.all(), widget=_select()
    )
    required_count = forms.IntegerField(
        label=_("Sessions required"),
        min_value=0,
        max_value=31,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    period = forms.ChoiceField(label=_("per"), choices=Period.choices, widget=_select())


class ExemptionForm(forms.Form):
    """A branch excused from a kind, with the reason."""

    branch = BranchChoiceField(label=_("Branch"), queryset=Branch.objects.all(), widget=_select())
    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=SessionKind.objects.all(), widget=_select()
    )
    reason = forms.CharField(
        label=pgettext_lazy("for an exemption", "Reason"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
