"""Demand processes for the general periodic-review model (the paper's problems).

A process is a small object that draws one period's demand at a time from the
``numpy.random.Generator`` it is handed, and remembers what it drew since its last
:meth:`~DemandProcess.reset`, so an agent that watches past demand can ask for it.

* :class:`NormalDemand` - independent Normal(mean, std) demands, cut at 0;
* :class:`GarchDemand` - an AR(1) level with GARCH(1,1) noise, cut at 0:
  ``D_t = phi0 + phi1 D_{t-1} + e_t``, ``e_t = sigma_t z_t``,
  ``sigma_t^2 = omega + alpha1 e_{t-1}^2 + beta1 sigma_{t-1}^2``.

Both are built on a *latent* value that may be negative; the demand is
``max(0, latent)``. For the GARCH process the recursion runs on the latent value,
not on the cut one: that keeps it the textbook AR/GARCH process, whose long-run
mean and variance have closed forms (:meth:`~DemandProcess.long_run_mean`,
:meth:`~DemandProcess.long_run_variance`); cutting only what the shop sees changes
nothing as long as the latent value is rarely negative (about 0.1% of periods with
the book's settings).

Random numbers: every period consumes exactly one standard normal, taken with
``rng.standard_normal``. Drawing ``n`` demands at once (:meth:`draw_many`, one
call of a compiled kernel) therefore gives, bit for bit, the demands of ``n``
calls of :meth:`draw` from the same generator state; :meth:`draw` is in fact
``draw_many(rng, 1)``. The kernels (:func:`normal_latent`, :func:`garch_latent`)
take the normals as an array, so a compiled learning loop can use them on numbers
drawn in advance.
"""
from __future__ import annotations

import inspect
import math

import numba
import numpy as np

from .checks import InvalidParameter, check_choice, check_int, check_real, check_sequence


def check_generator(rng) -> np.random.Generator:
    """Return ``rng`` if it is a Generator. Seeds are refused on purpose: a seed
    turned into a fresh generator at every call would repeat the same numbers."""
    if not isinstance(rng, np.random.Generator):
        raise InvalidParameter(f"rng must be a numpy.random.Generator, got {rng!r}")
    return rng


@numba.njit(cache=True)
def normal_latent(z, mean, std):
    """Latent Normal demands ``mean + std * z`` for standard normals ``z``."""
    out = np.empty(len(z))
    for t in range(len(z)):
        out[t] = mean + std * z[t]
    return out


@numba.njit(cache=True)
def garch_latent(z, phi0, phi1, omega, alpha1, beta1, d_prev, sigma2_prev, e_prev):
    """Latent AR(1)/GARCH(1,1) demands for standard normals ``z``, from the state
    ``(D_{t-1}, sigma_{t-1}^2, e_{t-1})``; returns the demands and the last state."""
    out = np.empty(len(z))
    for t in range(len(z)):
        sigma2_prev = omega + alpha1 * e_prev * e_prev + beta1 * sigma2_prev
        e_prev = math.sqrt(sigma2_prev) * z[t]
        d_prev = phi0 + phi1 * d_prev + e_prev
        out[t] = d_prev
    return out, d_prev, sigma2_prev, e_prev


class DemandProcess:
    """What the processes share: the history and the draws. A subclass says how
    its state starts (:meth:`_start`) and how latent values follow from normals
    (:meth:`_advance`)."""

    def __init__(self):
        self.reset()

    def reset(self, rng=None) -> None:
        """Start a new history. The processes here start from a fixed state and
        consume no random numbers; ``rng`` is accepted (and checked) so that a
        process with a random start fits the same call."""
        if rng is not None:
            check_generator(rng)
        self._latent = np.empty(64)
        self._size = 0
        self._state = self._start()

    def draw(self, rng) -> float:
        """The next period's demand (one standard normal from ``rng``)."""
        return float(self.draw_many(rng, 1)[0])

    def draw_many(self, rng, n) -> np.ndarray:
        """The next ``n`` demands at once (``n`` standard normals from ``rng``)."""
        n = check_int("n", n, 0)
        latent = self._advance(check_generator(rng).standard_normal(n))
        end = self._size + n
        if end > len(self._latent):      # grow by doubling: appends stay cheap
            grown = np.empty(max(2 * len(self._latent), end))
            grown[:self._size] = self._latent[:self._size]
            self._latent = grown
        self._latent[self._size:end] = latent
        self._size = end
        return np.maximum(latent, 0.0)

    @property
    def latent_history(self) -> np.ndarray:
        """The uncut values since the last reset, oldest first (a copy)."""
        return self._latent[:self._size].copy()

    @property
    def history(self) -> np.ndarray:
        """The demands since the last reset, oldest first."""
        return np.maximum(self._latent[:self._size], 0.0)

    @property
    def last_demand(self) -> float:
        """The most recent demand; before the first draw, the start value cut at 0
        (``d0`` for GARCH, the mean for Normal, which has no memory)."""
        if self._size == 0:
            return max(0.0, self._before_first())
        return max(0.0, float(self._latent[self._size - 1]))

    def state(self) -> tuple:
        """What the next draw depends on besides the new normal (a tuple of floats;
        empty for a process without memory)."""
        return tuple(self._state)


class NormalDemand(DemandProcess):
    """Independent Normal(mean, std) demands cut at 0."""

    def __init__(self, mean=10.0, std=3.0):
        self.mean = check_real("mean", mean)
        self.std = check_real("std", std, 0)
        super().__init__()

    def __repr__(self):
        return f"NormalDemand(mean={self.mean:g}, std={self.std:g})"

    def _start(self):
        return ()

    def _advance(self, z):
        return normal_latent(z, self.mean, self.std)

    def _before_first(self):
        return self.mean

    def long_run_mean(self) -> float:
        return self.mean

    def long_run_variance(self) -> float:
        return self.std ** 2

    def cut_mean(self) -> float:
        """Mean of ``max(0, X)``, X ~ Normal(mean, std):
        ``mean * Phi(mean/std) + std * phi(mean/std)``."""
        if self.std == 0:
            return max(0.0, self.mean)
        r = self.mean / self.std
        cdf = 0.5 * (1.0 + math.erf(r / math.sqrt(2.0)))
        pdf = math.exp(-0.5 * r * r) / math.sqrt(2.0 * math.pi)
        return self.mean * cdf + self.std * pdf


class GarchDemand(DemandProcess):
    """AR(1) demand with GARCH(1,1) noise, cut at 0; the defaults are the book's
    settings (SPEC: ``phi0=3, phi1=0.7, omega=0.5, alpha1=0.2, beta1=0.7`` from
    ``D_0=10, sigma_0^2=5, e_0=0``). The recursion runs on the uncut value."""

    def __init__(self, phi0=3.0, phi1=0.7, omega=0.5, alpha1=0.2, beta1=0.7,
                 d0=10.0, sigma2_0=5.0, e0=0.0):
        self.phi0 = check_real("phi0", phi0)
        # |phi1| < 1 and alpha1 + beta1 < 1: the level and the variance are
        # stationary, so the long-run moments below exist.
        self.phi1 = check_real("phi1", phi1, -1, 1, low_open=True, high_open=True)
        self.omega = check_real("omega", omega, 0, low_open=True)
        self.alpha1 = check_real("alpha1", alpha1, 0, 1, high_open=True)
        self.beta1 = check_real("beta1", beta1, 0, 1, high_open=True)
        if self.alpha1 + self.beta1 >= 1:
            raise InvalidParameter("alpha1 + beta1 must be below 1 (stationary "
                                   f"variance), got {self.alpha1 + self.beta1:g}")
        self.d0 = check_real("d0", d0)
        self.sigma2_0 = check_real("sigma2_0", sigma2_0, 0)
        self.e0 = check_real("e0", e0)
        super().__init__()

    def __repr__(self):
        return ("GarchDemand(" + ", ".join(f"{k}={v:g}" for k, v in self.params().items())
                + ")")

    def params(self) -> dict:
        """The settings, by name, in the order of the constructor."""
        names = ("phi0", "phi1", "omega", "alpha1", "beta1", "d0", "sigma2_0", "e0")
        return {k: getattr(self, k) for k in names}

    def _start(self):
        return (self.d0, self.sigma2_0, self.e0)

    def _advance(self, z):
        latent, *state = garch_latent(z, self.phi0, self.phi1, self.omega, self.alpha1,
                                      self.beta1, *self._state)
        self._state = tuple(float(v) for v in state)
        return latent

    def _before_first(self):
        return self.d0

    def volatility_history(self) -> np.ndarray:
        """The volatility ``sigma_t`` of every period since the last reset, oldest
        first: the standard deviation the period's demand had given the past,
        rebuilt from the uncut history by the recursion above."""
        latent = self.latent_history
        sigma = np.empty(len(latent))
        d_prev, sigma2, e_prev = self._start()
        for t, d in enumerate(latent):
            sigma2 = self.omega + self.alpha1 * e_prev ** 2 + self.beta1 * sigma2
            sigma[t] = math.sqrt(sigma2)
            e_prev = d - self.phi0 - self.phi1 * d_prev
            d_prev = d
        return sigma

    def long_run_mean(self) -> float:
        """``phi0 / (1 - phi1)`` (uncut process)."""
        return self.phi0 / (1.0 - self.phi1)

    def noise_variance(self) -> float:
        """Long-run ``Var(e) = omega / (1 - alpha1 - beta1)``."""
        return self.omega / (1.0 - self.alpha1 - self.beta1)

    def long_run_variance(self) -> float:
        """``Var(e) / (1 - phi1^2)`` (uncut process; the noise is uncorrelated)."""
        return self.noise_variance() / (1.0 - self.phi1 ** 2)


#: Demand processes by name, for settings that must stay plain data.
DEMANDS = {"normal": NormalDemand, "garch": GarchDemand}


def make_demand(kind: str, params=()) -> DemandProcess:
    """A fresh process ``DEMANDS[kind](*params)``."""
    process = DEMANDS[check_choice("demand", kind, tuple(DEMANDS))]
    params = check_sequence("demand_params", params)
    names = list(inspect.signature(process).parameters)
    if len(params) > len(names):
        raise InvalidParameter(f"demand_params for {kind!r} must hold at most "
                               f"{len(names)} numbers ({', '.join(names)}), "
                               f"got {len(params)}")
    return process(*params)
