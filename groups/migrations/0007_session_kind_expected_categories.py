"""Who each session kind expects (应到), as the 党章 and the 三会一课 rules say."""

from django.db import migrations, models

# Kind code → the member categories it expects; a kind not listed expects everyone.
# 党员大会, 党小组会, 主题党日 and 组织生活会 are for party members (正式 and 预备);
# 党课 and 集中学习 also train 入党积极分子; the 支委会 is its committee, whoever they are.
EXPECTED_CATEGORIES = {
    "general_meeting": ["full", "probationary"],
    "group_meeting": ["full", "probationary"],
    "themed_day": ["full", "probationary"],
    "organisational_life": ["full", "probationary"],
    "lecture": ["full", "probationary", "activist"],
    "study": ["full", "probationary", "activist"],
}


def seed_expected_categories(apps, schema_editor):
    SessionKind = apps.get_model("groups", "SessionKind")
    MemberCategory = apps.get_model("groups", "MemberCategory")
    categories = {category.code: category for category in MemberCategory.objects.all()}
    for kind in SessionKind.objects.filter(code__in=EXPECTED_CATEGORIES):
        codes = EXPECTED_CATEGORIES[kind.code]
        kind.expected_categories.set([categories[c] for c in codes if c in categories])


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0006_reminderlog_follow_up"),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionkind",
            name="expected_categories",
            field=models.ManyToManyField(
                blank=True,
                help_text="Who is expected (应到): none ticked means every member on the roster.",
                related_name="+",
                to="groups.membercategory",
                verbose_name="expected categories",
            ),
        ),
        migrations.RunPython(seed_expected_categories, migrations.RunPython.noop),
    ]
