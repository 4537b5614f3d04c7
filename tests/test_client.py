"""The HTTP client against real sandboxes: authentication, pace, retries, quota and secrecy."""

from __future__ import annotations

import base64
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest
import requests

from insightly_sandbox.faults import FAULT_KINDS, STATUS_FAULTS
from tap_insightly.client import (
    AuthenticationError,
    DailyQuotaError,
    InsightlySession,
    QuotaBook,
    RateLimiter,
    RequestFailedError,
    RetryPolicy,
    WriteOutcomeUnknownError,
)

if TYPE_CHECKING:
    from insightly_sandbox.server import SandboxServer

#: A key distinctive enough that finding it in a message or log line cannot be a coincidence.
KEY = "k3y-s3cret"
#: The same key as it travels in the Authorization header.
ENCODED_KEY = base64.b64encode(f"{KEY}:".encode()).decode()

FAST = RetryPolicy(backoff_base=0.01, backoff_max=0.05)

#: Seeds whose fault draws at a rate of 0.5 start, whatever the one kind configured:
#: 13 with two faults then a clean answer; 8 with a clean answer, two faults, a clean answer.
FAULTS_FIRST_SEED = 13
FAULTS_SECOND_SEED = 8

ADA = {"FIRST_NAME": "Ada", "LAST_NAME": "Lovelace"}


class FakeClock:
    """A clock that only moves when the limiter sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


class Sleeps:
    """A sleep that really sleeps and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        time.sleep(seconds)


@pytest.fixture(autouse=True)
def key_stays_out_of_logs(caplog):
    """Every test here also proves the key reached no log record, at any level."""
    caplog.set_level(logging.DEBUG)
    yield
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in caplog.get_records("call"):
        line = formatter.format(record)  # with any traceback the record carries
        assert KEY not in line
        assert ENCODED_KEY not in line


def session_for(
    *,
    per_second: float = 200.0,
    policy: RetryPolicy = FAST,
    key: str = KEY,
    **settings: Any,
) -> InsightlySession:
    return InsightlySession(key, RateLimiter(per_second), policy=policy, **settings)


def served(server: SandboxServer) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = requests.get(
        f"{server.root}/_sandbox/requests", timeout=5
    ).json()
    return entries


def assert_keeps_key_secret(error: BaseException) -> None:
    """The key is in neither the error nor anything chained to it."""
    current: BaseException | None = error
    while current is not None:
        for text in (str(current), repr(current), *map(str, current.args)):
            assert KEY not in text
            assert ENCODED_KEY not in text
        current = current.__cause__ or current.__context__


# The rate limiter, on a clock of its own


def test_limiter_spaces_acquires_by_its_interval():
    clock = FakeClock()
    limiter = RateLimiter(4, clock=clock, sleep=clock.sleep)

    for _ in range(5):
        limiter.acquire()

    assert clock.waits == [0.25] * 4
    assert clock.now == pytest.approx(1.0)


def test_limiter_banks_no_turns_while_idle():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    limiter.acquire()

    clock.now += 60.0
    limiter.acquire()
    limiter.acquire()

    # An idle minute does not allow a burst afterwards: the third acquire still waits.
    assert clock.waits == [pytest.approx(0.1)]


def test_limiter_gives_each_thread_its_own_turn():
    # A frozen clock makes every caller's wait equal to its turn's offset, so a race that
    # handed two callers one turn would show as a repeated wait.
    clock = FakeClock()
    waits: list[float] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            waits.append(seconds)

    limiter = RateLimiter(100, clock=clock, sleep=record)
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(50):
            limiter.acquire()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(waits) == pytest.approx([turn / 100 for turn in range(1, 400)])


def test_limiter_paces_threads_in_real_time():
    limiter = RateLimiter(200)
    started: list[float] = []
    lock = threading.Lock()
    begin = time.monotonic()

    def worker() -> None:
        for _ in range(10):
            limiter.acquire()
            with lock:
                started.append(time.monotonic() - begin)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - begin

    # The k-th start can come no earlier than the k-th turn; sleeps overshoot, never undershoot.
    for turn, at in enumerate(sorted(started)):
        assert at >= turn / 200 - 0.002
    # Threads sleep outside the lock, so 40 turns take about 39 intervals, not 40 sleeps each.
    assert 39 / 200 - 0.002 <= elapsed < 1.0


@pytest.mark.parametrize("per_second", [0, -1, -0.5, float("nan")])
def test_limiter_refuses_a_rate_that_is_not_positive(per_second):
    with pytest.raises(ValueError, match="requests_per_second must be above 0"):
        RateLimiter(per_second)


# Plain reads, authentication and quota headers


def test_get_returns_records_as_the_key_holder(start_sandbox, caplog):
    server = start_sandbox(api_key=KEY)
    session = session_for(user_agent="tap-insightly/test")

    response = session.get(f"{server.url}Contacts")

    assert response.status_code == 200
    records = response.json()
    assert len(records) == 5
    assert all(isinstance(record["CONTACT_ID"], int) for record in records)
    sent = response.request.headers
    assert sent["Authorization"] == f"Basic {ENCODED_KEY}"
    assert base64.b64decode(ENCODED_KEY) == b"k3y-s3cret:"
    assert sent["Accept"] == "application/json"
    assert sent["User-Agent"] == "tap-insightly/test"
    assert session.quota.sent == 1
    assert (session.quota.limit, session.quota.remaining) == (100_000, 99_999)
    assert session.quota.describe() == "99999 of 100000 left"
    # The log capture that guards the key sees the connection's own debug lines.
    assert any(record.name.startswith("urllib3") for record in caplog.records)


def test_wrong_key_raises_authentication_error_without_retrying(start_sandbox):
    server = start_sandbox(api_key=KEY)
    sleeps = Sleeps()
    session = session_for(key="wr0ng-k3y", sleep=sleeps)

    with pytest.raises(AuthenticationError) as caught:
        session.get(f"{server.url}Contacts")

    message = str(caught.value)
    host = server.url.split("/")[2]
    assert message.startswith(f"HTTP 401 from {host}:")
    assert "api_key" in message
    assert "pod" in message
    assert "wr0ng-k3y" not in message
    assert_keeps_key_secret(caught.value)
    assert [entry["status"] for entry in served(server)] == [401]
    assert sleeps.asked == []


def test_session_timeout_applies_when_the_caller_gives_none(start_sandbox):
    server = start_sandbox(api_key=KEY, latency_ms=400)
    session = session_for(timeout=0.1, policy=RetryPolicy(max_retries=1, backoff_base=0.01))

    with pytest.raises(RequestFailedError) as caught:
        session.get(f"{server.url}Contacts")

    assert "failed after 2 tries: ReadTimeout from" in str(caught.value)
    assert caught.value.status is None
    assert_keeps_key_secret(caught.value)
    # A timeout the caller gives wins over the session's.
    assert session.get(f"{server.url}Contacts", timeout=5).status_code == 200


# The two limits


def test_burst_429s_are_waited_out_as_retry_after_asks(start_sandbox, caplog):
    server = start_sandbox(api_key=KEY, rate_limit=2)
    sleeps = Sleeps()
    # Retry-After comes in whole seconds; a ceiling above it lets the session wait all of it.
    session = session_for(per_second=50, policy=RetryPolicy(backoff_max=5), sleep=sleeps)
    begin = time.monotonic()

    first = [session.get(f"{server.url}Contacts") for _ in range(2)]
    # The third request in the second is refused; a refused POST was never applied, so it is
    # sent again like a read.
    created = session.post(f"{server.url}Contacts", json=ADA)
    last = session.get(f"{server.url}Contacts", params={"top": 10})

    elapsed = time.monotonic() - begin
    assert [response.status_code for response in first] == [200, 200]
    assert created.status_code == 201
    assert created.json()["FIRST_NAME"] == "Ada"
    assert last.status_code == 200
    assert len(last.json()) == 6
    assert [(entry["method"], entry["status"]) for entry in served(server)] == [
        ("GET", 200),
        ("GET", 200),
        ("POST", 429),
        ("POST", 201),
        ("GET", 200),
    ]
    assert sleeps.asked == [1.0]
    assert elapsed >= 1.0
    assert session.quota.sent == 5
    assert "per-second limit was hit; waiting 1.0 s as asked" in caplog.text


def test_burst_429s_fail_once_the_waits_run_out(start_sandbox):
    server = start_sandbox(api_key=KEY, rate_limit=1)
    sleeps = Sleeps()
    policy = RetryPolicy(max_rate_limit_waits=2, backoff_base=0.01, backoff_max=0.05)
    session = session_for(policy=policy, sleep=sleeps)
    session.get(f"{server.url}Contacts")
    url = f"{server.url}Contacts?top=1"

    with pytest.raises(RequestFailedError) as caught:
        session.get(url)

    assert str(caught.value) == f"GET {url} was still rate-limited after 2 waits"
    assert (caught.value.status, caught.value.url) == (429, url)
    # The wait Retry-After asks for is cut to the policy's longest wait.
    assert sleeps.asked == [0.05, 0.05]
    assert [entry["status"] for entry in served(server)] == [200, 429, 429, 429]


def test_spent_daily_quota_stops_at_once(start_sandbox):
    server = start_sandbox(api_key=KEY, daily_limit=3)
    sleeps = Sleeps()
    session = session_for(sleep=sleeps)
    for _ in range(3):
        session.get(f"{server.url}Contacts")
    assert (session.quota.limit, session.quota.remaining) == (3, 0)

    with pytest.raises(DailyQuotaError) as caught:
        session.get(f"{server.url}Contacts")

    message = str(caught.value)
    assert "daily request quota (3 requests per rolling 24 hours) is spent" in message
    assert "free up 24 hours after they were made" in message
    assert server.url.split("/")[2] in message
    assert_keeps_key_secret(caught.value)
    assert [entry["status"] for entry in served(server)] == [200, 200, 200, 429]
    assert sleeps.asked == []
    assert session.quota.sent == 4
    assert session.quota.describe() == "0 of 3 left"


def test_quota_book_follows_the_headers(start_sandbox):
    server = start_sandbox(api_key=KEY, daily_limit=10)
    session = session_for()
    assert session.quota.describe() == "quota unknown"

    for _ in range(3):
        session.get(f"{server.url}Contacts")

    assert (session.quota.sent, session.quota.limit, session.quota.remaining) == (3, 10, 7)
    assert session.quota.describe() == "7 of 10 left"


def test_quota_book_counts_a_try_without_answer_and_keeps_what_it_knew(start_sandbox):
    server = start_sandbox(api_key=KEY)
    session = session_for()
    session.get(f"{server.url}Contacts")
    book = session.quota

    book.count(None)

    assert (book.sent, book.limit, book.remaining) == (2, 100_000, 99_999)
    assert QuotaBook(remaining=5).describe() == "5 left"


# Faults


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_get_is_retried_through_each_fault(start_sandbox, kind):
    server = start_sandbox(api_key=KEY, seed=FAULTS_FIRST_SEED, fault_rate=0.5, fault_kinds=(kind,))
    clean = start_sandbox(api_key=KEY, seed=FAULTS_FIRST_SEED)
    sleeps = Sleeps()
    session = session_for(sleep=sleeps)

    response = session.get(f"{server.url}Contacts", params={"top": 3})

    expected = session.get(f"{clean.url}Contacts", params={"top": 3}).json()
    assert response.status_code == 200
    assert response.json() == expected
    log = served(server)
    faulted_status = int(kind) if kind in STATUS_FAULTS else {"drop": 0, "truncate": 200}[kind]
    assert [(entry["status"], entry["fault"]) for entry in log] == [
        (faulted_status, kind),
        (faulted_status, kind),
        (200, None),
    ]
    assert all(entry["query"] == {"top": "3"} for entry in log)
    assert len(sleeps.asked) == 2
    assert all(0.005 <= asked <= 0.05 for asked in sleeps.asked)
    assert session.quota.sent == 4  # three tries here, one on the clean sandbox


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_get_fails_for_good_after_its_retries(start_sandbox, caplog, kind):
    server = start_sandbox(api_key=KEY, fault_rate=1, fault_kinds=(kind,))
    policy = RetryPolicy(max_retries=3, backoff_base=0.01, backoff_max=0.05)
    session = session_for(policy=policy)
    url = f"{server.url}Contacts?top=2"

    with pytest.raises(RequestFailedError) as caught:
        session.get(url)

    error = caught.value
    assert not isinstance(error, WriteOutcomeUnknownError)
    assert str(error).startswith(f"GET {url} failed after 4 tries: ")
    assert error.url == url
    assert error.status == (int(kind) if kind in STATUS_FAULTS else None)
    assert_keeps_key_secret(error)
    assert len(served(server)) == 4
    assert session.quota.sent == 4
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage().split("; retry ")[1][0] for r in warnings] == ["1", "2", "3"]


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_post_meeting_a_fault_is_never_retried(start_sandbox, kind):
    server = start_sandbox(api_key=KEY, fault_rate=1, fault_kinds=(kind,))
    sleeps = Sleeps()
    session = session_for(sleep=sleeps)
    url = f"{server.url}Contacts"

    with pytest.raises(WriteOutcomeUnknownError) as caught:
        session.post(url, json=ADA)

    error = caught.value
    assert str(error).startswith(f"POST {url}: ")
    assert str(error).endswith("; Insightly may have applied it")
    assert error.url == url
    assert error.status == (int(kind) if kind in STATUS_FAULTS else None)
    assert_keeps_key_secret(error)
    assert [(entry["method"], entry["fault"]) for entry in served(server)] == [("POST", kind)]
    assert sleeps.asked == []
    assert session.quota.sent == 1


def test_post_whose_answer_was_cut_was_applied_once(start_sandbox):
    # Why a POST is not retried: the cut answer hid a record that now exists.
    server = start_sandbox(
        api_key=KEY, seed=FAULTS_FIRST_SEED, fault_rate=0.5, fault_kinds=("truncate",)
    )
    session = session_for()

    with pytest.raises(WriteOutcomeUnknownError):
        session.post(f"{server.url}Contacts", json=ADA)

    search = {"field_name": "FIRST_NAME", "field_value": "Ada"}
    found = session.get(f"{server.url}Contacts/Search", params=search).json()
    assert [contact["LAST_NAME"] for contact in found] == ["Lovelace"]
    assert [(e["method"], e["fault"]) for e in served(server)] == [
        ("POST", "truncate"),
        ("GET", "truncate"),
        ("GET", None),
    ]


def test_put_is_retried_through_503s(start_sandbox):
    server = start_sandbox(
        api_key=KEY, seed=FAULTS_SECOND_SEED, fault_rate=0.5, fault_kinds=("503",)
    )
    sleeps = Sleeps()
    session = session_for(sleep=sleeps)
    contact = session.get(f"{server.url}Contacts", params={"top": 1}).json()[0]

    response = session.put(
        f"{server.url}Contacts", json={"CONTACT_ID": contact["CONTACT_ID"], "FIRST_NAME": "Grace"}
    )

    assert response.status_code == 201
    assert response.json()["FIRST_NAME"] == "Grace"
    puts = [(entry["status"], entry["fault"]) for entry in served(server)][1:]
    assert puts == [(503, "503"), (503, "503"), (201, None)]
    assert len(sleeps.asked) == 2
