"""Every example in vnfix's docstrings runs and gives what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import vnfix

# (vnfix.dask needs a Dask client and vnfix.legacy has its own doctest test; vnfix._native is C)
MODULES = sorted(m.name for m in pkgutil.iter_modules(vnfix.__path__, "vnfix.")
                 if m.name not in ("vnfix.dask", "vnfix.legacy", "vnfix._native"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_module_is_covered():
    assert {"vnfix.candidates", "vnfix.fixer", "vnfix.fuzzy", "vnfix.tokenize"} <= set(MODULES)
