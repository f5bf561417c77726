"""The ``python -m helpers synth`` verb."""

from __future__ import annotations

from helpers.__main__ import main


def test_cli_writes_a_release(tmp_path, capsys):
    rc = main(["synth", "--out", str(tmp_path), "--scale", "tiny", "--seed", "3", "--effects", "none", "--quiet"])
    assert rc == 0
    out = capsys.readouterr().out.strip()
    assert out.endswith("SYNTHETIC EOIR Case Data tiny seed 3")
    assert (tmp_path / "SYNTHETIC EOIR Case Data tiny seed 3" / "truth.json").is_file()


def test_cli_bad_effects_file_exits_nonzero(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[completions]\nbite = 'fast'\n")
    rc = main(["synth", "--out", str(tmp_path / "o"), "--scale", "tiny", "--effects", str(bad), "--quiet"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and "completions" in err
    assert not (tmp_path / "o" / "SYNTHETIC EOIR Case Data tiny seed 20181001").exists()
