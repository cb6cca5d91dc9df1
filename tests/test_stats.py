"""The replication's statistics: exact values of the tests and Holm's correction."""
import numpy as np
import pytest
from scipy.stats import wilcoxon

from invlib.stats import bootstrap_ci, holm, rank_sum_p, signed_rank_p


def test_signed_rank_is_exact_for_small_samples():
    x = np.arange(8.0)
    assert signed_rank_p(x, x + 1) == pytest.approx(1 / 256)     # all eight below
    assert signed_rank_p(x + 1, x) == pytest.approx(1.0)
    assert signed_rank_p(x + 1, x, "greater") == pytest.approx(1 / 256)
    # one difference of the other sign, the smallest rank: 2 / 256
    d = np.array([-1, -2, -3, -4, -5, -6, -7, 0.5])
    assert signed_rank_p(d, np.zeros(8)) == pytest.approx(2 / 256)
    assert signed_rank_p(d, np.zeros(8)) == pytest.approx(
        wilcoxon(d, alternative="less").pvalue)


def test_signed_rank_uses_the_pairs_and_the_rank_sum_does_not():
    # the same two samples, paired: a big shared spread hides the shift from the
    # unpaired test, not from the paired one
    base = np.linspace(0, 100, 10)
    assert signed_rank_p(base, base + 1) < 0.001
    assert rank_sum_p(base, base + 1) > 0.3


def test_degenerate_pairs():
    assert signed_rank_p([1, 2], [1, 2]) == 1.0          # no difference at all
    assert signed_rank_p([np.nan], [1.0]) is None
    assert rank_sum_p([], [1.0]) is None
    with pytest.raises(ValueError):
        signed_rank_p([1, 2], [1])


def test_holm_step_down():
    # sorted 0.01, 0.02, 0.04 of three: 0.03, 0.04, 0.04 (made non-decreasing)
    assert holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert holm([0.5, None, 0.9]) == pytest.approx([1.0, None, 1.0])
    assert holm([]) == []


def test_holm_keeps_the_familywise_error():
    # 20 true null hypotheses per family, p-values uniform: a family with any
    # adjusted p below 5% in at most about 5% of 4000 families
    rng = np.random.default_rng(7)
    any_rejected = [min(holm(list(rng.random(20)))) < 0.05 for _ in range(4000)]
    assert np.mean(any_rejected) < 0.06


def test_bootstrap_interval_covers_the_mean_difference():
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(200):
        x = rng.normal(1.0, 1.0, 30)
        mean, low, high = bootstrap_ci(x, np.zeros(30), resamples=2000,
                                       seed=int(rng.integers(1 << 30)))
        assert low <= mean <= high
        covered += low <= 1.0 <= high
    assert 0.88 <= covered / 200 <= 0.99            # about 95%
    assert bootstrap_ci([1.0, 2.0], [1.0, 2.0]) == (0.0, 0.0, 0.0)
    assert all(np.isnan(bootstrap_ci([np.nan], [1.0])))


def test_signed_rank_fast_path_gives_scipys_numbers_bit_for_bit():
    """Without zeros or tied differences, up to 50 pairs, the p-value is
    computed in invlib (a thousand times a chapter); it must be scipy's own
    number, not merely close, in both directions and at every size, including
    the statistic on either side of the distribution's middle."""
    rng = np.random.default_rng(2014)
    for n in [1, 2, 3, 7, 12, 13, 14, 20, 30, 49, 50]:
        for shift in (-1.0, -0.2, 0.0, 0.2, 1.0):
            x = rng.normal(size=n)
            y = rng.normal(size=n) + shift
            for alternative in ("less", "greater"):
                ours = signed_rank_p(x, y, alternative)
                theirs = float(wilcoxon(x, y, alternative=alternative,
                                        zero_method="wilcox").pvalue)
                assert ours == theirs, (n, shift, alternative)
    # ties, zeros and more than 50 pairs take scipy's other methods
    tied = np.array([1.0, -1.0, 2.0, 3.0, -4.0, 5.0, 6.0, 7.0])
    assert signed_rank_p(tied, np.zeros(8)) == pytest.approx(
        wilcoxon(tied, alternative="less").pvalue)
    big = rng.normal(size=60)
    assert signed_rank_p(big, np.zeros(60)) == wilcoxon(
        big, alternative="less").pvalue
