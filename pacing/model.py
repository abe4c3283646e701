"""The predictive model, vectorised across targets: expected abandonments per accept.

For one target: `trials` invitations (pending plus new) each accepted with probability `a`,
so accepts A ~ Binomial(trials, a). `free` slots are expected to be free when they land (ready
slots, plus busy slots finishing within the horizon, minus the queue ahead and the reactive
arrivals that take capacity first). The j-th accept beyond the free slots has m = j - 1 ahead
of it among n slots and is served with probability ∏_{k=0..m} (nμ + kθ)/(nμ + (k+1)θ), which
telescopes to nμ / (nμ + (m+1)θ). Summed over the x = (A - free)⁺ that wait, the expected
abandonments are

    G(x) = Σ_{j=1..x} jθ / (nμ + jθ) = x - s·(ψ(s + x + 1) - ψ(s + 1)),  s = nμ/θ,

which is also defined for a fractional x (expected free slots need not be whole). E[G] is
taken exactly over the binomial when its standard deviation σ is at most 8 (a window reaching
8 σ above the mean; about 340 invitations in flight at 25 %), and above that on every h-th
accept count (h = ⌈σ/8⌉, each standing for h counts): a smooth-density shortcut whose error
is measured against the exact sum in tests/engine/test_pacing_model.py.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma

from pacing.state import BoolArray, FloatArray, IntArray

EXACT_MAX_VARIANCE = 64.0  # σ ≤ 8: exact binomial sum over a window reaching 8 σ above the mean
_SIGMAS = 8.0
_HALF_WINDOWS = (8, 16, 32, 64)
_BLOCK_CELLS = 1 << 14  # cells per block: keeps the temporaries in cache (2x faster than 1 << 18)
_log_factorial: FloatArray = np.zeros(1)


def _log_factorials(up_to: int) -> FloatArray:
    """log(k!) for k = 0..up_to, cached and grown on demand."""
    global _log_factorial
    if _log_factorial.size <= up_to:
        size = max(up_to + 1, 2 * _log_factorial.size, 1024)
        table = np.zeros(size)
        table[1:] = np.cumsum(np.log(np.arange(1, size, dtype=np.float64)))
        _log_factorial = table
    return _log_factorial


def waiting_abandons(excess: FloatArray, ratio_s: FloatArray) -> FloatArray:
    """G(x): expected abandonments among x arrivals that find no free slot (x ≥ 0)."""
    x = np.maximum(excess, 0.0)
    result: FloatArray = x - ratio_s * (digamma(ratio_s + x + 1.0) - digamma(ratio_s + 1.0))
    return result


def expected_abandons(
    trials: FloatArray, accept: FloatArray, free: FloatArray, ratio_s: FloatArray
) -> FloatArray:
    """E[G((A - free)⁺)] with A ~ Binomial(trials, accept), elementwise.

    Rows are grouped by the window they need (8 σ above the mean: 8, 16, 32 or 64 accept
    counts), so small groups never pay for large ones.
    """
    mean = trials * accept
    reach = np.ceil(_SIGMAS * np.sqrt(mean * (1.0 - accept)))
    out = np.empty(trials.shape)
    done = np.zeros(trials.shape, dtype=bool)
    for half in _HALF_WINDOWS:
        rows = np.nonzero(~done & (reach <= half))[0]
        if rows.size:
            out[rows] = _exact(trials[rows], accept[rows], free[rows], ratio_s[rows], half)
            done[rows] = True
    rows = np.nonzero(~done)[0]
    if rows.size:
        out[rows] = _strided(trials[rows], accept[rows], free[rows], ratio_s[rows])
    return out


def _log_pmf(n: FloatArray, k: FloatArray, accept: FloatArray) -> FloatArray:
    table = _log_factorials(int(n.max(initial=0.0)))
    a = np.clip(accept, 1e-12, 1.0 - 1e-12)
    result: FloatArray = (
        table[n.astype(np.int64)]
        - table[k.astype(np.int64)]
        - table[(n - k).astype(np.int64)]
        + k * np.log(a)
        + (n - k) * np.log1p(-a)
    )
    return result


def _exact(
    trials: FloatArray, accept: FloatArray, free: FloatArray, s: FloatArray, half: int
) -> FloatArray:
    """The binomial sum over the window of accept counts k that can leave someone waiting.

    The window starts at the first k above the free slots (smaller k add nothing) or `half`
    below the mean, whichever is higher, so it always reaches `half` (≥ 8 σ) above the mean.
    Along it G(f + w) = G(f) + Σ_{i=1..w} (1 − s/(s + f + i)): one digamma pair per target.
    The binomial log-pmf is taken from the log-factorial table with integer indexes (the
    per-row logs of a and 1 − a once per row), the cheapest form over rows × window cells.
    """
    out = np.empty(trials.shape)
    width = 2 * half + 1
    window = np.arange(width, dtype=np.float64)
    window_int = np.arange(width, dtype=np.int64)
    rows_per_block = max(256, _BLOCK_CELLS // width)
    table = _log_factorials(int(trials.max(initial=0.0)))
    for block in range(0, trials.size, rows_per_block):
        part = slice(block, block + rows_per_block)
        n, a, f, ratio_s = trials[part], accept[part], free[part], s[part]
        start = np.maximum(np.maximum(np.floor(n * a) - half, np.ceil(f)), 0.0)
        offset = start - f  # ≥ 0: x of the window's first k
        n_int = n.astype(np.int64)[:, None]
        k_int = np.minimum(start.astype(np.int64)[:, None] + window_int[None, :], n_int)
        inside = (start[:, None] + window[None, :]) <= n[:, None]
        clipped = np.clip(a, 1e-12, 1.0 - 1e-12)
        log_a, log_not_a = np.log(clipped)[:, None], np.log1p(-clipped)[:, None]
        k = k_int.astype(np.float64)
        log_pmf = table[n_int] - table[k_int] - table[n_int - k_int]
        log_pmf += k * log_a
        log_pmf += (n[:, None] - k) * log_not_a
        pmf = np.exp(log_pmf, out=log_pmf)
        pmf[~inside] = 0.0
        s2 = ratio_s[:, None]
        values = np.empty(k.shape)
        values[:, 1:] = s2 + offset[:, None] + window[None, 1:]
        np.divide(s2, values[:, 1:], out=values[:, 1:])
        np.subtract(1.0, values[:, 1:], out=values[:, 1:])
        values[:, 0] = waiting_abandons(offset, ratio_s)
        np.cumsum(values, axis=1, out=values)
        out[part] = np.einsum("ij,ij->i", pmf, values)
    return out


def _strided(trials: FloatArray, accept: FloatArray, free: FloatArray, s: FloatArray) -> FloatArray:
    """σ > 8: the same sum on every h-th accept count (h = ⌈σ/8⌉), each standing for h counts."""
    mean = trials * accept
    stride = np.ceil(np.sqrt(mean * (1.0 - accept)) / _SIGMAS)[:, None]
    half = _HALF_WINDOWS[-1]
    window = np.arange(2 * half + 1, dtype=np.float64)[None, :]
    start = np.maximum(np.floor(mean)[:, None] - half * stride, 0.0)
    k = start + window * stride
    n = trials[:, None]
    inside = k <= n
    k = np.minimum(k, n)
    pmf = np.where(inside, np.exp(_log_pmf(n, k, accept[:, None])), 0.0) * stride
    values = waiting_abandons(k - free[:, None], s[:, None])
    result: FloatArray = (pmf * values).sum(axis=1)
    return result


def abandon_ratio(
    trials: FloatArray, accept: FloatArray, free: FloatArray, ratio_s: FloatArray
) -> FloatArray:
    """Expected abandonments divided by expected accepts (0 when nothing can be accepted)."""
    mean = trials * accept
    abandons = expected_abandons(trials, accept, free, ratio_s)
    return np.divide(abandons, mean, out=np.zeros_like(mean), where=mean > 0)


def largest_invitations(
    pending: FloatArray,
    pending_accepts: FloatArray,
    accept: FloatArray,
    free: FloatArray,
    ratio_s: FloatArray,
    threshold: FloatArray,
    start: IntArray,
    cap: IntArray,
) -> IntArray:
    """Per target, the largest I in [0, cap] whose own abandonment ratio stays ≤ threshold.

    Accepts are Binomial(pending + I, p) with p matching the expected accepts
    `pending_accepts + accept·I` (a slight over-statement of the variance: conservative).

    The ratio of I new invitations is what they add to the expected abandonments over what
    they add to the expected accepts: (E[G | pending + I] − E[G | pending]) / (a·I). Pending
    invitations are ahead of them and paid for their own risk when they were sent. E[G] is
    convex in the number of invitations, so this secant slope grows with I and the answer is
    found by galloping from `start` (last cycle's answer) to bracket it, then bisection: a
    target whose answer did not change costs two evaluations.
    """
    base_share = np.divide(pending_accepts, pending, out=accept.copy(), where=pending > 0)
    base = expected_abandons(pending, base_share, free, ratio_s)

    def fits(rows: IntArray, invitations: IntArray) -> BoolArray:
        fitted: BoolArray = invitations == 0  # no new invitations always fit: no model needed
        some = np.nonzero(~fitted)[0]
        if some.size:
            rows, invitations = rows[some], invitations[some]
            trials = pending[rows] + invitations
            mean = pending_accepts[rows] + accept[rows] * invitations
            share = np.divide(mean, trials, out=accept[rows].copy(), where=trials > 0)
            added = expected_abandons(trials, share, free[rows], ratio_s[rows]) - base[rows]
            fitted[some] = added <= threshold[rows] * (accept[rows] * invitations)
        return fitted

    count = pending.size
    rows = np.arange(count)
    first = np.clip(start, 0, cap)
    first_fits = fits(rows, first)
    # bracket the answer by galloping away from last cycle's answer: steps 1, 2, 4, ...
    low = np.where(first_fits, first, -1)  # largest known to fit (I = 0 always fits)
    high = np.where(first_fits, cap + 1, first)  # smallest known not to fit
    step = np.ones(count, dtype=np.int64)
    probe = np.where(first_fits, first + 1, first - 1)
    open_rows = np.nonzero((probe >= 0) & (probe <= cap) & (high - low > 1))[0]
    while open_rows.size:
        tried = probe[open_rows]
        fitted = fits(open_rows, tried)
        low[open_rows] = np.where(fitted, tried, low[open_rows])
        high[open_rows] = np.where(fitted, high[open_rows], tried)
        step[open_rows] *= 2
        going_up = first_fits[open_rows]
        still = fitted == going_up  # kept going the same way: not bracketed yet
        probe[open_rows] = np.where(
            going_up,
            np.minimum(tried + step[open_rows], cap[open_rows]),
            np.maximum(tried - step[open_rows], 0),
        )
        done = ~still | (probe[open_rows] == tried)
        open_rows = open_rows[~done]
    low = np.where(low < 0, 0, low)  # nothing probed fits: 0 does
    open_rows = np.nonzero(high - low > 1)[0]
    while open_rows.size:
        middle = (low[open_rows] + high[open_rows]) // 2
        fitted = fits(open_rows, middle)
        low[open_rows] = np.where(fitted, middle, low[open_rows])
        high[open_rows] = np.where(fitted, high[open_rows], middle)
        open_rows = open_rows[high[open_rows] - low[open_rows] > 1]
    result: IntArray = np.maximum(low, 0)
    return result
