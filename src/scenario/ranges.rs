//! Ranges that follow their value.
//!
//! An uncertainty range written in absolute numbers (`low = 315, high = 385`) describes
//! doubt about one particular value. When a variant or a file that `extends` another
//! changes that value but not the range, the analysis would mix the new value with a range
//! drawn around the old one (a fan centred on 350 around a path that ends at 280). That is
//! refused: the variant or file must give its own range, or the range must be written
//! relative to the value (`relative = true`, `plus_minus = 0.1`), in which case it moves
//! with the value everywhere.

use super::locate::{KeyPath, Seg, parse_path};
use super::uncertainty::canonical_name;

/// A value changed under an absolute range that was not restated.
pub(super) struct Stale {
    /// The key of the value (`metrics.market.target.value`).
    pub value_key: KeyPath,
    /// The message, without the variant prefix.
    pub message: String,
}

/// Every absolute range in `after` whose value differs from `before` while the range
/// itself is the one `before` had. `before_name` says where the old value came from
/// ("the base", "extends.toml").
pub(super) fn stale_ranges(
    before: &toml::Table,
    after: &toml::Table,
    before_name: &str,
) -> Vec<Stale> {
    let Some(inputs) = get_table(after, &["uncertainty", "inputs"]) else {
        return Vec::new();
    };
    let old_inputs = get_table(before, &["uncertainty", "inputs"]);
    let mut out = Vec::new();
    for (name, range) in inputs {
        let Some(range_table) = range.as_table() else {
            continue;
        };
        let relative = range_table.get("relative").and_then(toml::Value::as_bool) == Some(true)
            || range_table.contains_key("plus_minus");
        // A range without numbers (a fit's band) comes from the value itself.
        let absolute = ["min", "mode", "max", "mean", "sd", "low", "high"]
            .iter()
            .any(|k| range_table.contains_key(*k));
        let unchanged_range = old_inputs.and_then(|t| t.get(name)) == Some(range);
        if relative || !absolute || !unchanged_range {
            continue;
        }
        let Some(value_key) = parse_path(&canonical_name(name)) else {
            continue;
        };
        let (old, new) = (get(before, &value_key), get(after, &value_key));
        let Some(new) = new else { continue };
        if old.is_some_and(|o| same_number(o, new)) {
            continue;
        }
        let old_words = old.map_or_else(|| "not set".to_owned(), |o| format!("{o}"));
        out.push(Stale {
            message: format!(
                "`{value_key}` is {new} here but {old_words} in {before_name}, and its uncertainty range `{range}` is absolute, written for the old value: give `uncertainty.inputs.\"{name}\"` a range for {new} here, or write the range relative to the value (`relative = true` or `plus_minus = 0.1`) so that it follows the value"
            ),
            value_key,
        });
    }
    out
}

fn same_number(a: &toml::Value, b: &toml::Value) -> bool {
    let num = |v: &toml::Value| match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn get_table<'a>(table: &'a toml::Table, keys: &[&str]) -> Option<&'a toml::Table> {
    let mut here = table;
    for k in keys {
        here = here.get(*k)?.as_table()?;
    }
    Some(here)
}

fn get<'a>(table: &'a toml::Table, key: &KeyPath) -> Option<&'a toml::Value> {
    let (first, rest) = key.0.split_first()?;
    let Seg::Key(k) = first else { return None };
    let mut here = table.get(k)?;
    for seg in rest {
        here = match (seg, here) {
            (Seg::Key(k), toml::Value::Table(t)) => t.get(k)?,
            (Seg::Index(i), toml::Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(here)
}
