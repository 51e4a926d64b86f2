"""The arguments every pipeline's run() checks first: the config's type and the progress flag."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from skillgraph._run_arguments import run_arguments


@dataclass(frozen=True)
class AlphaConfig:
    size: int = 3


@dataclass(frozen=True)
class BetaConfig:
    size: int = 4


def test_none_means_the_defaults_and_a_config_passes_through():
    assert run_arguments(None, AlphaConfig, False) == AlphaConfig()
    given = AlphaConfig(size=9)
    assert run_arguments(given, AlphaConfig, True) is given


@pytest.mark.parametrize(
    ("config_type", "message"),
    [(AlphaConfig, "config must be an AlphaConfig, got BetaConfig"),
     (BetaConfig, "config must be a BetaConfig, got AlphaConfig")],
)  # fmt: skip
def test_a_config_of_another_type_is_refused_by_name(config_type, message):
    other = BetaConfig() if config_type is AlphaConfig else AlphaConfig()
    with pytest.raises(TypeError, match=message):
        run_arguments(other, config_type, False)


def test_progress_must_be_a_bool():
    with pytest.raises(TypeError, match="progress must be a bool, got int"):
        run_arguments(None, AlphaConfig, 1)
