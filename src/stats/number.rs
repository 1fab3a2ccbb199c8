//! Number rounding and plain decimal formatting shared by every output and message.

/// ⌊t⌋ for 0 ≤ t < 2³¹ (what `t as u32` gives), in float and bit operations that the
/// compiler vectorises (a saturating float-to-integer conversion does not): adding 2⁵²
/// leaves t rounded to the nearest integer in the low bits of the mantissa; where that
/// rounded up, one less. For t = −1 it gives 2³² − 2 (2⁵² − 1 lies in the octave below
/// 2⁵², whose mantissa counts halves), a number of 2³¹ or more, which callers use as "none".
#[inline(always)]
pub fn floor_small(t: f64) -> u32 {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let rounded = (t + TWO_52) - TWO_52;
    let floor = if rounded > t { rounded - 1.0 } else { rounded };
    (floor + TWO_52).to_bits() as u32
}

/// `v` rounded to 12 significant digits (enough for any projection, few enough to hide
/// floating-point noise such as 0.058750000000000004), plain decimal notation, no trailing zeros.
pub fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v == 0.0 { "0".into() } else { v.to_string() };
    }
    let magnitude = v.abs().log10().floor() as i32;
    fixed(v, (11 - magnitude).max(0) as usize)
}

/// `v` with at most `decimals` decimals, trailing zeros dropped: `fixed(5.70, 3)` is "5.7".
pub fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" { "0".into() } else { s.to_owned() }
}

/// `v` to `n` significant digits (at least 1), plain decimals, or scientific notation
/// below 10⁻⁴ where plain decimals would need a long run of zeros: `digits(30.398416, 6)`
/// is "30.3984", `digits(0.00001234567, 3)` is "1.23e-5".
pub fn digits(v: f64, n: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return significant(v);
    }
    let n = n.max(1);
    let magnitude = v.abs().log10().floor() as i32;
    if magnitude < -4 {
        let s = format!("{v:.*e}", n - 1);
        return match s.split_once('e') {
            Some((mantissa, exponent)) => {
                let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
                format!("{mantissa}e{exponent}")
            }
            None => s,
        };
    }
    fixed(v, (n as i32 - 1 - magnitude).max(0) as usize)
}

#[cfg(test)]
mod tests {
    use super::significant as number;

    #[test]
    fn the_vectorised_floor_is_the_conversion() {
        use super::floor_small;
        for k in [
            0_u32,
            1,
            2,
            3,
            7,
            1000,
            16_383,
            16_384,
            1 << 30,
            u32::MAX >> 1,
        ] {
            let k = f64::from(k);
            for t in [
                k,
                k.next_up(),
                k + 0.25,
                k + 0.5,
                k + 0.75,
                (k + 1.0).next_down(),
            ] {
                if t < 2_147_483_648.0 {
                    assert_eq!(floor_small(t), t as u32, "{t}");
                }
            }
        }
        assert!(floor_small(-1.0) >= 1 << 31);
    }

    #[test]
    fn numbers_have_twelve_significant_digits() {
        assert_eq!(number(0.058750000000000004), "0.05875");
        assert_eq!(number(176.44667968667372), "176.446679687");
        assert_eq!(number(350.0), "350");
        assert_eq!(number(-0.1027917480417111), "-0.102791748042");
        assert_eq!(number(1234567890123456.0), "1234567890123456");
        assert_eq!(number(0.0), "0");
    }
}
