"""The same-second ledger: which re-read records an incremental run emits again."""

from __future__ import annotations

import datetime as dt

from tap_insightly.bookmarks import (
    Ledger,
    SameSecondFilter,
    content_hash,
    record_key,
    whole_second,
)

UTC = dt.timezone.utc
BOOKMARK = dt.datetime(2024, 3, 4, 8, 22, 56, tzinfo=UTC)
LATER = BOOKMARK + dt.timedelta(seconds=5)


def at(seconds: float) -> dt.datetime:
    return BOOKMARK + dt.timedelta(seconds=seconds)


def digest(text: str):
    return lambda: text


def test_content_hash_is_short_stable_and_sees_every_change():
    record = {"CONTACT_ID": 1, "FIRST_NAME": "Ada", "TAGS": [{"TAG_NAME": "VIP"}]}
    reordered = {"TAGS": [{"TAG_NAME": "VIP"}], "FIRST_NAME": "Ada", "CONTACT_ID": 1}
    changed = {**record, "TAGS": [{"TAG_NAME": "Paris"}]}

    assert content_hash(record) == content_hash(reordered)
    assert content_hash(record) != content_hash(changed)
    assert len(content_hash(record)) == 16


def test_record_key_joins_the_key_fields():
    assert record_key({"CONTACT_ID": 7}, ("CONTACT_ID",)) == "7"
    assert record_key({"RECORD_TYPE": "Contact", "RECORD_ID": 7}, ("RECORD_TYPE", "RECORD_ID")) == (
        "Contact|7"
    )


def test_ledger_round_trips_through_state():
    ledger = Ledger(BOOKMARK, {"2": "bb", "1": "aa"})

    state = ledger.to_state()

    assert state == {"second": "2024-03-04T08:22:56Z", "records": {"1": "aa", "2": "bb"}}
    assert Ledger.from_state(state) == ledger


def test_a_ledger_this_module_did_not_write_is_none():
    assert Ledger.from_state(None) is None
    assert Ledger.from_state({"second": "yesterday", "records": {}}) is None
    assert Ledger.from_state({"second": "2024-03-04T08:22:56Z"}) is None
    assert Ledger.from_state(["2024-03-04T08:22:56Z"]) is None


def test_first_run_emits_everything_and_keeps_the_latest_second():
    records = SameSecondFilter(None, None)

    emitted = [
        records.admit("1", at(0), digest("a")),
        records.admit("2", LATER, digest("b")),
        records.admit("3", LATER, digest("c")),
        records.admit("4", at(1), digest("d")),
    ]

    assert emitted == [True, True, True, True]
    assert records.ledger(ceiling=None) == Ledger(LATER, {"2": "b", "3": "c"})


def test_records_of_the_bookmark_second_come_again_only_when_new_or_changed():
    stored = Ledger(BOOKMARK, {"1": "a", "2": "b"})
    records = SameSecondFilter(stored, BOOKMARK)

    assert records.admit("1", BOOKMARK, digest("a")) is False
    assert records.admit("2", BOOKMARK, digest("b-changed")) is True
    assert records.admit("3", BOOKMARK, digest("c")) is True
    assert records.unchanged == 1
    # The bookmark stays in its second, so the next ledger holds all three as now seen.
    assert records.ledger(ceiling=None) == Ledger(BOOKMARK, {"1": "a", "2": "b-changed", "3": "c"})


def test_a_later_record_moves_the_ledger_to_its_second():
    records = SameSecondFilter(Ledger(BOOKMARK, {"1": "a"}), BOOKMARK)

    assert records.admit("1", BOOKMARK, digest("a")) is False
    assert records.admit("5", LATER, digest("e")) is True

    assert records.ledger(ceiling=None) == Ledger(LATER, {"5": "e"})


def test_nothing_emitted_keeps_the_stored_ledger():
    records = SameSecondFilter(Ledger(BOOKMARK, {"1": "a"}), BOOKMARK)

    assert records.admit("1", BOOKMARK, digest("a")) is False

    assert records.ledger(ceiling=None) is None


def test_a_ledger_of_another_second_is_ignored():
    stored = Ledger(BOOKMARK - dt.timedelta(seconds=1), {"1": "a"})
    records = SameSecondFilter(stored, BOOKMARK)

    assert records.admit("1", stored.second, digest("a")) is True
    assert records.unchanged == 0


def test_start_with_a_fraction_of_a_second_is_matched_by_its_second():
    records = SameSecondFilter(Ledger(BOOKMARK, {"1": "a"}), at(0.4))

    assert records.admit("1", BOOKMARK, digest("a")) is False


def test_a_bookmark_held_down_by_the_signpost_gets_an_empty_ledger():
    records = SameSecondFilter(None, None)
    records.admit("1", at(1), digest("a"))
    records.admit("2", LATER, digest("b"))

    ledger = records.ledger(ceiling=at(2))

    # The run saw only some of the ceiling's second, so the next run emits that second again.
    assert ledger == Ledger(at(2), {})


def test_records_without_a_timestamp_are_emitted_and_not_kept():
    records = SameSecondFilter(None, None)

    assert records.admit("1", None, digest("a")) is True
    assert records.ledger(ceiling=None) is None


def test_hashes_are_computed_only_where_the_ledger_may_need_them():
    computed: list[str] = []

    def tracked(key: str):
        def compute() -> str:
            computed.append(key)
            return key

        return compute

    records = SameSecondFilter(Ledger(BOOKMARK, {"old": "old"}), BOOKMARK)
    records.admit("late", LATER, tracked("late"))
    records.admit("early", at(1), tracked("early"))
    records.admit("old", BOOKMARK, tracked("old"))

    # "early" is before the latest second and not in the stored ledger: no hash needed.
    assert computed == ["late", "old"]


def test_whole_second_drops_the_fraction():
    assert whole_second(at(0.75)) == BOOKMARK
