//! Streaming summaries: moments, and a quantile sketch with a guaranteed relative error,
//! that take values one at a time, merge exactly, and answer quantile and CDF queries in
//! memory that does not grow with the number of values (apart from the rare values outside
//! the sketch's window, which are kept exactly).

use super::number::floor_small;

/// Count, mean and sum of squared deviations (Welford 1962), mergeable (Chan et al. 1979).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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

    /// Adds a block of values: their own mean and squared deviations (two passes over the
    /// block, sums in four fixed lanes), merged in as one summary (Chan, Golub & LeVeque
    /// 1979). No division per value, and more accurate than [`Welford::push`] one at a
    /// time; the result depends only on the values and the block boundaries. A block of
    /// one value is [`Welford::push`].
    pub fn push_all(&mut self, xs: &[f64]) {
        if let [x] = xs {
            return self.push(*x);
        }
        if xs.is_empty() {
            return;
        }
        let n = xs.len() as f64;
        // Sums of differences from the first value: exact for a constant (mean exactly
        // it, squared deviations exactly 0), and more accurate for values far from 0.
        let first = xs[0];
        let mean = first + lanes_sum(xs, |x| x - first) / n;
        let m2 = lanes_sum(xs, |x| (x - mean) * (x - mean));
        *self = self.merge(Welford {
            n: xs.len() as u64,
            mean,
            m2,
        });
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

/// Σ f(x) over `xs` in four interleaved lanes, added up as (l0 + l1) + (l2 + l3): a fixed
/// order the compiler may vectorise.
#[inline(always)]
fn lanes_sum(xs: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut lanes = [0.0; 4];
    let mut quads = xs.chunks_exact(4);
    for q in &mut quads {
        for (l, &x) in lanes.iter_mut().zip(q) {
            *l += f(x);
        }
    }
    for (l, &x) in lanes.iter_mut().zip(quads.remainder()) {
        *l += f(x);
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}

/// The most buckets one window of a [`Sketch`] may have.
pub const MAX_BUCKETS: usize = 16_384;

/// The largest slope of ln x against the sketch's fast logarithm [`fast_log2`]: the
/// mapping stretches no octave's bucket more than this, so a bucket of width `1/scale` in
/// the mapping spans at most a factor `exp(MAX_SLOPE / scale)` in value. (At mantissa 1 the
/// cubic's slope is 10/7, so ln x grows 0.7 per unit; a test scans the mantissa to confirm
/// that nowhere else is steeper.)
pub const MAX_SLOPE: f64 = 0.7;

/// The cubic of [`fast_log2`]: A m³ + B m² + C m on the mantissa m ∈ [0, 1), which is 0 at
/// 0 and 1 at 1, so the approximation is continuous across octaves.
const A: f64 = 6.0 / 35.0;
const B: f64 = -3.0 / 5.0;
const C: f64 = 10.0 / 7.0;

/// A fast, monotone, continuous approximation of log₂ x for x > 0: the binary exponent plus
/// a cubic in the mantissa that matches log₂ at both ends of every octave (the
/// "cubically interpolated mapping" of DDSketch; C. Masson, J. E. Rim and H. K. Lee,
/// "DDSketch: a fast and fully-mergeable quantile sketch with relative-error guarantees",
/// PVLDB 12(12), 2019, §3 and its reference implementation). About 3 ns against 6 for
/// `f64::ln`, which matters 27 times per Monte Carlo draw.
#[inline]
pub fn fast_log2(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        // 0, negative or NaN: below every window.
        return f64::NEG_INFINITY;
    }
    log2_positive(x)
}

/// [`fast_log2`] for an x known to be above 0 (the Monte Carlo inner loop's case).
#[inline(always)]
fn log2_positive(x: f64) -> f64 {
    if !is_normal_or_above(x) {
        // Subnormal: scale into the normal range first (rare; exact enough).
        return fast_log2(x * 2f64.powi(64)) - 64.0;
    }
    log2_normal(x)
}

/// [`fast_log2`] for a normal x > 0, without a branch (the vectorised loop of
/// [`Sketch::add_all`] uses it directly); something meaningless for anything else (see
/// [`is_normal_or_above`]).
#[inline(always)]
fn log2_normal(x: f64) -> f64 {
    let bits = x.to_bits();
    // The biased exponent as a float, exactly: 2⁵² + e has e in its low mantissa bits.
    let exponent = f64::from_bits(0x4330_0000_0000_0000 | ((bits >> 52) & 0x7ff))
        - f64::from_bits(0x4330_0000_0000_0000);
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000) - 1.0;
    (exponent - 1023.0) + ((A * m + B) * m + C) * m
}

/// The smaller of a running minimum and x, ignoring NaN (x < NaN is false): one
/// comparison, the same wherever it runs.
#[inline(always)]
fn smaller(min: f64, x: f64) -> f64 {
    if x < min { x } else { min }
}

/// The larger of a running maximum and x, ignoring NaN.
#[inline(always)]
fn larger(max: f64, x: f64) -> f64 {
    if x > max { x } else { max }
}

/// Whether x is not subnormal (nor zero): where [`log2_normal`] is [`log2_positive`].
#[inline(always)]
fn is_normal_or_above(x: f64) -> bool {
    x.abs() >= f64::MIN_POSITIVE
}

/// The inverse of [`fast_log2`]: the x > 0 with `fast_log2(x) == l` (to rounding).
pub fn fast_exp2(l: f64) -> f64 {
    let e = l.floor();
    let f = l - e;
    // Solve A m³ + B m² + C m = f on [0, 1] by Newton's method from the log₂ guess; the
    // cubic is increasing there (its slope is at least 0.74, at m = 1).
    let mut m = (2f64.powf(f) - 1.0).clamp(0.0, 1.0);
    for _ in 0..8 {
        let value = ((A * m + B) * m + C) * m - f;
        let slope = (3.0 * A * m + 2.0 * B) * m + C;
        m = (m - value / slope).clamp(0.0, 1.0);
    }
    (1.0 + m) * 2f64.powi(e as i32)
}

/// A window of equal buckets in [`fast_log2`] units, for values of one sign.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Window {
    /// `fast_log2` of the window's lower edge.
    lo: f64,
    /// Buckets per unit of `fast_log2`.
    scale: f64,
    /// Number of buckets (0: no window).
    buckets: usize,
    /// `buckets` as a float, for the inner loop's comparison.
    limit: f64,
}

impl Window {
    const NONE: Window = Window {
        lo: 0.0,
        scale: 1.0,
        buckets: 0,
        limit: 0.0,
    };

    /// A window over the magnitudes `m` (all > 0) of a pilot sample, widened by a quarter
    /// of its span on each side (values beyond it are kept exactly: for a lognormal
    /// with σ = 2 that is about one draw in ten million), with `buckets` buckets.
    fn around(magnitudes: impl Iterator<Item = f64>, buckets: usize) -> Window {
        let (lo, hi) = magnitudes
            .map(fast_log2)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), l| {
                (a.min(l), b.max(l))
            });
        if !(lo.is_finite() && hi.is_finite()) || buckets == 0 {
            return Window::NONE;
        }
        let margin = 0.25 * (hi - lo) + 1.0 / 64.0;
        let (lo, hi) = (lo - margin, hi + margin);
        Window {
            lo,
            scale: buckets as f64 / (hi - lo),
            buckets,
            limit: buckets as f64,
        }
    }

    /// Where a magnitude falls, in buckets from the window's lower edge (may be outside
    /// 0..buckets); `None` for a window that does not exist.
    fn position(&self, magnitude: f64) -> Option<f64> {
        (self.buckets > 0).then(|| (fast_log2(magnitude) - self.lo) * self.scale)
    }

    /// Whether a magnitude lies above the window.
    fn beyond_upper(&self, magnitude: f64) -> bool {
        self.position(magnitude)
            .is_some_and(|t| t >= self.buckets as f64)
    }

    /// The bucket of a magnitude above 0, if it is inside the window.
    #[inline(always)]
    fn index(&self, magnitude: f64) -> Option<usize> {
        let t = (log2_positive(magnitude) - self.lo) * self.scale;
        // `t < buckets` is false for NaN too.
        (t >= 0.0 && t < self.limit).then_some(t as usize)
    }

    /// Whether a value x whose position in the window is t (from [`log2_normal`]) falls
    /// in one of its buckets: then 0 ≤ t < buckets ≤ 2³¹. False for NaN.
    #[inline(always)]
    fn takes(&self, x: f64, t: f64) -> bool {
        (x > 0.0) & is_normal_or_above(x) & (t >= 0.0) & (t < self.limit)
    }

    /// The magnitudes bucket `k` covers: [lower, upper).
    fn edges(&self, k: usize) -> (f64, f64) {
        (
            fast_exp2(self.lo + k as f64 / self.scale),
            fast_exp2(self.lo + (k + 1) as f64 / self.scale),
        )
    }

    /// The largest relative width of a bucket: upper / lower − 1.
    fn relative_width(&self) -> f64 {
        if self.buckets == 0 {
            0.0
        } else {
            (MAX_SLOPE / self.scale).exp_m1()
        }
    }
}

/// Where a [`Sketch`]'s buckets lie, fixed before any value arrives (so that sketches
/// filled by different threads merge by adding counts, and results never depend on the
/// order of the work).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    positive: Window,
    negative: Window,
}

impl Layout {
    /// Buckets for the values a pilot sample suggests: a window for the positive values
    /// and one for the negative ones, each of at most `buckets` buckets, logarithmically
    /// spaced. Values outside them (zeros, rare extremes) are kept exactly.
    pub fn from_pilot(pilot: &[f64], buckets: usize) -> Layout {
        let buckets = buckets.min(MAX_BUCKETS);
        Layout {
            positive: Window::around(pilot.iter().copied().filter(|x| *x > 0.0), buckets),
            negative: Window::around(pilot.iter().filter(|x| **x < 0.0).map(|x| -x), buckets),
        }
    }

    /// The largest relative width of a bucket: a quantile read from a bucket is within this
    /// fraction of the true one (values outside the buckets are exact).
    pub fn relative_error(&self) -> f64 {
        self.positive
            .relative_width()
            .max(self.negative.relative_width())
    }
}

/// A streaming quantile summary with a guaranteed relative error, whatever the tails: a
/// log-bucketed sketch in the manner of DDSketch (Masson, Rim & Lee 2019) over a window set
/// in advance, plus the exact values that fall outside it.
///
/// A quantile read from it lies in the same bucket as the true order statistic, so its
/// relative error is at most [`Layout::relative_error`] (about 4·10⁻⁵ for a distribution
/// spanning a factor 2, 1.3·10⁻³ for one spanning six orders of magnitude); values outside
/// the window are exact, and so are the extremes. Counts are integers and the layout is
/// fixed, so sketches merge exactly, in any order.
#[derive(Debug, Clone)]
pub struct Sketch {
    layout: Layout,
    positive: BucketCounts,
    negative: BucketCounts,
    outside: Vec<f64>,
    /// Number of values, counted by [`Sketch::prepare`] (not in the inner loop).
    n: u64,
    min: f64,
    max: f64,
    /// Filled by [`Sketch::prepare`]: the values in ascending order as five segments
    /// (exact values below the negative window; the negative buckets, largest magnitude
    /// first; exact values between the windows, zeros among them; the positive buckets;
    /// exact values above the positive window), with running totals through each bucket.
    segments: [Segment; 5],
}

/// The counts of a window's buckets, 16 bits each: half the memory of 32-bit counts, so
/// that the sketches a Monte Carlo draw adds to (fine_chem's 27 positive windows of 16,384
/// buckets, 0.9 MB instead of 1.8 MB per thread) stay in the processor's second-level
/// cache, where every bucket is found in a few nanoseconds rather than tens. A count that
/// passes 65,535 wraps to 0 and the bucket is noted aside (a branch that is almost never
/// taken), so every count is exact: [`BucketCounts::full`] adds 65,536 for each note.
#[derive(Debug, Clone, Default)]
struct BucketCounts {
    /// Each bucket's count modulo 2¹⁶.
    low: Vec<u16>,
    /// (bucket, multiples of 2¹⁶ to add to its count), in the order they arose.
    carries: Vec<(u32, u32)>,
}

impl BucketCounts {
    /// `buckets` counts of 0.
    fn new(buckets: usize) -> BucketCounts {
        BucketCounts {
            low: vec![0; buckets],
            carries: Vec::new(),
        }
    }

    /// The counts `full` (bucket by bucket).
    fn from_full(full: &[u32]) -> BucketCounts {
        BucketCounts {
            low: full.iter().map(|&c| c as u16).collect(),
            carries: full
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > u32::from(u16::MAX))
                .map(|(k, &c)| (k as u32, c >> 16))
                .collect(),
        }
    }

    /// Number of buckets.
    fn len(&self) -> usize {
        self.low.len()
    }

    /// Counts one more value in bucket `k`; false, and nothing counted, when there is no
    /// such bucket.
    #[inline(always)]
    fn increment(&mut self, k: usize) -> bool {
        let Some(count) = self.low.get_mut(k) else {
            return false;
        };
        *count = count.wrapping_add(1);
        if *count == 0 {
            self.carries.push((k as u32, 1));
        }
        true
    }

    /// Counts one more value in each bucket of `at` that exists, in the 16-bit counts
    /// only: whether some bucket did not exist, and whether a count wrapped to 0 (then the
    /// caller undoes this with [`BucketCounts::decrement_all`] and counts the values one at
    /// a time). No branch and no reload of the counts' address per value, as there would be
    /// with [`BucketCounts::increment`]'s note.
    #[inline(always)]
    fn increment_all(&mut self, at: &[u32]) -> (bool, bool) {
        let low = &mut self.low[..];
        let (mut others, mut wrapped) = (false, false);
        for &k in at {
            match low.get_mut(k as usize) {
                Some(count) => {
                    *count = count.wrapping_add(1);
                    wrapped |= *count == 0;
                }
                None => others = true,
            }
        }
        (others, wrapped)
    }

    /// Undoes [`BucketCounts::increment_all`] of the same `at` (counts are modulo 2¹⁶, so
    /// the old ones come back exactly).
    fn decrement_all(&mut self, at: &[u32]) {
        for &k in at {
            if let Some(count) = self.low.get_mut(k as usize) {
                *count = count.wrapping_sub(1);
            }
        }
    }

    /// Every bucket's count.
    fn full(&self) -> Vec<u32> {
        let mut full: Vec<u32> = self.low.iter().map(|&c| u32::from(c)).collect();
        for &(k, times) in &self.carries {
            full[k as usize] += times << 16;
        }
        full
    }

    /// The sum of every bucket's count.
    fn total(&self) -> u64 {
        let low: u64 = self.low.iter().map(|&c| u64::from(c)).sum();
        let carried: u64 = self
            .carries
            .iter()
            .map(|&(_, times)| u64::from(times))
            .sum();
        low + (carried << 16)
    }

    /// Adds `other`'s counts (as many buckets) to these, in place: the 16-bit counts
    /// added with a note for each that wraps, and `other`'s notes taken over.
    fn add(&mut self, other: &BucketCounts) {
        for (k, (a, &b)) in self.low.iter_mut().zip(&other.low).enumerate() {
            let (sum, wrapped) = a.overflowing_add(b);
            *a = sum;
            if wrapped {
                self.carries.push((k as u32, 1));
            }
        }
        self.carries.extend_from_slice(&other.carries);
    }
}

/// Values [`Sketch::add_all`] takes at a time.
const BLOCK: usize = 64;

/// Fewer values than this [`Sketch::add_all`] adds one at a time rather than as a padded
/// block.
const SHORT: usize = 16;

/// [`Sketch::add_all`] as `pulp` runs it: compiled once per instruction set, the widest
/// the processor has chosen at run time (AVX2 finds four buckets at a time where SSE2
/// finds two). The arithmetic is the same on each, so are the counts.
struct AddAll<'a> {
    sketch: &'a mut Sketch,
    xs: &'a [f64],
}

impl pulp::WithSimd for AddAll<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        self.sketch.add_all_here(self.xs);
    }
}

/// One stretch of the ordered values (see [`Sketch::segments`]).
#[derive(Debug, Clone, Default)]
struct Segment {
    /// Values before this segment.
    before: u64,
    /// Exact values, ascending (segments 0, 2 and 4).
    exact: Vec<f64>,
    /// Running totals of bucket counts, in ascending value order (segments 1 and 3).
    running: Vec<u64>,
}

impl Segment {
    fn len(&self) -> u64 {
        self.exact.len() as u64 + self.running.last().copied().unwrap_or(0)
    }
}

/// What a [`Sketch`] holds before [`Sketch::prepare`], as plain data to be written and read
/// back (a run split across machines, merged later): its layout is not part of it, the
/// reader supplies it. Bucket counts are sparse, (bucket, count) in bucket order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SketchParts {
    /// Non-zero buckets of the positive window.
    pub positive: Vec<(u32, u32)>,
    /// Non-zero buckets of the negative window.
    pub negative: Vec<(u32, u32)>,
    /// The values kept exactly, in ascending order (`f64::total_cmp`).
    pub outside: Vec<f64>,
    /// The smallest value (+∞ when empty).
    pub min: f64,
    /// The largest value (−∞ when empty).
    pub max: f64,
}

impl Sketch {
    /// The sketch's contents as plain data (see [`SketchParts`]).
    pub fn parts(&self) -> SketchParts {
        let sparse = |counts: &[u32]| {
            counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(k, &c)| (k as u32, c))
                .collect()
        };
        // In ascending order, not the order they came in (which depends on how the
        // values were split between threads): the same sketch gives the same parts.
        let mut outside = self.outside.clone();
        outside.sort_by(f64::total_cmp);
        SketchParts {
            positive: sparse(&self.positive.full()),
            negative: sparse(&self.negative.full()),
            outside,
            min: self.min,
            max: self.max,
        }
    }

    /// The sketch with `layout` and the contents `parts`, or why they do not fit it (a
    /// bucket beyond the layout's, or a bucket given twice or out of order).
    pub fn from_parts(layout: Layout, parts: &SketchParts) -> Result<Sketch, String> {
        let mut sketch = Sketch::new(layout);
        for (counts, sparse) in [
            (&mut sketch.positive, &parts.positive),
            (&mut sketch.negative, &parts.negative),
        ] {
            let mut full = vec![0; counts.len()];
            let mut next = 0_usize;
            for &(k, c) in sparse {
                let k = k as usize;
                if k < next || k >= full.len() {
                    return Err(format!(
                        "bucket {k} is out of order or beyond the {} buckets of the window",
                        full.len()
                    ));
                }
                full[k] = c;
                next = k + 1;
            }
            *counts = BucketCounts::from_full(&full);
        }
        sketch.outside = parts.outside.clone();
        sketch.min = parts.min;
        sketch.max = parts.max;
        Ok(sketch)
    }

    /// Values added so far (buckets and exact values; [`Sketch::prepare`] need not have
    /// run).
    pub fn count(&self) -> u64 {
        self.positive.total() + self.negative.total() + self.outside.len() as u64
    }

    /// An empty sketch with the given buckets.
    pub fn new(layout: Layout) -> Sketch {
        Sketch {
            layout,
            positive: BucketCounts::new(layout.positive.buckets),
            negative: BucketCounts::new(layout.negative.buckets),
            outside: Vec::new(),
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            segments: Default::default(),
        }
    }

    /// Adds one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.min = smaller(self.min, x);
        self.max = larger(self.max, x);
        let counted = x > 0.0
            && self
                .layout
                .positive
                .index(x)
                .is_some_and(|k| self.positive.increment(k));
        if !counted {
            self.add_unbucketed(x);
        }
    }

    /// Adds every value of `xs`: the same counts, extremes and exact values as [`Sketch::add`]
    /// one at a time, computed a block at a time. The positive window's bucket of every
    /// value is found first in a loop without branches (which the compiler vectorises),
    /// then the counts are incremented, one sketch at a time so that its buckets stay in
    /// cache; anything else (negative values, zeros, values outside the window) takes
    /// [`Sketch::add`]'s path.
    pub fn add_all(&mut self, xs: &[f64]) {
        if xs.len() < SHORT {
            // Too few to be worth a block's work: one at a time.
            for &x in xs {
                self.add(x);
            }
            return;
        }
        pulp::Arch::new().dispatch(AddAll { sketch: self, xs });
    }

    /// [`Sketch::add_all`] for one instruction set (see [`AddAll`]).
    #[inline(always)]
    fn add_all_here(&mut self, xs: &[f64]) {
        let mut blocks = xs.chunks_exact(BLOCK);
        for block in &mut blocks {
            self.add_block::<BLOCK>(block.try_into().expect("a whole block"), BLOCK);
        }
        // The rest in blocks of `SHORT` (a block of 64 for the 23 values left of 151
        // would find 41 buckets for nothing), the last padded with a copy of a value in
        // it, which changes no extreme, and counted only up to its length.
        let mut shorts = blocks.remainder().chunks(SHORT);
        for rest in &mut shorts {
            let mut block = [rest[0]; SHORT];
            block[..rest.len()].copy_from_slice(rest);
            self.add_block::<SHORT>(&block, rest.len());
        }
    }

    /// Adds the first `len` values of `block`; the others must be copies of values in it.
    #[inline(always)]
    fn add_block<const N: usize>(&mut self, block: &[f64; N], len: usize) {
        let w = self.layout.positive;
        // Each value's bucket in the positive window, or a number beyond its buckets for a
        // value it does not take; fixed lengths, so that it vectorises.
        let mut at = [0_u32; N];
        for (k, &x) in at.iter_mut().zip(block) {
            let t = (log2_normal(x) - w.lo) * w.scale;
            // −1 floors to a number of 2³¹ or more, beyond every window's buckets.
            *k = floor_small(if w.takes(x, t) { t } else { -1.0 });
        }
        let mut lo = [self.min; 4];
        let mut hi = [self.max; 4];
        for quad in block.chunks_exact(4) {
            for ((lo, hi), &x) in lo.iter_mut().zip(&mut hi).zip(quad) {
                *lo = smaller(*lo, x);
                *hi = larger(*hi, x);
            }
        }
        self.min = smaller(smaller(lo[0], lo[1]), smaller(lo[2], lo[3]));
        self.max = larger(larger(hi[0], hi[1]), larger(hi[2], hi[3]));
        let at = &at[..len];
        let (others, wrapped) = self.positive.increment_all(at);
        if wrapped {
            // A count passed 65,535 (rare): the block again, one value at a time, each
            // bucket's carries noted as they arise.
            self.positive.decrement_all(at);
            for &k in at {
                self.positive.increment(k as usize);
            }
        }
        if others {
            for (&k, &x) in at.iter().zip(&block[..len]) {
                if k as usize >= self.positive.len() {
                    self.add_unbucketed(x);
                }
            }
        }
    }

    /// Adds a value the positive window does not take (negative, zero, NaN, or outside
    /// it), apart from the extremes, which the caller has taken.
    fn add_unbucketed(&mut self, x: f64) {
        let counted = x < 0.0
            && self
                .layout
                .negative
                .index(-x)
                .is_some_and(|k| self.negative.increment(k));
        if !counted {
            self.outside.push(x);
        }
    }

    /// Adds every value of `other` (same layout).
    pub fn merge(&mut self, other: &Sketch) {
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.positive.add(&other.positive);
        self.negative.add(&other.negative);
        self.outside.extend_from_slice(&other.outside);
    }

    /// The largest relative error of a quantile (see [`Layout::relative_error`]).
    pub fn relative_error(&self) -> f64 {
        self.layout.relative_error()
    }

    /// Orders the exact values and sums the buckets for queries, once all values are in.
    pub fn prepare(&mut self) {
        self.outside.sort_by(f64::total_cmp);
        let (pos, neg) = (self.layout.positive, self.layout.negative);
        // Exact values below the negative window, between the windows, above the positive.
        let below_negative = |x: f64| neg.buckets > 0 && x < 0.0 && neg.beyond_upper(-x);
        let above_positive = |x: f64| pos.buckets > 0 && x > 0.0 && pos.beyond_upper(x);
        let first = self.outside.partition_point(|&x| below_negative(x));
        let last = self.outside.partition_point(|&x| !above_positive(x));
        let running = |counts: &mut dyn Iterator<Item = u32>| {
            let mut total = 0u64;
            counts
                .map(|c| {
                    total += u64::from(c);
                    total
                })
                .collect::<Vec<u64>>()
        };
        let mut segments: [Segment; 5] = [
            Segment {
                exact: self.outside[..first].to_vec(),
                ..Segment::default()
            },
            Segment {
                running: running(&mut self.negative.full().into_iter().rev()),
                ..Segment::default()
            },
            Segment {
                exact: self.outside[first..last.max(first)].to_vec(),
                ..Segment::default()
            },
            Segment {
                running: running(&mut self.positive.full().into_iter()),
                ..Segment::default()
            },
            Segment {
                exact: self.outside[last.max(first)..].to_vec(),
                ..Segment::default()
            },
        ];
        let mut before = 0;
        for segment in &mut segments {
            segment.before = before;
            before += segment.len();
        }
        self.n = before;
        self.segments = segments;
    }

    /// The bucket (lower, upper edge, count, values before it) of the `j`-th bucket of
    /// segment 1 (negative, ascending) or 3 (positive).
    fn bucket(&self, segment: usize, j: usize) -> (f64, f64, u64, u64) {
        let seg = &self.segments[segment];
        let before_in = if j == 0 { 0 } else { seg.running[j - 1] };
        let count = seg.running[j] - before_in;
        let (lo, hi) = if segment == 1 {
            // Ascending values run through the negative buckets from the largest magnitude.
            let k = self.negative.len() - 1 - j;
            let (a, b) = self.layout.negative.edges(k);
            (-b, -a)
        } else {
            self.layout.positive.edges(j)
        };
        (lo, hi, count, seg.before + before_in)
    }

    /// The value at rank `r` (0-based, fractional) of the sorted values, assuming the
    /// values in a bucket are spread evenly over it.
    fn at_rank(&self, r: f64) -> f64 {
        let s = self
            .segments
            .iter()
            .rposition(|seg| seg.before as f64 <= r && seg.len() > 0)
            .unwrap_or(0);
        let seg = &self.segments[s];
        let within = r - seg.before as f64;
        if s % 2 == 0 {
            let i = (within.max(0.0) as usize).min(seg.exact.len().saturating_sub(1));
            return seg.exact.get(i).copied().unwrap_or(f64::NAN);
        }
        let j = seg
            .running
            .partition_point(|&c| (c as f64) <= within)
            .min(seg.running.len() - 1);
        let (lo, hi, count, before) = self.bucket(s, j);
        let f = ((r - before as f64 + 0.5) / count as f64).clamp(0.0, 1.0);
        lo + (hi - lo) * f
    }

    /// The `p` quantile (0 ≤ p ≤ 1), ranks interpolated as NumPy's default `linear`
    /// method; within [`Sketch::relative_error`] of the exact sample quantile.
    pub fn quantile(&self, p: f64) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let r = p * (self.n - 1) as f64;
        let (r0, r1) = (r.floor(), r.ceil());
        let (a, b) = (self.at_rank(r0), self.at_rank(r1));
        (a + (b - a) * (r - r0)).clamp(self.min, self.max)
    }

    /// Share of values at or below `x` (within a bucket, assuming its values are spread
    /// evenly over the part of it between the exact extremes, as [`Sketch::quantile`]
    /// does: a bucket holding the smallest or largest value ends there, so values that are
    /// all the same give 0 below that value and 1 from it up, not a ramp across their
    /// bucket).
    pub fn cdf(&self, x: f64) -> f64 {
        self.share(x, false)
    }

    /// Share of values strictly below `x`. It differs from [`Sketch::cdf`] by the values
    /// equal to `x` that the sketch knows exactly (those kept exactly, and a bucket whose
    /// values are all the one number `x`; a bucket of values spread over it puts no weight
    /// on a single number). P(X ≥ x) is 1 − this, not 1 − [`Sketch::cdf`], which is
    /// P(X > x).
    pub fn below(&self, x: f64) -> f64 {
        self.share(x, true)
    }

    /// [`Sketch::cdf`], or [`Sketch::below`] when `strict`.
    fn share(&self, x: f64, strict: bool) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let mut count = 0.0;
        for (s, seg) in self.segments.iter().enumerate() {
            if s % 2 == 0 {
                count += if strict {
                    seg.exact.partition_point(|&v| v < x)
                } else {
                    seg.exact.partition_point(|&v| v <= x)
                } as f64;
                continue;
            }
            let window = if s == 1 {
                self.layout.negative
            } else {
                self.layout.positive
            };
            let Some(total) = seg.running.last().copied() else {
                continue;
            };
            // Where x falls among this segment's buckets, in their ascending order.
            let t = match s {
                1 if x >= 0.0 => {
                    count += total as f64;
                    continue;
                }
                1 => window.buckets as f64 - window.position(-x).unwrap_or(0.0),
                _ if x <= 0.0 || x.is_nan() => continue,
                _ => window.position(x).unwrap_or(0.0),
            }
            .clamp(0.0, window.buckets as f64);
            let j = (t.floor() as usize).min(window.buckets);
            let before = if j == 0 { 0 } else { seg.running[j - 1] };
            let partial = if j < window.buckets {
                let (lo, hi, c, _) = self.bucket(s, j);
                let (lo, hi) = (lo.max(self.min), hi.min(self.max));
                if hi > lo {
                    c as f64 * ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
                } else if x > hi || (x == hi && !strict) {
                    c as f64
                } else {
                    0.0
                }
            } else {
                0.0
            };
            count += before as f64 + partial;
        }
        count / self.n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_logarithm_is_steepest_where_max_slope_says() {
        // d ln x / d fast_log2(x) = 1 / ((1 + m) P'(m)) over the mantissa m in [0, 1).
        let (a, b, c) = (6.0 / 35.0, -3.0 / 5.0, 10.0 / 7.0);
        let steepest = (0..=100_000)
            .map(|i| {
                let m = f64::from(i) / 100_000.0;
                1.0 / ((1.0 + m) * ((3.0 * a * m + 2.0 * b) * m + c))
            })
            .fold(0.0, f64::max);
        assert!(steepest <= MAX_SLOPE + 1e-12, "{steepest}");
        assert!(steepest > MAX_SLOPE - 1e-9);
    }

    #[test]
    fn the_fast_logarithm_inverts_and_stays_near_log2() {
        for x in [1e-300, 3e-9, 0.5, 1.0, 1.5, 2.0, 3.0, 350.0, 1.7e12, 5e307] {
            let l = fast_log2(x);
            assert!((l - x.log2()).abs() < 0.01, "{x}: {l}");
            assert!((fast_exp2(l) / x - 1.0).abs() < 1e-12, "{x}");
        }
        let mut prev = f64::NEG_INFINITY;
        for i in 1..10_000 {
            let l = fast_log2(f64::from(i) * 0.37);
            assert!(l > prev);
            prev = l;
        }
    }

    #[test]
    fn quantiles_stay_within_the_relative_error_of_exact_ones() {
        // A deterministic heavy-tailed sample: x = 1 / u on a fine grid of u.
        let values: Vec<f64> = (1..=200_000)
            .map(|i| 1.0 / (f64::from(i) / 200_001.0))
            .collect();
        let pilot: Vec<f64> = values.iter().step_by(97).copied().collect();
        let mut sketch = Sketch::new(Layout::from_pilot(&pilot, 4096));
        for &x in &values {
            sketch.add(x);
        }
        sketch.prepare();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let bound = sketch.relative_error();
        assert!(bound < 0.02, "{bound}");
        for p in [
            0.0, 0.001, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.999, 1.0,
        ] {
            let r = p * (sorted.len() - 1) as f64;
            let (lo, hi) = (sorted[r.floor() as usize], sorted[r.ceil() as usize]);
            let exact = lo + (hi - lo) * (r - r.floor());
            let got = sketch.quantile(p);
            assert!((got / exact - 1.0).abs() <= bound, "P{p}: {got} vs {exact}");
        }
    }

    #[test]
    fn adding_a_block_is_adding_each_value() {
        // Every kind of value: inside the positive window, at its edges, beyond it on both
        // sides, negative inside and outside the negative window, zeros of both signs,
        // subnormals, the extremes of f64, infinities and NaN; in blocks of every length
        // around the 64 values `add_all` takes at a time.
        let pilot: Vec<f64> = (1..400).map(|i| f64::from(i) * 0.5 - 40.0).collect();
        let layout = Layout::from_pilot(&pilot, 1024);
        let w = layout.positive;
        let edge = fast_exp2(w.lo);
        let special = [
            0.0,
            -0.0,
            5e-324,
            -5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            edge,
            edge * (1.0 - 1e-15),
            fast_exp2(w.lo + w.buckets as f64 / w.scale),
            1e-9,
            -1e9,
            1e9,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut values = Vec::new();
        for i in 0..5_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            values.push(if i % 37 == 0 {
                special[(state % special.len() as u64) as usize]
            } else {
                (u - 0.2) * 300.0
            });
        }
        for len in [0, 1, 63, 64, 65, 200, 5_000] {
            let mut one = Sketch::new(layout);
            let mut blocks = Sketch::new(layout);
            for &x in &values[..len] {
                one.add(x);
            }
            for block in values[..len].chunks(len.clamp(1, 129)) {
                blocks.add_all(block);
            }
            let (a, b) = (one.parts(), blocks.parts());
            assert_eq!(a.positive, b.positive, "{len}");
            assert_eq!(a.negative, b.negative, "{len}");
            assert_eq!(format!("{:?}", a.outside), format!("{:?}", b.outside));
            assert_eq!(a.min.to_bits(), b.min.to_bits(), "{len}");
            assert_eq!(a.max.to_bits(), b.max.to_bits(), "{len}");
            assert_eq!(blocks.count(), len as u64);
            // The same on the baseline instruction set as on the one dispatched to.
            let mut baseline = Sketch::new(layout);
            baseline.add_all_here(&values[..len]);
            let c = baseline.parts();
            assert_eq!((a.positive, a.negative), (c.positive, c.negative));
            assert_eq!(format!("{:?}", a.outside), format!("{:?}", c.outside));
        }
    }

    #[test]
    fn counts_past_sixteen_bits_stay_exact() {
        // A constant value (every draw in one bucket, as a fixed share or a stated figure
        // gives) and a negative one, far more often than a 16-bit count holds, and a
        // value whose count passes 65,535 only when two sketches are merged: counted in
        // blocks and one at a time, merged, written as parts and read back.
        let pilot = [340.0, 350.0, 360.0, -5.0, -6.0];
        let layout = Layout::from_pilot(&pilot, 1024);
        let mut a = Sketch::new(layout);
        for _ in 0..(150_000 / 1000) {
            a.add_all(&[350.0; 1000]);
        }
        for _ in 0..70_000 {
            a.add(350.0);
        }
        for _ in 0..70_000 {
            a.add(-5.5);
        }
        a.add_all(&vec![340.0; 30_000]);
        let mut b = Sketch::new(layout);
        b.add_all(&vec![350.0; 131_071]);
        b.add_all(&vec![-5.5; 65_536]);
        b.add_all(&vec![340.0; 36_000]);
        a.merge(&b);
        let parts = a.parts();
        let counts = |buckets: &[(u32, u32)]| buckets.iter().map(|b| b.1).collect::<Vec<_>>();
        assert_eq!(
            counts(&parts.positive),
            [66_000, 150_000 + 70_000 + 131_071]
        );
        assert_eq!(counts(&parts.negative), [70_000 + 65_536]);
        assert_eq!(a.count(), 66_000 + 351_071 + 135_536);
        let back = Sketch::from_parts(layout, &parts).expect("the same layout");
        assert_eq!(back.parts(), parts);
        // Ranks through the buckets: 66,000 values of 340, then 351,071 of 350, after the
        // 135,536 negative ones.
        a.prepare();
        let error = layout.relative_error();
        assert!((a.quantile(0.5) / 350.0 - 1.0).abs() <= error);
        assert!((a.quantile(0.1) / -5.5 - 1.0).abs() <= error);
    }

    #[test]
    fn block_moments_agree_with_closed_forms() {
        // 1, 2, …, n: mean (n + 1) / 2, squared deviations n (n² − 1) / 12; in blocks of
        // several sizes, and shifted far from zero (where summing x² would lose it all).
        for shift in [0.0, 1e9] {
            let n = 10_001_u64;
            let values: Vec<f64> = (1..=n).map(|i| i as f64 + shift).collect();
            for block in [1, 3, 64, 256, 10_001] {
                let mut w = Welford::default();
                for b in values.chunks(block) {
                    w.push_all(b);
                }
                let nf = n as f64;
                assert_eq!(w.n, n);
                assert!(
                    (w.mean - ((nf + 1.0) / 2.0 + shift)).abs() < 1e-6,
                    "{block}"
                );
                let m2 = nf * (nf * nf - 1.0) / 12.0;
                assert!((w.m2 / m2 - 1.0).abs() < 1e-9, "{block}: {} vs {m2}", w.m2);
            }
        }
        let mut empty = Welford::default();
        empty.push_all(&[]);
        assert_eq!(empty, Welford::default());
        // A constant has its own value as mean and no spread, exactly, in blocks of any
        // size (a baseline that no input varies: its SD is 0, not 2e-15).
        for x in [9.4, 0.05875, -3.3e7] {
            for block in [1, 2, 5, 64, 151] {
                let mut w = Welford::default();
                for _ in 0..7 {
                    w.push_all(&vec![x; block]);
                }
                assert_eq!((w.mean, w.m2), (x, 0.0), "{x} in blocks of {block}");
            }
        }
    }

    #[test]
    fn signs_zeros_and_constants_are_handled() {
        let values: Vec<f64> = (-500..=500).map(|i| f64::from(i) / 10.0).collect();
        let mut sketch = Sketch::new(Layout::from_pilot(&values, 1024));
        for &x in &values {
            sketch.add(x);
        }
        sketch.prepare();
        assert_eq!(sketch.quantile(0.5), 0.0);
        assert_eq!(sketch.quantile(0.0), -50.0);
        assert_eq!(sketch.quantile(1.0), 50.0);
        assert!((sketch.quantile(0.25) + 25.0).abs() < 25.0 * sketch.relative_error() + 1e-9);
        assert!((sketch.cdf(0.0) - 501.0 / 1001.0).abs() < 1e-3);
        let mut constant = Sketch::new(Layout::from_pilot(&[350.0; 10], 1024));
        for _ in 0..1000 {
            constant.add(350.0);
        }
        constant.prepare();
        assert_eq!(constant.quantile(0.37), 350.0);
        assert_eq!(constant.cdf(349.99), 0.0);
        assert_eq!(constant.cdf(350.0), 1.0);
    }

    /// Values that all lie in one bucket (a constant, or a few values a hair apart): the
    /// share at or below x is the exact count outside the span of the values, and never a
    /// ramp across the whole bucket (it once gave 47% for P(X ≤ 16.00001) of a constant
    /// 16, whose bucket reached above 16.00001).
    #[test]
    fn the_cdf_of_values_in_one_bucket_stays_within_their_extremes() {
        for (pilot, values) in [
            (vec![16.0; 50], vec![16.0; 2000]),
            // Pilots that spread the window around 16: the values fall inside a bucket.
            (
                (1..=50).map(|i| f64::from(i) * 0.7).collect(),
                vec![16.0; 2000],
            ),
            (
                (1..=50).map(|i| f64::from(i) * 0.7).collect(),
                (0..2000).map(|i| 16.0 + f64::from(i % 3) * 1e-9).collect(),
            ),
            // The same below zero.
            (
                (1..=50).map(|i| -f64::from(i) * 0.7).collect(),
                vec![-16.0; 2000],
            ),
        ] {
            let mut sketch = Sketch::new(Layout::from_pilot(&pilot, 2048));
            for &x in &values {
                sketch.add(x);
            }
            sketch.prepare();
            let (lo, hi) = (values[0].min(values[2]), values[0].max(values[2]));
            for x in [lo - 1e-5, lo - 1e-12, lo, hi, hi + 1e-12, hi + 1e-5] {
                let exact = values.iter().filter(|&&v| v <= x).count() as f64 / 2000.0;
                let got = sketch.cdf(x);
                if x < lo || x >= hi {
                    assert_eq!(got, exact, "{x} near {}", values[0]);
                } else {
                    // Between the extremes, the bucket's spread is assumed even.
                    assert!((0.0..=1.0).contains(&got), "{x}: {got}");
                }
            }
        }
    }

    #[test]
    fn the_cdf_agrees_with_exact_counts_across_signs_and_tails() {
        // Negative, zero, positive, and a heavy upper tail beyond the pilot's window.
        let mut values: Vec<f64> = (0..50_000)
            .map(|i| {
                let u = (f64::from(i) + 0.5) / 50_000.0;
                if u < 0.3 {
                    -1.0 / u
                } else if u < 0.35 {
                    0.0
                } else {
                    1.0 / (1.0 - u)
                }
            })
            .collect();
        let pilot: Vec<f64> = values.iter().step_by(50).copied().collect();
        let mut sketch = Sketch::new(Layout::from_pilot(&pilot, 2048));
        for &x in &values {
            sketch.add(x);
        }
        sketch.prepare();
        values.sort_by(f64::total_cmp);
        for x in [
            -1e6, -40.0, -3.3, -1.0, -0.5, 0.0, 0.2, 1.0, 1.6, 7.0, 300.0, 5e4, 1e9,
        ] {
            let exact = values.partition_point(|&v| v <= x) as f64 / values.len() as f64;
            // Within one bucket's count of the exact share.
            assert!(
                (sketch.cdf(x) - exact).abs() < 0.002,
                "{x}: {} vs {exact}",
                sketch.cdf(x)
            );
        }
        for p in [0.01, 0.2, 0.5, 0.9, 0.999] {
            let q = sketch.quantile(p);
            assert!(
                (sketch.cdf(q) - p).abs() < 0.002,
                "P{p} = {q}: cdf {}",
                sketch.cdf(q)
            );
        }
        // Inside the atom of zeros (30% to 35% of the values) the quantile is the atom.
        assert_eq!(sketch.quantile(0.32), 0.0);
    }

    #[test]
    fn merging_in_any_order_gives_the_same_answers() {
        let values: Vec<f64> = (1..=30_000)
            .map(|i| (f64::from(i) * 0.618_034).fract() * 90.0 + 10.0)
            .collect();
        let layout = Layout::from_pilot(&values[..500], 2048);
        let part = |range: std::ops::Range<usize>| {
            let mut s = Sketch::new(layout);
            for &x in &values[range] {
                s.add(x);
            }
            s
        };
        let (a, b, c) = (part(0..10_000), part(10_000..20_000), part(20_000..30_000));
        let mut one = a.clone();
        one.merge(&b);
        one.merge(&c);
        let mut two = c;
        two.merge(&a);
        two.merge(&b);
        one.prepare();
        two.prepare();
        for p in [0.01, 0.3, 0.5, 0.99] {
            assert_eq!(one.quantile(p).to_bits(), two.quantile(p).to_bits());
        }
    }
}
