"""The measurement of what counting costs a save runs, and compares the four stores."""

from __future__ import annotations

from eval.bench.insights_cost import TURNS, main, measure


async def test_every_store_saves_every_turn_and_is_timed(tmp_path):
    times = await measure(1, tmp_path)
    assert len(times) == 4
    assert all(len(values) == TURNS and min(values) > 0 for values in times.values())


def test_the_table_names_each_store_with_its_added_time(capsys):
    assert main(["--conversations", "1"]) == 0
    table = capsys.readouterr().out
    assert "insights, in Rasa's transaction" in table and "added" in table
