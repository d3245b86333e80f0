from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups")

    def ready(self) -> None:
        from groups.reading.views import section_reading_panel
        from lessons.panels import register_section_panel

        register_section_panel(section_reading_panel)
