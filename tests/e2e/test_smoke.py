from tests.factories import AgentFactory


def test_login_page_opens_and_is_accessible(page, live_server, axe_check):
    page.goto(live_server.url + "/connexion/")

    assert "Tremplin" in page.title()
    axe_check(page)


def test_login_form_signs_in_and_leads_home(login, live_server):
    person = AgentFactory()

    page = login(person)

    assert page.url == live_server.url + "/"
