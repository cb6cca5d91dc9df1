"""The statistics of the replication: tests that fit its design.

Within one repetition every agent meets the same episodes (common random numbers,
:mod:`invlib.experiments`), so agent A's repetition k and agent B's repetition k
form a *pair*. The main test is therefore the paired Wilcoxon signed-rank test
over the repetitions (:func:`signed_rank_p`), with Holm's step-down correction
across each table's family of tests (:func:`holm`), and every difference is
reported as a mean with a 95% bootstrap confidence interval over the pairs
(:func:`bootstrap_ci`). The paper's unpaired rank-sum test
(:func:`rank_sum_p`) is kept beside it for comparison.
"""
from __future__ import annotations

import functools

import numpy as np

#: Resamples of the bootstrap and its seed (a fixed seed: the same table every run).
RESAMPLES = 10_000
BOOTSTRAP_SEED = 2014


def _finite_pairs(x, y) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.shape != y.shape:
        raise ValueError(f"paired samples must have the same length, got "
                         f"{x.shape} and {y.shape}")
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def signed_rank_p(x, y, alternative: str = "less") -> float | None:
    """One-sided paired Wilcoxon signed-rank p-value of "``x`` tends to be lower
    than ``y``" (``alternative="greater"``: higher), pairs with a non-finite side
    left out: exact for up to 50 pairs without tied or zero differences, the
    normal approximation otherwise; zero differences are dropped (Wilcoxon's
    rule). None without a pair; 1 when every difference is zero (nothing
    suggests either direction)."""
    x, y = _finite_pairs(x, y)
    if not len(x):
        return None
    d = x - y
    if not np.any(d):
        return 1.0
    magnitudes = np.abs(d)
    if len(d) <= EXACT_PAIRS and np.all(d != 0) and \
            len(np.unique(magnitudes)) == len(d) and alternative in ("less", "greater"):
        return _exact_signed_rank_p(d, magnitudes, alternative)
    from scipy.stats import wilcoxon  # (slow to import; see mdp.py)
    return float(wilcoxon(x, y, alternative=alternative, zero_method="wilcox").pvalue)


#: Up to this many pairs (without ties or zeros) the signed-rank test is exact.
EXACT_PAIRS = 50


@functools.lru_cache(maxsize=EXACT_PAIRS)
def _signed_rank_null(n: int) -> np.ndarray:
    """The null distribution of the signed-rank statistic R+ of ``n`` pairs
    (each rank positive with chance 1/2), as scipy computes it; read-only."""
    pmf = np.ones(1)
    for k in range(1, n + 1):
        previous, pmf = pmf, np.zeros(k * (k + 1) // 2 + 1)
        pmf[:len(previous)] = previous * 0.5
        pmf[-len(previous):] += previous * 0.5
    pmf.flags.writeable = False
    return pmf


def _exact_signed_rank_p(d, magnitudes, alternative: str) -> float:
    """The exact one-sided signed-rank p-value, for differences ``d`` without
    zeros or tied magnitudes: the arithmetic of scipy's ``wilcoxon`` in that
    case, step for step, so the same number (tests/test_stats.py compares), at a
    hundredth of the time (its general checks cost milliseconds a call, and a
    chapter makes a thousand calls)."""
    n = len(d)
    ranks = np.empty(n)
    ranks[np.argsort(magnitudes)] = np.arange(1, n + 1)
    r_plus = int(np.sum((d > 0) * ranks))
    pmf = _signed_rank_null(n)
    middle = n * (n + 1) / 4
    if alternative == "less":                    # P(R+ <= r_plus)
        p = pmf[:r_plus + 1].sum() if r_plus <= middle else \
            1 - pmf[r_plus + 1:].sum()
    else:                                        # P(R+ >= r_plus)
        p = pmf[r_plus:].sum() if r_plus <= middle else 1 - pmf[:r_plus].sum()
    return float(p)


def rank_sum_p(x, y, alternative: str = "less") -> float | None:
    """The paper's test: one-sided Wilcoxon rank-sum (Mann-Whitney) p-value of
    "``x`` tends to be lower than ``y``" over unpaired samples, exact without
    ties, the normal approximation with ties; None if either side has no finite
    value."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    if not len(x) or not len(y):
        return None
    ties = len(np.unique(np.concatenate([x, y]))) < len(x) + len(y)
    from scipy.stats import mannwhitneyu  # (slow to import; see mdp.py)
    return float(mannwhitneyu(x, y, alternative=alternative,
                              method="asymptotic" if ties else "exact").pvalue)


def holm(p_values) -> list:
    """Holm's step-down adjusted p-values of a family (None stays None and does
    not count as a test): the k-th smallest of m is multiplied by m - k + 1, and
    the adjusted values are made non-decreasing and at most 1. Rejecting where
    the adjusted value is below 5% keeps the chance of any false rejection in
    the family at most 5%."""
    present = [(p, i) for i, p in enumerate(p_values) if p is not None]
    adjusted = [None] * len(p_values)
    running = 0.0
    m = len(present)
    for k, (p, i) in enumerate(sorted(present)):
        running = max(running, min(1.0, (m - k) * p))
        adjusted[i] = running
    return adjusted


def bootstrap_ci(x, y, level: float = 0.95, resamples: int = RESAMPLES,
                 seed: int = BOOTSTRAP_SEED) -> tuple:
    """The mean paired difference ``x - y`` and its percentile bootstrap
    confidence interval (pairs resampled with replacement); ``(nan, nan, nan)``
    without a pair."""
    x, y = _finite_pairs(x, y)
    if not len(x):
        return (np.nan, np.nan, np.nan)
    d = x - y
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), size=(resamples, len(d)))].mean(axis=1)
    tail = (1.0 - level) / 2
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return (float(d.mean()), float(low), float(high))
