from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from innovation.platform.models import User
from innovation.platform.people import ImportFileError, import_people


class Command(BaseCommand):
    help = "Importe l'annuaire (personnes, organisations, directions) depuis un fichier CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Fichier CSV (UTF-8, ; ou ,)")
        parser.add_argument(
            "--actor",
            required=True,
            help="E-mail de l'administrateur·rice au nom de qui l'import est fait",
        )

    def handle(self, *args, file: Path, actor: str, **options):
        try:
            user = User.objects.get(email__iexact=actor.strip())
        except User.DoesNotExist as error:
            raise CommandError(f"Personne inconnue : {actor}") from error
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Lecture impossible : {error}") from error
        try:
            report = import_people(data, actor=user)
        except ImportFileError as error:
            raise CommandError(error.message) from error
        if not report.ok:
            for row_error in report.errors:
                self.stderr.write(
                    f"ligne {row_error.line}, {row_error.column} : {row_error.message}"
                )
            raise CommandError(f"{len(report.errors)} erreur(s) : rien n'a été importé.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.created} créée(s), {report.updated} mise(s) à jour, "
                f"{report.unchanged} inchangée(s), "
                f"{report.directions_created} direction(s) créée(s)."
            )
        )
