import pytest
from django.core import mail

from tests.factories import (
    AdminFactory,
    AgentFactory,
    DelegateFactory,
    DirectorFactory,
    OrganisationFactory,
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory()


@pytest.fixture
def agent(organisation):
    return AgentFactory(organisation=organisation)


@pytest.fixture
def delegate(organisation):
    return DelegateFactory(organisation=organisation)


@pytest.fixture
def director(organisation):
    return DirectorFactory(organisation=organisation)


@pytest.fixture
def admin_user(organisation):
    return AdminFactory(organisation=organisation)


@pytest.fixture
def outsider(other_organisation):
    """A delegate of another organisation: powerful there, a stranger here."""
    return DelegateFactory(organisation=other_organisation)


@pytest.fixture
def mailoutbox_clear():
    mail.outbox = []
    return mail.outbox


@pytest.fixture(autouse=True)
def _broker_breaker_closed():
    """Each test starts like a fresh web process: no broker failure remembered from another
    test (innovation.platform.outbox pauses the broker for a while after a failure)."""
    from innovation.platform import outbox

    outbox.reset_broker_breaker()
    yield
    outbox.reset_broker_breaker()
