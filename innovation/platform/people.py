"""Import of the directory (people, their organisation and direction) from a CSV file.

The whole file is validated before anything is written: one bad row and nothing is
imported, so an administrator never has to guess what half an import left behind.
Everything is done in a fixed number of queries whatever the size of the file (one
SELECT for the users, bulk inserts and updates, one insert per level of new directions).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innovation.platform import roles
from innovation.platform.models import Direction, Organisation, Role, RoleGrant, User
from innovation.platform.permissions import organisation_ids_with_role

MAX_FILE_BYTES = 5 * 1024 * 1024
DIRECTION_SEPARATOR = "/"

# Canonical column → accepted spellings, compared after normalise_header().
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "organisation": ("organisation", "organization", "collectivite", "structure"),
    "direction": ("direction", "service", "direction service"),
    "prenom": ("prenom", "first name", "firstname"),
    "nom": ("nom", "nom de famille", "last name", "lastname"),
    "email": ("email", "e mail", "mail", "courriel", "adresse e mail", "adresse electronique"),
    "fonction": ("fonction", "poste", "job title", "intitule du poste"),
}
REQUIRED_COLUMNS = ("organisation", "prenom", "nom", "email")
COLUMN_LABELS = {
    "organisation": gettext_lazy("organisation"),
    "direction": gettext_lazy("direction"),
    "prenom": gettext_lazy("prénom"),
    "nom": gettext_lazy("nom"),
    "email": gettext_lazy("e-mail"),
    "fonction": gettext_lazy("fonction"),
}


def _max_length(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length


MAX_LENGTHS = {
    "prenom": _max_length(User, "first_name"),
    "nom": _max_length(User, "last_name"),
    "fonction": _max_length(User, "job_title"),
    "email": _max_length(User, "email"),
}
DIRECTION_NAME_MAX_LENGTH = _max_length(Direction, "name")


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, format, missing columns)."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    directions_created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    organisation: Organisation
    direction_path: tuple[str, ...]
    first_name: str
    last_name: str
    email: str
    job_title: str


def normalise_header(value: str) -> str:
    """'Prénom', 'E-mail ', 'first_name' → 'prenom', 'e mail', 'first name'."""
    value = unicodedata.normalize("NFKD", value.strip().lower())
    value = "".join(char for char in value if not unicodedata.combining(char))
    for separator in "-_.'’":
        value = value.replace(separator, " ")
    return " ".join(value.split())


_ALIAS_TO_COLUMN = {
    alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases
}


def decode(data: bytes | str) -> str:
    """Text of the file; UTF-8 only, with or without byte order mark."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "Le fichier n'est pas encodé en UTF-8. Enregistrez-le au format "
                "« CSV UTF-8 » depuis votre tableur, puis réessayez."
            )
        ) from error


def sniff_delimiter(header_line: str) -> str:
    """The separator used by the header line: semicolon (French spreadsheets), comma or tab."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", ",", "\t")}
    delimiter, count = max(counts.items(), key=lambda item: item[1])
    if count == 0:
        raise ImportFileError(
            _(
                "Impossible de reconnaître les colonnes : la première ligne doit contenir les "
                "en-têtes séparés par des points-virgules ou des virgules."
            )
        )
    return delimiter


def read_rows(data: bytes | str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """Column positions by canonical name, and (line number, cells) for each non-empty row."""
    text = decode(data)
    if "\x00" in text:
        raise ImportFileError(_("Ce fichier ne semble pas être un fichier CSV (texte)."))
    if not text.strip():
        raise ImportFileError(_("Le fichier est vide."))
    header_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(header_line))
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
        columns: dict[str, int] = {}
        for position, title in enumerate(header):
            column = _ALIAS_TO_COLUMN.get(normalise_header(title))
            if column is None:
                continue  # extra columns are allowed and ignored
            if column in columns:
                raise ImportFileError(
                    _("La colonne « %(column)s » apparaît deux fois dans l'en-tête.")
                    % {"column": COLUMN_LABELS[column]}
                )
            columns[column] = position
        missing = [column for column in REQUIRED_COLUMNS if column not in columns]
        if missing:
            raise ImportFileError(
                _(
                    "Colonnes obligatoires manquantes : %(missing)s. La première ligne doit "
                    "contenir : organisation;direction;prenom;nom;email;fonction."
                )
                % {"missing": ", ".join(str(COLUMN_LABELS[column]) for column in missing)}
            )
        rows = [(reader.line_num, cells) for cells in reader if any(cell.strip() for cell in cells)]
    except StopIteration as error:
        raise ImportFileError(_("Le fichier est vide.")) from error
    except csv.Error as error:
        raise ImportFileError(
            _("Le fichier CSV est mal formé (ligne %(line)s).") % {"line": reader.line_num}
        ) from error
    return columns, rows


def _organisation_index(organisations: list[Organisation]) -> dict[str, Organisation]:
    index: dict[str, Organisation] = {}
    for organisation in organisations:
        for key in (organisation.name, organisation.short_name):
            if key:
                index.setdefault(key.strip().lower(), organisation)
    # Slugs win over names: they are the unambiguous identifier.
    for organisation in organisations:
        index[organisation.slug.lower()] = organisation
    return index


def validate_rows(
    columns: dict[str, int], rows: list[tuple[int, list[str]]], *, actor: User
) -> tuple[list[_Row], list[RowError], dict[str, User]]:
    """Check every row; returns the clean rows, the errors and the existing users by e-mail."""
    organisations = _organisation_index(list(Organisation.objects.all()))
    allowed = organisation_ids_with_role(actor, Role.ADMIN)
    errors: list[RowError] = []
    clean: list[_Row] = []
    first_line_of: dict[str, int] = {}

    def cell(cells: list[str], column: str) -> str:
        position = columns.get(column)
        if position is None or position >= len(cells):
            return ""
        return " ".join(cells[position].split())

    for line, cells in rows:
        values = {column: cell(cells, column) for column in COLUMN_ALIASES}
        row_errors: list[RowError] = []

        def error(column: str, message: str, line: int = line, bucket=row_errors) -> None:
            bucket.append(RowError(line, str(COLUMN_LABELS[column]), message))

        for column in REQUIRED_COLUMNS:
            if not values[column]:
                error(column, _("Champ obligatoire manquant."))
        for column, max_length in MAX_LENGTHS.items():
            if len(values[column]) > max_length:
                error(
                    column,
                    _("Trop long : %(max)s caractères au plus.") % {"max": max_length},
                )

        email = values["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                error("email", _("E-mail invalide : « %(email)s ».") % {"email": values["email"]})
            else:
                if email in first_line_of:
                    error(
                        "email",
                        _("E-mail en double dans le fichier (déjà présent ligne %(line)s).")
                        % {"line": first_line_of[email]},
                    )
                else:
                    first_line_of[email] = line

        organisation = None
        if values["organisation"]:
            organisation = organisations.get(values["organisation"].lower())
            if organisation is None:
                error(
                    "organisation",
                    _("Organisation inconnue : « %(name)s ».") % {"name": values["organisation"]},
                )
            elif organisation.pk not in allowed:
                error(
                    "organisation",
                    _("Vous n'administrez pas l'organisation « %(name)s ».")
                    % {"name": organisation.name},
                )

        path = tuple(
            part.strip() for part in values["direction"].split(DIRECTION_SEPARATOR) if part.strip()
        )
        if any(len(part) > DIRECTION_NAME_MAX_LENGTH for part in path):
            error(
                "direction",
                _("Nom de direction trop long : %(max)s caractères au plus.")
                % {"max": DIRECTION_NAME_MAX_LENGTH},
            )

        if row_errors:
            errors.extend(row_errors)
            continue
        assert organisation is not None
        clean.append(
            _Row(
                line=line,
                organisation=organisation,
                direction_path=path,
                first_name=values["prenom"],
                last_name=values["nom"],
                email=email,
                job_title=values["fonction"],
            )
        )

    # One query for every person already known, whatever the case of their stored address.
    existing: dict[str, User] = {}
    emails = [row.email for row in clean]
    if emails:
        for user in User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=emails
        ):
            existing.setdefault(user.email_lower, user)
    for row in clean:
        known = existing.get(row.email)
        # Moving someone out of an organisation needs the right to administer it too.
        if known is not None and known.organisation_id not in (None, *allowed):
            errors.append(
                RowError(
                    row.line,
                    str(COLUMN_LABELS["email"]),
                    _(
                        "Cette personne est rattachée à une autre organisation, que vous "
                        "n'administrez pas."
                    ),
                )
            )
    order = [str(label) for label in COLUMN_LABELS.values()]
    errors.sort(key=lambda item: (item.line, order.index(item.column)))
    return clean, errors, existing


def _resolve_directions(
    rows: list[_Row],
) -> tuple[dict[tuple[int, tuple[str, ...]], Direction], int]:
    """Find or create every direction path named in the file, one INSERT per tree level."""
    organisation_ids = {row.organisation.pk for row in rows if row.direction_path}
    if not organisation_ids:
        return {}, 0
    by_key: dict[tuple[int, int | None, str], Direction] = {}
    for direction in Direction.objects.filter(organisation__in=organisation_ids).order_by("pk"):
        by_key.setdefault(
            (direction.organisation_id, direction.parent_id, direction.name.lower()), direction
        )

    resolved: dict[tuple[int, tuple[str, ...]], Direction] = {}
    # In file order, so that the first spelling of a new direction is the one kept.
    paths = list(
        dict.fromkeys(
            (row.organisation.pk, row.direction_path) for row in rows if row.direction_path
        )
    )
    created = 0
    # Level by level, so each new direction's parent already has an id.
    for depth in range(max(len(path) for _org, path in paths)):
        to_create: dict[tuple[int, int | None, str], Direction] = {}
        for organisation_id, path in paths:
            if depth >= len(path):
                continue
            parent = resolved[(organisation_id, path[:depth])] if depth else None
            key = (organisation_id, parent.pk if parent else None, path[depth].lower())
            found = by_key.get(key) or to_create.get(key)
            if found is None:
                found = Direction(organisation_id=organisation_id, parent=parent, name=path[depth])
                to_create[key] = found
            resolved[(organisation_id, path[: depth + 1])] = found
        if to_create:
            Direction.objects.bulk_create(to_create.values())  # PostgreSQL returns the ids
            by_key.update(to_create)
            created += len(to_create)
    return resolved, created


@transaction.atomic
def _write(
    rows: list[_Row], existing: dict[str, User], report: ImportReport, *, actor: User
) -> None:
    # Two imports into the same organisation wait for each other rather than collide.
    list(
        Organisation.objects.select_for_update()
        .filter(pk__in={row.organisation.pk for row in rows})
        .values_list("pk", flat=True)
    )
    directions, report.directions_created = _resolve_directions(rows)

    to_create: list[User] = []
    to_update: list[User] = []
    for row in rows:
        direction = directions.get((row.organisation.pk, row.direction_path))
        user = existing.get(row.email)
        if user is None:
            to_create.append(
                User(
                    email=row.email,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    job_title=row.job_title,
                    organisation=row.organisation,
                    direction=direction,
                    # No password: newcomers choose one through "mot de passe oublié".
                    password=make_password(None),
                )
            )
            continue
        before = (
            user.first_name,
            user.last_name,
            user.job_title,
            user.organisation_id,
            user.direction_id,
        )
        user.first_name = row.first_name
        user.last_name = row.last_name
        # An empty optional cell keeps what the directory already knows.
        if row.job_title:
            user.job_title = row.job_title
        if user.organisation_id != row.organisation.pk:
            user.organisation = row.organisation
            user.direction = None
        if direction is not None:
            user.direction = direction
        after = (
            user.first_name,
            user.last_name,
            user.job_title,
            user.organisation_id,
            user.direction_id,
        )
        if after != before:
            to_update.append(user)
        else:
            report.unchanged += 1

    # One upsert on the e-mail for new and changed people alike: far faster than
    # bulk_update's CASE expressions, and a person created meanwhile by a concurrent import
    # is updated rather than failing the whole file.
    changes = [
        User(
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            job_title=user.job_title,
            organisation_id=user.organisation_id,
            direction_id=user.direction_id,
            password=make_password(None),  # only written if they vanished meanwhile
        )
        for user in to_update
    ]
    User.objects.bulk_create(
        [*to_create, *changes],
        update_conflicts=True,
        unique_fields=["email"],
        update_fields=["first_name", "last_name", "job_title", "organisation", "direction"],
        batch_size=1000,
    )
    users = {user.email: user for user in to_create}
    users.update(existing)
    # One insert whatever the size of the file; the trail gets one line per organisation.
    roles.grant_roles_in_bulk(
        [
            RoleGrant(user=users[row.email], organisation=row.organisation, role=Role.AGENT)
            for row in rows
        ],
        actor=actor,
    )
    report.created = len(to_create)
    report.updated = len(to_update)


def import_people(data: bytes | str, *, actor: User) -> ImportReport:
    """Create or update the people listed in a CSV file; all rows or none.

    Raises ImportFileError when the file itself cannot be read; row problems are returned
    in the report, and then nothing is written.
    """
    columns, rows = read_rows(data)
    if not rows:
        raise ImportFileError(_("Le fichier ne contient aucune ligne après l'en-tête."))
    clean, errors, existing = validate_rows(columns, rows, actor=actor)
    report = ImportReport(rows=len(rows), errors=errors)
    if errors:
        return report
    _write(clean, existing, report, actor=actor)
    return report
