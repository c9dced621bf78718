"""Without Playwright or Chromium the browser tests skip with a message saying what to install,
unless JISR_BROWSER_TESTS=required (CI), where they fail."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from jisr.tests import conftest


def test_without_playwright_they_say_to_install_the_dev_extra(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "playwright" else real(name)
    )
    assert conftest._missing() == "Browser tests need Playwright (pip install -e '.[dev]')."


def test_without_chromium_they_say_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "chromium")
    message = conftest._missing()
    assert message is not None
    assert "apt-get install chromium" in message


@pytest.mark.parametrize("required", [False, True])
def test_a_missing_tool_skips_or_fails_when_required(monkeypatch, tmp_path, required):
    monkeypatch.setattr(conftest, "CHROMIUM", Path(tmp_path / "chromium"))
    if required:
        monkeypatch.setenv("JISR_BROWSER_TESTS", "required")
    else:
        monkeypatch.delenv("JISR_BROWSER_TESTS", raising=False)
    fixture = conftest.browser.__wrapped__()  # type: ignore[attr-defined]
    expected = pytest.fail.Exception if required else pytest.skip.Exception
    with pytest.raises(expected, match="Browser tests need Chromium"):
        next(fixture)
