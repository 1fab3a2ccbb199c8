//! The exponential function, one value or a slice at a time, with the same bits either way
//! and on every processor.
//!
//! The method is Tang's table-driven one (P. T. P. Tang, "Table-driven implementation of
//! the exponential function in IEEE floating-point arithmetic", ACM TOMS 15(2), 1989) in
//! the form of the GNU C Library's `exp` since version 2.28 (Szabolcs Nagy's, from ARM's
//! optimized-routines): x = (k + 128 m)·ln 2/128 + r with |r| ≤ ln 2/256, so
//! eˣ = 2ᵐ · 2^(k/128) · eʳ, the 128 powers 2^(k/128) from a table (each as the nearest
//! double and its relative error, see `scripts/exp_table.py`) and eʳ − 1 from a
//! polynomial of degree 5. The worst error is about 0.51 units in the last place.
//!
//! Every step is the same IEEE operation on every processor: the fused multiply-adds are
//! `f64::mul_add` (one rounding), where the C library's result depends on how it was
//! compiled (the GNU C Library's for processors with FMA, which x86-64 machines since 2013
//! have, fuses exactly these steps: kjproj's figures are the same as they were with it, and
//! a test compares the two wherever it runs). [`exp_all`] computes four values at a time
//! on processors with AVX2 and gives the same bits as [`exp`]; Monte Carlo paths of
//! compound growth take a few exponentials a year per draw, and the C library's took
//! about 40 instructions each (a call, error handling for `errno`, one value at a time).
//!
//! Outside 2⁻⁵⁴ ≤ |x| < 512, where projections hardly go (e⁵¹² is 10²²²), and for NaN,
//! both use the C library's `exp` (there its result is 1 + x, an overflow, an underflow or
//! a scaled value).

mod table;

use table::TABLE;

/// 128 / ln 2, rounded.
const INV_LN2_N: f64 = f64::from_bits(0x4067_1547_652b_82fe);
/// −ln 2 / 128 in two parts: the high part has 16 trailing zero bits, so k times it is
/// exact for every k here.
const NEG_LN2_HI_N: f64 = f64::from_bits(0xbf76_2e42_fefa_0000);
/// The rest of −ln 2 / 128.
const NEG_LN2_LO_N: f64 = f64::from_bits(0xbd0c_f79a_bc9e_3b3a);
/// 1.5 · 2⁵²: x / (ln 2 / 128) plus this has k + 128 m, rounded to nearest, in the low
/// bits of its mantissa.
const SHIFT: f64 = f64::from_bits(0x4338_0000_0000_0000);
/// eʳ − 1 ≈ r + C2 r² + C3 r³ + C4 r⁴ + C5 r⁵ on |r| ≤ ln 2/256: the GNU C Library's
/// coefficients (`__exp_data.poly`, sysdeps/ieee754/dbl-64/e_exp_data.c), close to
/// 1/2, 1/6, 1/24 and 1/120.
const C2: f64 = f64::from_bits(0x3fdf_ffff_ffff_fdbd);
/// See [`C2`].
const C3: f64 = f64::from_bits(0x3fc5_5555_5555_543c);
/// See [`C2`].
const C4: f64 = f64::from_bits(0x3fa5_5555_cf17_2b91);
/// See [`C2`].
const C5: f64 = f64::from_bits(0x3f81_1111_67a4_d017);

/// Values [`exp_all`] takes at a time (four AVX2 lanes).
const LANES: usize = 4;

/// eˣ (see the module's documentation for how, and how exactly).
pub fn exp(x: f64) -> f64 {
    let mut one = [x];
    exp_all(&mut one);
    one[0]
}

/// Replaces every value of `xs` by its exponential: [`exp`] of each, bit for bit, four
/// at a time.
pub fn exp_all(xs: &mut [f64]) {
    // The processor's instruction sets, looked up once (a dozen feature checks a call
    // otherwise: paths of a few years call this twice a Monte Carlo draw).
    static ARCH: std::sync::OnceLock<pulp::Arch> = std::sync::OnceLock::new();
    ARCH.get_or_init(pulp::Arch::new).dispatch(ExpAll(xs));
}

/// [`exp_all`] as `pulp` runs it: compiled once per instruction set, the widest the
/// processor has chosen at run time (AVX2 and FMA: four lanes, each fused multiply-add one
/// instruction; elsewhere the C library's `fma`, which rounds the same way). The
/// arithmetic is the same on each, so are the results.
struct ExpAll<'a>(&'a mut [f64]);

impl pulp::WithSimd for ExpAll<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        exp_all_here(self.0);
    }
}

/// [`exp_all`] for one instruction set (see [`ExpAll`]).
#[inline(always)]
fn exp_all_here(xs: &mut [f64]) {
    if let Some(last) = xs.last_chunk::<LANES>().copied() {
        // Whole quads, then the last four values again (those already done among them
        // are read from the copy taken before: the same lanes, the same results).
        let (quads, _) = xs.as_chunks_mut::<LANES>();
        for quad in quads {
            *quad = exp_lanes(*quad);
        }
        if let Some(tail) = xs.last_chunk_mut::<LANES>() {
            *tail = exp_lanes(last);
        }
    } else {
        // Fewer than four: padded with 1, which is in range, lane by lane (a copy of a
        // slice this short would be a call to `memcpy`).
        let x = std::array::from_fn(|i| xs.get(i).copied().unwrap_or(1.0));
        for (slot, y) in xs.iter_mut().zip(exp_lanes(x)) {
            *slot = y;
        }
    }
}

/// eˣ of each lane: [`near_zero_or_moderate`] of all of them (one vector instruction a
/// step), then the C library's `exp` for any lane outside its range.
#[inline(always)]
fn exp_lanes(x: [f64; LANES]) -> [f64; LANES] {
    let mut y = x.map(near_zero_or_moderate);
    let outside = x.iter().fold(0, |any, &x| any | u64::from(!in_range(x)));
    if outside != 0 {
        for (y, &x) in y.iter_mut().zip(&x) {
            if !in_range(x) {
                *y = x.exp();
            }
        }
    }
    y
}

/// Whether [`near_zero_or_moderate`] holds for x: 2⁻⁵⁴ ≤ |x| < 512 (false for NaN), as
/// integer comparisons of |x|'s bits (the bits of non-negative doubles, NaN above
/// infinity, are in the order of their values, and all below 2⁶³).
#[inline(always)]
fn in_range(x: f64) -> bool {
    // The bits of 2⁻⁵⁴ and of 512.
    const RANGE: std::ops::Range<u64> = 0x3c90_0000_0000_0000..0x4080_0000_0000_0000;
    RANGE.contains(&(x.to_bits() & !(1 << 63)))
}

/// eˣ for 2⁻⁵⁴ ≤ |x| < 512 (something meaningless elsewhere), as the GNU C Library
/// computes it (its `exp` compiled with FMA: the same steps fused).
#[inline(always)]
fn near_zero_or_moderate(x: f64) -> f64 {
    // k + 128 m = round(x · 128 / ln 2), in the low bits of z's mantissa.
    let z = x.mul_add(INV_LN2_N, SHIFT);
    let ki = z.to_bits();
    let kd = z - SHIFT;
    // r = x − (k + 128 m)·ln 2/128, in two steps (the high part's product is exact).
    let r = kd.mul_add(NEG_LN2_LO_N, kd.mul_add(NEG_LN2_HI_N, x));
    let at = 2 * (ki % 128) as usize;
    let tail = f64::from_bits(TABLE[at]);
    // 2^(k/128) · 2ᵐ: m added to the exponent bits of the table's 2^(k/128).
    let scale = f64::from_bits(TABLE[at + 1].wrapping_add(ki << 45));
    let r2 = r * r;
    // (1 + tail)(1 + eʳ − 1) − 1, to the precision that matters.
    let tmp = (r2 * r2).mul_add(r.mul_add(C5, C4), r.mul_add(C3, C2).mul_add(r2, r + tail));
    scale.mul_add(tmp, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Units in the last place between two finite doubles of the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    /// A fixed stream of 64-bit words (SplitMix64, as tests/reference/exp.py draws it).
    fn words(count: usize) -> impl Iterator<Item = u64> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        (0..count).map(move |_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
    }

    /// A word's top 53 bits as a number in [−1, 1), exactly as tests/reference/exp.py
    /// computes it.
    fn signed_unit(z: u64) -> f64 {
        2.0 * ((z >> 11) as f64 / (1_u64 << 53) as f64) - 1.0
    }

    /// Values spread over [−span, span].
    fn spread(count: usize, span: f64) -> Vec<f64> {
        words(count).map(|z| signed_unit(z) * span).collect()
    }

    #[test]
    fn the_table_holds_the_powers_of_two_it_says() {
        for k in 0..128_u64 {
            let exact = 2f64.powf(k as f64 / 128.0);
            let h = f64::from_bits(TABLE[2 * k as usize + 1].wrapping_add(k << 45));
            let t = f64::from_bits(TABLE[2 * k as usize]);
            // H_k is within an ulp of the C library's 2^(k/128), and its relative error
            // T_k is below half an ulp.
            assert!(ulps(h, exact) <= 1, "k = {k}: {h} against {exact}");
            assert!(t.abs() <= f64::EPSILON / 2.0, "k = {k}: T = {t}");
        }
    }

    #[test]
    fn one_at_a_time_and_four_at_a_time_agree_wherever_x_lies() {
        let special = [
            0.0,
            -0.0,
            1e-300,
            -1e-17,
            5e-324,
            511.9,
            512.0,
            -600.0,
            709.7,
            710.0,
            -745.2,
            -746.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1.0,
            -1.0,
        ];
        let mut values = spread(200, 30.0);
        values.extend(special);
        for len in 0..values.len() {
            // Every stretch of the values, so that the special ones fall in every lane.
            for start in [0, 1, 2, 3, values.len().saturating_sub(len)] {
                let Some(xs) = values.get(start..start + len) else {
                    continue;
                };
                let mut all = xs.to_vec();
                exp_all(&mut all);
                for (&x, &y) in xs.iter().zip(&all) {
                    assert_eq!(y.to_bits(), exp(x).to_bits(), "exp({x:e})");
                }
            }
        }
        for x in special {
            let y = exp(x);
            if in_range(x) {
                assert!(ulps(y, x.exp()) <= 1, "exp({x:e}) = {y:e}");
            } else {
                // The C library's own result outside the range.
                assert_eq!(y.to_bits(), x.exp().to_bits(), "exp({x:e})");
            }
        }
    }

    #[test]
    fn correctly_rounded_but_for_rare_cases_and_the_gnu_c_librarys_bits() {
        // e^x to 50 digits, rounded once (mpmath), and the GNU C Library's exp on a
        // processor with FMA: tests/reference/exp.py.
        let reference: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/reference/exp.json"))
                .expect("the reference values");
        let rows = reference["x_exp_bits"].as_array().expect("rows");
        let word = |v: &serde_json::Value| {
            f64::from_bits(u64::from_str_radix(v.as_str().expect("hex"), 16).expect("hex"))
        };
        let x: Vec<f64> = rows.iter().map(|r| word(&r[0])).collect();
        assert!(x.len() > 4000);
        let mut y = x.clone();
        exp_all(&mut y);
        let mut wrong = 0;
        for ((&x, &y), row) in x.iter().zip(&y).zip(rows) {
            let (rounded, glibc) = (word(&row[1]), word(&row[2]));
            assert!(
                ulps(y, rounded) <= 1,
                "exp({x:e}) = {y:e}, correctly rounded {rounded:e}"
            );
            assert_eq!(
                y.to_bits(),
                glibc.to_bits(),
                "exp({x:e}), the GNU C Library's"
            );
            assert_eq!(exp(x).to_bits(), y.to_bits());
            wrong += usize::from(y != rounded);
        }
        // About 0.51 ulp at worst: 4 of these 4,510 round the other way.
        assert!(
            wrong * 1000 <= x.len(),
            "{wrong} of {} not correctly rounded",
            x.len()
        );

        // A million more against the GNU C Library's, by a digest of the results: x
        // from the script's stream, spread over spans of 5, 40, 511 and 10⁻⁶.
        let stream = &reference["stream"];
        let count = stream["count"].as_u64().expect("a count") as usize;
        let spans = [5.0, 40.0, 511.0, 1e-6];
        let mut xs: Vec<f64> = words(count)
            .map(|z| signed_unit(z) * spans[(z & 3) as usize])
            .collect();
        exp_all(&mut xs);
        let digest = xs.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, y| {
            (h ^ y.to_bits()).wrapping_mul(0x0000_0100_0000_01b3)
        });
        assert_eq!(
            format!("{digest:016x}"),
            stream["digest"].as_str().expect("hex")
        );
    }

    #[test]
    fn within_an_ulp_of_the_c_library_and_almost_always_equal() {
        // Differences of one unit in the last place are possible with a C library that
        // computes otherwise (each is within about half an ulp of eˣ); with the GNU C
        // Library on a processor with FMA there are none.
        let mut differ = 0;
        let values: Vec<f64> = [spread(200_000, 20.0), spread(20_000, 511.0)].concat();
        let mut all = values.clone();
        exp_all(&mut all);
        for (&x, &y) in values.iter().zip(&all) {
            let libm = x.exp();
            assert!(
                ulps(y, libm) <= 1,
                "exp({x:e}) = {y:e}, the C library's {libm:e}"
            );
            differ += usize::from(y.to_bits() != libm.to_bits());
        }
        assert!(
            differ * 1000 <= values.len(),
            "{differ} of {} differ",
            values.len()
        );
    }
}
