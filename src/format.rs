//! Number formatting shared by the CSV export, the terminal and messages (the functions
//! live in [`crate::stats::number`], which knows nothing of the rest of kjproj).

pub use crate::stats::number::{fixed, significant};

/// The columns `text` takes in a terminal: 2 for a Hangul syllable or another wide
/// character, 0 for combining marks (Unicode Standard Annex #11, East Asian Width, via the
/// `unicode-width` crate). Tables and error carets align by it, not by characters.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` followed by spaces up to `width` terminal columns (by [`display_width`]; text
/// wider than that is left as it is).
pub fn pad_end(text: &str, width: usize) -> String {
    let pad = width.saturating_sub(display_width(text));
    format!("{text}{}", " ".repeat(pad))
}

/// A fraction as a percentage with at most `decimals` decimals: 0.057 → "5.7%".
pub fn percent(v: f64, decimals: usize) -> String {
    format!("{}%", fixed(v * 100.0, decimals))
}

/// A value of a series: a share in percent, anything else plain, with at most
/// `decimals` decimals (of the percentage, for shares).
pub fn value(v: f64, share: bool, decimals: usize) -> String {
    if share {
        percent(v, decimals)
    } else {
        fixed(v, decimals)
    }
}

/// A Monte Carlo estimate: shares to 0.1 percentage point, other values to 3 significant
/// digits (Monte Carlo error rarely supports more).
pub fn estimate(v: f64, share: bool) -> String {
    if share {
        percent(v, 1)
    } else if v == 0.0 || !v.is_finite() {
        significant(v)
    } else {
        fixed(v, (2 - v.abs().log10().floor() as i32).max(0) as usize)
    }
}

/// Half a unit of the last digit [`estimate`] shows for `v`.
pub fn estimate_half_unit(v: f64, share: bool) -> f64 {
    if share {
        0.0005
    } else if v == 0.0 || !v.is_finite() {
        f64::INFINITY
    } else {
        0.5 * 10f64.powi((v.abs().log10().floor() as i32 - 2).min(0))
    }
}

/// A number with thousands separators: 1,000,000.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
