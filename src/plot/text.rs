//! Text measured and drawn with the embedded NanumGothic font.
//!
//! plotters is built without a font feature: its built-in "naive" font only guesses sizes
//! and cannot draw on bitmaps, and its ab_glyph path drops the glyph bearings, so letters
//! come out unevenly spaced. [`FontBackend`] wraps any plotters backend and takes text over:
//! it measures with the font's real metrics and, on raster backends, lays glyphs out itself
//! (advance + kerning, bearings from the outline bounds) and blends their coverage into the
//! inner backend pixel by pixel. Everything else is passed straight through.
//!
//! Sizes follow plotters' convention, in which the SVG backend writes
//! `font-size = size / 1.24`: we use the same em size, so PNG and SVG text agree.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, Glyph, GlyphId, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};

use super::PlotError;

/// The font file (NanumGothic, SIL Open Font License), compiled in so that rendering never
/// depends on system fonts; `report.html` embeds it too when its text has Hangul.
pub static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NanumGothic.ttf");

/// Parsed once; a parse failure is remembered as a message and reported on every use.
static FONT: OnceLock<Result<FontRef<'static>, String>> = OnceLock::new();

/// Font size (plotters units) to em size in pixels; see the module docs.
const EM_PER_SIZE: f32 = 1.0 / 1.24;

/// Stroke thickening of synthetic bold, as a share of the em. The embedded font has no
/// bold face, so bold text (`FontStyle::Bold`) is drawn by dilating the coverage.
const BOLD_PER_EM: f32 = 0.035;

/// The embedded font, parsed on first use.
fn font() -> Result<&'static FontRef<'static>, PlotError> {
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| PlotError::new(format!("embedded font: {e}")))
}

/// ab_glyph's `PxScale` is the pixel height of ascent − descent, not the em size, so
/// convert from the em size we want.
fn px_scale(font: &FontRef<'_>, size: f64) -> PxScale {
    let em = size as f32 * EM_PER_SIZE;
    let units_per_em = font.units_per_em().unwrap_or(1000.0);
    PxScale::from(em * font.height_unscaled() / units_per_em)
}

/// One line of text laid out on a baseline, in a box whose top-left corner is (0, 0).
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Synthetic-bold dilation in whole pixels (0 for regular text).
    pub bold_px: u32,
    /// Positioned glyphs; `position` is the glyph origin on the baseline (y = ascent).
    pub glyphs: Vec<Glyph>,
    /// Advance width of the whole line, in pixels.
    pub width: f32,
    /// Height of the line box (font ascent − descent), in pixels.
    pub height: f32,
}

/// Lays `text` out in one line at plotters font size `size`, in synthetic bold if `bold`.
/// Control characters are skipped; characters the font lacks get its "missing glyph" box
/// rather than an error.
pub(crate) fn layout(text: &str, size: f64, bold: bool) -> Result<Layout, PlotError> {
    let font = font()?;
    let scale = px_scale(font, size);
    let scaled = font.as_scaled(scale);
    // Bold glyphs grow by the dilation, so their advances do too.
    let bold_px = if bold {
        (size as f32 * EM_PER_SIZE * BOLD_PER_EM).round().max(1.0) as u32
    } else {
        0
    };
    let mut glyphs = Vec::with_capacity(text.len());
    let mut caret = 0.0_f32;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars().filter(|c| !c.is_control()) {
        let id = scaled.glyph_id(c);
        if let Some(prev) = prev {
            caret += scaled.kern(prev, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(caret, scaled.ascent())));
        caret += scaled.h_advance(id) + bold_px as f32;
        prev = Some(id);
    }
    Ok(Layout {
        bold_px,
        glyphs,
        width: caret,
        height: scaled.ascent() - scaled.descent(),
    })
}

/// Width and height in whole pixels of the box `text` occupies at font size `size`
/// (regular weight; bold text is a few pixels wider).
pub fn text_size(text: &str, size: f64) -> Result<(u32, u32), PlotError> {
    let l = layout(text, size, false)?;
    Ok((l.width.ceil() as u32, l.height.ceil() as u32))
}

/// Width in whole pixels of `text` at font size `size` in (synthetic) bold.
pub fn bold_text_width(text: &str, size: f64) -> Result<u32, PlotError> {
    Ok(layout(text, size, true)?.width.ceil() as u32)
}

/// Greyscale coverage of a rendered line of text, one value in 0..=1 per pixel.
struct Coverage {
    /// Position of the top-left pixel relative to the anchor point (unrotated frame).
    origin: (i32, i32),
    width: usize,
    values: Vec<f32>,
}

/// Rasterises `text` with the given anchor into a coverage grid, in the unrotated frame
/// whose origin is the anchor point.
fn rasterize(text: &str, size: f64, bold: bool, anchor: Pos) -> Result<Coverage, PlotError> {
    let font = font()?;
    let mut l = layout(text, size, bold)?;
    // Whole-pixel offsets, so a given string always rasterises identically.
    let dx = match anchor.h_pos {
        HPos::Left => 0.0,
        HPos::Center => -(l.width / 2.0).round(),
        HPos::Right => -l.width.round(),
    };
    let dy = match anchor.v_pos {
        VPos::Top => 0.0,
        VPos::Center => -(l.height / 2.0).round(),
        VPos::Bottom => -l.height.round(),
    };
    for g in &mut l.glyphs {
        g.position.x += dx;
        g.position.y += dy;
    }
    // Glyphs without an outline (spaces) draw nothing. Ink may stick out of the line box
    // (accents, deep descenders), so the grid is the union of the outline bounds.
    let outlines: Vec<_> = l
        .glyphs
        .into_iter()
        .filter_map(|g| font.outline_glyph(g))
        .collect();
    let Some(first) = outlines.first() else {
        return Ok(Coverage {
            origin: (0, 0),
            width: 0,
            values: Vec::new(),
        });
    };
    let mut bounds = first.px_bounds();
    for o in &outlines {
        let b = o.px_bounds();
        bounds.min.x = bounds.min.x.min(b.min.x);
        bounds.min.y = bounds.min.y.min(b.min.y);
        bounds.max.x = bounds.max.x.max(b.max.x);
        bounds.max.y = bounds.max.y.max(b.max.y);
    }
    // px_bounds are whole pixels already; the casts only change the type.
    let origin = (bounds.min.x as i32, bounds.min.y as i32);
    let width = (bounds.max.x - bounds.min.x) as usize;
    let height = (bounds.max.y - bounds.min.y) as usize;
    let mut values = vec![0.0_f32; width * height];
    for o in &outlines {
        let b = o.px_bounds();
        let (ox, oy) = (b.min.x as i32 - origin.0, b.min.y as i32 - origin.1);
        o.draw(|x, y, c| {
            let idx = (oy as usize + y as usize) * width + ox as usize + x as usize;
            if let Some(v) = values.get_mut(idx) {
                // Neighbouring glyphs can overlap slightly (kerning); add, then clamp.
                *v = (*v + c).min(1.0);
            }
        });
    }
    if l.bold_px > 0 {
        return Ok(embolden(
            &Coverage {
                origin,
                width,
                values,
            },
            l.bold_px as usize,
        ));
    }
    Ok(Coverage {
        origin,
        width,
        values,
    })
}

/// Synthetic bold: each pixel takes the maximum coverage of the `d` pixels left of and
/// above it, which thickens strokes by `d` while keeping anti-aliased edges.
fn embolden(c: &Coverage, d: usize) -> Coverage {
    if c.values.is_empty() {
        return Coverage {
            origin: c.origin,
            width: c.width,
            values: Vec::new(),
        };
    }
    let h = c.values.len() / c.width;
    let (w2, h2) = (c.width + d, h + d);
    let mut values = vec![0.0_f32; w2 * h2];
    for y in 0..h2 {
        for x in 0..w2 {
            let mut m = 0.0_f32;
            for sy in y.saturating_sub(d)..=y.min(h - 1) {
                for sx in x.saturating_sub(d)..=x.min(c.width - 1) {
                    m = m.max(c.values[sy * c.width + sx]);
                }
            }
            values[y * w2 + x] = m;
        }
    }
    Coverage {
        origin: c.origin,
        width: w2,
        values,
    }
}

/// Maps pixel (x, y) of the unrotated text frame to the rotated frame. Pixel centres are
/// rotated, hence the −1 terms: plotters' `FontTransform::transform` maps corners.
fn rotate(t: &FontTransform, (x, y): (i32, i32)) -> (i32, i32) {
    match t {
        FontTransform::None => (x, y),
        FontTransform::Rotate90 => (-y - 1, x),
        FontTransform::Rotate180 => (-x - 1, -y - 1),
        FontTransform::Rotate270 => (y, -x - 1),
    }
}

/// How [`FontBackend`] handles `draw_text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextMode {
    /// Draw glyph coverage pixel by pixel (bitmap backends).
    Raster,
    /// Pass text on to the inner backend (SVG writes `<text>` elements).
    Delegate,
}

/// A plotters backend wrapper that measures (and, for bitmaps, draws) all text with the
/// embedded font; every other operation goes to the inner backend unchanged.
pub struct FontBackend<DB> {
    inner: DB,
    mode: TextMode,
}

impl<DB: DrawingBackend> FontBackend<DB> {
    /// Wraps a raster backend (e.g. `BitMapBackend`): text is drawn as glyph coverage.
    pub fn raster(inner: DB) -> Self {
        FontBackend {
            inner,
            mode: TextMode::Raster,
        }
    }

    /// Wraps a vector backend (e.g. `SVGBackend`) that draws text itself; only the text
    /// size estimates come from the embedded font.
    pub fn delegating(inner: DB) -> Self {
        FontBackend {
            inner,
            mode: TextMode::Delegate,
        }
    }
}

/// Font errors travel through plotters as boxed errors.
fn font_err<E: std::error::Error + Send + Sync>(e: PlotError) -> DrawingErrorKind<E> {
    DrawingErrorKind::FontError(Box::new(e))
}

impl<DB: DrawingBackend> DrawingBackend for FontBackend<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if self.mode == TextMode::Delegate {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha <= 0.0 {
            return Ok(());
        }
        let bold = matches!(style.style(), FontStyle::Bold);
        let cov = rasterize(text, style.size(), bold, style.anchor()).map_err(font_err)?;
        let transform = style.transform();
        let (w, h) = self.inner.get_size();
        for (i, &c) in cov.values.iter().enumerate() {
            if c <= 0.0 {
                continue;
            }
            let local = (
                cov.origin.0 + (i % cov.width) as i32,
                cov.origin.1 + (i / cov.width) as i32,
            );
            let (x, y) = rotate(&transform, local);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x < 0 || y < 0 || x >= w as i32 || y >= h as i32 {
                continue;
            }
            let alpha = color.alpha * f64::from(c);
            self.inner.draw_pixel(
                (x, y),
                BackendColor {
                    alpha,
                    rgb: color.rgb,
                },
            )?;
        }
        Ok(())
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        // plotters asks for the unrotated size and rotates it itself.
        let bold = matches!(style.style(), FontStyle::Bold);
        let l = layout(text, style.size(), bold).map_err(font_err)?;
        Ok((l.width.ceil() as u32, l.height.ceil() as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_loads_and_height_matches_size() {
        let l = layout("Hg", 40.0, false).unwrap();
        // NanumGothic's ascent − descent is a little over one em; size / 1.24 is the em.
        assert!(l.height > 30.0 && l.height < 42.0, "height {}", l.height);
    }

    #[test]
    fn glyph_positions_strictly_increase() {
        let l = layout("Hello, 한국 world", 20.0, false).unwrap();
        let xs: Vec<f32> = l.glyphs.iter().map(|g| g.position.x).collect();
        assert!(xs.windows(2).all(|w| w[1] > w[0]), "{xs:?}");
        assert!((l.width - xs[xs.len() - 1]).abs() > 1.0);
    }

    /// Ink extents (left, right) of each glyph of `text`, computed from the font's metrics
    /// independently of [`layout`]: caret = sum of advances and kerning, ink = caret +
    /// outline bounds (whose left edge is the side bearing).
    fn expected_ink(text: &str, size: f64) -> Vec<(f32, f32)> {
        let font = font().unwrap();
        let scaled = font.as_scaled(px_scale(font, size));
        let sf = scaled.h_scale_factor();
        let mut caret = 0.0;
        let mut prev = None;
        let mut out = Vec::new();
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            let b = font.outline(id).unwrap().bounds;
            out.push((caret + b.min.x * sf, caret + b.max.x * sf));
            caret += scaled.h_advance(id);
            prev = Some(id);
        }
        out
    }

    #[test]
    fn ink_starts_at_the_bearing() {
        // The bug this guards against: glyphs drawn at the caret, ignoring the left side
        // bearing (plotters' ab_glyph path). A large size makes bearings several pixels.
        let font = font().unwrap();
        let l = layout("Hello", 100.0, false).unwrap();
        for (g, (left, _)) in l.glyphs.iter().zip(expected_ink("Hello", 100.0)) {
            let ink = font.outline_glyph(g.clone()).unwrap().px_bounds();
            assert!((ink.min.x - left).abs() <= 1.0, "{} vs {left}", ink.min.x);
        }
    }

    #[test]
    fn rasterised_gaps_between_letters_match_the_metrics() {
        let size = 100.0;
        let cov = rasterize("Hello", size, false, Pos::default()).unwrap();
        let height = cov.values.len() / cov.width;
        let inked: Vec<bool> = (0..cov.width)
            .map(|x| (0..height).any(|y| cov.values[y * cov.width + x] > 0.5))
            .collect();
        // Lengths of the blank column runs between the five letters.
        let mut gaps = Vec::new();
        let mut run = 0;
        for (i, &ink) in inked.iter().enumerate() {
            if ink {
                if run > 0 && i > run {
                    gaps.push(run as f32);
                }
                run = 0;
            } else {
                run += 1;
            }
        }
        let ink = expected_ink("Hello", size);
        let expected: Vec<f32> = ink.windows(2).map(|w| w[1].0 - w[0].1).collect();
        assert_eq!(gaps.len(), expected.len(), "letters touch or split");
        for (got, want) in gaps.iter().zip(&expected) {
            assert!(
                (got - want).abs() <= 1.5,
                "gaps {gaps:?}, expected {expected:?}"
            );
        }
    }

    #[test]
    fn anchors_and_rotation_place_text_around_the_point() {
        let cov = rasterize("Title", 30.0, false, Pos::new(HPos::Center, VPos::Center)).unwrap();
        let h = (cov.values.len() / cov.width) as i32;
        let (x0, x1) = (cov.origin.0, cov.origin.0 + cov.width as i32);
        assert!(x0 < 0 && x1 > 0 && (x0 + x1).abs() <= 3, "{x0}..{x1}");
        assert!(cov.origin.1 < 0 && cov.origin.1 + h > 0);
        // Rotating 270° turns left-to-right into bottom-to-top.
        assert_eq!(rotate(&FontTransform::Rotate270, (10, 0)), (0, -11));
        assert_eq!(rotate(&FontTransform::Rotate90, (10, 0)), (-1, 10));
    }

    #[test]
    fn missing_glyphs_and_empty_text_do_not_fail() {
        assert_eq!(text_size("", 20.0).unwrap().0, 0);
        assert!(text_size("\u{10FFFF}\u{1F600}", 20.0).is_ok());
        assert!(
            rasterize("   ", 20.0, true, Pos::default())
                .unwrap()
                .values
                .is_empty()
        );
    }
}
