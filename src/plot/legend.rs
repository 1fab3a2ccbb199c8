//! Legends: a boxed legend placed inside a plot where it covers the least data, and a
//! legend strip (one or more rows of entries) under a chart's header.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::common::{
    LineStyle, Rect, dashed_path, draw_text, ellipsize, font, given_marker, observed_marks, px,
    stated_marker, upx,
};
use super::text::text_size;
use super::theme as t;

/// The symbol in front of a legend entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Key {
    /// A solid line of the series width.
    Line(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// A filled rectangle (bars, bands).
    Swatch(RGBColor),
    /// A given point (filled circle).
    Given(RGBColor),
    /// A stated figure (hollow diamond).
    Stated(RGBColor),
    /// Observed values (small dots on a thin line).
    Observed(RGBColor),
    /// A line in the given style, drawn longer than the other keys so that its whole dash
    /// pattern shows.
    Styled(LineStyle),
}

impl Key {
    /// Length of the key symbol at 1×.
    fn width(&self) -> f64 {
        match self {
            Key::Styled(_) => t::PATTERN_KEY_WIDTH,
            _ => KEY_W,
        }
    }
}

/// Length of most key symbols, gap between key and text, at 1×.
const KEY_W: f64 = 30.0;
const KEY_GAP: f64 = 10.0;

/// Draws `key` in the box [`Key::width`] wide starting at `x`, centred vertically on `cy`
/// (all in scaled pixels).
fn draw_key<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    key: Key,
    x: i32,
    cy: i32,
    k: f64,
) -> Result<(), PlotError> {
    let err = PlotError::from_display;
    let key_w = px(k, key.width());
    let centre = (x + key_w / 2, cy);
    match key {
        Key::Line(c) => root
            .draw(&PathElement::new(
                vec![(x, cy), (x + key_w, cy)],
                c.stroke_width(upx(k, t::LINE_WIDTH)),
            ))
            .map_err(err),
        Key::Dashed(c) => dashed_path(
            root,
            &[(x, cy), (x + key_w, cy)],
            c.stroke_width(upx(k, t::DASHED_WIDTH)),
            k,
        ),
        Key::Swatch(c) => {
            let h = px(k, t::SWATCH_HEIGHT / 2.0);
            root.draw(&Rectangle::new(
                [(x, cy - h), (x + key_w, cy + h)],
                c.filled(),
            ))
            .map_err(err)
        }
        Key::Given(c) => given_marker(root, centre, t::GIVEN_RADIUS * k, c, k),
        Key::Stated(c) => stated_marker(root, centre, t::STATED_HALF * k, c, k),
        Key::Observed(c) => {
            let inset = px(k, 6.0);
            observed_marks(root, &[(x + inset, cy), (x + key_w - inset, cy)], c, k)
        }
        Key::Styled(style) => {
            // Trimmed to end on a whole dash, and centred in the key's box.
            let len = px(k, pattern_length(style.dashes, key.width()));
            let x0 = x + (key_w - len) / 2;
            style.draw(root, &[(x0, cy), (x0 + len, cy)], k)
        }
    }
}

/// Shortest drawn end of a pattern's last dash in a legend key: a shorter stub is left off.
const MIN_STUB: f64 = 5.0;

/// The length, at most `max`, of a line drawn with the dash pattern `dashes` (1×) that
/// ends on a dash rather than in a gap or on a stub of one.
fn pattern_length(dashes: &[f64], max: f64) -> f64 {
    if dashes.is_empty() || dashes.iter().any(|&l| !(l.is_finite() && l > 0.0)) {
        return max;
    }
    // End of the last whole (or long enough) dash so far.
    let (mut at, mut end) = (0.0_f64, 0.0_f64);
    for (i, &l) in dashes.iter().cycle().enumerate() {
        if at >= max {
            break;
        }
        if i % 2 == 0 && (at + l <= max || max - at >= MIN_STUB.min(l)) {
            end = (at + l).min(max);
        }
        at += l;
    }
    if end > 0.0 { end } else { max }
}

/// Height of one legend text line at 1× (the tallest of the texts, at least one line).
fn line_height(texts: &[&str]) -> Result<f64, PlotError> {
    let mut h = text_size("Ag", t::LEGEND_SIZE)?.1;
    for s in texts {
        h = h.max(text_size(s, t::LEGEND_SIZE)?.1);
    }
    Ok(f64::from(h))
}

/// Draws a boxed legend, one row per entry, in the free-est spot of the plot area: candidate
/// spots along the top and bottom edges are scored by how many of the `avoid` pixels and
/// `avoid_rects` (labels, markers) they would cover; corners win ties. `plot` is in scaled
/// pixels.
pub(super) fn draw_box<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: Rect,
    rows: &[(Key, &str)],
    avoid: &[(i32, i32)],
    avoid_rects: &[Rect],
    k: f64,
) -> Result<(), PlotError> {
    if rows.is_empty() {
        return Ok(());
    }
    let size = t::LEGEND_SIZE * k;
    let widest_key = rows.iter().map(|r| r.0.width()).fold(KEY_W, f64::max);
    // A legend keeps to part of the plot: long labels end in "…", and rows beyond
    // [`MAX_BOX_ROWS`] are counted on a last row.
    let max_label = (f64::from(plot.x1 - plot.x0) * 0.45 - (widest_key + KEY_GAP) * k).max(k);
    let mut shown: Vec<(Option<Key>, String)> = Vec::new();
    for (key, label) in rows.iter().take(MAX_BOX_ROWS) {
        shown.push((Some(*key), ellipsize(label, size, max_label)?));
    }
    if rows.len() > MAX_BOX_ROWS {
        shown.push((None, format!("… (+{})", rows.len() - MAX_BOX_ROWS)));
    }
    let mut label_w = 0;
    let mut text_h = 0;
    for (_, label) in &shown {
        let (w, h) = text_size(label, size)?;
        label_w = label_w.max(w as i32);
        text_h = text_h.max(h as i32);
    }
    let (pad, key_w, key_gap, row_gap) =
        (px(k, 12.0), px(k, widest_key), px(k, KEY_GAP), px(k, 7.0));
    let n = shown.len() as i32;
    let w = pad + key_w + key_gap + label_w + pad;
    let h = pad * 2 + n * text_h + (n - 1) * row_gap;
    let inset = px(k, 12.0);

    // Candidate top-left corners: corners first, then evenly along the top and bottom.
    let (left, right) = (plot.x0 + inset, plot.x1 - inset - w);
    let (top, bottom) = (plot.y0 + inset, plot.y1 - inset - h);
    let mut spots = vec![(left, top), (right, top), (left, bottom), (right, bottom)];
    for j in 1..8 {
        let x = left + (right - left) * j / 8;
        spots.push((x, top));
        spots.push((x, bottom));
    }
    let score = |&(x, y): &(i32, i32)| {
        let r = Rect {
            x0: x,
            y0: y,
            x1: x + w,
            y1: y + h,
        };
        let pixels = avoid.iter().filter(|p| r.contains(**p)).count();
        let labels = avoid_rects.iter().filter(|o| r.overlaps(o)).count();
        pixels + 50 * labels
    };
    let (x, y) = spots
        .iter()
        .min_by_key(|s| score(s))
        .copied()
        .unwrap_or((left, top));

    let err = PlotError::from_display;
    root.draw(&Rectangle::new(
        [(x, y), (x + w, y + h)],
        WHITE.mix(t::LEGEND_OPACITY).filled(),
    ))
    .map_err(err)?;
    root.draw(&Rectangle::new(
        [(x, y), (x + w, y + h)],
        t::LEGEND_BORDER.stroke_width(upx(k, 1.0)),
    ))
    .map_err(err)?;
    let style = font(size, t::TEXT_COLOR, Pos::new(HPos::Left, VPos::Center));
    let mut ry = y + pad;
    for (key, label) in &shown {
        let cy = ry + text_h / 2;
        if let Some(key) = key {
            draw_key(root, *key, x + pad, cy, k)?;
        }
        draw_text(root, label, (x + pad + key_w + key_gap, cy), &style)?;
        ry += text_h + row_gap;
    }
    Ok(())
}

/// The most rows a boxed legend shows; more are counted on a last row ("… (+12)").
pub(super) const MAX_BOX_ROWS: usize = 24;

/// A legend laid out in rows across the page (1× pixels): entries left to right, wrapping
/// to a new row when the next one would not fit.
pub(super) struct Strip {
    /// Entries (shortened with "…" to the strip's width) with their offset from the
    /// strip's top-left corner.
    entries: Vec<(Key, String, (f64, f64))>,
    /// Height of one row's text.
    line_h: f64,
    /// Total height.
    pub height: f64,
}

impl Strip {
    /// Lays out `entries` (empty texts are left out) within `max_w` pixels.
    pub(super) fn new(entries: &[(Key, &str)], max_w: f64) -> Result<Self, PlotError> {
        let texts: Vec<&str> = entries.iter().map(|e| e.1).collect();
        let line_h = line_height(&texts)?;
        let row_h = line_h + t::LEGEND_ROW_GAP;
        let (mut x, mut y) = (0.0, 0.0);
        let mut placed = Vec::new();
        for &(key, text) in entries.iter().filter(|e| !e.1.is_empty()) {
            let text = ellipsize(text, t::LEGEND_SIZE, max_w - key.width() - KEY_GAP)?;
            let w = key.width() + KEY_GAP + f64::from(text_size(&text, t::LEGEND_SIZE)?.0);
            if x > 0.0 && x + w > max_w {
                x = 0.0;
                y += row_h;
            }
            placed.push((key, text, (x, y)));
            x += w + t::LEGEND_ENTRY_GAP;
        }
        let height = if placed.is_empty() { 0.0 } else { y + line_h };
        Ok(Strip {
            entries: placed,
            line_h,
            height,
        })
    }

    /// Draws the strip with its top-left corner at `origin` (1× pixels).
    pub(super) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        origin: (f64, f64),
        k: f64,
    ) -> Result<(), PlotError> {
        let style = font(
            t::LEGEND_SIZE * k,
            t::TEXT_COLOR,
            Pos::new(HPos::Left, VPos::Center),
        );
        for (key, text, (dx, dy)) in &self.entries {
            let x = origin.0 + dx;
            let cy = px(k, origin.1 + dy + self.line_h / 2.0);
            draw_key(root, *key, px(k, x), cy, k)?;
            draw_text(root, text, (px(k, x + key.width() + KEY_GAP), cy), &style)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_keys_end_on_a_dash() {
        assert_eq!(pattern_length(&[], 46.0), 46.0);
        assert_eq!(pattern_length(&[10.0, 5.0], 46.0), 40.0);
        assert_eq!(pattern_length(&[24.0, 6.0], 46.0), 46.0);
        assert_eq!(pattern_length(&[3.0, 7.0], 46.0), 43.0);
        assert_eq!(pattern_length(&[13.0, 4.0, 3.0, 4.0], 46.0), 44.0);
        assert_eq!(pattern_length(&[100.0, 5.0], 46.0), 46.0);
        assert_eq!(pattern_length(&[0.0, 5.0], 46.0), 46.0);
    }

    #[test]
    fn strips_wrap_when_too_wide() {
        let entries = [
            (Key::Swatch(RGBColor(0, 0, 0)), "first entry"),
            (Key::Line(RGBColor(0, 0, 0)), "second entry"),
            (Key::Stated(RGBColor(0, 0, 0)), ""),
        ];
        let one = Strip::new(&entries, 1000.0).unwrap();
        assert_eq!(one.entries.len(), 2);
        let two = Strip::new(&entries, 200.0).unwrap();
        assert!(two.height > one.height * 1.5);
        assert_eq!(two.entries[1].2.0, 0.0);
        assert_eq!(Strip::new(&[], 100.0).unwrap().height, 0.0);
    }
}
