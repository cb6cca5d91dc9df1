"""Demand processes: the cut at zero, the long-run moments of the GARCH process,
reproducibility, the episode-at-once path, and clear errors."""
import numpy as np
import pytest

from invlib import InvalidParameter
from invlib.demand import GarchDemand, NormalDemand, garch_latent, make_demand


def batch_se(values, batches=400):
    """Standard error of the mean of correlated values, by batch means."""
    means = values[:len(values) // batches * batches].reshape(batches, -1).mean(axis=1)
    return means.std(ddof=1) / np.sqrt(batches)


def test_normal_cut_at_zero_has_the_censored_mean():
    demand = NormalDemand(2.0, 3.0)      # about a quarter of the latent draws are < 0
    draws = demand.draw_many(np.random.default_rng(11), 200_000)
    assert draws.min() == 0.0
    assert (draws == 0).mean() == pytest.approx(0.2525, abs=0.005)   # Phi(-2/3)
    # E max(0, X) = mu Phi(mu/s) + s phi(mu/s) = 2 * 0.74751 + 3 * 0.31945 = 2.4534
    assert demand.cut_mean() == pytest.approx(2.4534, abs=1e-4)
    se = draws.std() / np.sqrt(len(draws))
    assert abs(draws.mean() - demand.cut_mean()) < 4 * se
    assert np.array_equal(demand.history, draws)
    assert demand.latent_history.min() < 0          # the cut is applied to a copy


def test_normal_long_run_moments_and_last_demand():
    demand = NormalDemand(10, 3)
    assert (demand.long_run_mean(), demand.long_run_variance()) == (10.0, 9.0)
    assert demand.last_demand == 10.0 and demand.state() == ()
    value = demand.draw(np.random.default_rng(0))
    assert demand.last_demand == value


def test_garch_long_run_mean_and_variance_of_the_uncut_process():
    demand = GarchDemand()
    assert demand.long_run_mean() == pytest.approx(10.0)            # 3 / (1 - 0.7)
    # Var(e) = 0.5 / (1 - 0.9) = 5, Var(D) = 5 / (1 - 0.7^2)
    assert demand.long_run_variance() == pytest.approx(5 / 0.51)
    demand.draw_many(np.random.default_rng(2024), 400_000)
    latent = demand.latent_history[1000:]            # drop a short burn-in
    se_mean = batch_se(latent)
    squares = (latent - latent.mean()) ** 2
    se_var = batch_se(squares)
    assert se_mean < 0.05 and se_var < 0.2 * 9.8 / 4  # the check has teeth
    assert abs(latent.mean() - demand.long_run_mean()) < 4 * se_mean
    assert abs(squares.mean() - demand.long_run_variance()) < 4 * se_var


def test_garch_state_follows_the_recursion_by_hand():
    demand = GarchDemand()
    z = np.random.default_rng(5).standard_normal(2)
    first, second = demand.draw_many(np.random.default_rng(5), 2)
    # sigma_1^2 = 0.5 + 0.2 * 0 + 0.7 * 5 = 4, e_1 = 2 z_1, D_1 = 3 + 7 + e_1
    assert first == pytest.approx(max(0.0, 10 + 2 * z[0]), rel=1e-15)
    e1 = 2 * z[0]
    sigma2 = 0.5 + 0.2 * e1 ** 2 + 0.7 * 4
    e2 = np.sqrt(sigma2) * z[1]
    assert second == pytest.approx(3 + 0.7 * (10 + e1) + e2, rel=1e-14)
    assert demand.state() == pytest.approx((3 + 0.7 * (10 + e1) + e2, sigma2, e2))
    assert demand.last_demand == second


def test_garch_volatility_is_the_scale_of_each_shock():
    process = GarchDemand()
    process.draw_many(np.random.default_rng(5), 50)
    z = np.random.default_rng(5).standard_normal(50)
    latent = process.latent_history
    shocks = latent - 3.0 - 0.7 * np.concatenate(([10.0], latent[:-1]))
    sigma = process.volatility_history()
    assert sigma[0] == pytest.approx(np.sqrt(0.5 + 0.7 * 5.0))
    assert np.allclose(shocks, sigma * z)


@pytest.mark.parametrize("make", [lambda: NormalDemand(10, 5), GarchDemand])
def test_same_seed_same_demands(make):
    a = make().draw_many(np.random.default_rng(3), 500)
    b = make().draw_many(np.random.default_rng(3), 500)
    c = make().draw_many(np.random.default_rng(4), 500)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize("make", [lambda: NormalDemand(10, 5), GarchDemand])
def test_episode_at_once_equals_repeated_draws(make):
    one_by_one, at_once = make(), make()
    rng1, rng2 = np.random.default_rng(8), np.random.default_rng(8)
    singles = [one_by_one.draw(rng1) for _ in range(300)]
    batch = np.concatenate([at_once.draw_many(rng2, 100), at_once.draw_many(rng2, 200)])
    assert np.array_equal(np.array(singles), batch)          # bit for bit
    assert one_by_one.state() == at_once.state()
    assert rng1.random() == rng2.random()                    # same numbers consumed
    assert np.array_equal(one_by_one.history, batch)


def test_kernel_on_drawn_normals_matches_the_process():
    z = np.random.default_rng(9).standard_normal(1000)
    latent, *last = garch_latent(z, 3.0, 0.7, 0.5, 0.2, 0.7, 10.0, 5.0, 0.0)
    demand = GarchDemand()
    assert np.array_equal(demand.draw_many(np.random.default_rng(9), 1000),
                          np.maximum(latent, 0))
    assert tuple(last) == demand.state()


def test_reset_starts_a_new_history():
    demand = GarchDemand()
    first = demand.draw_many(np.random.default_rng(1), 50)
    demand.reset(np.random.default_rng(99))
    assert len(demand.history) == 0 and demand.state() == (10.0, 5.0, 0.0)
    assert demand.last_demand == 10.0
    assert np.array_equal(demand.draw_many(np.random.default_rng(1), 50), first)


def test_make_demand_by_name():
    assert repr(make_demand("normal", (10, 3))) == "NormalDemand(mean=10, std=3)"
    assert make_demand("garch").params()["beta1"] == 0.7


@pytest.mark.parametrize("make, words", [
    (lambda: NormalDemand(10, -1), "std must be a finite number in [0, inf), got -1"),
    (lambda: NormalDemand(float("nan"), 1), "mean must be a finite number"),
    (lambda: GarchDemand(phi1=1.0), "phi1 must be a finite number in (-1, 1), got 1.0"),
    (lambda: GarchDemand(phi1=-1.2), "phi1 must be a finite number in (-1, 1)"),
    (lambda: GarchDemand(omega=0), "omega must be a finite number in (0, inf)"),
    (lambda: GarchDemand(alpha1=-0.1), "alpha1 must be a finite number in [0, 1)"),
    (lambda: GarchDemand(beta1=1.0), "beta1 must be a finite number in [0, 1)"),
    (lambda: GarchDemand(alpha1=0.4, beta1=0.6), "alpha1 + beta1 must be below 1"),
    (lambda: GarchDemand(sigma2_0=-1), "sigma2_0 must be a finite number in [0, inf)"),
    (lambda: make_demand("poisson"), "demand must be one of 'normal', 'garch'"),
    (lambda: NormalDemand().draw(7), "rng must be a numpy.random.Generator, got 7"),
    (lambda: NormalDemand().draw_many(np.random.default_rng(), -1),
     "n must be an integer in [0, inf), got -1"),
])
def test_bad_parameters_are_named(make, words):
    with pytest.raises(InvalidParameter) as info:
        make()
    assert words in str(info.value)
