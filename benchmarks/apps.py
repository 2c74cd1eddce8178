from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Dev-only: the scale generator (`seed_scale`) and the bare baseline view. Installed by
    benchmarks/settings.py and the test settings, never by production's."""

    name = "benchmarks"
    verbose_name = "Banc de mesure"
