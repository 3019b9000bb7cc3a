"""The Dagster instance's store is bookkeeping: when it is corrupt (or full, or unreadable),
`make run` names DAGSTER_HOME and how to reset it safely, in one paragraph without a traceback,
and the warehouse stays as it was."""

from __future__ import annotations

from pipeline import integrity
from tests.harness import Run, cli_env, run_cli


def test_a_corrupt_instance_store_is_named_with_how_to_reset_it(published: Run, tmp_path):
    home = tmp_path / "dagster home"
    (home / "history").mkdir(parents=True)
    (home / "history" / "runs.db").write_bytes(b"not a database\n" * 100)
    releases = published.layout.releases()
    done = run_cli(cli_env(published, home), "refresh", "--force")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"The Dagster instance store in {home} (DAGSTER_HOME) is unreadable" in done.stderr
    assert f"move {home / 'storage'} and {home / 'history'} aside" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) <= 3, done.stderr
    assert published.layout.releases() == releases
    assert integrity.damage(published.layout.current_release()) == []
