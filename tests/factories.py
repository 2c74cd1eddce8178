"""Test data: one factory per model; role factories build a person with their grant."""

import datetime

import factory
from django.utils import timezone

from ideas.models import Campaign, Challenge, Comment, Idea, IdeaEvent, Theme, Vote
from innovation.models import Direction, Notification, Organisation, Role, RoleGrant, User

DEFAULT_PASSWORD = "motdepasse-de-test-42"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Département n°{n}")
    slug = factory.Sequence(lambda n: f"departement-{n}")
    kind = Organisation.Kind.DEPARTEMENT


class DirectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Direction

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Direction {n}")


def with_roles(*default: str):
    """Grant roles on the person's organisation; `roles=[...]` at call time overrides them."""

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        for role in extracted if extracted is not None else default:
            RoleGrant.objects.get_or_create(user=self, organisation=self.organisation, role=role)
        self.save()
        self.__dict__.pop("role_map", None)

    return roles


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@exemple.fr")
    first_name = factory.Sequence(lambda n: f"Camille{n}")
    last_name = "Martin"
    organisation = factory.SubFactory(OrganisationFactory)
    direction = factory.SubFactory(
        DirectionFactory, organisation=factory.SelfAttribute("..organisation")
    )
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    roles = with_roles(Role.AGENT)


class AgentFactory(UserFactory):
    roles = with_roles(Role.AGENT)


class ManagerFactory(UserFactory):
    roles = with_roles(Role.AGENT, Role.MANAGER)


class DirectorFactory(UserFactory):
    roles = with_roles(Role.AGENT, Role.DIRECTOR)


class SponsorFactory(UserFactory):
    roles = with_roles(Role.SPONSOR)


class JurorFactory(UserFactory):
    roles = with_roles(Role.JUROR)


class DelegateFactory(UserFactory):
    roles = with_roles(Role.AGENT, Role.DELEGATE)


class AdminFactory(UserFactory):
    roles = with_roles(Role.ADMIN)


def grant(user: User, organisation: Organisation, role: str) -> RoleGrant:
    """Give an existing person a role on another organisation."""
    grant = RoleGrant.objects.create(user=user, organisation=organisation, role=role)
    user.__dict__.pop("role_map", None)
    return grant


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Thème {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Appel à idées {n}")
    description = "Proposez vos idées pour simplifier le service public."
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    created_by = factory.SubFactory(DelegateFactory)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create:
            self.organisations.set(extracted or [self.created_by.organisation])


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    author = factory.SubFactory(DirectorFactory)
    organisation = factory.SelfAttribute("author.organisation")
    title = factory.Sequence(lambda n: f"Défi {n}")
    description = "Réduire le temps d'attente à l'accueil."


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    author = factory.SubFactory(AgentFactory)
    organisation = factory.SelfAttribute("author.organisation")
    direction = factory.SelfAttribute("author.direction")
    title = factory.Sequence(lambda n: f"Idée n°{n} : simplifier l'accueil")
    irritant = "Les usagers attendent longtemps au guichet."
    proposal = "Un rendez-vous en ligne pour les démarches simples."
    beneficiaries = Idea.Beneficiaries.BOTH
    expected_impact = "Moins d'attente, des agents moins sollicités."
    state = Idea.State.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    idea = factory.SubFactory(IdeaFactory)
    voter = factory.SubFactory(
        AgentFactory, organisation=factory.SelfAttribute("..idea.organisation")
    )


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    idea = factory.SubFactory(IdeaFactory)
    author = factory.SubFactory(
        AgentFactory, organisation=factory.SelfAttribute("..idea.organisation")
    )
    body = "Très bonne idée, on le vit aussi au service social."


class IdeaEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdeaEvent

    idea = factory.SubFactory(IdeaFactory)
    actor = factory.SubFactory(
        DelegateFactory, organisation=factory.SelfAttribute("..idea.organisation")
    )
    before = Idea.State.SUBMITTED
    after = Idea.State.QUALIFIED


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(AgentFactory)
    kind = "idea_moved"
    subject = factory.Sequence(lambda n: f"Votre idée n°{n} avance")
    body = "Votre idée est passée à l'étape « Qualifiée »."
    url = "/idees/1/"
