"""Seed the session kinds: 三会一课 and the other regular kinds, with their default rules."""

from django.db import migrations


# The 三会一课 defaults and the other regular kinds; rules and kinds stay editable as data.
# (code, name, short name, English label, count, period, committee only, branch kinds)
SESSION_KINDS = [
    ("general_meeting", "支部党员大会", "党员大会", "General meeting", 1, "quarter", False,
     ["general_branch", "branch"]),
    ("committee_meeting", "支部委员会", "支委会", "Committee meeting", 1, "month", True,
     ["general_branch", "branch"]),
    ("group_meeting", "党小组会", "党小组会", "Party group meeting", 1, "month", False, ["group"]),
    ("lecture", "党课", "党课", "Party lecture", 1, "quarter", False, ["branch"]),
    ("themed_day", "主题党日", "主题党日", "Themed party day", 1, "month", False, ["branch"]),
    ("study", "集中学习", "集中学习", "Concentrated study", 1, "week", False,
     ["committee", "branch"]),
    ("organisational_life", "组织生活会", "组织生活会", "Organisational life meeting", 1, "year",
     False, ["branch"]),
    ("training", "专题培训", "专题培训", "Special training", None, "", False, []),
]


def seed_session_kinds(apps, schema_editor):
    SessionKind = apps.get_model("groups", "SessionKind")
    BranchKind = apps.get_model("groups", "BranchKind")
    branch_kinds = {kind.code: kind for kind in BranchKind.objects.all()}
    for position, row in enumerate(SESSION_KINDS):
        code, name, short_name, label_en, count, period, committee_only, applies_to = row
        kind, _ = SessionKind.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short_name,
                "label_en": label_en,
                "required_count": count,
                "period": period,
                "committee_only": committee_only,
                "position": position,
            },
        )
        kind.branch_kinds.set([branch_kinds[c] for c in applies_to if c in branch_kinds])


def unseed_session_kinds(apps, schema_editor):
    # Raw SQL and immediate constraints: the ORM's delete collector trips over the
    # historical models' hidden relations, and on PostgreSQL deferred FK checks left
    # pending would refuse the DROP TABLE that reversing 0002 runs next. A kind still
    # used by a session makes this fail, which is the point.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    SessionKind = apps.get_model("groups", "SessionKind")
    codes = [row[0] for row in SESSION_KINDS]
    Through = SessionKind.branch_kinds.through
    Through.objects.filter(sessionkind__code__in=codes).delete()
    placeholders = ", ".join(["%s"] * len(codes))
    schema_editor.execute(
        f"DELETE FROM {schema_editor.quote_name(SessionKind._meta.db_table)}"
        f" WHERE code IN ({placeholders})",
        codes,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("groups", "0002_sessions"),
    ]

    operations = [
        migrations.RunPython(seed_session_kinds, unseed_session_kinds),
    ]
