"""Test configuration: strict JAX numerics and the hypothesis profiles.

Profiles (choose with IDENTITIES_PROFILE): ``default`` (fast, derandomized, CI) and ``thorough``
(many more examples, every size assignment).
"""

from __future__ import annotations

import os

import jax
from hypothesis import HealthCheck, settings

import identities  # noqa: F401  (registers the catalog, enables x64)

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")

_common = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("default", max_examples=8, derandomize=True, **_common)
settings.register_profile("thorough", max_examples=200, derandomize=False, **_common)
PROFILE = os.environ.get("IDENTITIES_PROFILE", "default")
settings.load_profile(PROFILE)
