"""Password reset e-mails leave through the outbox: a row now, the link made by the worker."""

import json
import re

import pytest
from django.core import mail, serializers
from django.urls import reverse

from innovation.platform import outbox, password_reset
from innovation.platform.models import Notification, PasswordResetMail, User
from innovation.platform.outbox import DeliveryState
from tests.factories import AgentFactory

RESET_LINK = re.compile(r"(https?://[^/\s]+)/mot-de-passe/nouveau/([^/\s]+)/([^/\s]+)/")


def ask_for_reset(client, email: str, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def sent_link() -> tuple[str, str, str]:
    (message,) = mail.outbox
    return RESET_LINK.search(message.body).groups()


@pytest.mark.django_db
def test_a_reset_request_writes_a_pending_row_and_sends_nothing_from_the_request(
    client, mailoutbox_clear, django_capture_on_commit_callbacks
):
    person = AgentFactory(email="camille@exemple.fr")

    with django_capture_on_commit_callbacks() as callbacks:
        response = ask_for_reset(client, "Camille@Exemple.fr")

    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []
    row = PasswordResetMail.objects.get()
    assert (row.user, row.delivery_state) == (person, DeliveryState.PENDING)
    assert len(callbacks) == 1  # the task, queued after commit


@pytest.mark.django_db
def test_a_reset_row_holds_who_and_when_and_never_a_link(client, mailoutbox_clear):
    person = AgentFactory()
    ask_for_reset(client, person.email)

    assert password_reset.send_password_reset_mail(PasswordResetMail.objects.get().pk) is True

    _, _, token = sent_link()
    stored = serializers.serialize("json", PasswordResetMail.objects.all())
    assert token not in stored and "mot-de-passe" not in stored
    assert {f.name for f in PasswordResetMail._meta.get_fields()} == {
        "id",
        "user",
        "created_at",
        "delivery_state",
        "delivery_attempts",
        "delivery_due_at",
        "delivery_claim",
        "delivery_lease_until",
        "delivery_sent_at",
    }
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_second_request_while_the_first_email_waits_adds_no_row(client, mailoutbox_clear):
    person = AgentFactory()

    ask_for_reset(client, person.email)
    ask_for_reset(client, person.email)
    rows_while_waiting = PasswordResetMail.objects.count()
    assert outbox.send_due() == 1
    ask_for_reset(client, person.email)

    assert rows_while_waiting == 1
    assert [row.delivery_state for row in PasswordResetMail.objects.order_by("pk")] == [
        DeliveryState.SENT,
        DeliveryState.PENDING,
    ]


@pytest.mark.django_db
def test_the_reset_link_is_built_from_site_url_never_from_the_host_header(
    client, settings, mailoutbox_clear
):
    settings.SITE_URL = "https://tremplin.example.fr"
    settings.ALLOWED_HOSTS = ["attacker.example", "testserver"]
    person = AgentFactory()

    ask_for_reset(client, person.email, HTTP_HOST="attacker.example")
    outbox.send_due()

    origin, _, _ = sent_link()
    assert origin == "https://tremplin.example.fr"
    assert "attacker" not in mail.outbox[0].body
    assert mail.outbox[0].subject == "Tremplin : choisir votre mot de passe"
    assert mail.outbox[0].to == [person.email]


@pytest.mark.django_db
def test_the_link_made_at_send_time_lets_the_person_choose_a_password(client, mailoutbox_clear):
    person = User.objects.create_user("nouvelle@exemple.fr", password=None)
    ask_for_reset(client, person.email)
    outbox.send_due()
    _, uid, token = sent_link()

    form_page = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    assert form_page.context["validlink"] is True
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "un-mot-de-passe-solide", "new_password2": "un-mot-de-passe-solide"},
    )

    person.refresh_from_db()
    assert person.check_password("un-mot-de-passe-solide")


@pytest.mark.django_db
def test_a_reset_for_a_person_deactivated_before_the_send_is_skipped(client, mailoutbox_clear):
    person = AgentFactory()
    ask_for_reset(client, person.email)
    User.objects.filter(pk=person.pk).update(is_active=False)

    assert outbox.send_due() == 0

    assert mail.outbox == []
    assert PasswordResetMail.objects.get().delivery_state == DeliveryState.SKIPPED


@pytest.mark.django_db
def test_my_data_shows_the_reset_request_without_its_link(client, mailoutbox_clear):
    person = AgentFactory()
    ask_for_reset(client, person.email)
    outbox.send_due()
    _, _, token = sent_link()
    client.force_login(person)

    response = client.get(reverse("my_data"))

    content = response.content.decode()
    assert token not in content and "/mot-de-passe/nouveau/" not in content
    (row,) = json.loads(content)["innovation.PasswordResetMail"]
    assert (row["lien"], row["user"], row["delivery_state"], row["delivery_claim"]) == (
        "user",
        person.pk,
        "sent",
        None,
    )


@pytest.mark.django_db
def test_the_admin_shows_the_delivery_of_a_reset_email_and_not_its_link(client, mailoutbox_clear):
    person = AgentFactory()
    ask_for_reset(client, person.email)
    outbox.send_due()
    _, _, token = sent_link()
    row = PasswordResetMail.objects.get()
    client.force_login(User.objects.create_superuser("root@exemple.fr", "mot-de-passe-42"))

    pages = [
        client.get(reverse("admin:innovation_passwordresetmail_changelist")),
        client.get(reverse("admin:innovation_passwordresetmail_change", args=[row.pk])),
    ]

    assert [page.status_code for page in pages] == [200, 200]
    for page in pages:
        content = page.content.decode()
        assert "envoyé" in content
        assert token not in content and "/mot-de-passe/nouveau/" not in content


@pytest.mark.django_db
@pytest.mark.parametrize("known", [True, False])
def test_a_reset_request_costs_the_same_few_queries(client, django_assert_num_queries, known):
    AgentFactory(email="connue@exemple.fr")

    # The person looked up; for a known one, the row (SAVEPOINT, INSERT, RELEASE: outside
    # tests the request's own transaction, BEGIN/COMMIT, which are not counted).
    with django_assert_num_queries(4 if known else 1):
        response = ask_for_reset(client, "connue@exemple.fr" if known else "autre@exemple.fr")

    assert response.status_code == 302
