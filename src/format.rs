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

/// The one way kjproj writes a figure for people (terminal tables, reports, chart ticks
/// and labels): exactly `decimals` decimals, so that a column lines up, with thousands
/// separators, and no minus sign on a value that shows as zero: `number(1600000.0, 1)` is
/// "1,600,000.0", `number(-0.0004, 2)` is "0.00".
pub fn number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return significant(v);
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut out = group_digits(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    let is_zero = s.chars().all(|c| c == '0' || c == '.');
    if v < 0.0 && !is_zero {
        out.insert(0, '-');
    }
    out
}

/// A projected amount, by [`number`] with decimals for its size: one from 100, two from 1,
/// four below (about four significant digits): "1,600,000.0", "350.0", "9.40", "0.0588".
pub fn amount(v: f64) -> String {
    let a = v.abs();
    let decimals = if a >= 100.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        4
    };
    number(v, decimals)
}

/// A rate or share in percent with exactly `decimals` decimals, by [`number`]: "5.20%"
/// beside "8.58%" (where [`percent`] writes "5.2%").
pub fn rate(v: f64, decimals: usize) -> String {
    format!("{}%", number(v * 100.0, decimals))
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
    group_digits(&n.to_string())
}

/// A string of decimal digits with a comma before every group of three from the right.
fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How money is written: plainly in its unit (`52`, "trillion KRW" on the axis), or in
/// Korean units of ten thousand (`52조 원`, `9조 4,000억 원`), as Korean reports write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Money {
    /// Numbers in the metric's unit.
    #[default]
    Plain,
    /// 조/억/만 원 for metrics whose unit is an amount of won.
    Korean,
}

/// Won in one of `unit` when it is an amount of Korean won: "trillion KRW" and "조 원"
/// (10¹²), "billion KRW" (10⁹), "100 million KRW" and "억 원" (10⁸), "million KRW"
/// (10⁶), "만 원" (10⁴), "KRW" and "원" (1); `None` for any other unit.
pub fn won_per(unit: &str) -> Option<f64> {
    let u: String = unit
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    WON_UNITS
        .iter()
        .find(|(_, _, spellings)| spellings.contains(&u.as_str()))
        .map(|&(per, _, _)| per)
}

/// Amounts of won a unit can name: won per unit, its Korean name, and the spellings
/// [`won_per`] accepts (lower case, single spaces).
const WON_UNITS: [(f64, &str, &[&str]); 6] = [
    (
        1e12,
        "조 원",
        &["trillion krw", "krw trillion", "조 원", "조원"],
    ),
    (
        1e9,
        "십억 원",
        &["billion krw", "krw billion", "십억 원", "십억원"],
    ),
    (1e8, "억 원", &["100 million krw", "억 원", "억원"]),
    (
        1e6,
        "백만 원",
        &["million krw", "krw million", "백만 원", "백만원"],
    ),
    (1e4, "만 원", &["만 원", "만원"]),
    (1.0, "원", &["krw", "won", "원"]),
];

/// An amount of won in Korean units: the largest of 조 (10¹²), 억 (10⁸) and 만 (10⁴) it
/// reaches, then the next one rounded, with thousands separators: `52조 원`,
/// `9조 4,000억 원`, `3,500억 원`, `1억 2,000만 원`, `9,999원` (the notation of Korean
/// statistics releases; e.g. "119조 740억 원"). Two units keep four significant digits of
/// the part below the largest, as such releases do.
pub fn korean_won(won: f64) -> String {
    if !won.is_finite() {
        return won.to_string();
    }
    let sign = if won < 0.0 { "-" } else { "" };
    let amount = won.abs().round();
    const UNITS: [(f64, &str); 3] = [(1e12, "조"), (1e8, "억"), (1e4, "만")];
    let Some(i) = UNITS.iter().position(|(u, _)| amount >= *u) else {
        return format!("{sign}{}원", grouped(amount as u64));
    };
    let (unit, name) = UNITS[i];
    let below = UNITS.get(i + 1).map_or((1.0, ""), |&(u, n)| (u, n));
    let mut major = (amount / unit).floor();
    let mut minor = ((amount - major * unit) / below.0).round();
    if minor * below.0 >= unit {
        major += 1.0;
        minor = 0.0;
    }
    let mut out = format!("{sign}{}{name}", grouped(major as u64));
    if minor > 0.0 {
        out.push_str(&format!(" {}{}", grouped(minor as u64), below.1));
    }
    out.push_str(" 원");
    out
}

/// The Korean name of an amount of `per` won (조 원, 억 원 …), for numbers shown in that
/// unit (e.g. a workbook's number format `#,##0.0"조 원"`); `None` for other amounts.
pub fn korean_unit(per: f64) -> Option<&'static str> {
    WON_UNITS
        .iter()
        .find(|&&(p, _, _)| p == per)
        .map(|&(_, name, _)| name)
}

/// A metric's value in its unit, written as `money` asks: Korean won notation when the
/// unit is an amount of won, else `plain(value)`.
pub fn money_or(value: f64, unit: &str, money: Money, plain: impl Fn(f64) -> String) -> String {
    match (money, won_per(unit)) {
        (Money::Korean, Some(per)) => korean_won(value * per),
        _ => plain(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_with_fixed_decimals() {
        assert_eq!(number(12345.0, 0), "12,345");
        assert_eq!(number(-0.0001, 1), "0.0");
        assert_eq!(number(-2.5, 1), "-2.5");
        assert_eq!(number(15.0, 0), "15");
        assert_eq!(number(1_600_000.0, 1), "1,600,000.0");
        assert_eq!(number(f64::NAN, 2), "NaN");
        // The examples: one style for the same figure everywhere.
        assert_eq!(amount(1_600_000.0), "1,600,000.0");
        assert_eq!(amount(350.0), "350.0");
        assert_eq!(amount(9.4), "9.40");
        assert_eq!(amount(0.058_76), "0.0588");
        assert_eq!(rate(0.052, 2), "5.20%");
        assert_eq!(rate(0.0858, 2), "8.58%");
        assert_eq!(rate(0.148_571, 3), "14.857%");
    }

    #[test]
    fn korean_won_writes_jo_eok_man() {
        // Examples of the issue and of Korean statistics releases.
        assert_eq!(korean_won(52e12), "52조 원");
        assert_eq!(korean_won(9.4e12), "9조 4,000억 원");
        assert_eq!(korean_won(119.074e12), "119조 740억 원");
        assert_eq!(korean_won(350e9), "3,500억 원");
        assert_eq!(korean_won(1.2e8), "1억 2,000만 원");
        assert_eq!(korean_won(5e7), "5,000만 원");
        assert_eq!(korean_won(9_999.0), "9,999원");
        assert_eq!(korean_won(-2.5e12), "-2조 5,000억 원");
        // Rounding up into the larger unit.
        assert_eq!(korean_won(9.99999999e12), "10조 원");
        assert_eq!(won_per("trillion KRW"), Some(1e12));
        assert_eq!(won_per("조 원"), Some(1e12));
        assert_eq!(won_per("applications per year"), None);
        assert_eq!(
            money_or(9.4, "trillion KRW", Money::Korean, |v| v.to_string()),
            "9조 4,000억 원"
        );
        assert_eq!(
            money_or(9.4, "trillion KRW", Money::Plain, |v| v.to_string()),
            "9.4"
        );
    }
}
