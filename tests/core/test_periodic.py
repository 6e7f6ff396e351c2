"""The periodic jobs that ride on the scan chain all run, and one failure does not stop the rest."""

import logging

import pytest

from minyi.core import periodic


def test_every_periodic_job_runs_on_an_empty_database(db):
    results = periodic.run_periodic_jobs()
    assert set(results) == set(periodic.PERIODIC_JOBS)
    assert "failed" not in results.values()


def test_a_failing_job_is_logged_and_the_others_still_run(db, monkeypatch, caplog):
    monkeypatch.setattr(
        periodic, "PERIODIC_JOBS", ["minyi.core.periodic.no_such_job"] + periodic.PERIODIC_JOBS
    )
    with pytest.raises(ImportError):
        periodic.run_periodic_jobs()  # a wrong path is a programming error: loud, not swallowed
    monkeypatch.setattr(
        periodic, "PERIODIC_JOBS", ["tests.core.test_periodic.boom"] + periodic.PERIODIC_JOBS[1:]
    )
    with caplog.at_level(logging.ERROR, logger="minyi.periodic"):
        results = periodic.run_periodic_jobs()
    assert results["tests.core.test_periodic.boom"] == "failed"
    assert "failed" not in [v for k, v in results.items() if k != "tests.core.test_periodic.boom"]
    assert "periodic job tests.core.test_periodic.boom failed" in caplog.text


def boom():
    raise RuntimeError("boom")
