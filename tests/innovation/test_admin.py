import pytest
from django.urls import reverse

from innovation.platform.models import User
from tests.factories import NotificationFactory, RoleGrant, UserFactory


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@exemple.fr", "mot-de-passe-admin-42")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "admin:innovation_organisation_changelist",
        "admin:innovation_direction_changelist",
        "admin:innovation_user_changelist",
        "admin:innovation_user_add",
        "admin:innovation_rolegrant_changelist",
        "admin:innovation_notification_changelist",
    ],
)
def test_admin_pages_render(client, superuser, name):
    UserFactory()
    NotificationFactory()
    client.force_login(superuser)

    response = client.get(reverse(name))

    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_user_change_page_shows_role_inline(client, superuser):
    person = UserFactory()
    client.force_login(superuser)

    response = client.get(reverse("admin:innovation_user_change", args=[person.pk]))

    assert response.status_code == 200
    assert "role_grants-TOTAL_FORMS" in response.content.decode()


@pytest.mark.django_db
def test_admin_user_add_stores_lowercase_email(client, superuser):
    client.force_login(superuser)

    client.post(
        reverse("admin:innovation_user_add"),
        {
            "email": "Nouveau@Exemple.fr",
            "usable_password": "false",
            "role_grants-TOTAL_FORMS": "0",
            "role_grants-INITIAL_FORMS": "0",
        },
    )

    assert User.objects.filter(email="nouveau@exemple.fr").exists()


@pytest.mark.django_db
def test_admin_notification_cannot_be_added(client, superuser):
    client.force_login(superuser)

    response = client.get(reverse("admin:innovation_notification_add"))

    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_role_grant_model_is_registered():
    from django.contrib import admin

    assert admin.site.is_registered(RoleGrant)
