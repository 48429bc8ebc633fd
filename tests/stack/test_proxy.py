"""Who the client is: rate limits and sign-in lock-outs count the address the
trusted proxy reports, and nobody reaching gunicorn directly can choose it."""

from .conftest import DIRECT_ADDRESS

DEMO_PASSWORD = "demo-password-2026"


def _give(visitor, token, area):
    return visitor.post("/feedback/give/", {
        "csrfmiddlewaretoken": token, "service_areas": [area], "even_better_if": "Rate test",
        "respondent": "parent_carer", "consent_to_quote": "no", "wants_contact": "no"})


def test_a_spoofed_forwarded_for_straight_to_gunicorn_does_not_move_the_bucket(stack):
    import redis

    stack.flush_cache()
    [(area,)] = stack.sql("SELECT id FROM core_servicearea WHERE is_active ORDER BY id LIMIT 1")
    limit = 20  # FEEDBACK_RATE_LIMIT_PER_HOUR
    direct = stack.visitor()
    token = direct.csrf("/feedback/give/")
    statuses = []
    for n in range(limit + 3):
        direct.forwarded_for = f"203.0.113.{n}"  # a new claim each time
        statuses.append(_give(direct, token, area).status_code)
    assert statuses == [302] * limit + [429] * 3  # one bucket, whatever it claimed

    # Through the trusted proxy, the address it reports is the client's.
    family = stack.visitor(through_proxy=True, forwarded_for="198.51.100.20")
    token = family.csrf("/feedback/give/")
    assert _give(family, token, area).status_code == 302
    # …and claims further left in the header are the client's own, ignored.
    sneaky = stack.visitor(through_proxy=True, forwarded_for="1.2.3.4, 198.51.100.20")
    token = sneaky.csrf("/feedback/give/")
    for _ in range(limit - 1):
        assert _give(sneaky, token, area).status_code == 302
    assert _give(sneaky, token, area).status_code == 429

    # The cache holds keyed hashes, never an address.
    keys = b" ".join(redis.Redis(port=stack.redis_port, db=0).keys("*"))
    assert b"ratelimit" in keys
    for address in (DIRECT_ADDRESS, "203.0.113.", "198.51.100.20", "1.2.3.4"):
        assert address.encode() not in keys


def _try(visitor, email, password):
    token = visitor.csrf("/staff/account/sign-in/")
    return visitor.post("/staff/account/sign-in/", {
        "csrfmiddlewaretoken": token, "username": email, "password": password}).status_code


def test_one_address_trying_thirty_accounts_is_throttled(stack):
    guesser = stack.visitor(through_proxy=True, forwarded_for="203.0.113.130")
    statuses = [_try(guesser, f"someone{n}@demo.example", "wrong-password-123")
                for n in range(30)]
    # AXES_FAILURE_LIMIT is 5: four times the form again with its error, then
    # the fifth wrong password locks the address out.
    assert statuses == [200] * 4 + [429] * 26
    # Even the right password for a real account is refused from there…
    assert _try(guesser, "nhs.officer@demo.example", DEMO_PASSWORD) == 429
    # …while the same account signs in from elsewhere.
    elsewhere = stack.visitor(through_proxy=True, forwarded_for="203.0.113.131")
    assert _try(elsewhere, "nhs.officer@demo.example", DEMO_PASSWORD) == 302


def test_a_locked_account_stays_locked_from_other_addresses(stack):
    statuses = []
    for n in range(5):  # five addresses, one wrong password each
        guesser = stack.visitor(through_proxy=True, forwarded_for=f"203.0.113.{140 + n}")
        statuses.append(_try(guesser, "board@demo.example", "wrong-password-123"))
    assert statuses == [200] * 4 + [429]
    owner = stack.visitor(through_proxy=True, forwarded_for="192.0.2.150")
    assert _try(owner, "board@demo.example", DEMO_PASSWORD) == 429
    assert _try(stack.visitor(), "board@demo.example", DEMO_PASSWORD) == 429
