"""Defects a new user met in the interface (issue 14), each fixed and kept fixed."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.conftest import calendar_html


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_a_new_evaluation_starts_as_announced_so_it_gets_reminders(login):
    page = soup(login("ezk.editor@example.nl").get("/regulations/DSA/evaluations/new"))
    assert page.select_one("select[name=status] option[selected]")["value"] == "announced"


def test_the_stage_move_hint_offers_no_unknown_date_the_move_refuses(login):
    page = soup(login("ezk.editor@example.nl").get("/regulations/DSA"))
    hint = page.select_one("#effective-hint").get_text()
    assert "17-09-2025" in hint and "nog niet bepaald" not in hint and "t.b.d." not in hint
    # A deadline, whose date may be unknown, does offer it.
    deadline = soup(login("ezk.editor@example.nl").get("/regulations/DSA/deadlines/new"))
    assert "nog niet bepaald" in deadline.select_one("#due-hint").get_text()


def test_the_feed_link_is_labelled_with_its_own_scheme(login):
    client = login("viewer@example.nl")
    calendar_html(client)
    page = soup(client.get("/calendar"))
    url = page.select_one("#https-url")["value"]
    label = page.select_one("label[for=https-url]").get_text()
    assert url.startswith("http://127.0.0.1") and "(HTTP)" in label and "HTTPS" not in label


def test_deleting_a_designation_asks_with_its_authority_named_and_an_incomplete_post_is_a_400(login, session):
    # Found by the fuzz test: the confirmation page read the designation's authority, which never loads by itself.
    from sqlalchemy import select

    from tracker.regulations.models import Designation, Regulation

    item = session.scalars(select(Designation).join(Regulation).where(Regulation.key == "DSA")
                           .order_by(Designation.id)).first()
    authority = session.get(type(item).authority.property.mapper.class_, item.authority_id).name
    editor = login("ezk.editor@example.nl")
    url = f"/regulations/DSA/designations/{item.id}/delete"
    asked = editor.get(url)
    assert asked.status_code == 200
    assert authority in soup(asked).find("dl").get_text()
    token = soup(asked).find("input", {"name": "csrf_token"})["value"]
    refused = editor.post(url, data={"csrf_token": token})  # no version: the page asks again
    assert refused.status_code == 400
    assert authority in soup(refused).find("dl").get_text()
    assert session.get(Designation, item.id) is not None
