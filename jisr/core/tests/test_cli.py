from __future__ import annotations

import sys

import pytest

from jisr import cli


@pytest.mark.parametrize(
    "name", ["import-submissions", "import_submissions", "load-taxonomy", "xlsform"]
)
def test_commands_answer_to_hyphenated_and_underscored_names(name, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["jisr", name, "--help"])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 0
    assert "usage: jisr" in capsys.readouterr().out
