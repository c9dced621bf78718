"""The one rate limiter, on its own: how many hits pass, when the next one may come, that a
refusal takes nothing, and that idle keys are pruned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import translation

from jisr.core import ratelimit
from jisr.core.models import RateLimitCounter
from jisr.core.ratelimit import Hit, RateLimited, client_key, rate_limit_hit, rate_limits_hit


@pytest.fixture(autouse=True)
def _in_english():
    # Refusals are worded when raised, in the language active then; another test may leave any.
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch):
    now = [1_800_000_000.0]
    monkeypatch.setattr(ratelimit, "_clock", lambda: now[0])
    return now


def hit(key: str = "k", limit: int = 3, window: timedelta = timedelta(hours=1)) -> None:
    rate_limit_hit(bucket="test", key=key, limit=limit, window=window)


def test_a_burst_of_the_limit_then_one_per_share_of_the_window(db, clock):
    for _ in range(3):
        hit()
    with pytest.raises(RateLimited) as refused:
        hit()
    assert refused.value.status == 429
    assert refused.value.code == "rate_limited"
    assert refused.value.retry_after == 20 * 60
    assert "Try again in 20 minutes." in str(refused.value.message)
    hit(key="other")  # keys are counted apart
    clock[0] += 20 * 60 - 1
    with pytest.raises(RateLimited):
        hit()
    clock[0] += 1
    hit()
    with pytest.raises(RateLimited):
        hit()


def test_refused_hits_take_nothing(db, clock):
    for _ in range(3):
        hit()
    stored = RateLimitCounter.objects.get().tat
    for _ in range(5):
        with pytest.raises(RateLimited):
            hit()
    assert RateLimitCounter.objects.get().tat == stored


def test_several_limits_are_counted_all_or_nothing(db, clock):
    tight = Hit(bucket="tight", key="k", limit=1, window=timedelta(hours=1))
    loose = Hit(bucket="loose", key="k", limit=2, window=timedelta(hours=1))
    rate_limits_hit(loose, tight)
    with pytest.raises(RateLimited):
        rate_limits_hit(loose, tight)  # loose had room, tight had none: loose is not taken
    rate_limits_hit(loose)
    with pytest.raises(RateLimited):
        rate_limits_hit(loose)


def test_long_waits_are_told_in_hours(db, clock):
    hit(limit=1, window=timedelta(days=1))
    with pytest.raises(RateLimited) as refused:
        hit(limit=1, window=timedelta(days=1))
    assert "Try again in 24 hours." in str(refused.value.message)


def test_idle_keys_are_pruned_and_keys_are_not_stored_in_clear(db, clock):
    hit(key="+9647709998877")
    hit(key="other", limit=1, window=timedelta(days=1))
    assert not RateLimitCounter.objects.filter(key__contains="9647709998877").exists()
    clock[0] += 3600
    assert ratelimit.rate_limit_prune() == 1
    assert RateLimitCounter.objects.count() == 1


@pytest.mark.parametrize(
    ("remote", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::7", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
    ],
)
def test_an_ipv6_client_is_its_slash_64(remote, key):
    assert client_key(RequestFactory().get("/", REMOTE_ADDR=remote)) == key


def test_only_the_trusted_proxies_hops_are_believed(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.4, 203.0.113.9"
    )
    settings.JISR_TRUSTED_PROXY_COUNT = 0
    assert client_key(request) == "10.0.0.2"
    settings.JISR_TRUSTED_PROXY_COUNT = 1
    assert client_key(request) == "203.0.113.9"
    settings.JISR_TRUSTED_PROXY_COUNT = 2
    assert client_key(request) == "192.0.2.4"
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_key(garbage) == "10.0.0.2"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_requests_cannot_share_the_last_place(clock):
    """Hits from many threads at once, each on its own connection and in its own transaction as
    a request would be: exactly the limit pass. On PostgreSQL (CI's second leg): SQLite
    serialises writers with BEGIN IMMEDIATE, and the in-memory test database's shared cache
    refuses a second writer at once instead of waiting, so there is no race to test."""
    import threading

    from django.db import connection, transaction

    if connection.vendor == "sqlite":
        pytest.skip("PostgreSQL only: SQLite serialises writers")

    outcomes: list[str] = []
    start = threading.Barrier(8)

    def request() -> None:
        try:
            start.wait()
            with transaction.atomic():
                hit(limit=3)
            outcomes.append("passed")
        except RateLimited:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["passed"] * 3 + ["refused"] * 5


def test_a_refusal_that_reaches_the_error_middleware_says_when_to_come_back(db, clock):
    from jisr.core.middleware import JisrErrorMiddleware

    hit(limit=1)
    with pytest.raises(RateLimited) as refused:
        hit(limit=1)
    middleware = JisrErrorMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    for path in ("/api/v1/services", "/services/"):
        response = middleware.process_exception(RequestFactory().get(path), refused.value)
        assert response is not None
        assert response.status_code == 429
        assert response["Retry-After"] == "3600"


def test_the_refusal_is_worded_in_the_readers_language(db, clock):
    for _ in range(3):
        hit()
    with translation.override("ar"), pytest.raises(RateLimited) as refused:
        hit()
    assert "حاول مجددًا بعد 20 دقيقة" in str(refused.value.message)  # try again in 20 minutes
    with translation.override("ckb"), pytest.raises(RateLimited) as refused:
        hit()
    assert "دوای 20 خولەک" in str(refused.value.message)
