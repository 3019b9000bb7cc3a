"""marts.timeline: the paper's dates kept, with the errata attached."""

from __future__ import annotations


def test_timeline_keeps_the_papers_dates_with_errata_attached(built):
    errata = dict(
        built.query(
            "SELECT event_id, CAST(erratum_event_date AS VARCHAR) FROM marts.timeline "
            "WHERE erratum IS NOT NULL"
        )
    )
    assert errata["ev_2019_tokayev_presidential_election"] == "2019-06-09"
    assert built.query(
        "SELECT CAST(event_date AS VARCHAR) FROM marts.timeline "
        "WHERE event_id = 'ev_2019_tokayev_presidential_election'"
    ) == [("2019-03-20",)]
    assert built.query(
        "SELECT count(*) FROM (SELECT unnest(citation_keys) AS k FROM marts.timeline) "
        "WHERE k NOT IN (SELECT reference_key FROM marts.references)"
    ) == [(0,)]
