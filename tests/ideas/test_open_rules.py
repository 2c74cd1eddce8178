"""Whether a call for ideas or a challenge takes ideas on a day is one rule written twice:
for one object (`is_open`, which the services check on submitting) and as a query
(`open_on`, which the home page, the idea form and the campaign list filter by). These tests
hold the two equal on every boundary."""

import datetime

import pytest

from ideas.models import Campaign, Challenge
from tests.factories import CampaignFactory, ChallengeFactory, DelegateFactory, DirectorFactory

DAY = datetime.date(2026, 3, 10)
DAYS = [DAY + datetime.timedelta(days=offset) for offset in range(-2, 3)]


@pytest.mark.django_db
def test_the_calls_open_on_a_day_are_those_that_say_they_are_open():
    delegate = DelegateFactory()
    campaigns = [
        CampaignFactory(opens_on=opens, closes_on=closes, created_by=delegate)
        for opens in DAYS
        for closes in DAYS
        if closes >= opens
    ]
    for today in [DAYS[0] - datetime.timedelta(days=1), *DAYS, DAYS[-1] + datetime.timedelta(1)]:
        opened = set(Campaign.objects.open_on(today).values_list("pk", flat=True))
        assert opened == {c.pk for c in campaigns if c.is_open(today)}, today
    # Not vacuous: some calls are open and some closed on the middle day.
    assert 0 < len(Campaign.objects.open_on(DAY)) < len(campaigns)


@pytest.mark.django_db
def test_the_challenges_open_on_a_day_are_those_that_say_they_are_open():
    director = DirectorFactory()
    challenges = [ChallengeFactory(author=director, closes_on=closes) for closes in [None, *DAYS]]
    for today in [DAYS[0] - datetime.timedelta(days=1), *DAYS, DAYS[-1] + datetime.timedelta(1)]:
        opened = set(Challenge.objects.open_on(today).values_list("pk", flat=True))
        assert opened == {c.pk for c in challenges if c.is_open(today)}, today
    assert 0 < len(Challenge.objects.open_on(DAY)) < len(challenges)
