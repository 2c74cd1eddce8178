from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from innovation.platform.plurals import (
    CATALOGUE,
    COMPILED,
    catalogue_text,
    compiled_catalogue,
    plural_messages,
)


class Command(BaseCommand):
    help = (
        "Écrit le catalogue français des pluriels (locale/fr/LC_MESSAGES/django.po et .mo) "
        "depuis le code : à lancer après avoir ajouté ou changé un ngettext ou un "
        "{% blocktranslate count %}, puis committer les deux fichiers."
    )

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR)
        messages = plural_messages(root)
        (root / CATALOGUE).parent.mkdir(parents=True, exist_ok=True)
        (root / CATALOGUE).write_text(catalogue_text(messages), encoding="utf-8")
        (root / COMPILED).write_bytes(compiled_catalogue(messages))
        self.stdout.write(f"{len(messages)} messages au pluriel dans {CATALOGUE}.")
