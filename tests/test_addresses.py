"""E-mail addresses (issue 31, item 6): checked by email-validator when an account is made, from the admin page and
the CLI alike; anything a mailer would rewrite or read as another mailbox is refused and nothing is stored."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import func, select

from tests.conftest import csrf_from
from tracker.auth.models import User
from tracker.auth.service import normalise_email
from tracker.cli import cli
from tracker.errors import InvalidFields

MALFORMED = [
    "a:b@x.org",  # a mailer wrote to b@x.org
    "a(c)@x.org",  # a comment: a mailer wrote to a@x.org
    "=?utf-8?q?a=0A?=@x.org",  # an encoded word: a control byte in the envelope
    '"a b"@x.org',
    "a b@x.org",
    "a@b",
    "a@localhost",
    "@x.org",
    "a@",
    "a@@x.org",
    "a@x..org",
    "é@x.org",  # not every relay speaks SMTPUTF8
    "a@x.org\nBcc: c@y.org",
]


@pytest.mark.parametrize("address", MALFORMED)
def test_a_malformed_address_is_refused_with_its_reason(address):
    with pytest.raises(InvalidFields) as refused:
        normalise_email(address)
    assert refused.value.errors[0][0] == "email"
    assert "geen e-mailadres dat de tracker kan mailen" in refused.value.errors[0][1]


def test_an_address_is_stored_as_the_mailer_uses_it():
    assert normalise_email("  Anna.Jansen@MinEZ.nl ") == "anna.jansen@minez.nl"


def test_the_admin_page_and_the_cli_refuse_them_and_store_nothing(users, app, login, session):
    admin = login("admin@example.nl")
    before = session.scalar(select(func.count()).select_from(User))
    for address in MALFORMED:
        token = csrf_from(admin.get("/admin/users").get_data(as_text=True))
        page = admin.post("/admin/users", data={"csrf_token": token, "email": address, "name": "Iemand",
                                                "role": "viewer"})
        assert page.status_code == 400, address
        result = CliRunner().invoke(cli, ["users", "create", address, "--name", "Iemand"],
                                    obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code in (1, 2), (address, result.output)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_placeholder_domains_are_addresses():
    """The first admin's default, admin@example.invalid, and test addresses are valid: no mailer rewrites them."""
    assert normalise_email("admin@example.invalid") == "admin@example.invalid"
    assert normalise_email("Team@Ministerie.TEST") == "team@ministerie.test"
