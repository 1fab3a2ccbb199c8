//! Uniform draws on (0, 1) for Monte Carlo: plain random or Latin hypercube, from a
//! reproducible, chunk-addressable random number generator.
//!
//! Every draw later goes through a quantile function (see
//! [`super::distribution::Quantile`]), so the values here are probabilities: they are
//! kept strictly inside (0, 1), because 0 and 1 map to the (possibly infinite) ends of a
//! distribution's support.
//!
//! Reproducibility: a run is cut into chunks, and chunk `c` of a run with seed `s` always
//! draws from [`chunk_rng`]`(s, c)`, an independent ChaCha8 stream, so results do not
//! depend on how chunks are spread over threads. The integer and float conversions are
//! implemented here rather than taken from `rand`, so that the sequence of values for a
//! seed cannot change when `rand` is upgraded.
//!
//! # References
//!
//! - M. D. McKay, R. J. Beckman and W. J. Conover (1979), "A Comparison of Three Methods
//!   for Selecting Values of Input Variables in the Analysis of Output from a Computer
//!   Code", *Technometrics* 21(2), 239–245 (Latin hypercube sampling).
//! - R. A. Fisher and F. Yates (1938); R. Durstenfeld (1964), "Algorithm 235: Random
//!   permutation", *CACM* 7(7), 420 (the in-place shuffle).
//! - D. Lemire (2019), "Fast Random Integer Generation in an Interval", *ACM TOMACS*
//!   29(1), article 3 (unbiased bounded integers without division in the common case).
//! - D. J. Bernstein (2008), "ChaCha, a variant of Salsa20" (the generator; `rand_chacha`).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How the uniforms of each column are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Method {
    /// Independent uniform draws.
    Random,
    /// Latin hypercube (McKay, Beckman & Conover 1979): each column has exactly one value
    /// in each of the n equal strata of (0, 1), in random order, so every part of each
    /// input's distribution is represented and means converge faster than with
    /// [`Method::Random`].
    LatinHypercube,
}

/// The generator for chunk number `chunk` of a run with `seed`.
///
/// ChaCha8 keyed by `seed` (expanded by `seed_from_u64`), on stream `chunk`: ChaCha has
/// 2⁶⁴ independent streams per key, so chunks never overlap however many draws each
/// takes, and any chunk can be regenerated on its own.
pub fn chunk_rng(seed: u64, chunk: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(chunk);
    rng
}

/// `k` columns of `n` uniforms in the open interval (0, 1), from `rng`.
///
/// - [`Method::Random`]: each value is an independent draw (m + ½)·2⁻⁵², m the top 52
///   bits of a 64-bit output, so in \[2⁻⁵³, 1 − 2⁻⁵³\] and symmetric about ½; columns are
///   filled one after another.
/// - [`Method::LatinHypercube`]: for each column in turn, the strata 0..n are shuffled
///   (Fisher–Yates, consuming n − 1 bounded integers), then value j is drawn uniformly
///   inside stratum `perm[j]`, i.e. in \[perm\[j\]/n, (perm\[j\]+1)/n), consuming n more
///   draws. Values are clamped into their stratum so rounding can never push one into the
///   next stratum or onto 1.
///
/// The output is a deterministic function of the generator's state, `method`, `n` and `k`.
/// Cost: O(n·k) time; memory n·k floats plus, for Latin hypercube, one n-element
/// permutation reused across columns.
pub fn uniforms(method: Method, n: usize, k: usize, rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
    uniforms_for(method, n, &vec![false; k], rng)
}

/// [`uniforms`] for `ordered.len()` columns, where a Latin hypercube column whose entry of
/// `ordered` is true comes in the order of its strata (ascending) rather than in the
/// random order of its rows: the same values from the same random numbers, each moved to
/// the row of its stratum. For a column whose order is about to be discarded (Iman–Conover
/// keeps only a column's values, and sorts them: sorted already, they take one pass).
pub fn uniforms_for(
    method: Method,
    n: usize,
    ordered: &[bool],
    rng: &mut ChaCha8Rng,
) -> Vec<Vec<f64>> {
    let mut columns = Vec::new();
    uniforms_in(
        method,
        n,
        ordered,
        rng,
        &mut columns,
        &mut Scratch::default(),
    );
    columns
}

/// The working memory of [`uniforms_in`] besides its columns, kept by a caller that draws
/// chunk after chunk (see [`uniforms_in`]).
#[derive(Debug, Default)]
pub struct Scratch {
    strata: Vec<u32>,
    units: Vec<f64>,
}

/// [`uniforms_for`] into `columns` (made `ordered.len()` columns of `n` values), working
/// in the memory `columns` and `scratch` already have: the same numbers, bit for bit. For
/// a caller drawing chunk after chunk (each a few MB, which, allocated afresh, came back
/// from the system as new pages, a page fault each).
pub fn uniforms_in(
    method: Method,
    n: usize,
    ordered: &[bool],
    rng: &mut ChaCha8Rng,
    columns: &mut Vec<Vec<f64>>,
    scratch: &mut Scratch,
) {
    columns.resize_with(ordered.len(), Vec::new);
    // Every value of every column is written below: old values need no clearing.
    for column in columns.iter_mut() {
        column.resize(n, 0.0);
    }
    match method {
        Method::Random => {
            for column in columns.iter_mut() {
                open_units(rng, column);
            }
        }
        // Strata numbered in 32 bits where they fit (every chunk of draws): the shuffle
        // swaps entries at random across the whole column, and half the bytes keep more
        // of them in cache; the permutation is the same.
        Method::LatinHypercube if u32::try_from(n).is_ok() => {
            latin(
                ordered,
                rng,
                columns,
                &mut scratch.strata,
                &mut scratch.units,
            );
        }
        Method::LatinHypercube => {
            latin::<usize>(ordered, rng, columns, &mut Vec::new(), &mut scratch.units)
        }
    }
}

/// A stratum's number, in as few bytes as its column's length allows.
trait Stratum: Copy {
    fn of(i: usize) -> Self;
    fn index(self) -> usize;
}

impl Stratum for u32 {
    fn of(i: usize) -> u32 {
        i as u32
    }
    fn index(self) -> usize {
        self as usize
    }
}

impl Stratum for usize {
    fn of(i: usize) -> usize {
        i
    }
    fn index(self) -> usize {
        self
    }
}

/// The Latin hypercube columns of [`uniforms_in`] into `columns` (each already n long),
/// strata numbered as `S` (which must hold every number below n), in the memory of
/// `strata` and `units`.
fn latin<S: Stratum>(
    ordered: &[bool],
    rng: &mut ChaCha8Rng,
    columns: &mut [Vec<f64>],
    strata: &mut Vec<S>,
    units: &mut Vec<f64>,
) {
    let n = columns.first().map_or(0, Vec::len);
    // n as f64 is exact for any n a machine can hold in memory (< 2^53).
    let n_f = n as f64;
    // i / n for a power of two n is i · (1/n) exactly (both are i with its exponent
    // lowered): a multiplication in place of two divisions per value for a whole chunk of
    // draws (2¹⁶; 8 columns of one: 3.79–3.88 → 3.43–3.52 ms, fastest of 60). Each way is
    // compiled on its own, without a branch per value.
    if n.is_power_of_two() {
        let inverse = 1.0 / n_f;
        latin_with(ordered, rng, columns, strata, units, |i| i as f64 * inverse);
    } else {
        latin_with(ordered, rng, columns, strata, units, |i| i as f64 / n_f);
    }
}

/// [`latin`] with `bound(i)` = i / n, the lower bound of stratum i.
fn latin_with<S: Stratum>(
    ordered: &[bool],
    rng: &mut ChaCha8Rng,
    columns: &mut [Vec<f64>],
    strata: &mut Vec<S>,
    units: &mut Vec<f64>,
    bound: impl Fn(usize) -> f64,
) {
    let n = columns.first().map_or(0, Vec::len);
    let value = |s: usize, unit: f64| {
        let (lo, hi) = (bound(s), bound(s + 1));
        let v = lo + unit * (hi - lo);
        // Rounding in the line above may land on `hi` (which is 1.0 for the top
        // stratum); the largest float below it is still inside the stratum
        // (lo < hi as floats, since 1/n is far above their spacing). In the
        // bottom stratum v ≥ 2^-53/n > 0.
        v.clamp(lo, hi.next_down())
    };
    for (&ordered, column) in ordered.iter().zip(columns) {
        strata.clear();
        strata.extend((0..n).map(S::of));
        shuffle(strata, rng);
        // Row j's uniform inside its stratum, strata[j], from the j-th of n open
        // units (drawn together: the same numbers as one at a time).
        if ordered {
            units.resize(n, 0.0);
            open_units(rng, units);
            for (&s, &unit) in strata.iter().zip(units.iter()) {
                column[s.index()] = value(s.index(), unit);
            }
        } else {
            open_units(rng, column);
            for (x, &s) in column.iter_mut().zip(strata.iter()) {
                *x = value(s.index(), *x);
            }
        }
    }
}

/// Fills `out` with uniform draws in the open interval (0, 1), one per 64-bit output of
/// `rng` in order: (m + ½)·2⁻⁵² with m the top 52 bits of the output, i.e. the midpoints
/// of 2⁵² equal cells. Every value is exactly representable, the smallest is 2⁻⁵³ and the
/// largest 1 − 2⁻⁵³, and the set is symmetric about ½ (so u and 1 − u are equally likely,
/// as the quantile transform expects). The outputs are taken in blocks (`fill_bytes`
/// reads the same little-endian words `next_u64` would) and converted without branches,
/// which the compiler vectorises.
pub(crate) fn open_units(rng: &mut ChaCha8Rng, out: &mut [f64]) {
    const SCALE: f64 = 1.0 / (1_u64 << 52) as f64;
    // 2⁵²: its bits with m < 2⁵² in the low mantissa bits are 2⁵² + m, exactly.
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let mut bytes = [0_u8; 8 * 64];
    for block in out.chunks_mut(64) {
        let bytes = &mut bytes[..8 * block.len()];
        rng.fill_bytes(bytes);
        for (x, word) in block.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut le = [0_u8; 8];
            le.copy_from_slice(word);
            let m = f64::from_bits(TWO_52.to_bits() | (u64::from_le_bytes(le) >> 12)) - TWO_52;
            *x = (m + 0.5) * SCALE;
        }
    }
}

/// Fisher–Yates (Durstenfeld) shuffle: position i swaps with a uniform j in 0..=i, from
/// the top down, which makes all n! orders equally likely. The bounded integers come from
/// [`Words`]: the same numbers, and the generator left in the same place, as drawing each
/// with `next_u32`.
pub(crate) fn shuffle<T>(items: &mut [T], rng: &mut ChaCha8Rng) {
    let mut words = Words::new(rng);
    for i in (1..items.len()).rev() {
        let j = below(&mut words, i as u64 + 1) as usize;
        items.swap(i, j);
    }
    words.finish();
}

/// The 32-bit outputs of a generator, read [`Words::LEN`] at a time (`fill_bytes` writes
/// the little-endian words `next_u32` would return, one after another), for loops that
/// take them one or two at a time: a word costs an array read instead of a call into
/// the generator's buffer bookkeeping. [`Words::finish`] moves the generator back to just
/// after the last word taken, where `next_u32` calls would have left it.
struct Words<'a> {
    rng: &'a mut ChaCha8Rng,
    buffer: [u32; Words::LEN],
    /// The next word of `buffer` to hand out (`LEN` when none is left).
    at: usize,
}

impl<'a> Words<'a> {
    /// Words read from the generator at a time (its own buffer's size).
    const LEN: usize = 64;

    fn new(rng: &'a mut ChaCha8Rng) -> Words<'a> {
        Words {
            rng,
            buffer: [0; Words::LEN],
            at: Words::LEN,
        }
    }

    /// The next word, as `next_u32` would return it.
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        if self.at == Words::LEN {
            self.refill();
        }
        let word = self.buffer[self.at];
        self.at += 1;
        word
    }

    /// The next two words as one number, as `next_u64` would return it (the first word
    /// the low half).
    #[inline]
    fn next_u64(&mut self) -> u64 {
        let low = self.next_u32();
        u64::from(low) | (u64::from(self.next_u32()) << 32)
    }

    #[cold]
    fn refill(&mut self) {
        let mut bytes = [0_u8; 4 * Words::LEN];
        self.rng.fill_bytes(&mut bytes);
        for (word, b) in self.buffer.iter_mut().zip(bytes.chunks_exact(4)) {
            *word = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        self.at = 0;
    }

    /// Leaves the generator just after the last word handed out: back by the words read
    /// but not handed out.
    fn finish(self) {
        let unused = (Words::LEN - self.at) as u128;
        if unused > 0 {
            let pos = self.rng.get_word_pos();
            self.rng.set_word_pos(pos - unused);
        }
    }
}

/// An unbiased uniform integer in 0..bound (bound ≥ 1), by Lemire's (2019) multiply and
/// reject. Uses a 32-bit draw when the bound fits, which halves the generator work for
/// any realistic chunk size.
#[inline(always)]
fn below(words: &mut Words<'_>, bound: u64) -> u64 {
    if let Ok(bound32) = u32::try_from(bound) {
        let bound = u64::from(bound32);
        let mut product = u64::from(words.next_u32()) * bound;
        let mut low = product as u32;
        if low < bound32 {
            // Reject the few low parts that would over-represent some results.
            let threshold = bound32.wrapping_neg() % bound32;
            while low < threshold {
                product = u64::from(words.next_u32()) * bound;
                low = product as u32;
            }
        }
        product >> 32
    } else {
        let mut product = u128::from(words.next_u64()) * u128::from(bound);
        let mut low = product as u64;
        if low < bound {
            let threshold = bound.wrapping_neg() % bound;
            while low < threshold {
                product = u128::from(words.next_u64()) * u128::from(bound);
                low = product as u64;
            }
        }
        (product >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two generators in the same state, one word into their stream if `odd`.
    fn twins(seed: u64, chunk: u64, odd: bool) -> (ChaCha8Rng, ChaCha8Rng) {
        let (mut a, mut b) = (chunk_rng(seed, chunk), chunk_rng(seed, chunk));
        if odd {
            let _ = a.next_u32();
            let _ = b.next_u32();
        }
        (a, b)
    }

    /// One draw of [`open_units`], one `next_u64` at a time, written out as documented.
    fn open_unit(rng: &mut ChaCha8Rng) -> f64 {
        const SCALE: f64 = 1.0 / (1_u64 << 52) as f64;
        ((rng.next_u64() >> 12) as f64 + 0.5) * SCALE
    }

    /// Lemire's bounded integer from one `next_u32` at a time (the 32-bit case).
    fn below_one_at_a_time(rng: &mut ChaCha8Rng, bound: u32) -> u32 {
        let mut product = u64::from(rng.next_u32()) * u64::from(bound);
        let threshold = bound.wrapping_neg() % bound;
        while (product as u32) < threshold {
            product = u64::from(rng.next_u32()) * u64::from(bound);
        }
        (product >> 32) as u32
    }

    /// The shuffle and the Latin hypercube columns with every random number taken as it
    /// is needed (`next_u32`, `next_u64`), as the module documents them: the same
    /// permutations and values as the buffered versions, and the generator left in the
    /// same place, for lengths around the 64-word buffers and from an odd word.
    #[test]
    fn buffered_draws_are_the_draws_one_at_a_time() {
        for (n, odd) in [
            (0, false),
            (1, true),
            (2, false),
            (63, true),
            (64, false),
            (65, true),
            (1000, false),
            (65_536, true),
        ] {
            let (mut a, mut b) = twins(9, 4, odd);
            // Latin hypercube: per column, a shuffle of the strata, then a uniform in
            // each row's stratum.
            let expected: Vec<Vec<f64>> = (0..3)
                .map(|_| {
                    let mut strata: Vec<usize> = (0..n).collect();
                    for i in (1..n).rev() {
                        let j = below_one_at_a_time(&mut a, i as u32 + 1) as usize;
                        strata.swap(i, j);
                    }
                    let n_f = n as f64;
                    strata
                        .iter()
                        .map(|&s| {
                            let (lo, hi) = (s as f64 / n_f, (s + 1) as f64 / n_f);
                            (lo + open_unit(&mut a) * (hi - lo)).clamp(lo, hi.next_down())
                        })
                        .collect()
                })
                .collect();
            let got = uniforms(Method::LatinHypercube, n, 3, &mut b);
            assert_eq!(got, expected, "{n}");
            assert_eq!(
                a.next_u64(),
                b.next_u64(),
                "{n}: the streams continue alike"
            );
            // The shuffle alone, of a slice.
            let mut expected: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                let j = below_one_at_a_time(&mut a, i as u32 + 1) as usize;
                expected.swap(i, j);
            }
            let mut got: Vec<usize> = (0..n).collect();
            shuffle(&mut got, &mut b);
            assert_eq!(got, expected, "{n}");
            assert_eq!(
                a.next_u32(),
                b.next_u32(),
                "{n}: the streams continue alike"
            );
        }
    }

    #[test]
    fn open_unit_extremes_are_inside() {
        // The extreme cells, computed the same way as open_unit for m = 0 and m = 2^52 − 1.
        let scale = 1.0 / (1_u64 << 52) as f64;
        let smallest = 0.5 * scale;
        let largest = ((1_u64 << 52) - 1) as f64 * scale + 0.5 * scale;
        assert!(smallest > 0.0);
        assert!(largest < 1.0);
        assert_eq!(1.0 - largest, smallest);
    }

    #[test]
    fn open_units_are_open_unit_one_at_a_time() {
        // Lengths across the 64-value blocks and the generator's 64-word buffer, starting
        // at an odd word too (after one 32-bit output).
        for (len, odd) in [
            (0, false),
            (1, false),
            (63, true),
            (64, false),
            (65, true),
            (1000, true),
        ] {
            let (mut a, mut b) = twins(3, 7, odd);
            let one: Vec<f64> = (0..len).map(|_| open_unit(&mut a)).collect();
            let mut many = vec![0.0; len];
            open_units(&mut b, &mut many);
            assert_eq!(one, many, "{len}");
            assert_eq!(
                a.next_u64(),
                b.next_u64(),
                "{len}: the streams continue alike"
            );
        }
    }

    #[test]
    fn below_is_in_range_and_roughly_uniform() {
        let mut rng = chunk_rng(7, 0);
        let mut rng = Words::new(&mut rng);
        let mut counts = [0_u32; 7];
        for _ in 0..70_000 {
            let v = below(&mut rng, 7);
            counts[v as usize] += 1;
        }
        for c in counts {
            // Expected 10,000 each; sd ≈ 93, so ±600 is > 6 sd.
            assert!((9_400..=10_600).contains(&c), "{counts:?}");
        }
        // The 64-bit path.
        let big = u64::from(u32::MAX) + 10;
        for _ in 0..1000 {
            assert!(below(&mut rng, big) < big);
        }
        assert_eq!(below(&mut rng, 1), 0);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut rng = chunk_rng(1, 2);
        let mut v: Vec<usize> = (0..1000).collect();
        shuffle(&mut v, &mut rng);
        let mut sorted = v.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..1000).collect::<Vec<_>>());
        assert_ne!(v, sorted);
    }

    /// A column of a power-of-two length (every whole chunk of draws) takes its strata's
    /// bounds by multiplying by 1/n: the same values, bit for bit, as the divisions by n
    /// that other lengths use, here redone from the same random numbers.
    #[test]
    fn power_of_two_strata_are_the_divisions_exactly() {
        for n in [1_usize, 2, 8, 1024, 65_536] {
            let n_f = n as f64;
            for s in 0..=n {
                assert_eq!(
                    (s as f64 / n_f).to_bits(),
                    (s as f64 * (1.0 / n_f)).to_bits()
                );
            }
            let ordered = [false, true];
            let drawn = uniforms_for(Method::LatinHypercube, n, &ordered, &mut chunk_rng(5, 6));
            let mut rng = chunk_rng(5, 6);
            for (&ordered, column) in ordered.iter().zip(&drawn) {
                let mut strata: Vec<u32> = (0..n as u32).collect();
                shuffle(&mut strata, &mut rng);
                let mut units = vec![0.0; n];
                open_units(&mut rng, &mut units);
                for (row, (&s, &unit)) in strata.iter().zip(&units).enumerate() {
                    let (lo, hi) = (f64::from(s) / n_f, f64::from(s + 1) / n_f);
                    let v = (lo + unit * (hi - lo)).clamp(lo, hi.next_down());
                    let at = if ordered { s as usize } else { row };
                    assert_eq!(column[at].to_bits(), v.to_bits(), "n = {n}, row {row}");
                }
            }
        }
    }

    #[test]
    fn top_stratum_never_reaches_one() {
        // With n = 3 the top stratum is [2/3, 1); a draw near 1 − 2^-53 would round to 1.0
        // without the clamp.
        let mut rng = chunk_rng(3, 4);
        for _ in 0..2000 {
            let cols = uniforms(Method::LatinHypercube, 3, 1, &mut rng);
            assert!(cols[0].iter().all(|&u| u > 0.0 && u < 1.0));
        }
    }
}
