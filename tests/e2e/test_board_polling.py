"""The live board in a browser: it polls every 5 s, sends back the last ETag, takes a
`304 Not Modified` as "no change", and shows a mark saved meanwhile on a later poll."""

import pytest
from playwright.sync_api import expect

from juries import scores
from tests.juries.conftest import build_arena

POLL_WAIT = 15_000  # ms: three polls


@pytest.mark.django_db(transaction=True)
def test_the_board_keeps_polling_through_304s_and_shows_a_new_mark(page, live_server, login):
    arena = build_arena()
    login(arena.delegate)
    polls = []
    page.on(
        "response",
        lambda response: (
            polls.append((response.status, response.request.headers))
            if "tableau.json" in response.url
            else None
        ),
    )
    page.goto(f"{live_server.url}/forums/{arena.forum.pk}/tableau/")
    status = page.locator("[data-board-status]")
    expect(status).to_contain_text("Mis à jour à", timeout=POLL_WAIT)
    # A second poll, sent with the first answer's ETag, finds nothing new.
    page.wait_for_timeout(5_500)
    assert [code for code, _ in polls[:2]] == [200, 304]
    assert "if-none-match" in polls[1][1]

    scores.save_scores(
        arena.forum,
        actor=arena.jurors[1].user,
        pitch=arena.pitches[2],
        values=arena.values(7, 7),
    )

    cell = page.locator(f"[data-cell='{arena.jurors[1].pk}-{arena.pitches[2].pk}']")
    expect(cell).to_have_text("✓ noté", timeout=POLL_WAIT)
    expect(page.locator(f"[data-juror-total='{arena.jurors[1].pk}']")).to_have_text("1")
