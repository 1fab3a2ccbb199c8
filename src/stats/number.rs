//! Number rounding and plain decimal formatting shared by every output and message.

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
    fn numbers_have_twelve_significant_digits() {
        assert_eq!(number(0.058750000000000004), "0.05875");
        assert_eq!(number(176.44667968667372), "176.446679687");
        assert_eq!(number(350.0), "350");
        assert_eq!(number(-0.1027917480417111), "-0.102791748042");
        assert_eq!(number(1234567890123456.0), "1234567890123456");
        assert_eq!(number(0.0), "0");
    }
}
