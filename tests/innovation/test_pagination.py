"""CappedPaginator counts at most its cap, in one query, and says when there are more."""

import pytest

from innovation.platform.models import Organisation
from innovation.platform.pagination import CappedPaginator
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_below_the_cap_it_counts_every_row(django_assert_num_queries):
    OrganisationFactory.create_batch(5)
    paginator = CappedPaginator(Organisation.objects.order_by("pk"), 2, cap=10)

    with django_assert_num_queries(1):
        assert (paginator.count, paginator.num_pages, paginator.capped) == (5, 3, False)


def test_past_the_cap_it_stops_counting_and_says_so(django_assert_num_queries):
    OrganisationFactory.create_batch(7)
    paginator = CappedPaginator(Organisation.objects.order_by("pk"), 2, cap=4)

    with django_assert_num_queries(1):
        assert (paginator.count, paginator.num_pages, paginator.capped) == (4, 2, True)
    # The last page reachable holds the rows up to the cap.
    assert len(paginator.get_page(99)) == 2


def test_exactly_the_cap_is_not_more_than_the_cap():
    OrganisationFactory.create_batch(4)
    paginator = CappedPaginator(Organisation.objects.order_by("pk"), 2, cap=4)

    assert (paginator.count, paginator.capped) == (4, False)
