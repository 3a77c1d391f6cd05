import dataclasses

import pytest

from tandem.progress.settings import EDITABLE_SETTINGS, ProgressSettings, setting_reasons, settings_with


def test_it_gives_a_documented_reason_for_every_setting():
    reasons = setting_reasons()
    names = [f.name for f in dataclasses.fields(ProgressSettings)]
    assert sorted(reasons) == sorted(names)
    assert "Jacobson" in reasons["rci_z"]
    assert all(len(text) > 40 for text in reasons.values())


def test_it_lets_a_school_change_only_known_settings():
    assert set(EDITABLE_SETTINGS) <= set(setting_reasons())
    changed = settings_with(ProgressSettings(), {"growth_threshold": 35})
    assert changed.growth_threshold == 35 and changed.rci_z == ProgressSettings().rci_z
    with pytest.raises(ValueError, match="unknown settings"):
        settings_with(ProgressSettings(), {"threshold": 35})
    with pytest.raises(ValueError, match="percentile between 1 and 99"):
        settings_with(ProgressSettings(), {"growth_threshold": 0})
