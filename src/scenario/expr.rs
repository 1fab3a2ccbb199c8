//! The check language: one line that reads like the assumption it tests.
//!
//! ```text
//! share[2031] between 14% and 16%
//! cagr(market) <= 12%
//! cagr(sales, 2025, 2031) < 35%
//! yoy(sales[2027]) >= 0
//! max(yoy(sales)) <= 40%
//! P(share[2031] >= 15%) >= 0.5
//! P50(sales[2031]) within 45..60
//! mean(market[2031]) > 300
//! ```
//!
//! Grammar (whitespace is free; `%` divides a number by 100):
//!
//! ```text
//! check    := quantity bound
//! quantity := series '[' year ']'                    value in a year
//!           | 'yoy' '(' series '[' year ']' ')'       growth on the year before
//!           | ('max' | 'min') '(' 'yoy' '(' series ')' ')'   peak / lowest growth
//!           | 'cagr' '(' series [',' year ',' year] ')'      compound annual growth
//!           | 'P' '(' series '[' year ']' ('>=' | '<=' | '>' | '<') number ')'
//!           | 'P' digits '(' series '[' year ']' ')'  a percentile, e.g. P50, P5, P97.5
//!           | 'mean' '(' series '[' year ']' ')'
//! bound    := ('<=' | '>=' | '<' | '>') number
//!           | 'between' number 'and' number           inclusive
//!           | 'within' number '..' number             inclusive
//! ```
//!
//! `P(…)`, `P50(…)` and `mean(…)` need the scenario's `[uncertainty]` section: they are
//! read off one Monte Carlo simulation per file.

use std::fmt;

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    /// Whether `a cmp b` holds.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "≤",
            Cmp::Gt => ">",
            Cmp::Ge => "≥",
        }
    }
}

/// A reference to a metric or ratio by name, with an optional year.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    /// Metric or ratio name.
    pub name: String,
    /// Byte offset of the name in the check text.
    pub at: usize,
    /// The year, if given.
    pub year: Option<(i32, usize)>,
}

/// What a check measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Quantity {
    /// The value in a year.
    Value(Ref),
    /// Growth on the year before, in a year.
    Yoy(Ref),
    /// The highest year-on-year growth over the projection.
    MaxYoy(Ref),
    /// The lowest year-on-year growth over the projection.
    MinYoy(Ref),
    /// Compound annual growth between two years (default baseline to target).
    Cagr(Ref, Option<((i32, usize), (i32, usize))>),
    /// Probability that a deterministic quantity compares so with a number (Monte Carlo):
    /// `P(share[2031] >= 15%)`, `P(sum(sales, 2025, 2031) >= 180)`.
    Probability(Box<Quantity>, Cmp, f64),
    /// A percentile of a deterministic quantity (Monte Carlo), as a fraction (0.5 for P50).
    Percentile(f64, Box<Quantity>),
    /// The mean of a deterministic quantity (Monte Carlo).
    Mean(Box<Quantity>),
    /// The sum of the values over the years from the first to the second, inclusive
    /// (cumulative sales of a programme, say).
    Sum(Ref, ((i32, usize), (i32, usize))),
    /// The average of the values over the years from the first to the second, inclusive.
    Average(Ref, ((i32, usize), (i32, usize))),
    /// A metric's observed value in a year (data, not the projection): `observed(market,
    /// 2019)`, also before the baseline.
    Observed(Ref),
}

impl Quantity {
    /// Whether the quantity needs a Monte Carlo simulation.
    pub fn needs_simulation(&self) -> bool {
        matches!(
            self,
            Quantity::Probability(..) | Quantity::Percentile(..) | Quantity::Mean(_)
        )
    }

    /// The series the quantity is about.
    pub fn series(&self) -> &Ref {
        match self {
            Quantity::Value(r)
            | Quantity::Yoy(r)
            | Quantity::MaxYoy(r)
            | Quantity::MinYoy(r)
            | Quantity::Cagr(r, _)
            | Quantity::Sum(r, _)
            | Quantity::Average(r, _)
            | Quantity::Observed(r) => r,
            Quantity::Probability(q, _, _) | Quantity::Percentile(_, q) | Quantity::Mean(q) => {
                q.series()
            }
        }
    }

    /// The deterministic quantity a Monte Carlo quantity is about (itself otherwise).
    pub fn inner(&self) -> &Quantity {
        match self {
            Quantity::Probability(q, _, _) | Quantity::Percentile(_, q) | Quantity::Mean(q) => q,
            q => q,
        }
    }

    /// The years the quantity reads besides its series' own year, if any: `cagr`'s,
    /// `sum`'s and `average`'s (from, to).
    pub fn span(&self) -> Option<(i32, i32)> {
        match self {
            Quantity::Probability(q, _, _) | Quantity::Percentile(_, q) | Quantity::Mean(q) => {
                q.span()
            }
            Quantity::Cagr(_, Some((a, b)))
            | Quantity::Sum(_, (a, b))
            | Quantity::Average(_, (a, b)) => Some((a.0, b.0)),
            _ => None,
        }
    }

    /// Whether the quantity is a rate or probability (shown in percent).
    pub fn is_rate(&self) -> bool {
        matches!(
            self,
            Quantity::Yoy(_)
                | Quantity::MaxYoy(_)
                | Quantity::MinYoy(_)
                | Quantity::Cagr(..)
                | Quantity::Probability(..)
        )
    }
}

/// The bound a quantity must respect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// One comparison.
    Cmp(Cmp, f64),
    /// Between two numbers, inclusive.
    Between(f64, f64),
}

impl Bound {
    /// Whether `x` respects the bound (NaN never does).
    pub fn holds(self, x: f64) -> bool {
        match self {
            Bound::Cmp(c, b) => c.holds(x, b),
            Bound::Between(a, b) => a <= x && x <= b,
        }
    }

    /// The bound in words, with numbers formatted by `fmt`.
    pub fn describe(self, fmt: impl Fn(f64) -> String) -> String {
        match self {
            Bound::Cmp(c, b) => format!("{} {}", c.symbol(), fmt(b)),
            Bound::Between(a, b) => format!("between {} and {}", fmt(a), fmt(b)),
        }
    }
}

/// A parsed check.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What is measured.
    pub quantity: Quantity,
    /// The bound.
    pub bound: Bound,
}

/// A syntax error with its byte offset in the check text.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// Byte offset of the problem.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Sym(&'static str),
}

fn tokens(text: &str) -> Result<Vec<(Tok, usize)>, SyntaxError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        if c.is_ascii_digit()
            || (c == '.' && text[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
            || c == '-'
        {
            let start = i;
            let mut end = i + c.len_utf8();
            chars.next();
            while let Some(&(j, d)) = chars.peek() {
                // Stop before `..`, the range operator.
                if d.is_ascii_digit() || (d == '.' && !text[j..].starts_with("..")) {
                    end = j + 1;
                    chars.next();
                } else {
                    break;
                }
            }
            // An exponent, as TOML writes one: `1e6`, `2.5E-3`.
            if let Some(after) = text[end..].strip_prefix(['e', 'E']) {
                let sign = usize::from(after.starts_with(['+', '-']));
                let digits = after[sign..]
                    .find(|d: char| !d.is_ascii_digit())
                    .unwrap_or(after.len() - sign);
                let exponent_end = if digits > 0 {
                    end + 1 + sign + digits
                } else {
                    end
                };
                while chars.peek().is_some_and(|&(j, _)| j < exponent_end) {
                    chars.next();
                }
                end = exponent_end;
            }
            let mut value: f64 = text[start..end]
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| SyntaxError {
                    at: start,
                    message: format!("`{}` is not a (finite) number", &text[start..end]),
                })?;
            if let Some(&(_, '%')) = chars.peek() {
                chars.next();
                value /= 100.0;
            }
            out.push((Tok::Num(value), start));
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric()
                    || d == '_'
                    || (d == '.'
                        && start < j
                        && text[start..j].starts_with('P')
                        && text[start + 1..j].chars().all(|x| x.is_ascii_digit()))
                {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push((Tok::Ident(text[start..end].to_owned()), start));
            continue;
        }
        let two = text.get(i..i + 2).unwrap_or("");
        let sym = match (two, c) {
            ("<=", _) => Some(("<=", 2)),
            (">=", _) => Some((">=", 2)),
            ("..", _) => Some(("..", 2)),
            (_, '≤') => Some(("<=", c.len_utf8())),
            (_, '≥') => Some((">=", c.len_utf8())),
            (_, '<') => Some(("<", 1)),
            (_, '>') => Some((">", 1)),
            (_, '(') => Some(("(", 1)),
            (_, ')') => Some((")", 1)),
            (_, '[') => Some(("[", 1)),
            (_, ']') => Some(("]", 1)),
            (_, ',') => Some((",", 1)),
            (_, '=') => Some(("=", 1)),
            _ => None,
        };
        let Some((sym, len)) = sym else {
            return Err(SyntaxError {
                at: i,
                message: format!("unexpected `{c}`"),
            });
        };
        out.push((Tok::Sym(sym), i));
        // Two-character ASCII operators span two chars; `≤`, `≥` and the rest one.
        let chars_taken = if len == 2 { 2 } else { 1 };
        for _ in 0..chars_taken {
            chars.next();
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.1)
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }

    fn fail<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            at: self.at(),
            message: message.into(),
        })
    }

    fn sym(&mut self, s: &'static str) -> Result<(), SyntaxError> {
        match self.peek() {
            Some(Tok::Sym(x)) if *x == s => {
                self.pos += 1;
                Ok(())
            }
            _ => self.fail(format!("expected `{s}`")),
        }
    }

    fn eat_sym(&mut self, s: &'static str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if *x == s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn keyword(&mut self, k: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(x)) if x == k) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn number(&mut self) -> Result<f64, SyntaxError> {
        match self.peek() {
            Some(Tok::Num(v)) => {
                let v = *v;
                self.pos += 1;
                Ok(v)
            }
            _ => self.fail("expected a number (e.g. 0.15 or 15%)"),
        }
    }

    fn year(&mut self) -> Result<(i32, usize), SyntaxError> {
        let at = self.at();
        let v = self.number()?;
        if v.fract() != 0.0 || v.abs() > 100_000.0 {
            return Err(SyntaxError {
                at,
                message: format!("{v} is not a year"),
            });
        }
        Ok((v as i32, at))
    }

    fn cmp(&mut self) -> Option<Cmp> {
        let c = match self.peek() {
            Some(Tok::Sym("<=")) => Cmp::Le,
            Some(Tok::Sym(">=")) => Cmp::Ge,
            Some(Tok::Sym("<")) => Cmp::Lt,
            Some(Tok::Sym(">")) => Cmp::Gt,
            _ => return None,
        };
        self.pos += 1;
        Some(c)
    }

    fn name(&mut self) -> Result<(String, usize), SyntaxError> {
        let at = self.at();
        match self.peek() {
            Some(Tok::Ident(n)) => {
                let n = n.clone();
                self.pos += 1;
                Ok((n, at))
            }
            _ => self.fail("expected a metric or ratio name"),
        }
    }

    fn series_in_year(&mut self) -> Result<Ref, SyntaxError> {
        let (name, at) = self.name()?;
        self.sym("[")?;
        let year = self.year()?;
        self.sym("]")?;
        Ok(Ref {
            name,
            at,
            year: Some(year),
        })
    }

    /// A quantity inside `P(…)`, `P50(…)` or `mean(…)`: not itself a Monte Carlo one.
    fn deterministic(&mut self) -> Result<Quantity, SyntaxError> {
        let at = self.at();
        let q = self.quantity()?;
        if q.needs_simulation() {
            return Err(SyntaxError {
                at,
                message: "P(…), percentiles and mean(…) take a value, growth, cagr, sum or average, not another P(…)".into(),
            });
        }
        Ok(q)
    }

    fn quantity(&mut self) -> Result<Quantity, SyntaxError> {
        let Some(Tok::Ident(word)) = self.peek().cloned() else {
            return self.fail("a check starts with a metric or ratio, e.g. `share[2031] >= 15%`");
        };
        let is_call = matches!(self.toks.get(self.pos + 1), Some((Tok::Sym("("), _)));
        if !is_call {
            return Ok(Quantity::Value(self.series_in_year()?));
        }
        let at = self.at();
        self.pos += 2;
        let q = match word.as_str() {
            "yoy" => Quantity::Yoy(self.series_in_year()?),
            "max" | "min" => {
                if !self.keyword("yoy") {
                    return self.fail(format!(
                        "`{word}(…)` takes `yoy(NAME)`, e.g. `{word}(yoy(sales))`"
                    ));
                }
                self.sym("(")?;
                let (name, at) = self.name()?;
                self.sym(")")?;
                let r = Ref {
                    name,
                    at,
                    year: None,
                };
                if word == "max" {
                    Quantity::MaxYoy(r)
                } else {
                    Quantity::MinYoy(r)
                }
            }
            "cagr" => {
                let (name, at) = self.name()?;
                let years = if self.eat_sym(",") {
                    let from = self.year()?;
                    self.sym(",")?;
                    let to = self.year()?;
                    Some((from, to))
                } else {
                    None
                };
                Quantity::Cagr(
                    Ref {
                        name,
                        at,
                        year: None,
                    },
                    years,
                )
            }
            "mean" => Quantity::Mean(Box::new(self.deterministic()?)),
            "observed" => {
                let (name, at) = self.name()?;
                if !self.eat_sym(",") {
                    return self.fail(
                        "`observed(…)` takes a metric and a year, e.g. `observed(market, 2021)`",
                    );
                }
                let year = self.year()?;
                Quantity::Observed(Ref {
                    name,
                    at,
                    year: Some(year),
                })
            }
            "sum" | "average" => {
                let (name, at) = self.name()?;
                if !self.eat_sym(",") {
                    return self.fail(format!(
                        "`{word}(…)` takes a metric or ratio and two years, e.g. `{word}(sales, 2025, 2031)`"
                    ));
                }
                let from = self.year()?;
                self.sym(",")?;
                let to = self.year()?;
                let r = Ref {
                    name,
                    at,
                    year: None,
                };
                if word == "sum" {
                    Quantity::Sum(r, (from, to))
                } else {
                    Quantity::Average(r, (from, to))
                }
            }
            "P" => {
                let r = Box::new(self.deterministic()?);
                let Some(c) = self.cmp() else {
                    return self.fail("expected a comparison, e.g. `P(share[2031] >= 15%)`");
                };
                let x = self.number()?;
                Quantity::Probability(r, c, x)
            }
            w if w.starts_with('P') && w[1..].parse::<f64>().is_ok() => {
                let p: f64 = w[1..].parse().unwrap_or(f64::NAN) / 100.0;
                if !(p > 0.0 && p < 1.0) {
                    return Err(SyntaxError {
                        at,
                        message: format!("{w} is not a percentile between P0 and P100"),
                    });
                }
                Quantity::Percentile(p, Box::new(self.deterministic()?))
            }
            _ => {
                return Err(SyntaxError {
                    at,
                    message: format!(
                        "unknown function `{word}` (known: yoy, max, min, cagr, sum, average, observed, P, P5…P95, mean)"
                    ),
                });
            }
        };
        self.sym(")")?;
        Ok(q)
    }

    fn bound(&mut self) -> Result<Bound, SyntaxError> {
        if let Some(c) = self.cmp() {
            return Ok(Bound::Cmp(c, self.number()?));
        }
        if self.keyword("between") {
            let a = self.number()?;
            if !self.keyword("and") {
                return self.fail("expected `and`, as in `between 14% and 16%`");
            }
            let b = self.number()?;
            return self.ordered(a, b);
        }
        if self.keyword("within") {
            let a = self.number()?;
            self.sym("..")?;
            let b = self.number()?;
            return self.ordered(a, b);
        }
        self.fail("expected a bound: `<=`, `>=`, `<`, `>` and a number, `between A and B`, or `within A..B`")
    }

    fn ordered(&self, a: f64, b: f64) -> Result<Bound, SyntaxError> {
        if a > b {
            return Err(SyntaxError {
                at: self
                    .toks
                    .get(self.pos.saturating_sub(1))
                    .map_or(self.end, |t| t.1),
                message: format!("the lower bound {a} is above the upper bound {b}"),
            });
        }
        Ok(Bound::Between(a, b))
    }
}

/// Parses a goal for `kjproj solve`: a quantity, `=`, and a number
/// (`share[2031] = 15%`).
pub fn parse_goal(text: &str) -> Result<(Quantity, f64), SyntaxError> {
    let mut p = Parser {
        toks: tokens(text)?,
        pos: 0,
        end: text.len(),
    };
    let quantity = p.quantity()?;
    if !p.eat_sym("=") {
        return p.fail("expected `=` and the value to reach, as in `share[2031] = 15%`");
    }
    let goal = p.number()?;
    if p.pos < p.toks.len() {
        return p.fail("unexpected text after the goal");
    }
    Ok((quantity, goal))
}

/// Parses a quantity alone (`share[2031]`, `sum(sales, 2025, 2031)`): an output of the
/// sensitivity analyses.
pub fn parse_quantity(text: &str) -> Result<Quantity, SyntaxError> {
    let mut p = Parser {
        toks: tokens(text)?,
        pos: 0,
        end: text.len(),
    };
    let quantity = p.quantity()?;
    if p.pos < p.toks.len() {
        return p.fail("unexpected text after the quantity");
    }
    Ok(quantity)
}

/// Parses a check.
pub fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let mut p = Parser {
        toks: tokens(text)?,
        pos: 0,
        end: text.len(),
    };
    let quantity = p.quantity()?;
    let bound = p.bound()?;
    if p.pos < p.toks.len() {
        return p.fail("unexpected text after the bound");
    }
    Ok(Expr { quantity, bound })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Expr {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    #[test]
    fn parses_the_documented_forms() {
        let e = ok("share[2031] between 14% and 16%");
        assert!(
            matches!(e.quantity, Quantity::Value(Ref { ref name, year: Some((2031, _)), .. }) if name == "share")
        );
        assert_eq!(e.bound, Bound::Between(0.14, 0.16));
        assert_eq!(ok("cagr(market) <= 12%").bound, Bound::Cmp(Cmp::Le, 0.12));
        assert!(matches!(
            ok("cagr(sales, 2025, 2031) < 35%").quantity,
            Quantity::Cagr(_, Some(((2025, _), (2031, _))))
        ));
        assert!(matches!(
            ok("max(yoy(sales)) <= 40%").quantity,
            Quantity::MaxYoy(_)
        ));
        assert!(matches!(
            ok("yoy(sales[2027]) >= 0").quantity,
            Quantity::Yoy(_)
        ));
        assert!(
            matches!(ok("P(share[2031] >= 15%) >= 0.5").quantity, Quantity::Probability(_, Cmp::Ge, x) if x == 0.15)
        );
        assert!(
            matches!(ok("P50(sales[2031]) within 45..60").quantity, Quantity::Percentile(p, _) if p == 0.5)
        );
        assert_eq!(
            ok("P50(sales[2031]) within 45..60").bound,
            Bound::Between(45.0, 60.0)
        );
        assert!(
            matches!(ok("P97.5(sales[2031]) < 70").quantity, Quantity::Percentile(p, _) if (p - 0.975).abs() < 1e-12)
        );
        assert!(matches!(
            ok("mean(market[2031]) ≥ 300").bound,
            Bound::Cmp(Cmp::Ge, 300.0)
        ));
        assert_eq!(ok("x[2020] > -0.5").bound, Bound::Cmp(Cmp::Gt, -0.5));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("share[2031] betwen 1 and 2").unwrap_err();
        assert_eq!(e.at, 12);
        assert!(e.message.contains("expected a bound"));
        let e = parse("share[2031] between 16% and 14%").unwrap_err();
        assert!(e.message.contains("above the upper bound"));
        let e = parse("share 2031 >= 1").unwrap_err();
        assert_eq!(e.at, 6);
        let e = parse("foo(share[2031]) > 1").unwrap_err();
        assert!(e.message.contains("unknown function `foo`"));
        let e = parse("share[2031] >= 1 and more").unwrap_err();
        assert!(e.message.contains("after the bound"));
        let e = parse("share[2031.5] >= 1").unwrap_err();
        assert!(e.message.contains("not a year"));
        let e = parse("sum(sales, 2025, 2031) >= 1e400").unwrap_err();
        assert!(
            e.message.contains("`1e400` is not a (finite) number"),
            "{e:?}"
        );
        assert_eq!(e.at, 26);
        let e = parse("sales[2031] >= 2e").unwrap_err();
        assert!(e.message.contains("after the bound"), "{e:?}");
    }

    /// Numbers as TOML writes them, with an exponent.
    #[test]
    fn numbers_take_an_exponent() {
        let bound = |text: &str| parse(text).unwrap().bound;
        assert_eq!(
            bound("sum(sales, 2025, 2031) >= 1.8e2"),
            Bound::Cmp(Cmp::Ge, 180.0)
        );
        assert_eq!(bound("sales[2031] < 2E+1"), Bound::Cmp(Cmp::Lt, 20.0));
        assert_eq!(
            bound("max(yoy(sales)) > -2.5e-1"),
            Bound::Cmp(Cmp::Gt, -0.25)
        );
        assert_eq!(bound("share[2031] <= 1.5e1%"), Bound::Cmp(Cmp::Le, 0.15));
        let p = parse("P(market[2031] >= 3.5e2) >= 5e-1").unwrap();
        assert!(matches!(p.quantity, Quantity::Probability(_, Cmp::Ge, x) if x == 350.0));
        assert_eq!(p.bound, Bound::Cmp(Cmp::Ge, 0.5));
    }
}
