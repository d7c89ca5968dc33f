"""The hourly limits on nurse alerts: per client address and from everyone, for one hour."""

from __future__ import annotations

import stat

from actions.clients.alert_limits import AlertLimits


def test_a_slot_frees_up_an_hour_after_it_was_taken(tmp_path):
    limits = AlertLimits(tmp_path / "outbox.db", per_hour=10, per_client_per_hour=1)
    assert limits.take_slot("a1", now=1_000.0)
    assert not limits.take_slot("a1", now=1_000.0 + 3599)
    assert limits.take_slot("a1", now=1_000.0 + 3600)


def test_refused_requests_do_not_use_up_slots(tmp_path):
    limits = AlertLimits(tmp_path / "outbox.db", per_hour=2, per_client_per_hour=1)
    assert limits.take_slot("a1", now=0)
    for _ in range(5):
        assert not limits.take_slot("a1", now=1)
    assert limits.take_slot("b2", now=2)
    assert not limits.take_slot(None, now=3)


def test_the_slots_file_is_private(tmp_path):
    AlertLimits(tmp_path / "outbox.db", per_hour=2, per_client_per_hour=1).take_slot("a", 0)
    assert stat.S_IMODE((tmp_path / "outbox.db").stat().st_mode) == 0o600
