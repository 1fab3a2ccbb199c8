//! Streaming summaries: moments and histograms that take values one at a time, merge in a
//! fixed order, and answer quantile and CDF queries, in memory that does not grow with the
//! number of values (apart from the rare values outside a histogram's range).

/// Count, mean and sum of squared deviations (Welford 1962), mergeable (Chan et al. 1979).
#[derive(Debug, Clone, Copy, Default)]
pub struct Welford {
    /// Number of values.
    pub n: u64,
    /// Their mean.
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
}

impl Welford {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// The summary of both sets of values.
    pub fn merge(self, other: Welford) -> Welford {
        if other.n == 0 {
            return self;
        }
        if self.n == 0 {
            return other;
        }
        let n = self.n + other.n;
        let d = other.mean - self.mean;
        Welford {
            n,
            mean: self.mean + d * other.n as f64 / n as f64,
            m2: self.m2 + other.m2 + d * d * (self.n as f64 * other.n as f64) / n as f64,
        }
    }
}

/// A fixed-range histogram with exact out-of-range values.
#[derive(Debug, Clone)]
pub struct Histogram {
    lo: f64,
    hi: f64,
    counts: Vec<u32>,
    below: Vec<f64>,
    above: Vec<f64>,
    n: u64,
    /// Exact extremes: quantiles never leave them (a constant series stays exact).
    min: f64,
    max: f64,
    /// Draws below or in each bin, filled by `prepare` for fast look-ups.
    cumulative: Vec<u64>,
}

impl Histogram {
    /// An empty histogram of `bins` equal bins over `lo..hi`.
    pub fn new((lo, hi): (f64, f64), bins: usize) -> Histogram {
        Histogram {
            lo,
            hi,
            counts: vec![0; bins],
            below: Vec::new(),
            above: Vec::new(),
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            cumulative: Vec::new(),
        }
    }

    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        if x < self.lo {
            self.below.push(x);
        } else if x >= self.hi {
            self.above.push(x);
        } else {
            let bins = self.counts.len();
            let b = ((x - self.lo) / (self.hi - self.lo) * bins as f64) as usize;
            self.counts[b.min(bins - 1)] += 1;
        }
    }

    /// Adds every value of `other` (same range and bins).
    pub fn merge(&mut self, other: &Histogram) {
        self.n += other.n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.below.extend_from_slice(&other.below);
        self.above.extend_from_slice(&other.above);
    }

    /// Sorts the out-of-range values and sums the bins, once all draws are in.
    pub fn prepare(&mut self) {
        self.below.sort_by(f64::total_cmp);
        self.above.sort_by(f64::total_cmp);
        let mut total = self.below.len() as u64;
        self.cumulative = self
            .counts
            .iter()
            .map(|&c| {
                total += u64::from(c);
                total
            })
            .collect();
    }

    /// Width of one bin.
    pub fn width(&self) -> f64 {
        (self.hi - self.lo) / self.counts.len() as f64
    }

    /// The value at rank `r` (0-based, fractional) of the sorted draws, assuming the draws
    /// in a bin are spread evenly over it.
    pub fn at_rank(&self, r: f64) -> f64 {
        let below = self.below.len() as f64;
        if r < below {
            return self.below[r as usize];
        }
        // The first bin whose running total passes the rank (binary search).
        let b = self.cumulative.partition_point(|&c| (c as f64) <= r);
        if b < self.counts.len() {
            let before = if b == 0 {
                below
            } else {
                self.cumulative[b - 1] as f64
            };
            let c = f64::from(self.counts[b]);
            let within = (r - before + 0.5) / c;
            return self.lo + (b as f64 + within) * self.width();
        }
        let before = self.cumulative.last().map_or(below, |&c| c as f64);
        let i = ((r - before) as usize).min(self.above.len().saturating_sub(1));
        self.above.get(i).copied().unwrap_or(self.hi)
    }

    /// The `p` quantile (0 ≤ p ≤ 1), ranks interpolated as NumPy's default `linear` method.
    pub fn quantile(&self, p: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let r = p * (self.n - 1) as f64;
        let (r0, r1) = (r.floor(), r.ceil());
        let (a, b) = (self.at_rank(r0), self.at_rank(r1));
        (a + (b - a) * (r - r0)).clamp(self.min, self.max)
    }

    /// Share of draws at or below `x`.
    pub fn cdf(&self, x: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let below = self.below.partition_point(|&v| v <= x) as f64;
        let mut count = below;
        if x >= self.lo {
            let bins = self.counts.len();
            let pos = ((x - self.lo) / self.width()).min(bins as f64);
            let full = pos.floor() as usize;
            count = match full.min(bins) {
                0 => below,
                k => self.cumulative[k - 1] as f64,
            };
            if full < bins {
                count += f64::from(self.counts[full]) * (pos - full as f64);
            }
        }
        if x >= self.hi {
            count += self.above.partition_point(|&v| v <= x) as f64;
        }
        count / self.n as f64
    }
}
