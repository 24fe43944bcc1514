import datetime as dt

import pytest

from tracker.dates import DateError, Precision, PrecisionDate, parse_day


@pytest.mark.parametrize(
    ("text", "start", "precision", "shown", "last"),
    [
        ("2025-09-17", dt.date(2025, 9, 17), Precision.DAY, "17 september 2025", dt.date(2025, 9, 17)),
        ("2025-09", dt.date(2025, 9, 1), Precision.MONTH, "september 2025", dt.date(2025, 9, 30)),
        ("2024-02", dt.date(2024, 2, 1), Precision.MONTH, "februari 2024", dt.date(2024, 2, 29)),
        ("2025-Q3", dt.date(2025, 7, 1), Precision.QUARTER, "3e kwartaal 2025", dt.date(2025, 9, 30)),
        ("2025-q1", dt.date(2025, 1, 1), Precision.QUARTER, "1e kwartaal 2025", dt.date(2025, 3, 31)),
        ("2023-H2", dt.date(2023, 7, 1), Precision.HALF, "2e helft 2023", dt.date(2023, 12, 31)),
        ("2028", dt.date(2028, 1, 1), Precision.YEAR, "2028", dt.date(2028, 12, 31)),
        (" 2028 ", dt.date(2028, 1, 1), Precision.YEAR, "2028", dt.date(2028, 12, 31)),
    ],
)
def test_parse_show_and_span(text, start, precision, shown, last):
    value = PrecisionDate.parse(text)
    assert value.start == start
    assert value.precision is precision
    assert value.display() == shown
    assert value.last_day == last
    assert PrecisionDate.parse(value.isoformat()) == value


@pytest.mark.parametrize("text", ["t.b.d.", "TBD", "n.t.b.", "N.t.b.", "unknown"])
def test_unknown_spellings(text):
    value = PrecisionDate.parse(text)
    assert not value.known
    assert value.display() == "nog niet bepaald" and value.display("en") == "to be determined"
    assert value.first_day is None and value.last_day is None


@pytest.mark.parametrize(
    "text", ["", "2025-13", "2025-02-30", "2025-Q5", "2025-H3", "Q3 2025", "soon", "25", "1800", "2025-9-1"]
)
def test_malformed_dates_are_refused_with_the_accepted_forms(text):
    with pytest.raises(DateError) as err:
        PrecisionDate.parse(text)
    assert text.strip() in str(err.value) or "year" in str(err.value)


def test_order_counts_periods_from_their_first_day_and_unknown_last():
    values = [PrecisionDate.parse(t) for t in ["t.b.d.", "2026", "2025-Q3", "2025-07-01", "2025-07", "2025-06-30"]]
    ordered = [v.isoformat() for v in sorted(values)]
    # Same first day: the more precise date first.
    assert ordered == ["2025-06-30", "2025-07-01", "2025-07", "2025-Q3", "2026", "t.b.d."]


def test_a_start_must_be_the_first_day_of_its_period():
    with pytest.raises(DateError):
        PrecisionDate(dt.date(2025, 8, 1), Precision.QUARTER)
    with pytest.raises(DateError):
        PrecisionDate(None, Precision.DAY)


def test_parse_day_accepts_only_full_days():
    assert parse_day("2023-09-30") == dt.date(2023, 9, 30)
    for bad in ["2023-09", "20230930", "2023-02-30", "yesterday"]:
        with pytest.raises(DateError, match=r"YYYY-MM-DD|not a date"):
            parse_day(bad)


# -- ranges and the report's words (issue 17) ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "first", "last", "end_day", "shown"),
    [
        ("2023-Q4 .. 2024", dt.date(2023, 10, 1), dt.date(2024, 12, 31), dt.date(2024, 12, 31),
         "4e kwartaal 2023 – 2024"),
        ("2023-Q4..2024-H1", dt.date(2023, 10, 1), dt.date(2024, 6, 30), dt.date(2024, 6, 30),
         "4e kwartaal 2023 – 1e helft 2024"),
        ("2023-10 .. 2023-12 (najaar 2023)", dt.date(2023, 10, 1), dt.date(2023, 12, 31), dt.date(2023, 12, 31),
         "najaar 2023"),
        ("2023-Q4 (eind 2023)", dt.date(2023, 10, 1), dt.date(2023, 12, 31), dt.date(2023, 10, 1), "eind 2023"),
        ("t.b.d. (n.t.b.)", None, None, None, "n.t.b."),
    ],
)
def test_ranges_count_from_their_start_and_pass_after_their_end(text, first, last, end_day, shown):
    value = PrecisionDate.parse(text)
    assert (value.first_day, value.last_day, value.end_day, value.display()) == (first, last, end_day, shown)
    assert PrecisionDate.parse(value.isoformat()) == value
    assert value.single == PrecisionDate(value.start, value.precision)


def test_a_range_sorts_by_its_start_and_keeps_the_interface():
    ranged = PrecisionDate.parse("2023-Q4 .. 2024 (eind 2023 of in 2024)")
    assert PrecisionDate.parse("2023-09") < ranged < PrecisionDate.parse("2023-11")
    assert ranged.period() == "4e kwartaal 2023 – 2024" and ranged.period("en") == "Q4 2023 – 2024"
    assert ranged.is_range and ranged.last == PrecisionDate.parse("2024")
    assert str(ranged) == "eind 2023 of in 2024"


@pytest.mark.parametrize(
    "text",
    ["2024 .. 2023", "2023 .. 2023-Q4", "2023-Q4 .. t.b.d.", "t.b.d. .. 2024", "2023 .. 2024 ()", "(najaar)",
     "2023 .. 2024 (" + "x" * 81 + ")", "2023-13 .. 2024", "2023 (a) (b)"],
)
def test_ranges_that_make_no_sense_are_refused(text):
    with pytest.raises(DateError):
        PrecisionDate.parse(text)
