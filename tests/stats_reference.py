#!/usr/bin/env python3
"""stats_reference.py — an independent implementation of the paired statistics of
harness/stats.c (splitmix64, percentile bootstrap of a median over pairs, the A/A minimum
detectable effect, the resolved rule), written from the description in harness/stats.h
and bench_pairs.h, not from the C code. test_stats.c pastes its output as the expected
numbers; run it to regenerate them:  python3 tests/stats_reference.py"""

M64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) * 2.0**-53

    def below(self, n):
        return int(self.uniform() * n)


def percentile(sorted_x, q):
    """Linear interpolation between order statistics."""
    n = len(sorted_x)
    if q <= 0:
        return sorted_x[0]
    if q >= 1:
        return sorted_x[-1]
    pos = q * (n - 1)
    i = int(pos)
    frac = pos - i
    return sorted_x[i] + frac * (sorted_x[i + 1] - sorted_x[i]) if i + 1 < n else sorted_x[i]


def median_ci(x, resamples, level, seed):
    rng = SplitMix64(seed)
    dist = []
    for _ in range(resamples):
        sample = sorted(x[rng.below(len(x))] for _ in range(len(x)))
        dist.append(percentile(sample, 0.5))
    dist.sort()
    return (percentile(sorted(x), 0.5), percentile(dist, (1 - level) / 2),
            percentile(dist, 1 - (1 - level) / 2))


def paired_ratio_ci(on, off, resamples, level, seed):
    return median_ci([a / b for a, b in zip(on, off) if b > 0], resamples, level, seed)


ON = [1.30, 1.25, 1.41, 1.22, 1.35, 1.28, 1.33]
OFF = [1.00, 1.02, 0.98, 1.01, 0.99, 1.03, 1.00]
AA_A = [1.00, 1.01, 0.99, 1.02, 1.00, 0.98, 1.01, 1.00]
AA_B = [1.01, 0.99, 1.00, 1.03, 0.98, 1.00, 1.02, 0.99]

if __name__ == "__main__":
    v, lo, hi = paired_ratio_ci(ON, OFF, 2000, 0.95, 7)
    print(f"paired ratio: {v:.17g} [{lo:.17g}, {hi:.17g}]")
    av, alo, ahi = paired_ratio_ci(AA_B, AA_A, 2000, 0.95, 11)
    mde = max(abs(alo - 1), abs(ahi - 1))
    print(f"aa ratio: {av:.17g} [{alo:.17g}, {ahi:.17g}] mde {mde:.17g}")
    resolved = (lo - 1) > mde or (hi - 1) < -mde
    print(f"effect resolved against that mde: {resolved}")
