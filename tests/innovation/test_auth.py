import re

import pytest
from django.core import mail
from django.urls import reverse

from innovation.platform.models import User
from tests.factories import DEFAULT_PASSWORD, AgentFactory


@pytest.mark.django_db
def test_login_page_is_in_french_with_password_reset_link(client):
    response = client.get(reverse("login"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Adresse e-mail" in content
    assert reverse("password_reset") in content


@pytest.mark.django_db
def test_login_with_email_in_any_case_redirects_home(client):
    agent = AgentFactory(email="camille.durand@exemple.fr")

    response = client.post(
        reverse("login"), {"username": "Camille.Durand@Exemple.FR", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(agent.pk)


@pytest.mark.django_db
def test_login_with_wrong_password_shows_french_error(client):
    AgentFactory(email="camille@exemple.fr")

    response = client.post(reverse("login"), {"username": "camille@exemple.fr", "password": "x"})

    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()


@pytest.mark.django_db
def test_logged_in_person_on_login_page_goes_home(client, agent):
    client.force_login(agent)

    response = client.get(reverse("login"))

    assert response.url == reverse("home")


@pytest.mark.django_db
def test_logout_by_post_logs_out(client, agent):
    client.force_login(agent)

    response = client.post(reverse("logout"))

    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_password_reset_lets_imported_person_without_password_choose_one(
    client, mailoutbox_clear, django_capture_on_commit_callbacks
):
    person = User.objects.create_user("nouvelle@exemple.fr", password=None)
    assert not person.has_usable_password()

    # The e-mail is queued after commit (innovation.platform.password_reset), sent in-process here.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "Nouvelle@exemple.fr"})

    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Tremplin : choisir votre mot de passe"
    assert message.to == ["nouvelle@exemple.fr"]
    link = re.search(r"https?://[^/]+(/mot-de-passe/nouveau/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    new_password = "un-mot-de-passe-solide-2024"
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    person.refresh_from_db()
    assert person.check_password(new_password)


@pytest.mark.django_db
def test_password_reset_for_unknown_address_sends_nothing(client, mailoutbox_clear):
    response = client.post(reverse("password_reset"), {"email": "personne@exemple.fr"})

    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["password_reset", "password_reset_done", "password_reset_complete", "login"]
)
def test_password_pages_render_for_anonymous(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["password_change", "password_change_done"])
def test_password_change_pages_render_when_logged_in(client, agent, name):
    client.force_login(agent)

    response = client.get(reverse(name))

    assert response.status_code == 200


# --- Loading the logged-in person (Django's ModelBackend) -----------------------------------


@pytest.mark.django_db
def test_a_page_reads_the_roles_and_the_unread_count_once_each(client, django_assert_num_queries):
    from django.utils import timezone

    from innovation.platform.models import Role
    from tests.factories import DelegateFactory, NotificationFactory, OrganisationFactory, grant

    person = DelegateFactory()
    elsewhere = OrganisationFactory()
    grant(person, elsewhere, Role.JUROR)
    NotificationFactory.create_batch(2, recipient=person)
    NotificationFactory(recipient=person, read_at=timezone.now())
    NotificationFactory()  # someone else's
    client.force_login(person)

    # The session, the person, their grants (asked by the menu and every permission), the
    # unread count: plain queries, once each, whatever the page asks of them; then the
    # page's own two (its capped count and its rows).
    with django_assert_num_queries(4 + 2):
        response = client.get(reverse("notification_list") + "?page=x")
        user = response.wsgi_request.user
        roles, unread = user.role_map, user.unread_notification_count

    assert roles == {
        person.organisation_id: frozenset({Role.AGENT, Role.DELEGATE}),
        elsewhere.pk: frozenset({Role.JUROR}),
    }
    assert unread == 2
    assert '<span class="visually-hidden">2 non lues</span>' in response.content.decode()


@pytest.mark.django_db
def test_a_role_revoked_between_two_requests_is_gone_at_the_next_one(client):
    from innovation.platform.models import RoleGrant
    from tests.factories import DelegateFactory

    delegate = DelegateFactory()
    client.force_login(delegate)
    assert client.get(reverse("dashboard")).status_code == 200

    RoleGrant.objects.filter(user=delegate, role="delegate").delete()

    assert client.get(reverse("dashboard")).status_code == 403
