"""Test data: one factory per model; role factories build a person with their grant."""

import datetime

import factory
from django.utils import timezone

from ideas.models import Campaign, Challenge, Comment, Idea, IdeaEvent, Theme, Vote
from innovation.platform.models import Direction, Notification, Organisation, Role, RoleGrant, User
from rituals.models import Occurrence, Registration, Ritual
from rituals.recurrence import local_start

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
        self.forget_roles()

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
    user.forget_roles()
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


class RitualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ritual
        skip_postgeneration_save = True

    created_by = factory.SubFactory(DelegateFactory)
    organisation = factory.SelfAttribute("created_by.organisation")
    title = factory.Sequence(lambda n: f"Petit-déjeuner de l'innovation n°{n}")
    kind = Ritual.Kind.BREAKFAST
    starts_on = factory.LazyFunction(timezone.localdate)
    interval_days = 14
    weekday = Ritual.Weekday.THURSDAY
    start_time = datetime.time(8, 30)
    duration_minutes = 60
    place = "Salle du conseil, Hôtel du Département"
    capacity = 20
    closes_hours_before = 24


class OccurrenceFactory(factory.django.DjangoModelFactory):
    """A date some days ahead (open for registration) unless told otherwise."""

    class Meta:
        model = Occurrence

    ritual = factory.SubFactory(RitualFactory)
    original_date = factory.Sequence(
        lambda n: timezone.localdate() + datetime.timedelta(days=7 + n % 3000)
    )
    starts_at = factory.LazyAttribute(lambda o: local_start(o.original_date, o.ritual.start_time))
    duration_minutes = 60


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    occurrence = factory.SubFactory(OccurrenceFactory)
    user = factory.SubFactory(
        AgentFactory, organisation=factory.SelfAttribute("..occurrence.ritual.organisation")
    )
    status = Registration.Status.CONFIRMED


# --- Forums and juries (juries/) -------------------------------------------------------------


class ForumFactory(factory.django.DjangoModelFactory):
    """A forum organised by its creator's organisation; `organisations=[...]` sets the
    participants (default: the organiser alone)."""

    class Meta:
        model = "juries.Forum"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Forum Innovations n°{n}")
    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    place = "Amiens"
    created_by = factory.SubFactory(DelegateFactory)
    organiser = factory.SelfAttribute("created_by.organisation")

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create:
            self.organisations.set(extracted or [self.organiser])


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "juries.Criterion"

    forum = factory.SubFactory(ForumFactory)
    name = factory.Sequence(lambda n: f"Critère {n}")
    weight = 1
    scale_min = 0
    scale_max = 10
    position = factory.Sequence(lambda n: n)


class ForumJurorFactory(factory.django.DjangoModelFactory):
    """A seat on a forum's jury (the person is a JurorFactory user by default)."""

    class Meta:
        model = "juries.Juror"

    forum = factory.SubFactory(ForumFactory)
    user = factory.SubFactory(JurorFactory)
    organisation = factory.SelfAttribute("user.organisation")
    college = "agent"


class PitchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "juries.Pitch"

    forum = factory.SubFactory(ForumFactory)
    idea = factory.SubFactory(IdeaFactory, state=Idea.State.SELECTED)
    organisation = factory.SelfAttribute("idea.organisation")
    position = factory.Sequence(lambda n: n + 1)
    put_forward_by = factory.SelfAttribute("forum.created_by")


# --- Mandates (ideas.mandates) -------------------------------------------------------------


class MandateFactory(factory.django.DjangoModelFactory):
    """A draft mandate on an accompanied idea; `team=n` adds n agents (1 by default)."""

    class Meta:
        model = "ideas.Mandate"
        skip_postgeneration_save = True

    idea = factory.SubFactory(IdeaFactory, state=Idea.State.ACCOMPANIED)
    organisation = factory.SelfAttribute("idea.organisation")
    sponsor = factory.SubFactory(
        SponsorFactory, organisation=factory.SelfAttribute("..organisation")
    )
    client_direction = factory.SubFactory(
        DirectionFactory, organisation=factory.SelfAttribute("..organisation")
    )
    client_director = factory.SubFactory(
        DirectorFactory, organisation=factory.SelfAttribute("..organisation")
    )
    objectives = "Tester le rappel par SMS dans deux centres de PMI et mesurer les absences."
    resources = "Appui de la Direction du numérique ; un abonnement SMS."
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=90))
    created_by = factory.SubFactory(
        DelegateFactory, organisation=factory.SelfAttribute("..organisation")
    )

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        if create:
            for _ in range(1 if extracted is None else extracted):
                MandateMemberFactory(mandate=self)


class MandateMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ideas.MandateMember"

    mandate = factory.SubFactory(MandateFactory, team=0)
    agent = factory.SubFactory(
        AgentFactory, organisation=factory.SelfAttribute("..mandate.organisation")
    )
    manager = factory.SubFactory(
        ManagerFactory, organisation=factory.SelfAttribute("..mandate.organisation")
    )
    freed_hours_per_week = "3.5"


def sign_all(mandate, *, except_for=()):
    """Send a mandate for signature and have every required party sign it (except some)."""
    from ideas.mandates import services as mandates
    from ideas.mandates.permissions import required_parties

    mandate.refresh_from_db()
    if mandate.state == "draft":
        mandates.send_for_signature(mandate, actor=mandate.created_by)
    members = list(mandate.members.all())
    signers = {user_id for user_id, _party in required_parties(mandate, members)}
    for user in User.objects.filter(pk__in=signers).exclude(pk__in=[u.pk for u in except_for]):
        mandates.sign_mandate(mandate, signer=user, decision="signed")
    mandate.refresh_from_db()
    return mandate


def active_mandate(**kwargs):
    """A mandate every party has signed: active, with its follow-ups."""
    return sign_all(MandateFactory(**kwargs))
