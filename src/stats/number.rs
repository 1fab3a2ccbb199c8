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
