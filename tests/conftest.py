"""Test configuration: strict JAX numerics and the hypothesis profiles.

Profiles (choose with IDENTITIES_PROFILE): ``default`` (fast, derandomized, CI) and ``thorough``
(many more examples, every size assignment).
"""

from __future__ import annotations

import os
import random

import jax
import pytest
from _rng import rng  # noqa: F401  (the per-test generator fixture)
from hypothesis import HealthCheck, settings

import identities  # noqa: F401  (registers the catalog, enables x64)

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")

# print_blob: a failure prints @reproduce_failure(...), which replays the failing example exactly (the
# printed arrays are rounded); hypothesis also prints the seed of a non-derandomized run (--hypothesis-seed).
_common = dict(
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("default", max_examples=8, derandomize=True, **_common)
settings.register_profile("thorough", max_examples=200, derandomize=False, **_common)
PROFILE = os.environ.get("IDENTITIES_PROFILE", "default")
settings.load_profile(PROFILE)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """The thorough profile draws at random: fix its seed up front (IDENTITIES_SEED, or a fresh one) and
    hand it to hypothesis, so that the header can say how to replay the whole run."""
    if PROFILE == "thorough" and config.getoption("hypothesis_seed", None) is None:
        config.option.hypothesis_seed = os.environ.get("IDENTITIES_SEED") or str(random.SystemRandom().randrange(2**32))


def pytest_report_header(config: pytest.Config) -> str | None:
    seed = config.getoption("hypothesis_seed", None)
    if PROFILE == "thorough":
        return f"thorough profile, hypothesis seed {seed}: replay with IDENTITIES_SEED={seed} (or --hypothesis-seed={seed})"
    return None
