"""Passwords: Argon2id at a strong cost, common passwords refused, old hashes upgraded on sign-in."""
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import select

from portal import db
from portal.accounts import passwords
from portal.accounts.models import User
from tests.fixtures.accounts import PASSWORD


def test_production_hashing_is_argon2id_at_owasp_strength(quick_password_hashing):
    parameters = extract_parameters(quick_password_hashing.hash("x"))
    assert parameters.type.name == "ID"
    assert parameters.memory_cost >= 19 * 1024 and parameters.time_cost >= 2


def test_common_and_trivial_passwords_are_refused():
    for weak in ("password", "Password1", "qwertyuiop", "milano2024", "forzainter!", "aaaaaaaaaaaa",
                 "12121212121", "iloveyou123"):
        assert passwords.password_problem(weak) is not None, weak
    assert passwords.password_problem("the stairs smell of basil") is None


def test_an_old_weaker_hash_is_upgraded_when_its_owner_signs_in(client, make_user):
    bea = make_user("Bea")
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    with db.write_transaction():
        db.session.get(User, bea.id).password_hash = weak
    assert client.post("/login", data={"login": "Bea", "password": PASSWORD}).status_code == 303
    assert db.session.scalar(select(User.password_hash)) != weak
