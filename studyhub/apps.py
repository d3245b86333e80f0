from django.apps import AppConfig


class StudyHubConfig(AppConfig):
    name = "studyhub"

    def ready(self) -> None:
        from studyhub.logs import install_record_factory

        install_record_factory()
        # Connects the login signal that marks a session as waiting for a code.
        from studyhub.two_factor import services  # noqa: F401
