"""Grid tile coding: storing and reading back, the offsets, which tiles points
share, the batch path against the scalar one, and generalisation."""
import numpy as np
import pytest

from invlib import InvalidParameter
from invlib.tiles import TileCoder, active_tiles, estimate


def coder(n_tilings=10, seed=0, tiles=(8, 3, 4)):
    # P1's grid: 8 x 3 x 4 tiles over (x, u1, a)
    return TileCoder([-30, 0, 0], [60, 40, 40], tiles, n_tilings,
                     np.random.default_rng(seed))


def test_one_update_with_rate_one_stores_the_value():
    tc = coder(n_tilings=8)                   # 8 tilings: 5 / 8 is exact in binary
    tc.update([12.5, 10, 20], 5.0, 1.0)
    assert tc.estimate([12.5, 10, 20]) == 5.0
    tc = coder(n_tilings=10)
    error = tc.update([12.5, 10, 20], 7.3, 1.0)
    assert error == 7.3
    assert tc.estimate([12.5, 10, 20]) == pytest.approx(7.3, rel=1e-15)
    tc.update([12.5, 10, 20], -2.0, 1.0)      # overwrites, whatever was there
    assert tc.estimate([12.5, 10, 20]) == pytest.approx(-2.0, rel=1e-14)


def test_offsets_stay_inside_one_tile():
    tc = coder(n_tilings=200)
    assert tc.width.tolist() == [90 / 8, 40 / 3, 10.0]
    assert (tc.offsets >= 0).all() and (tc.offsets < tc.width).all()
    assert (tc.offsets.std(axis=0) > 0.2 * tc.width).all()    # they really differ
    assert tc.size == 9 * 4 * 5 and len(tc.weights) == 200 * 180


def test_each_tiling_uses_its_own_block_and_corners_fit():
    tc = coder()
    corners = np.array([[-30, 0, 0], [60, 40, 40], [-30, 40, 0], [60, 0, 40]])
    rng = np.random.default_rng(1)
    points = np.vstack([corners, rng.uniform([-30, 0, 0], [60, 40, 40], (500, 3))])
    index = tc.indices(points)
    block = index // tc.size
    assert (block == np.arange(10)).all()       # tiling j's tile lies in block j


def test_points_outside_the_box_are_clipped():
    tc = coder()
    assert np.array_equal(tc.active([-100, 50, 20]), tc.active([-30, 40, 20]))
    assert np.array_equal(tc.active([61, -1, 1e9]), tc.active([60, 0, 40]))


def test_near_points_share_most_tiles_far_points_none():
    tc = coder(n_tilings=20)
    rng = np.random.default_rng(2)
    for _ in range(50):
        p = rng.uniform([-30, 0, 0], [60, 40, 40])
        near = p + 0.05 * tc.width * rng.uniform(-1, 1, 3)
        shared = (tc.active(p) == tc.active(near)).sum()
        assert shared >= 14                   # about 20 * 0.95^3 = 17 expected
        far = p.copy()
        far[rng.integers(3)] += 1.01 * tc.width.max() * rng.choice([-1, 1])
        if ((far >= tc.lower) & (far <= tc.upper)).all():   # not clipped back
            assert (tc.active(p) == tc.active(far)).sum() == 0


def test_batch_equals_scalar_exactly():
    tc = coder()
    rng = np.random.default_rng(3)
    tc.weights[:] = rng.normal(size=len(tc.weights))
    points = rng.uniform([-40, -5, -5], [70, 45, 45], (1000, 3))
    values = tc.estimate_many(points)
    out = np.empty(10, dtype=np.int64)
    for k, point in enumerate(points):
        assert values[k] == tc.estimate(point) == estimate(tc.layout, tc.weights, point)
        active_tiles(tc.layout, point, out)
        assert np.array_equal(out, tc.indices(points[k:k + 1])[0])


def test_update_many_is_a_loop_of_updates():
    rng = np.random.default_rng(4)
    points = rng.uniform([-30, 0, 0], [60, 40, 40], (300, 3))
    points[1::2] = points[::2] + 0.5            # neighbours share tiles
    targets = rng.normal(50, 10, 300)
    one, many = coder(seed=5), coder(seed=5)
    errors = [one.update(p, g, 0.3) for p, g in zip(points, targets, strict=True)]
    assert np.array_equal(many.update_many(points, targets, 0.3), errors)
    assert np.array_equal(one.weights, many.weights)


def test_learning_a_smooth_function_generalises():
    def f(points):
        return np.sin(points[:, 0]) + 0.5 * np.cos(2 * points[:, 1])

    tc = TileCoder([0, 0], [2 * np.pi, np.pi], 10, 8, np.random.default_rng(6))
    rng = np.random.default_rng(7)
    test = rng.uniform([0, 0], [2 * np.pi, np.pi], (2000, 2))
    before = np.mean((tc.estimate_many(test) - f(test)) ** 2)
    train = rng.uniform([0, 0], [2 * np.pi, np.pi], (20_000, 2))
    tc.update_many(train, f(train), 0.1)
    after = np.mean((tc.estimate_many(test) - f(test)) ** 2)   # unseen points
    assert before > 0.5 and after < 0.02 * before


def test_one_dimension_and_one_count_for_all():
    tc = TileCoder(0, 10, 5, 4, np.random.default_rng(8))
    assert tc.tiles.tolist() == [5] and tc.size == 6
    tc.update(3.0, 2.0, 1.0)
    assert tc.estimate([3.0]) == 2.0


@pytest.mark.parametrize("call, words", [
    (lambda: TileCoder([0, 0], [1, 0], 4, 2, np.random.default_rng()),
     "upper[1] must be a finite number in (0, inf), got 0.0"),
    (lambda: TileCoder([0, 0], [1, 1, 1], 4, 2, np.random.default_rng()),
     "lower and upper must be two equally long lists of bounds"),
    (lambda: TileCoder([0, 0], [1, 1], (4, 0), 2, np.random.default_rng()),
     "tiles[1] must be an integer in [1, inf), got 0"),
    (lambda: TileCoder([0, 0], [1, 1], (4, 4, 4), 2, np.random.default_rng()),
     "tiles must be one count or 2 counts, got 3"),
    (lambda: TileCoder([0, 0], [1, 1], 4, 0, np.random.default_rng()),
     "n_tilings must be an integer in [1, inf), got 0"),
    (lambda: TileCoder([0, 0], [1, 1], 4, 2, 42), "rng must be a numpy.random.Generator"),
    (lambda: coder().estimate([1, 2]), "points must have 3 coordinates each"),
    (lambda: coder().update([1, 2, 3], 1.0, 0.0),
     "learning_rate must be a finite number in (0, 1], got 0.0"),
    (lambda: coder().update([1, 2, 3], float("inf"), 0.5), "target must be a finite"),
    (lambda: coder().update_many([[1, 2, 3]], [1.0, 2.0], 0.5),
     "targets must hold one finite number per point (1), got shape (2,)"),
])
def test_bad_input_is_named(call, words):
    with pytest.raises(InvalidParameter) as info:
        call()
    assert words in str(info.value)
