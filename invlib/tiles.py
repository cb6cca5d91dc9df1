"""Grid tile coding without hashing: a linear value function over a box.

``m`` tilings (the book's symbol; ``n_tilings`` in the code) each lay a
regular grid over the box ``[lower, upper]`` with
``tiles[d]`` tiles of width ``width[d] = (upper[d] - lower[d]) / tiles[d]`` along
dimension ``d``. Tiling ``j`` is shifted down by ``f[j, d] * width[d]``, a fraction
``f[j, d]`` in ``[0, 1)`` drawn once from the generator given at construction, so
no tiling moves by a whole tile. A shifted grid needs ``tiles[d] + 1`` cells along
each dimension to still cover the box, and every tiling owns its own block of
``prod(tiles + 1)`` weights in one flat float64 array (no hashing, no collisions).
A point's cell along ``d`` in tiling ``j`` is ``floor((v - lower[d]) / width[d]
+ f[j, d])``, where ``v`` is the point clipped to the box.

The estimate of a point is the sum of the weights ``w`` of its ``m`` active tiles,
``w . phi`` with the features ``phi`` 1 on those tiles; an update towards
``target`` adds ``(learning_rate / m) * (target - estimate)`` to each, so with
``learning_rate = 1`` the point then reads back ``target``.

The compiled helpers (:func:`cell_part`, :func:`tile_index`, :func:`active_tiles`,
:func:`estimate`, :func:`update` and their ``_many`` forms) take the grid as one tuple,
:attr:`TileCoder.layout`, and can be called from other numba kernels; the
``_many`` forms run a whole batch of points (say all orders of one state) in one
call, with exactly the arithmetic of the scalar ones.
"""
from __future__ import annotations

import math

import numba
import numpy as np

from .checks import InvalidParameter, check_int, check_real
from .demand import check_generator


@numba.njit(cache=True, inline="always")
def cell_part(layout, d, v, j):
    """The part of a tile's index that dimension ``d`` contributes: the cell of the
    coordinate ``v`` along ``d`` in tiling ``j``, times that dimension's stride. It
    depends on ``v`` alone, so a loop that meets the same coordinate again (the
    orders, say) can look its part up once."""
    lower, upper, width, tiles, fractions, strides, _ = layout
    v = min(max(v, lower[d]), upper[d])
    # the min guards the top edge against rounding in (v - lower) / width
    cell = min(int(math.floor((v - lower[d]) / width[d] + fractions[j, d])), tiles[d])
    return cell * strides[d]


@numba.njit(cache=True)
def cell_parts(layout, d, coordinates):
    """``out[j, k]``: :func:`cell_part` of ``coordinates[k]`` along ``d`` in tiling
    ``j``."""
    out = np.empty((layout[4].shape[0], len(coordinates)), dtype=np.int64)
    for j in range(out.shape[0]):
        for k in range(len(coordinates)):
            out[j, k] = cell_part(layout, d, coordinates[k], j)
    return out


@numba.njit(cache=True, inline="always")
def tile_index(layout, point, j):
    """Index in the flat weights of ``point``'s tile in tiling ``j``."""
    index = j * layout[6]
    for d in range(len(layout[0])):
        index += cell_part(layout, d, point[d], j)
    return index


@numba.njit(cache=True)
def active_tiles(layout, point, out):
    """Write the index of ``point``'s tile in each tiling into ``out``."""
    for j in range(len(out)):
        out[j] = tile_index(layout, point, j)


@numba.njit(cache=True)
def estimate(layout, weights, point):
    """Sum of the weights of ``point``'s active tiles."""
    total = 0.0
    for j in range(layout[4].shape[0]):
        total += weights[tile_index(layout, point, j)]
    return total


@numba.njit(cache=True)
def update(layout, weights, point, target, learning_rate):
    """Move the estimate of ``point`` towards ``target``; returns the error
    ``target - estimate`` before the update."""
    n = layout[4].shape[0]
    error = target - estimate(layout, weights, point)
    step = learning_rate / n * error
    for j in range(n):
        weights[tile_index(layout, point, j)] += step
    return error


@numba.njit(cache=True)
def active_tiles_many(layout, points, out):
    """``out[k]`` = active tiles of ``points[k]``."""
    for k in range(points.shape[0]):
        active_tiles(layout, points[k], out[k])


@numba.njit(cache=True)
def estimate_many(layout, weights, points, out):
    for k in range(points.shape[0]):
        out[k] = estimate(layout, weights, points[k])


@numba.njit(cache=True)
def update_many(layout, weights, points, targets, learning_rate, errors):
    """Update the points one after another, in order (as a loop of :func:`update`
    would: a later point sees what an earlier one changed in shared tiles)."""
    for k in range(points.shape[0]):
        errors[k] = update(layout, weights, points[k], targets[k], learning_rate)


class TileCoder:
    """A tile-coded linear function over the box ``[lower, upper]``.

    ``tiles`` is the number of tiles per dimension (one number for all, or one per
    dimension); ``rng`` draws the tilings' offsets. The weights start at 0.
    """

    def __init__(self, lower, upper, tiles, n_tilings, rng):
        lower = np.atleast_1d(np.asarray(lower, dtype=float))
        upper = np.atleast_1d(np.asarray(upper, dtype=float))
        dims = len(lower)
        if lower.ndim != 1 or upper.shape != lower.shape or dims == 0:
            raise InvalidParameter(f"lower and upper must be two equally long lists of "
                                   f"bounds, got {lower.shape} and {upper.shape}")
        for d in range(dims):
            check_real(f"lower[{d}]", lower[d])
            check_real(f"upper[{d}]", upper[d], lower[d], low_open=True)
        tiles = np.broadcast_to(np.asarray(tiles), (dims,)) if np.ndim(tiles) == 0 \
            else np.asarray(tiles)
        if tiles.shape != (dims,):
            raise InvalidParameter(f"tiles must be one count or {dims} counts, got "
                                   f"{tiles.shape[0] if tiles.ndim else tiles!r}")
        self.tiles = np.array([check_int(f"tiles[{d}]", t, 1)
                               for d, t in enumerate(tiles)], dtype=np.int64)
        self.n_tilings = check_int("n_tilings", n_tilings, 1)
        self.lower, self.upper = lower, upper
        self.width = (upper - lower) / self.tiles
        self.fractions = check_generator(rng).random((self.n_tilings, dims))
        cells = self.tiles + 1
        # row-major strides over the (tiles + 1)-cell grid of one tiling
        self.strides = np.ones(dims, dtype=np.int64)
        for d in range(dims - 2, -1, -1):
            self.strides[d] = self.strides[d + 1] * cells[d + 1]
        self.size = int(np.prod(cells))
        self.weights = np.zeros(self.n_tilings * self.size)

    @property
    def dims(self) -> int:
        return len(self.lower)

    @property
    def offsets(self) -> np.ndarray:
        """Shift of each tiling (rows) along each dimension, in the points' units."""
        return self.fractions * self.width

    @property
    def layout(self) -> tuple:
        """The grid as the compiled helpers take it."""
        return (self.lower, self.upper, self.width, self.tiles, self.fractions,
                self.strides, self.size)

    def _points(self, points) -> np.ndarray:
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != self.dims:
            raise InvalidParameter(f"points must have {self.dims} coordinates each, got "
                                   f"an array of shape {points.shape}")
        return np.ascontiguousarray(points)

    def _point(self, point) -> np.ndarray:
        return self._points(np.reshape(point, (1, -1)))[0]

    def active(self, point) -> np.ndarray:
        """Indices of the point's tiles, one per tiling."""
        out = np.empty(self.n_tilings, dtype=np.int64)
        active_tiles(self.layout, self._point(point), out)
        return out

    def indices(self, points) -> np.ndarray:
        """Active tiles of many points: shape ``(len(points), n_tilings)``."""
        points = self._points(points)
        out = np.empty((len(points), self.n_tilings), dtype=np.int64)
        active_tiles_many(self.layout, points, out)
        return out

    def estimate(self, point) -> float:
        return float(estimate(self.layout, self.weights, self._point(point)))

    def estimate_many(self, points) -> np.ndarray:
        points = self._points(points)
        out = np.empty(len(points))
        estimate_many(self.layout, self.weights, points, out)
        return out

    def update(self, point, target, learning_rate) -> float:
        """Move the point's estimate towards ``target``; returns the error before."""
        lr = check_real("learning_rate", learning_rate, 0, 1, low_open=True)
        return float(update(self.layout, self.weights, self._point(point),
                            check_real("target", target), lr))

    def update_many(self, points, targets, learning_rate) -> np.ndarray:
        """Update the points in order; returns each error before its update."""
        points = self._points(points)
        targets = np.asarray(targets, dtype=float)
        if targets.shape != (len(points),) or not np.isfinite(targets).all():
            raise InvalidParameter(f"targets must hold one finite number per point "
                                   f"({len(points)}), got shape {targets.shape}")
        lr = check_real("learning_rate", learning_rate, 0, 1, low_open=True)
        errors = np.empty(len(points))
        update_many(self.layout, self.weights, points, targets, lr, errors)
        return errors
