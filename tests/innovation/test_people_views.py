import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from innovation.platform.models import Role, User
from tests.factories import AdminFactory, OrganisationFactory, grant


def upload(content: str | bytes, name: str = "annuaire.csv") -> SimpleUploadedFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.django_db
def test_people_import_page_renders_for_admin(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("people_import"))

    assert response.status_code == 200
    assert admin_user.organisation.slug in response.content.decode()


@pytest.mark.django_db
def test_people_import_valid_file_reports_counts(client, admin_user, organisation):
    client.force_login(admin_user)
    content = (
        "\ufefforganisation;direction;prénom;nom;e-mail;fonction\n"
        f"{organisation.slug};DGA Solidarités / Enfance;Ana;Roux;ana@exemple.fr;Éducatrice\n"
    )

    response = client.post(reverse("people_import"), {"file": upload(content)}, follow=True)

    assert response.redirect_chain == [(reverse("people_import"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Import terminé : 1 personne(s) créée(s), 0 mise(s) à jour, 0 inchangée(s), "
        "2 direction(s) créée(s)."
    ]
    assert User.objects.get(email="ana@exemple.fr").direction.name == "Enfance"


@pytest.mark.django_db
def test_people_import_with_row_errors_shows_report_and_imports_nothing(
    client, admin_user, organisation
):
    client.force_login(admin_user)
    content = (
        "organisation;direction;prenom;nom;email;fonction\n"
        f"{organisation.slug};;Ana;Roux;ana@exemple.fr;\n"
        f"{organisation.slug};;Léo;Roux;pas-un-email;\n"
    )

    response = client.post(reverse("people_import"), {"file": upload(content)})

    assert response.status_code == 200
    assert [(e.line, e.column) for e in response.context["report"].errors] == [(3, "e-mail")]
    assert "E-mail invalide" in response.content.decode()
    assert not User.objects.filter(email="ana@exemple.fr").exists()


@pytest.mark.django_db
def test_people_import_by_admin_of_another_organisation_imports_nothing(
    client, organisation, other_organisation
):
    other_admin = AdminFactory(organisation=other_organisation)
    client.force_login(other_admin)
    content = f"organisation;prenom;nom;email\n{organisation.slug};Ana;Roux;ana@exemple.fr\n"

    response = client.post(reverse("people_import"), {"file": upload(content)})

    errors = response.context["report"].errors
    assert [(e.line, e.column) for e in errors] == [(2, "organisation")]
    assert not User.objects.filter(email="ana@exemple.fr").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "message"),
    [
        (upload("a;b", name="annuaire.xlsx"), "Le fichier doit être au format CSV"),
        (upload(b"\xff\xfe\x00a\x00b"), "Le fichier n&#x27;est pas encodé en UTF-8"),
        (upload("organisation;nom\nx;y\n"), "Colonnes obligatoires manquantes"),
    ],
)
def test_people_import_rejects_bad_file_next_to_field(client, admin_user, file, message):
    client.force_login(admin_user)

    response = client.post(reverse("people_import"), {"file": file})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert message in response.content.decode()


@pytest.mark.django_db
def test_people_import_rejects_oversized_file(client, admin_user, settings):
    client.force_login(admin_user)
    big = upload("organisation;prenom;nom;email\n" + "x" * (5 * 1024 * 1024 + 1))

    response = client.post(reverse("people_import"), {"file": big})

    assert response.context["form"].errors["file"] == [
        "Le fichier est trop volumineux : 5 Mo au plus."
    ]


@pytest.mark.django_db
def test_people_import_by_network_admin_into_both_organisations(client, admin_user, organisation):
    network = OrganisationFactory()
    grant(admin_user, network, Role.ADMIN)
    client.force_login(admin_user)
    content = (
        "organisation,prenom,nom,email\n"
        f"{organisation.slug},Ana,Roux,ana@exemple.fr\n"
        f"{network.name.upper()},Léo,Roux,leo@exemple.fr\n"
    )

    client.post(reverse("people_import"), {"file": upload(content)})

    assert User.objects.get(email="leo@exemple.fr").organisation == network
    assert User.objects.get(email="ana@exemple.fr").organisation == organisation
