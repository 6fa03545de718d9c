"""Shared fixtures and the Hypothesis profiles of the vnfix test suite.

Profiles (choose with the HYPOTHESIS_PROFILE environment variable):

* ``ci`` (default): 200 examples per property, no deadline (the first call
  of a test may load the lexicons, which takes a fraction of a second).
* ``long``: 5,000 examples per property, for a thorough run before a release:
  ``HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_properties.py``.

Tests that pin their own ``@settings(max_examples=...)`` keep that number.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DATA = Path(__file__).parent / "data"


def load_cases(name: str, section: str | None = None) -> list[dict]:
    """The cases of ``tests/data/<name>`` (or of one section of it); each carries a short ``comment``."""
    cases = json.loads((DATA / name).read_text(encoding="utf-8"))
    if section is not None:
        cases = cases[section]
    for case in cases:
        assert case.get("comment"), f"{name}: case without a comment: {case}"
    return cases


def case_params(cases: list[dict], key: str = "input") -> list:
    """``pytest.param`` objects for data-driven cases.

    A case with ``"xfail": "BUG: ..."`` is expected to fail (strictly: if the
    library starts passing it, the suite says so and the case should be promoted).
    """
    params = []
    for case in cases:
        marks = []
        if case.get("xfail"):
            marks.append(pytest.mark.xfail(reason=case["xfail"], strict=True))
        ident = str(case[key])[:40].replace("\n", "⏎").replace("\r", "␍") or "<empty>"
        params.append(pytest.param(case, id=ident, marks=marks))
    return params


@pytest.fixture(scope="session")
def lexicon():
    from vnfix.lexicon import default_lexicon

    return default_lexicon()


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: a test that takes seconds (subprocesses, signals, big inputs)")
