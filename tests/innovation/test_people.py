import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from innovation.platform.models import Direction, Role, RoleGrant, User
from innovation.platform.people import ImportFileError, import_people, normalise_header
from tests.factories import (
    AdminFactory,
    DirectionFactory,
    OrganisationFactory,
    UserFactory,
    grant,
)

HEADER = "organisation;direction;prenom;nom;email;fonction\n"


def csv_text(organisation, rows: list[str], header: str = HEADER) -> str:
    return header + "".join(row.format(org=organisation.slug) + "\n" for row in rows)


@pytest.fixture
def importer(organisation):
    return AdminFactory(organisation=organisation)


@pytest.mark.django_db
def test_import_people_creates_people_with_agent_role_and_no_password(organisation, importer):
    data = csv_text(
        organisation,
        [
            "{org};;Camille;Durand;Camille.Durand@Exemple.fr;Assistante sociale",
            "{org};;Yanis;Benali;yanis.benali@exemple.fr;",
        ],
    )

    report = import_people(data, actor=importer)

    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    camille = User.objects.get(email="camille.durand@exemple.fr")
    assert camille.first_name == "Camille"
    assert camille.job_title == "Assistante sociale"
    assert camille.organisation == organisation
    assert camille.has_usable_password() is False
    assert (
        RoleGrant.objects.filter(user=camille, organisation=organisation, role=Role.AGENT).count()
        == 1
    )


@pytest.mark.django_db
def test_import_people_with_errors_imports_nothing(organisation, importer):
    UserFactory(email="deja@exemple.fr", organisation=organisation, first_name="Avant")
    data = csv_text(
        organisation,
        [
            "{org};;Deja;Connu;deja@exemple.fr;",
            "{org};;Sans;Email;;",
            "inconnue;;Lou;Petit;lou@exemple.fr;",
            "{org};;Mauvais;Mail;pas-un-mail;",
            "{org};;Double;Un;double@exemple.fr;",
            "{org};;Double;Deux;DOUBLE@exemple.fr;",
            "{org};;;Sans prénom;sansprenom@exemple.fr;",
        ],
    )
    users_before = User.objects.count()

    report = import_people(data, actor=importer)

    assert not report.ok
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "e-mail"),
        (4, "organisation"),
        (5, "e-mail"),
        (7, "e-mail"),
        (8, "prénom"),
    ]
    assert report.errors[0].message == "Champ obligatoire manquant."
    assert report.errors[1].message == "Organisation inconnue : « inconnue »."
    assert report.errors[2].message == "E-mail invalide : « pas-un-mail »."
    assert report.errors[3].message == "E-mail en double dans le fichier (déjà présent ligne 6)."
    assert User.objects.count() == users_before
    assert User.objects.get(email="deja@exemple.fr").first_name == "Avant"


@pytest.mark.django_db
def test_import_people_updates_existing_person(organisation, importer):
    person = UserFactory(
        email="camille@exemple.fr", organisation=organisation, first_name="Cam", job_title="Chef"
    )
    data = csv_text(organisation, ["{org};;Camille;Durand;CAMILLE@exemple.fr;"])

    report = import_people(data, actor=importer)

    assert (report.created, report.updated) == (0, 1)
    person.refresh_from_db()
    assert person.first_name == "Camille"
    assert person.last_name == "Durand"
    # An empty optional cell keeps what was known.
    assert person.job_title == "Chef"


@pytest.mark.django_db
def test_import_people_twice_leaves_people_unchanged(organisation, importer):
    data = csv_text(organisation, ["{org};Direction A / Service B;Camille;Durand;c@exemple.fr;"])
    import_people(data, actor=importer)

    report = import_people(data, actor=importer)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert report.directions_created == 0
    assert RoleGrant.objects.filter(user__email="c@exemple.fr").count() == 1


@pytest.mark.django_db
def test_import_people_reads_semicolons_with_bom(organisation, importer):
    data = csv_text(organisation, ["{org};;Élodie;Lefèvre;elodie@exemple.fr;Chargée d'accueil"])

    report = import_people(("\ufeff" + data).encode("utf-8"), actor=importer)

    assert report.ok
    assert User.objects.get(email="elodie@exemple.fr").first_name == "Élodie"


@pytest.mark.django_db
def test_import_people_reads_commas_and_header_aliases(organisation, importer):
    data = (
        f"Organisation,Prénom,Nom,Courriel,Poste\n"
        f'{organisation.name},Jean,"Dupont, fils",jean@exemple.fr,Agent\n'
    )

    report = import_people(data.encode("utf-8"), actor=importer)

    assert report.ok
    assert User.objects.get(email="jean@exemple.fr").last_name == "Dupont, fils"


@pytest.mark.django_db
def test_import_people_creates_direction_tree_once(organisation, importer):
    existing = DirectionFactory(organisation=organisation, name="DGA Solidarités")
    data = csv_text(
        organisation,
        [
            "{org};DGA Solidarités / Enfance / Protection maternelle;Ana;Roux;ana@exemple.fr;",
            "{org};dga solidarités / ENFANCE;Léo;Roux;leo@exemple.fr;",
            "{org};DGA Ressources;Lina;Roux;lina@exemple.fr;",
        ],
    )

    report = import_people(data, actor=importer)

    assert report.directions_created == 3
    enfance = Direction.objects.get(organisation=organisation, name="Enfance")
    assert enfance.parent == existing
    pmi = Direction.objects.get(name="Protection maternelle")
    assert pmi.parent == enfance
    assert User.objects.get(email="ana@exemple.fr").direction == pmi
    assert User.objects.get(email="leo@exemple.fr").direction == enfance
    assert Direction.objects.get(name="DGA Ressources").parent is None


@pytest.mark.django_db
def test_import_people_into_unadministered_organisation_is_refused(organisation, importer):
    elsewhere = OrganisationFactory()
    data = csv_text(elsewhere, ["{org};;Ana;Roux;ana@exemple.fr;"])

    report = import_people(data, actor=importer)

    assert [(e.line, e.column) for e in report.errors] == [(2, "organisation")]
    assert not User.objects.filter(email="ana@exemple.fr").exists()


@pytest.mark.django_db
def test_import_people_cannot_take_someone_from_another_organisation(organisation, importer):
    stranger = UserFactory(email="ana@exemple.fr", organisation=OrganisationFactory())
    data = csv_text(organisation, ["{org};;Ana;Roux;ana@exemple.fr;"])

    report = import_people(data, actor=importer)

    assert [(e.line, e.column) for e in report.errors] == [(2, "e-mail")]
    stranger.refresh_from_db()
    assert stranger.last_name == "Martin"


@pytest.mark.django_db
def test_import_people_moves_person_between_administered_organisations(organisation, importer):
    other = OrganisationFactory()
    grant(importer, other, Role.ADMIN)
    person = UserFactory(email="ana@exemple.fr", organisation=other)
    data = csv_text(organisation, ["{org};;Ana;Roux;ana@exemple.fr;"])

    report = import_people(data, actor=importer)

    assert report.updated == 1
    person.refresh_from_db()
    assert person.organisation == organisation
    assert person.direction is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfeo\x00r\x00g\x00", "Le fichier n'est pas encodé en UTF-8."),
        ("organisation;prenom;nom\nx;y;z\n", "Colonnes obligatoires manquantes : e-mail."),
        ("", "Le fichier est vide."),
        (HEADER, "Le fichier ne contient aucune ligne après l'en-tête."),
        ("une seule colonne\nvaleur\n", "Impossible de reconnaître les colonnes"),
    ],
)
def test_import_people_rejects_unreadable_file(importer, data, message):
    with pytest.raises(ImportFileError) as caught:
        import_people(data, actor=importer)

    assert caught.value.message.startswith(message)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_import_people_queries_do_not_grow_with_rows(organisation, importer, count):
    existing = [UserFactory(organisation=organisation) for _ in range(count)]
    rows = [
        f"{{org}};Pôle {i % 3} / Service {i};Nouveau;N{i};new{i}@exemple.fr;" for i in range(count)
    ]
    rows += [f"{{org}};;{u.first_name};Renommé;{u.email};" for u in existing]
    data = csv_text(organisation, rows)

    with CaptureQueriesContext(connection) as queries:
        report = import_people(data, actor=importer)

    assert (report.created, report.updated) == (count, count)
    # organisations, role map, users, lock, directions (read + 2 levels), users insert,
    # users update, role grants, plus savepoints: the same whatever the number of rows.
    assert len(queries) <= 14


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Prénom", "prenom"), (" E-mail ", "e mail"), ("first_name", "first name")],
)
def test_normalise_header_ignores_case_accents_and_separators(title, expected):
    assert normalise_header(title) == expected


@pytest.mark.django_db
def test_import_people_command_imports_file(organisation, importer, tmp_path):
    path = tmp_path / "annuaire.csv"
    path.write_text(csv_text(organisation, ["{org};;Ana;Roux;ana@exemple.fr;"]), encoding="utf-8")

    call_command("import_people", str(path), actor=importer.email.upper())

    assert User.objects.get(email="ana@exemple.fr").organisation == organisation


@pytest.mark.django_db
def test_import_people_command_with_errors_fails_and_imports_nothing(
    organisation, importer, tmp_path
):
    path = tmp_path / "annuaire.csv"
    path.write_text(csv_text(organisation, ["{org};;Ana;Roux;pas-un-mail;"]), encoding="utf-8")

    with pytest.raises(CommandError):
        call_command("import_people", str(path), actor=importer.email)

    assert not User.objects.filter(last_name="Roux").exists()
