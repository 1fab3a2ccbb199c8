//! Text measured and drawn with the embedded NanumGothic font.
//!
//! plotters is built without a font feature: its built-in "naive" font only guesses sizes
//! and cannot draw on bitmaps, and its ab_glyph path drops the glyph bearings, so letters
//! come out unevenly spaced. `FontBackend` wraps any plotters backend and takes text over:
//! it measures with the font's real metrics and, on raster backends, lays glyphs out itself
//! (advance + kerning, bearings from the outline bounds) and blends their coverage into the
//! inner backend pixel by pixel. Everything else is passed straight through.
//!
//! Sizes follow plotters' convention, in which the SVG backend writes
//! `font-size = size / 1.24`: we use the same em size, so PNG and SVG text agree.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, Glyph, GlyphId, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle, FontTransform,
};

use super::PlotError;

pub use super::FONT_BYTES;

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

/// Text drawn as glyph outlines in SVG: every glyph's shape is defined once (in font
/// units) and each line of text is a group of references to them, so the document looks
/// the same in every viewer and rasteriser, with or without fonts installed.
#[derive(Debug, Default)]
pub(crate) struct Outlines {
    /// Path data of each glyph used, in font units (y up), by glyph id; `None` for a
    /// glyph without an outline (a space), so no glyph's outline is read twice.
    shapes: std::collections::BTreeMap<u16, Option<String>>,
    /// One `<g>` element per line of text, in drawing order.
    runs: Vec<String>,
}

/// What [`FontBackend`] writes for a line of text in place of the outlines; [`Outlines::
/// finish`] swaps each for its run.
const RUN_MARKER: &str = "kjproj-text-";

impl Outlines {
    /// Records `text` drawn at `pos` and returns the marker to hand to the SVG backend.
    fn add(
        &mut self,
        text: &str,
        style: &impl BackendTextStyle,
        pos: BackendCoord,
    ) -> Result<String, PlotError> {
        let (size, anchor, color) = (style.size(), style.anchor(), style.color());
        let bold = matches!(style.style(), FontStyle::Bold);
        let font = font()?;
        let l = layout(text, size, bold)?;
        let scaled = font.as_scaled(px_scale(font, size));
        let s = scaled.h_scale_factor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -l.width / 2.0,
            HPos::Right => -l.width,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0.0,
            VPos::Center => -l.height / 2.0,
            VPos::Bottom => -l.height,
        };
        let rotation = match style.transform() {
            FontTransform::None => "",
            FontTransform::Rotate90 => " rotate(90)",
            FontTransform::Rotate180 => " rotate(180)",
            FontTransform::Rotate270 => " rotate(270)",
        };
        let (r, g, b) = color.rgb;
        // The text itself, escaped, as the group's accessible name: screen readers and
        // searches in the SVG still find it.
        let mut label = String::with_capacity(text.len());
        // (Without the two noncharacters XML 1.0 does not allow either.)
        for c in text
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        {
            match c {
                '<' => label.push_str("&lt;"),
                '&' => label.push_str("&amp;"),
                '"' => label.push_str("&quot;"),
                c => label.push(c),
            }
        }
        let mut run = format!(
            r##"<g aria-label="{label}" transform="translate({} {}){rotation}" fill="#{r:02X}{g:02X}{b:02X}""##,
            pos.0, pos.1
        );
        if color.alpha < 1.0 {
            run += &format!(r#" fill-opacity="{:.3}""#, color.alpha);
        }
        // Synthetic bold (the font has no bold face): a stroke `bold_px` wide, the glyph
        // shifted by half of it, so it grows right and down by the width `layout` gave it.
        let half = l.bold_px as f32 / 2.0;
        if l.bold_px > 0 {
            run += &format!(
                r##" stroke="#{r:02X}{g:02X}{b:02X}" stroke-width="{:.1}" stroke-linejoin="round""##,
                l.bold_px as f32 / s
            );
        }
        run.push('>');
        for glyph in &l.glyphs {
            let shape = self
                .shapes
                .entry(glyph.id.0)
                .or_insert_with(|| font.outline(glyph.id).map(|o| path_data(&o.curves)));
            if shape.is_none() {
                continue;
            }
            run += &format!(
                r##"<use xlink:href="#g{}" transform="matrix({s:.5} 0 0 {:.5} {:.2} {:.2})"/>"##,
                glyph.id.0,
                -s,
                glyph.position.x + dx + half,
                glyph.position.y + dy + half,
            );
        }
        run += "</g>";
        self.runs.push(run);
        Ok(format!("{RUN_MARKER}{}", self.runs.len() - 1))
    }

    /// The SVG document `svg` (written by plotters' SVG backend through a [`FontBackend`])
    /// with every text marker replaced by its glyphs and the glyph shapes defined after
    /// the root element's start tag.
    pub(crate) fn finish(&self, svg: &str) -> Result<String, PlotError> {
        let mut out = String::with_capacity(svg.len() + 64 * self.runs.len());
        let root_end = svg
            .find('>')
            .ok_or_else(|| PlotError::new("the SVG backend wrote no root element"))?;
        out += &svg[..root_end].replacen(
            "xmlns=",
            r#"xmlns:xlink="http://www.w3.org/1999/xlink" xmlns="#,
            1,
        );
        out += ">\n<defs>";
        for (id, d) in self
            .shapes
            .iter()
            .filter_map(|(id, d)| Some((id, d.as_ref()?)))
        {
            out += &format!(r#"<path id="g{id}" d="{d}"/>"#);
        }
        out += "</defs>";
        let mut rest = &svg[root_end + 1..];
        while let Some(start) = rest.find("<text") {
            out += &rest[..start];
            let end = rest[start..]
                .find("</text>")
                .map(|e| start + e + "</text>".len())
                .ok_or_else(|| PlotError::new("unterminated SVG text element"))?;
            let element = &rest[start..end];
            let run = element
                .rsplit_once(RUN_MARKER)
                .and_then(|(_, n)| n.strip_suffix("</text>"))
                .map(str::trim)
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| self.runs.get(n))
                .ok_or_else(|| PlotError::new("SVG text without its glyph outlines"))?;
            out += run;
            rest = &rest[end..];
        }
        out += rest;
        Ok(out)
    }
}

/// SVG path data of a glyph outline, in font units (whole numbers in TrueType fonts).
fn path_data(curves: &[ab_glyph::OutlineCurve]) -> String {
    use ab_glyph::OutlineCurve::{Cubic, Line, Quad};
    use std::fmt::Write;
    let mut d = String::new();
    let mut at: Option<ab_glyph::Point> = None;
    let p = |q: ab_glyph::Point| format!("{} {}", q.x, q.y);
    for c in curves {
        let (start, end) = match *c {
            Line(a, b) | Quad(a, _, b) | Cubic(a, _, _, b) => (a, b),
        };
        if at != Some(start) {
            if at.is_some() {
                d.push('Z');
            }
            let _ = write!(d, "M{}", p(start));
        }
        let _ = match *c {
            Line(_, b) => write!(d, "L{}", p(b)),
            Quad(_, c1, b) => write!(d, "Q{} {}", p(c1), p(b)),
            Cubic(_, c1, c2, b) => write!(d, "C{} {} {}", p(c1), p(c2), p(b)),
        };
        at = Some(end);
    }
    if at.is_some() {
        d.push('Z');
    }
    d
}

/// A plotters backend wrapper that measures and draws all text with the embedded font;
/// every other operation goes to the inner backend unchanged.
pub(crate) struct FontBackend<DB> {
    inner: DB,
    outlines: std::rc::Rc<std::cell::RefCell<Outlines>>,
}

impl<DB: DrawingBackend> FontBackend<DB> {
    /// Wraps plotters' `SVGBackend`: text is recorded in `outlines` as glyph shapes and
    /// the SVG gets a marker in its place; [`Outlines::finish`] completes the document.
    pub(crate) fn outlining(
        inner: DB,
        outlines: std::rc::Rc<std::cell::RefCell<Outlines>>,
    ) -> Self {
        FontBackend { inner, outlines }
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
        let color = style.color();
        if color.alpha <= 0.0 {
            return Ok(());
        }
        let marker = self
            .outlines
            .borrow_mut()
            .add(text, style, pos)
            .map_err(font_err)?;
        self.inner.draw_text(&marker, style, pos)
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

    /// The (x, y) translations of the `<use>` elements of a run, in order.
    fn glyph_origins(run: &str) -> Vec<(f32, f32)> {
        run.split("<use ")
            .skip(1)
            .map(|u| {
                let m = u.split("matrix(").nth(1).unwrap();
                let n: Vec<f32> = m
                    .split(')')
                    .next()
                    .unwrap()
                    .split(' ')
                    .map(|v| v.parse().unwrap())
                    .collect();
                (n[4], n[5])
            })
            .collect()
    }

    use plotters::style::{BLACK, Color, IntoFont, RGBColor, TextStyle};
    use plotters_backend::text_anchor::Pos;

    /// Black regular text of `size`, anchored at its top left.
    fn plain(size: f64) -> TextStyle<'static> {
        ("NanumGothic", size).into_font().color(&BLACK)
    }

    #[test]
    fn glyphs_sit_at_the_font_carets_and_ink_at_the_bearings() {
        // The bug this guards against: glyphs placed at the caret without their bearings,
        // or advanced by guessed widths (plotters' own font paths).
        let size = 100.0;
        let mut o = Outlines::default();
        o.add("Hello", &plain(size), (0, 0)).unwrap();
        let origins = glyph_origins(&o.runs[0]);
        let font = font().unwrap();
        let sf = font.as_scaled(px_scale(font, size)).h_scale_factor();
        let ink = expected_ink("Hello", size);
        assert_eq!(origins.len(), ink.len());
        for (((x, _), (left, _)), c) in origins.iter().zip(&ink).zip("Hello".chars()) {
            // Origin + left bearing (outline bounds, in font units) = the ink's left edge.
            let bearing = font.outline(font.glyph_id(c)).unwrap().bounds.min.x * sf;
            assert!(
                (x + bearing - left).abs() < 0.01,
                "{c}: {x} + {bearing} vs {left}"
            );
        }
        // Every glyph's shape is defined once: "l" twice in "Hello", one definition.
        assert_eq!(o.shapes.len(), 4);
        assert!(o.shapes.values().all(|d| {
            d.as_deref()
                .is_some_and(|d| d.starts_with('M') && d.ends_with('Z'))
        }));
    }

    #[test]
    fn anchors_and_rotation_place_text_around_the_point() {
        let mut o = Outlines::default();
        let style = plain(30.0)
            .pos(Pos::new(HPos::Center, VPos::Center))
            .transform(FontTransform::Rotate270);
        o.add("Title", &style, (50, 60)).unwrap();
        let run = &o.runs[0];
        assert!(
            run.contains(r#"transform="translate(50 60) rotate(270)""#),
            "{run}"
        );
        let l = layout("Title", 30.0, false).unwrap();
        let first = glyph_origins(run)[0];
        assert!((first.0 + l.width / 2.0).abs() < 0.01, "{first:?}");
        // Baseline at the ascent, less half the line height.
        assert!(first.1 > 0.0 && first.1 < l.height / 2.0);
    }

    #[test]
    fn bold_is_a_stroke_and_colour_and_opacity_are_kept() {
        let mut o = Outlines::default();
        let grey = RGBColor(0x12, 0x34, 0x56).mix(0.5);
        let style = ("NanumGothic", 40.0, FontStyle::Bold)
            .into_font()
            .color(&grey);
        o.add("Bold <&>\u{FFFF}", &style, (0, 0)).unwrap();
        let run = &o.runs[0];
        assert!(run.contains(r##"fill="#123456" fill-opacity="0.500" stroke="#123456""##));
        assert!(run.contains(r#"aria-label="Bold &lt;&amp;>""#), "{run}");
    }

    #[test]
    fn markers_are_replaced_by_their_runs_and_shapes_defined_once() {
        let mut o = Outlines::default();
        let m0 = o.add("ab", &plain(20.0), (1, 2)).unwrap();
        let m1 = o.add("ba", &plain(20.0), (3, 4)).unwrap();
        let svg = format!(
            "<svg width=\"10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect/>\n<text x=\"1\">\n{m0}\n</text>\n<text x=\"3\">\n{m1}\n</text>\n</svg>\n"
        );
        let done = o.finish(&svg).unwrap();
        assert!(!done.contains("<text") && !done.contains(RUN_MARKER));
        assert_eq!(done.matches("<path id=").count(), 2);
        let (first, second) = (done.find("translate(1 2)"), done.find("translate(3 4)"));
        assert!(done.find("<rect/>") < first && first < second);
        assert!(done.starts_with("<svg width=\"10\" xmlns:xlink="));
        assert!(o.finish("<svg><text>kjproj-text-9</text></svg>").is_err());
    }

    #[test]
    fn missing_glyphs_and_empty_text_do_not_fail() {
        assert_eq!(text_size("", 20.0).unwrap().0, 0);
        assert!(text_size("\u{10FFFF}\u{1F600}", 20.0).is_ok());
        let mut o = Outlines::default();
        o.add("   ", &plain(20.0), (0, 0)).unwrap();
        assert!(!o.runs[0].contains("<use"));
    }
}
