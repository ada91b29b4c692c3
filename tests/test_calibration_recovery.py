"""Parameter recovery (slow): the fit's 90% credible intervals cover the true values about 90% of the time.

What is tested, exactly (:mod:`sim.calibration.recovery`):

1. Amortised coverage: 40 synthetic panels (150 learners x 4 waves) simulated at parameter values
   drawn from the default priors, each turned into targets like a user's panel (default statistics,
   bootstrap SEs); posterior = the 100 of 3,000 shared reference simulations from the prior nearest
   to the panel's targets under the fit's distance (rejection ABC). Pooled over the 4 parameters
   (160 intervals), the share covering the truth must lie in [0.75, 0.99]; each parameter's share
   (40 intervals) must be >= 0.70. For 40 independent intervals of true coverage .9 the count is
   Binomial(40, .9): P(< 28) = 0.2%; pooled, the tolerance is wider than the binomial one because a
   panel's four intervals are not independent.
2. ABC-SMC recovery: the real fit (population 100, up to 4 generations) on 3 synthetic panels; of its
   12 intervals at least 9 cover the truth (Binomial(12, .9): P(< 9) = 2.6%), and every
   interval lies within its prior.

Neither asks for any particular parameter value or model behaviour: they test the inference method.
"""

from __future__ import annotations

import pytest

from sim.calibration import recovery as rc
from sim.calibration.simulate import Executor
from sim.calibration.targets import default_priors

pytestmark = pytest.mark.slow


def test_credible_intervals_cover_the_truth_about_90_percent() -> None:
    priors = default_priors()
    with Executor("process", 2) as ex:
        cov = rc.amortised_coverage(priors, rc.FULL, seed=0, executor=ex)
    assert cov["panel"].nunique() == rc.FULL.panels and len(cov) == rc.FULL.panels * len(priors)
    pooled = cov["covered"].mean()
    assert 0.75 <= pooled <= 0.99, pooled
    by = cov.groupby("parameter")["covered"].mean()
    assert (by >= 0.70).all(), by.to_dict()
    assert cov["rank"].between(0, rc.ACCEPT).all()


def test_abc_smc_recovers_parameters_of_synthetic_panels() -> None:
    priors = default_priors()
    with Executor("process", 2) as ex:
        smc = rc.smc_recovery(priors, rc.FULL, seed=0, executor=ex)
    assert len(smc) == rc.FULL.smc_panels * len(priors)
    assert smc["covered"].sum() >= 9, smc.to_string()
    lows = {p.name: p.low for p in priors}
    highs = {p.name: p.high for p in priors}
    assert all(lows[r.parameter] <= r.lo <= r.hi <= highs[r.parameter] for r in smc.itertuples())
