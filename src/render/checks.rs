//! Check results as text (PASS/FAIL/SKIP lines), JSON and JUnit XML.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::check::Outcome;
use crate::scenario::BASE;

/// The checks of one file (its base and each variant), or why it could not be checked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    /// The scenario file.
    pub path: PathBuf,
    /// The base (`base`) and each variant, in file order (empty when the file is invalid).
    pub variants: Vec<VariantReport>,
    /// The loader's error, when the file is invalid.
    pub error: Option<String>,
}

/// The checks of the base or of one variant.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VariantReport {
    /// `base`, or the variant's name.
    pub variant: String,
    /// The outcomes: built-in checks, then declared ones.
    pub checks: Vec<Outcome>,
}

impl FileReport {
    /// Every outcome of the file, with the variant it belongs to.
    pub fn outcomes(&self) -> impl Iterator<Item = (&str, &Outcome)> {
        self.variants
            .iter()
            .flat_map(|v| v.checks.iter().map(move |c| (v.variant.as_str(), c)))
    }
}

/// What the checks of a set of files came to.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Counts {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// Checks a variant skips.
    pub skipped: usize,
    /// Files that could not be checked.
    pub invalid: usize,
}

/// Counts the outcomes of `reports`.
pub fn counts(reports: &[FileReport]) -> Counts {
    let all = || {
        reports
            .iter()
            .flat_map(FileReport::outcomes)
            .map(|(_, c)| c)
    };
    Counts {
        passed: all().filter(|c| c.counts_as_passed()).count(),
        failed: all().filter(|c| c.failed()).count(),
        skipped: all().filter(|c| c.skipped.is_some()).count(),
        invalid: reports.iter().filter(|r| r.error.is_some()).count(),
    }
}

/// The text report: a block per file, a line per check (naming the variant when the
/// file has variants), then `N passed, N failed` (`, N skipped` when any were).
pub fn text(reports: &[FileReport], colour: bool) -> String {
    let paint = |code: &str, word: &str| {
        if colour {
            format!("\x1b[{code}m{word}\x1b[0m")
        } else {
            word.to_owned()
        }
    };
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(out, "{}", r.path.display());
        if let Some(e) = &r.error {
            for (i, line) in e.lines().enumerate() {
                let lead = if i == 0 {
                    paint("1;31", "INVALID")
                } else {
                    "       ".into()
                };
                let _ = writeln!(out, "  {lead} {line}");
            }
            continue;
        }
        let named = r.variants.len() > 1;
        for (variant, c) in r.outcomes() {
            let word = match (&c.skipped, c.passed) {
                (Some(_), _) => paint("33", "SKIP"),
                (None, true) => paint("32", "PASS"),
                (None, false) => paint("1;31", "FAIL"),
            };
            let which = if named {
                format!("[{variant}] ")
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "  {word}  {which}{}: {} (bound: {}",
                c.name, c.actual, c.bound
            );
            match &c.skipped {
                Some(why) => {
                    let would = if c.passed { "would pass" } else { "would fail" };
                    let _ = writeln!(out, "; {would})\n        skipped in {variant}: {why}");
                }
                None => {
                    let _ = writeln!(out, ")");
                }
            }
            if c.failed() {
                let _ = writeln!(out, "        check: {}", c.check);
                if let Some(why) = &c.why {
                    let _ = writeln!(out, "        why: {why}");
                }
            }
        }
    }
    let Counts {
        passed,
        failed,
        skipped,
        invalid,
    } = counts(reports);
    if invalid > 0 {
        let _ = writeln!(
            out,
            "{invalid} invalid scenario file{}",
            if invalid == 1 { "" } else { "s" }
        );
    }
    if skipped > 0 {
        let _ = writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped");
    } else {
        let _ = writeln!(out, "{passed} passed, {failed} failed");
    }
    out
}

/// JUnit XML: a test suite per file and variant (`FILE` for the base, `FILE [NAME]` for
/// a variant), a test case per check (skipped ones marked `<skipped>` with the reason);
/// an invalid file is a suite with one errored case.
pub fn junit(reports: &[FileReport]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let Counts {
        failed, skipped, ..
    } = counts(reports);
    let tests: usize = reports
        .iter()
        .map(|r| r.outcomes().count().max(usize::from(r.error.is_some())))
        .sum();
    let errors = reports.iter().filter(|r| r.error.is_some()).count();
    let _ = writeln!(
        out,
        "<testsuites name=\"kjproj check\" tests=\"{tests}\" failures=\"{failed}\" errors=\"{errors}\" skipped=\"{skipped}\">"
    );
    for r in reports {
        let file = r.path.display().to_string();
        if let Some(e) = &r.error {
            let file = xml(&file);
            let _ = writeln!(
                out,
                "  <testsuite name=\"{file}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase classname=\"{file}\" name=\"load scenario\">\n      <error message=\"{}\">{}</error>\n    </testcase>\n  </testsuite>",
                xml(e.lines().next().unwrap_or("")),
                xml(e)
            );
            continue;
        }
        for v in &r.variants {
            let suite = if v.variant == BASE {
                xml(&file)
            } else {
                xml(&format!("{file} [{}]", v.variant))
            };
            let failed = v.checks.iter().filter(|c| c.failed()).count();
            let skipped = v.checks.iter().filter(|c| c.skipped.is_some()).count();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{suite}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\">",
                v.checks.len()
            );
            for c in &v.checks {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{suite}\" name=\"{}\"",
                    xml(&c.name)
                );
                if let Some(why) = &c.skipped {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml(&format!("{why} ({}; bound: {})", c.actual, c.bound))
                    );
                } else if c.passed {
                    let _ = writeln!(out, "/>");
                } else {
                    let message = format!("{} (bound: {})", c.actual, c.bound);
                    let why = c
                        .why
                        .as_deref()
                        .map_or_else(String::new, |w| format!("\nwhy: {w}"));
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">check: {}{}</failure>\n    </testcase>",
                        xml(&message),
                        xml(&c.check),
                        xml(&why)
                    );
                }
            }
            let _ = writeln!(out, "  </testsuite>");
        }
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

/// One JSON document: every file, its variants and their checks, and the counts.
pub fn json(reports: &[FileReport]) -> String {
    #[derive(serde::Serialize)]
    struct Document<'a> {
        files: &'a [FileReport],
        #[serde(flatten)]
        counts: Counts,
    }
    let doc = Document {
        files: reports,
        counts: counts(reports),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
