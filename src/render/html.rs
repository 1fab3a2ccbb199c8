//! `report.html`: the same content as `report.md` in one self-contained file (charts
//! inline as data URIs, no fonts, scripts or anything else fetched), readable on screen and
//! printable to A4 from a browser with page breaks that do not cut tables or charts.
//!
//! The Markdown is turned into HTML by `pulldown-cmark` (CommonMark with GitHub's tables),
//! then every image the report links is replaced by its bytes from the run's own files and
//! links to a variant's `report.md` point to its `report.html`.

use base64::Engine as _;
use pulldown_cmark::{Event, Options, Parser, Tag, html};

use crate::export::OutputFile;
use crate::scenario::Lang;

/// Print and screen styles: A4 pages, tables and figures kept whole, Korean fonts first
/// where the reader's machine has them (the text falls back to any sans-serif font).
const STYLE: &str = r#"
:root { color: #1b1b1b; background: #fff; }
body { font-family: "Noto Sans KR", "Noto Sans CJK KR", "Malgun Gothic", "Apple SD Gothic Neo", NanumGothic, "Segoe UI", Arial, sans-serif;
       font-size: 11pt; line-height: 1.5; margin: 0 auto; max-width: 190mm; padding: 12mm 10mm; }
h1 { font-size: 20pt; margin: 0 0 8pt; }
h2 { font-size: 15pt; margin: 18pt 0 6pt; border-bottom: 1px solid #ccc; break-after: avoid; }
h3 { font-size: 12.5pt; margin: 14pt 0 4pt; break-after: avoid; }
table { border-collapse: collapse; margin: 6pt 0 10pt; font-size: 9.5pt; break-inside: avoid; }
th, td { border: 1px solid #c8c8c8; padding: 2pt 6pt; vertical-align: top; }
th { background: #f0f3f7; }
td[style*="right"], th[style*="right"] { font-variant-numeric: tabular-nums; }
p:has(> img) { break-inside: avoid; text-align: center; margin: 10pt 0; }
img { max-width: 100%; height: auto; }
em { color: #333; }
code { font-family: "D2Coding", "Noto Sans Mono CJK KR", Consolas, monospace; font-size: 9.5pt; }
pre { background: #f6f6f6; padding: 6pt; white-space: pre-wrap; break-inside: avoid; }
@page { size: A4; margin: 15mm 12mm; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"#;

/// A `report.html` beside every `report.md` of `files`, its images taken from `files`.
pub fn add_html_reports(files: &mut Vec<OutputFile>, lang: Lang) {
    let reports: Vec<(String, String)> = files
        .iter()
        .filter(|f| f.name == "report.md" || f.name.ends_with("/report.md"))
        .map(|f| {
            (
                f.name.clone(),
                String::from_utf8_lossy(&f.bytes).into_owned(),
            )
        })
        .collect();
    // The pages are made side by side, and added in the reports' order.
    let pages: Vec<OutputFile> = {
        use rayon::prelude::*;
        let files = &*files;
        reports
            .par_iter()
            .map(|(name, markdown)| {
                let folder = name.strip_suffix("report.md").unwrap_or("");
                OutputFile {
                    name: format!("{folder}report.html"),
                    bytes: page(markdown, folder, files, lang).into_bytes(),
                }
            })
            .collect()
    };
    files.extend(pages);
}

/// One self-contained page from a report's Markdown; `folder` is where the report sits
/// among `files` ("" or "variant/"), since its links are relative to it.
fn page(markdown: &str, folder: &str, files: &[OutputFile], lang: Lang) -> String {
    let title = markdown
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or("kjproj report")
        .to_owned();
    let events = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: inline(folder, &dest_url, files).map_or(dest_url, Into::into),
            title,
            id,
        }),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: dest_url
                .strip_suffix("report.md")
                .map_or(dest_url.clone(), |d| format!("{d}report.html").into()),
            title,
            id,
        }),
        other => other,
    });
    let mut body = String::new();
    html::push_html(&mut body, events);
    // Hangul needs a font the reader's machine may lack: embed kjproj's own (the charts'),
    // so the page reads the same everywhere. Pages without Hangul stay small.
    let font = if markdown.chars().any(is_hangul) {
        let data = base64::engine::general_purpose::STANDARD.encode(web_font());
        format!(
            "@font-face {{ font-family: \"kjproj NanumGothic\"; src: url(data:font/ttf;base64,{data}) format(\"truetype\"); }}\nbody, code {{ font-family: \"kjproj NanumGothic\", sans-serif; }}\n"
        )
    } else {
        String::new()
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"kjproj {}\">\n<title>{}</title>\n<style>{STYLE}{font}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        if lang == Lang::Ko { "ko" } else { "en" },
        env!("CARGO_PKG_VERSION"),
        // The report's text is already escaped for HTML (see `report::text`).
        title
    )
}

/// The data URI of the chart a report links as `url` (relative to `folder`), if the run
/// wrote it.
fn inline(folder: &str, url: &str, files: &[OutputFile]) -> Option<String> {
    let name = format!("{folder}{url}");
    let file = files.iter().find(|f| f.name == name)?;
    let mime = if name.ends_with(".svg") {
        "image/svg+xml"
    } else if name.ends_with(".png") {
        "image/png"
    } else {
        return None;
    };
    let data = base64::engine::general_purpose::STANDARD.encode(&file.bytes);
    Some(format!("data:{mime};base64,{data}"))
}

/// Hangul syllables and jamo (Unicode blocks Hangul Jamo, Compatibility Jamo, Syllables).
fn is_hangul(c: char) -> bool {
    matches!(c, '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{AC00}'..='\u{D7A3}')
}

/// The charts' font as browsers accept it: without the empty VTT source tables (`TSI0`–
/// `TSI5`, hinting sources for the font's makers), which Chrome's OpenType sanitizer
/// refuses ("TSI3: zero-length table"). Tables are copied as they are, 4-byte aligned,
/// behind a rebuilt table directory (OpenType spec, "Organization of an OpenType font").
fn web_font() -> Vec<u8> {
    let font = crate::plot::FONT_BYTES;
    let u16_at = |i: usize| {
        font.get(i..i + 2)
            .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]))
    };
    let u32_at = |i: usize| {
        font.get(i..i + 4)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let count = usize::from(u16_at(4));
    let records: Vec<(&[u8], u32, usize, usize)> = (0..count)
        .filter_map(|k| {
            let at = 12 + 16 * k;
            let tag = font.get(at..at + 4)?;
            let (offset, length) = (u32_at(at + 8) as usize, u32_at(at + 12) as usize);
            font.get(offset..offset + length)?;
            (!tag.starts_with(b"TSI")).then_some((tag, u32_at(at + 4), offset, length))
        })
        .collect();
    let n = records.len();
    let selector = usize::BITS - 1 - n.max(1).leading_zeros();
    let search = (1usize << selector) * 16;
    let mut out = Vec::with_capacity(font.len());
    out.extend_from_slice(&font[..4]);
    for v in [n, search, selector as usize, n * 16 - search] {
        out.extend_from_slice(&(v as u16).to_be_bytes());
    }
    let mut offset = 12 + 16 * n;
    for (tag, checksum, _, length) in &records {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum.to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(*length as u32).to_be_bytes());
        offset += length.div_ceil(4) * 4;
    }
    for (_, _, from, length) in &records {
        out.extend_from_slice(&font[*from..from + length]);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
    out
}
