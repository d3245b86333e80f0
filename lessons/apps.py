from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    name = "lessons"
    verbose_name = _("Lessons")

    def ready(self) -> None:
        from lessons.models import KeyTerm, Lecture, Section
        from lessons.text_cache import text_changed

        # Edits through the admin or a service; bulk writes call text_changed() themselves.
        for model in (Lecture, Section, KeyTerm):
            post_save.connect(text_changed, sender=model, dispatch_uid=f"text-{model.__name__}")
            post_delete.connect(text_changed, sender=model, dispatch_uid=f"text-{model.__name__}")
