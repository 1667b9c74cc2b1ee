"""The resource locator finds the scenarios from a checkout, a wheel and a frozen app."""
import shutil
import sys

from charityrisk import resources


def test_source_checkout_finds_example():
    assert resources.example_scenario_path().is_file()
    for key in resources.PRESETS:
        assert resources.preset_path(key).is_file()


def test_frozen_app_looks_in_meipass(tmp_path, monkeypatch):
    shutil.copytree(resources.resources_dir(), tmp_path / "resources")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == tmp_path / "resources"


def test_installed_wheel_layout(tmp_path, monkeypatch):
    package = tmp_path / "charityrisk"
    shutil.copytree(resources.resources_dir(), package / "_resources")
    monkeypatch.setattr(resources, "_PACKAGE", package)
    assert resources.resources_dir() == package / "_resources"
