//! What every chart shares: rendering to SVG (text as glyph outlines) and from that SVG
//! to PNG (resvg, resolution recorded, no varying chunks), the page frame (title,
//! subtitle, optional legend strip, wrapped footnotes), text styles, pixel geometry and the
//! point markers.
//!
//! A chart is laid out once in layout units for its [`Canvas`] into a type implementing
//! [`Figure`], whose `draw` draws it at the canvas's pixel scale; the PNG is that drawing
//! rasterised, so the two outputs are one picture.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use std::cell::RefCell;
use std::rc::Rc;

use super::legend::Strip;
use super::text::{FontBackend, Outlines, text_size};
use super::theme as t;
use super::{Canvas, PlotError};

/// The page a chart is laid out on: its width in layout units (see [`super::Canvas`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sheet {
    /// Sheet width.
    pub width: u32,
}

impl Sheet {
    /// The page of a canvas.
    pub(super) fn of(canvas: &super::Canvas) -> Sheet {
        Sheet {
            width: canvas.layout_width(),
        }
    }

    /// Width available between the left and right page margins.
    pub(super) fn content_width(self) -> f64 {
        f64::from(self.width.saturating_sub(2 * t::MARGIN_X))
    }

    /// Height of a chart of [`Height::Fixed`] whose footnotes fit in
    /// [`t::RESERVED_FOOTNOTE_LINES`] lines.
    fn fixed_height(self) -> u32 {
        (f64::from(self.width) * t::HEIGHT_PER_WIDTH).round() as u32
    }
}

/// A chart laid out and ready to be drawn at any pixel scale.
pub(super) trait Figure {
    /// Width and height in layout units.
    fn size(&self) -> (u32, u32);

    /// Draws the whole chart; `k` is the number of output pixels per layout unit.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        k: f64,
    ) -> Result<(), PlotError>;
}

/// Renders `fig` as PNG bytes (8-bit RGB, resolution recorded in a `pHYs` chunk): the SVG
/// of [`svg_pixels`] rasterised by resvg, so the PNG and the SVG are one drawing. The same
/// figure always gives the same bytes.
pub(super) fn png(fig: &impl Figure, canvas: &Canvas) -> Result<Vec<u8>, PlotError> {
    use resvg::{tiny_skia, usvg};
    let (document, (w, h)) = svg_pixels(fig, canvas)?;
    let tree = usvg::Tree::from_str(&document, &usvg::Options::default())
        .map_err(PlotError::from_display)?;
    let mut pixmap = tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| PlotError::new(format!("cannot allocate a {w} × {h} px image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    encode_png(&rgb_of(pixmap.data()), w, h, canvas.dpi())
}

/// The RGB bytes of opaque premultiplied RGBA pixels (a white page under everything, so
/// they are plain RGB): the alpha bytes left out, into a buffer of the final size. Four
/// pixels (16 bytes, as four little-endian words `a`, `b`, `c`, `d`) become 12 bytes, three
/// words put together by shifts and masks, which the compiler vectorises (an iterator of
/// 3-byte arrays took about 7 instructions a pixel).
fn rgb_of(rgba: &[u8]) -> Vec<u8> {
    pulp::Arch::new().dispatch(RgbOf(rgba))
}

/// [`rgb_of`] as `pulp` runs it: compiled once per instruction set, the widest the
/// processor has chosen at run time (AVX2 shuffles the bytes of several pixels in one
/// instruction, which SSE2 cannot); the same bytes on each.
struct RgbOf<'a>(&'a [u8]);

impl pulp::WithSimd for RgbOf<'_> {
    type Output = Vec<u8>;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> Vec<u8> {
        rgb_of_here(self.0)
    }
}

/// [`rgb_of`] for one instruction set (see [`RgbOf`]).
#[inline(always)]
fn rgb_of_here(rgba: &[u8]) -> Vec<u8> {
    let mut rgb = vec![0_u8; rgba.len() / 4 * 3];
    let (from, from_rest) = rgba.as_chunks::<16>();
    let (to, to_rest) = rgb.as_chunks_mut::<12>();
    let word =
        |b: &[u8; 16], at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    for (to, from) in to.iter_mut().zip(from) {
        let (a, b, c, d) = (word(from, 0), word(from, 4), word(from, 8), word(from, 12));
        // r0 g0 b0 r1 | g1 b1 r2 g2 | b2 r3 g3 b3
        let packed = [
            (a & 0xff_ffff) | (b << 24),
            ((b >> 8) & 0xffff) | (c << 16),
            ((c >> 16) & 0xff) | (d << 8),
        ];
        for (i, w) in packed.into_iter().enumerate() {
            to[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
    }
    for (to, from) in to_rest.chunks_exact_mut(3).zip(from_rest.chunks_exact(4)) {
        to.copy_from_slice(&from[..3]);
    }
    rgb
}

/// Renders `fig` as an SVG document whose width and height are the printed size (in
/// millimetres) and whose text is drawn as glyph outlines.
pub(super) fn svg(fig: &impl Figure, canvas: &Canvas) -> Result<String, PlotError> {
    let (document, (w, h)) = svg_pixels(fig, canvas)?;
    // The width asked for; the height in proportion to the pixels.
    let width = canvas.width_mm();
    let height = width * f64::from(h) / f64::from(w);
    Ok(document.replacen(
        &format!(r#"width="{w}" height="{h}""#),
        &format!(r#"width="{width:.2}mm" height="{height:.2}mm""#),
        1,
    ))
}

/// Implements [`super::Chart`] for a chart type from the function that lays it out on a
/// [`Sheet`]: the PNG and the SVG of every chart are made the same way.
macro_rules! chart_laid_out_by {
    ($chart:ty, $lay:expr) => {
        impl super::Chart for $chart {
            fn png(&self, canvas: &super::Canvas) -> Result<Vec<u8>, super::PlotError> {
                super::common::png(&$lay(self, super::common::Sheet::of(canvas))?, canvas)
            }

            fn svg(&self, canvas: &super::Canvas) -> Result<String, super::PlotError> {
                super::common::svg(&$lay(self, super::common::Sheet::of(canvas))?, canvas)
            }
        }
    };
}
pub(super) use chart_laid_out_by;

/// The most pixels a chart image may have (a 16 cm chart at 300 dpi has about 3 million):
/// an image takes 4 bytes a pixel while it is drawn, and charts are drawn several at once.
const MAX_PIXELS: u64 = 40_000_000;

/// `fig` drawn at the canvas's scale as an SVG document sized in pixels, with its size.
fn svg_pixels(fig: &impl Figure, canvas: &Canvas) -> Result<(String, (u32, u32)), PlotError> {
    let (_, h1) = checked_size(fig)?;
    let k = canvas.scale();
    let (w, h) = (canvas.pixel_width(), (f64::from(h1) * k).round() as u32);
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(PlotError::too_large(format!(
            "a {w} × {h} px chart has more than {MAX_PIXELS} pixels"
        )));
    }
    let outlines = Rc::new(RefCell::new(Outlines::default()));
    let mut out = String::new();
    {
        let backend = FontBackend::outlining(
            SVGBackend::with_string(&mut out, (w, h)),
            Rc::clone(&outlines),
        );
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(PlotError::from_display)?;
        fig.draw(&root, k)?;
        root.present().map_err(PlotError::from_display)?;
    }
    let document = outlines.borrow().finish(&out)?;
    Ok((document, (w, h)))
}

/// The figure's size, refused when empty or taller than [`t::MAX_HEIGHT`].
fn checked_size(fig: &impl Figure) -> Result<(u32, u32), PlotError> {
    let (w, h) = fig.size();
    if w == 0 || h == 0 || h > t::MAX_HEIGHT {
        return Err(PlotError::new(format!(
            "a {w} × {h} chart is outside the supported size (up to {} tall)",
            t::MAX_HEIGHT
        )));
    }
    Ok((w, h))
}

/// Encodes an 8-bit RGB buffer as PNG with its resolution; no timestamps or other varying
/// chunks.
fn encode_png(rgb: &[u8], w: u32, h: u32, dpi: f64) -> Result<Vec<u8>, PlotError> {
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let per_metre = (dpi / 0.0254).round() as u32;
    enc.set_pixel_dims(Some(png::PixelDimensions {
        xppu: per_metre,
        yppu: per_metre,
        unit: png::Unit::Meter,
    }));
    let mut writer = enc.write_header().map_err(PlotError::from_display)?;
    writer
        .write_image_data(rgb)
        .map_err(PlotError::from_display)?;
    writer.finish().map_err(PlotError::from_display)?;
    Ok(bytes)
}

/// `v` 1× pixels at scale `k`, rounded to whole pixels.
pub(super) fn px(k: f64, v: f64) -> i32 {
    (v * k).round() as i32
}

/// Like [`px`] for line widths and sizes: at least one pixel.
pub(super) fn upx(k: f64, v: f64) -> u32 {
    (v * k).round().max(1.0) as u32
}

/// A text style in the chart's font family; `size` is already scaled.
pub(super) fn font(size: f64, color: RGBColor, pos: Pos) -> TextStyle<'static> {
    (t::FONT_FAMILY, size).into_font().color(&color).pos(pos)
}

/// The bold variant of [`font`].
pub(super) fn bold_font(size: f64, color: RGBColor, pos: Pos) -> TextStyle<'static> {
    (t::FONT_FAMILY, size, FontStyle::Bold)
        .into_font()
        .color(&color)
        .pos(pos)
}

/// Draws one line of text with its anchor at `at`.
pub(super) fn draw_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    at: (i32, i32),
    style: &TextStyle<'_>,
) -> Result<(), PlotError> {
    if text.is_empty() {
        return Ok(());
    }
    root.draw(&Text::new(text, at, style.clone()))
        .map_err(PlotError::from_display)
}

/// Splits `text` into lines no wider than `max_w` pixels at font size `size`, breaking at
/// spaces, or anywhere inside a word that is too long on its own (URLs, unspaced CJK).
/// Stops after `most_lines + 1` lines, so that a long text costs no more than the lines
/// that will be shown.
pub(super) fn wrap(
    text: &str,
    size: f64,
    max_w: f64,
    most_lines: usize,
) -> Result<Vec<String>, PlotError> {
    let fits =
        |s: &str| -> Result<bool, PlotError> { Ok(f64::from(text_size(s, size)?.0) <= max_w) };
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if lines.len() > most_lines {
            return Ok(lines);
        }
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate)? {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if !fits(&line)? && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    Ok(lines)
}

/// `text` shortened with "…" so that it is at most `max_w` pixels wide at `size`.
///
/// Linear in the length of `text` (times a logarithm): only a prefix that could fit is
/// measured, found by bisection, never one character at a time.
pub(super) fn ellipsize(text: &str, size: f64, max_w: f64) -> Result<String, PlotError> {
    shorten(text, size, max_w, false)
}

/// [`ellipsize`] for text drawn in bold (titles).
pub(super) fn ellipsize_bold(text: &str, size: f64, max_w: f64) -> Result<String, PlotError> {
    shorten(text, size, max_w, true)
}

fn shorten(text: &str, size: f64, max_w: f64, bold: bool) -> Result<String, PlotError> {
    let width = |s: &str| -> Result<f64, PlotError> {
        Ok(f64::from(if bold {
            super::text::bold_text_width(s, size)?
        } else {
            text_size(s, size)?.0
        }))
    };
    // No glyph is narrower than a fifth of the font size, so no more characters than this
    // can fit; measuring more would only cost time.
    let most = (max_w / (size * 0.2)).ceil().max(1.0) as usize;
    let short = text.chars().count() <= most;
    if short && width(text)? <= max_w {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().take(most).collect();
    let with_dots = |n: usize| chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
    let fits = |n: usize| -> Result<bool, PlotError> { Ok(width(&with_dots(n))? <= max_w) };
    // Bisection for the longest prefix that fits with its "…" (width grows with length).
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid)? {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(if lo == 0 {
        "…".to_string()
    } else {
        with_dots(lo)
    })
}

/// At most this many wrapped lines per footnote; the last is shortened with "…".
pub(super) const MAX_NOTE_LINES: usize = 3;

/// How tall a [`Frame`] is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Height {
    /// The page's fixed height (a share of its width) while the footnotes fit in [`t::RESERVED_FOOTNOTE_LINES`] lines, one
    /// footnote line taller per extra line; the body takes what is left.
    Fixed,
    /// Exactly as tall as the header, a body of this many pixels, and the footnotes.
    Body(f64),
}

/// The page around a chart: white background, title, subtitle, an optional legend strip
/// under them, the body (the chart proper, drawn by the caller) and wrapped footnotes.
/// Everything is in 1× pixels.
pub(super) struct Frame {
    /// The page.
    pub page: Sheet,
    /// Title and subtitle, shortened with "…" to the page width.
    title: String,
    subtitle: String,
    legend: Option<Strip>,
    /// Top of the legend strip.
    legend_top: f64,
    /// Footnotes, already wrapped to the page width.
    footnotes: Vec<String>,
    /// Sheet height.
    pub height: u32,
    /// Top of the body.
    pub body_top: f64,
    /// Bottom of the body.
    pub body_bottom: f64,
}

impl Frame {
    /// Lays out the page. `legend`, if any, is a strip laid out for the page width.
    pub(super) fn new(
        page: Sheet,
        title: &str,
        subtitle: &str,
        legend: Option<Strip>,
        footnotes: &[String],
        height: Height,
    ) -> Result<Self, PlotError> {
        let title = ellipsize_bold(title, t::TITLE_SIZE, page.content_width())?;
        let subtitle = ellipsize(subtitle, t::SUBTITLE_SIZE, page.content_width())?;
        let title_h = f64::from(text_size(&title, t::TITLE_SIZE)?.1);
        let sub_h = if subtitle.is_empty() {
            0.0
        } else {
            f64::from(text_size(&subtitle, t::SUBTITLE_SIZE)?.1 + t::TITLE_GAP)
        };
        let header_bottom = f64::from(t::MARGIN_TOP + t::TITLE_GAP) + title_h + sub_h;
        let legend_top = header_bottom + f64::from(t::LEGEND_STRIP_GAP);
        let body_top = match &legend {
            Some(strip) => legend_top + strip.height,
            None => header_bottom,
        } + f64::from(t::HEADER_GAP);
        let mut lines = Vec::new();
        for note in footnotes {
            let mut wrapped = wrap(note, t::FOOTNOTE_SIZE, page.content_width(), MAX_NOTE_LINES)?;
            if wrapped.len() > MAX_NOTE_LINES {
                wrapped.truncate(MAX_NOTE_LINES);
                let last = format!("{}…", wrapped[MAX_NOTE_LINES - 1]);
                wrapped[MAX_NOTE_LINES - 1] =
                    ellipsize(&last, t::FOOTNOTE_SIZE, page.content_width())?;
            }
            lines.extend(wrapped);
        }
        let footer = if lines.is_empty() {
            0
        } else {
            (lines.len() as u32 + 1) * t::FOOTNOTE_LINE
        };
        let height = match height {
            Height::Fixed => {
                let extra = lines.len().saturating_sub(t::RESERVED_FOOTNOTE_LINES) as u32;
                page.fixed_height() + extra * t::FOOTNOTE_LINE
            }
            Height::Body(body) => {
                let total = body_top + body.max(0.0) + f64::from(footer + t::MARGIN_BOTTOM);
                // Saturates for absurd bodies; `png`/`svg` then refuse the size.
                total.ceil().min(f64::from(u32::MAX)) as u32
            }
        };
        Ok(Frame {
            page,
            title,
            subtitle,
            legend,
            legend_top,
            footnotes: lines,
            height,
            body_top,
            body_bottom: f64::from(height.saturating_sub(t::MARGIN_BOTTOM + footer)),
        })
    }

    /// The page's size.
    pub(super) fn size(&self) -> (u32, u32) {
        (self.page.width, self.height)
    }

    /// The body as a drawing area spanning the page between the margins.
    pub(super) fn body<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        k: f64,
    ) -> DrawingArea<DB, Shift> {
        sub_area(
            root,
            f64::from(t::MARGIN_X),
            self.body_top,
            self.page.content_width(),
            self.body_bottom - self.body_top,
            k,
        )
    }

    /// Draws the title, subtitle, legend strip and footnotes (the background is white
    /// already, see [`png()`] and [`svg()`]).
    pub(super) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        k: f64,
    ) -> Result<(), PlotError> {
        let left_top = Pos::new(HPos::Left, VPos::Top);
        let x0 = px(k, f64::from(t::MARGIN_X));
        let title_y = f64::from(t::MARGIN_TOP);
        let title_h = f64::from(text_size(&self.title, t::TITLE_SIZE)?.1);
        draw_text(
            root,
            &self.title,
            (x0, px(k, title_y)),
            &bold_font(t::TITLE_SIZE * k, t::TITLE_COLOR, left_top),
        )?;
        draw_text(
            root,
            &self.subtitle,
            (x0, px(k, title_y + title_h + f64::from(t::TITLE_GAP))),
            &font(t::SUBTITLE_SIZE * k, t::TEXT_COLOR, left_top),
        )?;
        if let Some(strip) = &self.legend {
            strip.draw(root, (f64::from(t::MARGIN_X), self.legend_top), k)?;
        }
        let mut y = self.body_bottom + f64::from(t::FOOTNOTE_LINE) * 0.6;
        let style = font(t::FOOTNOTE_SIZE * k, t::FOOTNOTE_COLOR, left_top);
        for line in &self.footnotes {
            draw_text(root, line, (x0, px(k, y)), &style)?;
            y += f64::from(t::FOOTNOTE_LINE);
        }
        Ok(())
    }
}

/// The part of `root` at (`x`, `y`) of size `w` × `h`, all in 1× pixels.
pub(super) fn sub_area<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    k: f64,
) -> DrawingArea<DB, Shift> {
    root.clone().shrink(
        (px(k, x), px(k, y)),
        (px(k, w).max(1) as u32, px(k, h).max(1) as u32),
    )
}

/// Axis-aligned pixel rectangle (inclusive corners), used to keep legends and labels clear
/// of data and of each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rect {
    /// Left edge.
    pub x0: i32,
    /// Top edge.
    pub y0: i32,
    /// Right edge.
    pub x1: i32,
    /// Bottom edge.
    pub y1: i32,
}

impl Rect {
    /// Whether the point lies inside or on the edge.
    pub(super) fn contains(&self, (x, y): (i32, i32)) -> bool {
        (self.x0..=self.x1).contains(&x) && (self.y0..=self.y1).contains(&y)
    }

    /// Whether the two rectangles share more than an edge.
    pub(super) fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    /// Square of half-side `r` around `c`.
    pub(super) fn square(c: (i32, i32), r: f64) -> Rect {
        let r = r.ceil() as i32;
        Rect {
            x0: c.0 - r,
            y0: c.1 - r,
            x1: c.0 + r,
            y1: c.1 + r,
        }
    }
}

/// Points every `step` pixels along a segment.
pub(super) fn sample_segment(a: (i32, i32), b: (i32, i32), step: i32, out: &mut Vec<(i32, i32)>) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let n = (dx.abs().max(dy.abs()) / step.max(1)).max(1);
    out.extend((0..=n).map(|i| (a.0 + dx * i / n, a.1 + dy * i / n)));
}

/// Draws the polyline `pts` dashed with the theme's [`t::DASH`] pattern (scaled by `k`),
/// the pattern running on across corners.
pub(super) fn dashed_path<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pts: &[(i32, i32)],
    style: ShapeStyle,
    k: f64,
) -> Result<(), PlotError> {
    patterned_path(root, pts, style, &[t::DASH.0, t::DASH.1], 0.0, k)
}

/// Draws the polyline `pts` with a dash pattern: alternating lengths drawn and skipped,
/// starting with a drawn one, at 1× (scaled by `k`), entered `phase` (1×) into the
/// pattern; the pattern runs on across corners. An empty pattern (or one without a
/// positive length) draws a solid line.
pub(super) fn patterned_path<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pts: &[(i32, i32)],
    style: ShapeStyle,
    pattern: &[f64],
    phase: f64,
    k: f64,
) -> Result<(), PlotError> {
    let draw = |pts: Vec<(i32, i32)>| {
        root.draw(&PathElement::new(pts, style))
            .map_err(PlotError::from_display)
    };
    // Lengths in whole scaled pixels, so that PNG and SVG dashes match.
    let lengths: Vec<f64> = pattern.iter().map(|&l| f64::from(upx(k, l))).collect();
    let period: f64 = lengths.iter().sum();
    if pattern.iter().all(|&l| l.is_nan() || l <= 0.0) || !period.is_finite() {
        return if pts.len() >= 2 {
            draw(pts.to_vec())
        } else {
            Ok(())
        };
    }
    let at = |a: (i32, i32), b: (i32, i32), f: f64| {
        let x = f64::from(a.0) + f64::from(b.0 - a.0) * f;
        let y = f64::from(a.1) + f64::from(b.1 - a.1) * f;
        (x.round() as i32, y.round() as i32)
    };
    // Where in the pattern the walk is: the current element (even = drawn) and how much
    // of it is left.
    let (mut element, mut left) = (0, lengths[0]);
    let mut skip = (phase * k).round().rem_euclid(period);
    while skip >= left {
        skip -= left;
        element = (element + 1) % lengths.len();
        left = lengths[element];
    }
    left -= skip;
    let mut current: Vec<(i32, i32)> = Vec::new();
    let flush = |current: &mut Vec<(i32, i32)>| -> Result<(), PlotError> {
        if current.len() >= 2 {
            draw(std::mem::take(current))?;
        }
        current.clear();
        Ok(())
    };
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let len = f64::from(b.0 - a.0).hypot(f64::from(b.1 - a.1));
        let mut s = 0.0_f64;
        while s < len {
            let step = left.min(len - s);
            if element % 2 == 0 {
                if current.is_empty() {
                    current.push(at(a, b, s / len));
                }
                current.push(at(a, b, (s + step) / len));
            }
            s += step;
            left -= step;
            if left <= 0.0 {
                if element % 2 == 0 {
                    flush(&mut current)?;
                }
                element = (element + 1) % lengths.len();
                left = lengths[element];
            }
        }
    }
    flush(&mut current)
}

/// How a data line is drawn: colour, width, dash pattern (1× lengths, see
/// [`patterned_path`]; empty for a solid line) and white casing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LineStyle {
    /// Line colour.
    pub colour: RGBColor,
    /// Line width at 1×.
    pub width: f64,
    /// Dash pattern at 1×.
    pub dashes: &'static [f64],
    /// Width at 1× of a white casing either side of the drawn parts (0 for none), which
    /// keeps the line readable where it runs along or across another.
    pub casing: f64,
}

impl LineStyle {
    /// Draws the polyline `pts` (scaled pixels) in this style.
    pub(super) fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        pts: &[(i32, i32)],
        k: f64,
    ) -> Result<(), PlotError> {
        if self.casing > 0.0 {
            // The casing pattern: every dash longer by the casing at both ends (and every
            // gap shorter), entered that much later, so that it frames each dash.
            let c = self.casing;
            let framing: Vec<f64> = self
                .dashes
                .iter()
                .enumerate()
                .map(|(i, &l)| if i % 2 == 0 { l + 2.0 * c } else { l - 2.0 * c })
                .collect();
            // Too short a gap would vanish: then the casing runs solid.
            let framing = if framing.iter().all(|&l| l > 0.0) {
                framing
            } else {
                Vec::new()
            };
            let casing = WHITE.stroke_width(upx(k, self.width + 2.0 * c));
            patterned_path(root, pts, casing, &framing, c, k)?;
        }
        let style = self.colour.stroke_width(upx(k, self.width));
        patterned_path(root, pts, style, self.dashes, 0.0, k)
    }
}

/// Consecutive runs of present points.
pub(super) fn runs<T: Copy>(points: &[Option<T>]) -> Vec<Vec<T>> {
    points
        .split(|p| p.is_none())
        .filter(|run| !run.is_empty())
        .map(|run| run.iter().flatten().copied().collect())
        .collect()
}

/// The line through `values` (one per year of `years`, missing where not finite) as
/// polylines of pixels, split at gaps; `to_px` maps (year, value) to pixels. A lone value
/// becomes a short horizontal stroke `half` years either side, so that it stays visible.
pub(super) fn polylines(
    years: &[i32],
    values: &[f64],
    half: f64,
    to_px: impl Fn(f64, f64) -> (i32, i32),
) -> Vec<Vec<(i32, i32)>> {
    let points: Vec<Option<(f64, f64)>> = years
        .iter()
        .zip(values)
        .map(|(&yr, &v)| v.is_finite().then_some((f64::from(yr), v)))
        .collect();
    runs(&points)
        .into_iter()
        .map(|run| match run[..] {
            [(yr, v)] => vec![to_px(yr - half, v), to_px(yr + half, v)],
            _ => run.iter().map(|&(yr, v)| to_px(yr, v)).collect(),
        })
        .collect()
}

/// Refuses an empty or not strictly ascending list of years.
pub(super) fn check_years(years: &[i32], chart: &str) -> Result<(), PlotError> {
    if years.is_empty() {
        return Err(PlotError::new(format!("the {chart} has no years")));
    }
    if let Some(w) = years.windows(2).find(|w| w[0] >= w[1]) {
        return Err(PlotError::new(format!(
            "the {chart}'s years are not strictly ascending ({} before {})",
            w[0], w[1]
        )));
    }
    Ok(())
}

/// Filled circle with a thin white ring, so it stands out where it sits on its line.
/// The pixels of the finite (year, value) `points` whose year the plot shows (`shown`),
/// mapped by `to_px`: what [`observed_marks`] draws.
pub(super) fn observed_pixels(
    points: &[(i32, f64)],
    shown: impl Fn(f64) -> bool,
    to_px: impl Fn(f64, f64) -> (i32, i32),
) -> Vec<(i32, i32)> {
    points
        .iter()
        .filter(|&&(year, v)| shown(f64::from(year)) && v.is_finite())
        .map(|&(year, v)| to_px(f64::from(year), v))
        .collect()
}

/// Observed values as data: small dots in `colour` joined by a thin line (`pts` in scaled
/// pixels, ascending by year).
pub(super) fn observed_marks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    pts: &[(i32, i32)],
    colour: RGBColor,
    k: f64,
) -> Result<(), PlotError> {
    let err = PlotError::from_display;
    if pts.len() > 1 {
        root.draw(&PathElement::new(
            pts.to_vec(),
            colour.stroke_width(upx(k, t::OBSERVED_LINE_WIDTH)),
        ))
        .map_err(err)?;
    }
    for &c in pts {
        root.draw(&Circle::new(c, upx(k, t::OBSERVED_RADIUS), colour.filled()))
            .map_err(err)?;
    }
    Ok(())
}

pub(super) fn given_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: (i32, i32),
    r: f64,
    colour: RGBColor,
    k: f64,
) -> Result<(), PlotError> {
    let err = PlotError::from_display;
    let ring = (r + 1.5 * k).round() as i32;
    root.draw(&Circle::new(c, ring, WHITE.filled()))
        .map_err(err)?;
    root.draw(&Circle::new(c, r.round() as i32, colour.filled()))
        .map_err(err)
}

/// Hollow diamond: an outer filled diamond with a white one inside, which avoids the
/// notched corners a thick closed outline gets from plotters' path rasteriser.
pub(super) fn stated_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: (i32, i32),
    half: f64,
    colour: RGBColor,
    k: f64,
) -> Result<(), PlotError> {
    let err = PlotError::from_display;
    let diamond = |h: f64| {
        let h = h.round() as i32;
        vec![
            (c.0, c.1 - h),
            (c.0 + h, c.1),
            (c.0, c.1 + h),
            (c.0 - h, c.1),
        ]
    };
    // The inner diamond is inset by the stroke width measured perpendicular to the edges.
    let inner = half - t::STATED_STROKE * k * std::f64::consts::SQRT_2;
    root.draw(&Polygon::new(diamond(half), colour.filled()))
        .map_err(err)?;
    root.draw(&Polygon::new(diamond(inner), WHITE.filled()))
        .map_err(err)
}

/// `colour` blended with white: `amount` 0 gives white, 1 the colour itself. Opaque tints
/// keep overlapping fills and their legend swatches identical in PNG and SVG.
pub(super) fn tint(colour: RGBColor, amount: f64) -> RGBColor {
    let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * amount.clamp(0.0, 1.0)).round() as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pixel's red, green and blue, in order and nothing else, for images whose
    /// pixel count is and is not a multiple of the 4 pixels converted at a time, as
    /// dispatched (AVX2 here, most likely) and as compiled for the baseline.
    #[test]
    fn rgb_leaves_out_alpha_and_nothing_else() {
        for pixels in [0, 1, 3, 4, 5, 8, 11, 1000] {
            let rgba: Vec<u8> = (0..pixels * 4).map(|i| (i * 37 % 251) as u8).collect();
            let expected: Vec<u8> = (0..pixels)
                .flat_map(|p| [rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2]])
                .collect();
            assert_eq!(rgb_of(&rgba), expected, "{pixels} pixels");
            assert_eq!(rgb_of_here(&rgba), expected, "{pixels} pixels, baseline");
        }
    }

    #[test]
    fn wrapping_respects_width() {
        let text = "Source: a rather long footnote that certainly needs more than one line at this width, with a https://very-long-url.example.com/that/cannot/be/broken/at/spaces/at/all/anywhere in it.";
        let lines = wrap(text, 16.5, 300.0, 100).unwrap();
        assert!(lines.len() > 3);
        for l in &lines {
            assert!(text_size(l, 16.5).unwrap().0 <= 300, "{l}");
        }
    }

    #[test]
    fn ellipsis_shortens_to_fit() {
        let s = ellipsize("metrics.sales.target.value.with.a.long.tail", 19.0, 150.0).unwrap();
        assert!(s.ends_with('…'));
        assert!(text_size(&s, 19.0).unwrap().0 <= 150);
        assert_eq!(ellipsize("short", 19.0, 150.0).unwrap(), "short");
        assert_eq!(ellipsize("anything", 19.0, 1.0).unwrap(), "…");
    }

    #[test]
    fn runs_split_at_gaps() {
        let r = runs(&[Some(1), None, None, Some(2), Some(3), None]);
        assert_eq!(r, vec![vec![1], vec![2, 3]]);
        assert!(runs::<i32>(&[None]).is_empty());
    }

    #[test]
    fn lone_values_become_short_strokes() {
        let to_px = |x: f64, y: f64| ((x * 10.0) as i32, y as i32);
        let lines = polylines(&[1, 2, 3, 4], &[5.0, f64::NAN, 7.0, 8.0], 0.5, to_px);
        assert_eq!(lines, vec![vec![(5, 5), (15, 5)], vec![(30, 7), (40, 8)]]);
    }

    #[test]
    fn years_must_ascend() {
        assert!(check_years(&[2023, 2024], "chart").is_ok());
        assert!(check_years(&[], "chart").is_err());
        assert!(check_years(&[2024, 2024], "chart").is_err());
        assert!(check_years(&[2025, 2024], "chart").is_err());
    }

    #[test]
    fn tints_run_from_white_to_the_colour() {
        let c = RGBColor(0, 114, 178);
        assert_eq!(tint(c, 0.0), WHITE);
        assert_eq!(tint(c, 1.0), c);
        assert_eq!(tint(c, 0.5), RGBColor(128, 185, 217));
    }
}
