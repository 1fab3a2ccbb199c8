//! Terminal styling: colour only on a terminal, and never when `NO_COLOR` is set.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::format::grouped;

/// Whether to decorate terminal output with ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Colour is on.
    pub color: bool,
}

impl Style {
    /// Colour for standard error when it is a terminal and `NO_COLOR` is unset or empty
    /// (<https://no-color.org>).
    pub fn for_stderr() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: !no_color && std::io::stderr().is_terminal(),
        }
    }

    /// `warning:` in bold yellow (or plain).
    pub fn warning(&self) -> &'static str {
        if self.color {
            "\x1b[1;33mwarning\x1b[0m:"
        } else {
            "warning:"
        }
    }

    /// `error:` in bold red (or plain).
    pub fn error(&self) -> &'static str {
        if self.color {
            "\x1b[1;31merror\x1b[0m:"
        } else {
            "error:"
        }
    }
}

/// Writes text to standard output. A closed pipe (`kjproj check | head -1`) is not an
/// error: the text is dropped, nothing is printed about it, and the command ends with the
/// exit status it would have had (as ripgrep does), its files already written.
pub fn print_out(text: &str) {
    write_to(&mut std::io::stdout().lock(), text);
}

/// Writes text to standard error, with the same rule for a closed stream as [`print_out`].
pub fn print_err(text: &str) {
    write_to(&mut std::io::stderr().lock(), text);
}

fn write_to(stream: &mut dyn std::io::Write, text: &str) {
    // Any failure (a closed pipe, a full disk behind a redirect) only loses this text;
    // `print!` would panic instead.
    let _ = stream
        .write_all(text.as_bytes())
        .and_then(|()| stream.flush());
}

/// `print!` that never panics: see [`print_out`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::commands::terminal::print_out(&format!($($arg)*)) };
}

/// `println!` that never panics: see [`print_out`].
macro_rules! outln {
    () => { $crate::commands::terminal::print_out("\n") };
    ($($arg:tt)*) => { $crate::commands::terminal::print_out(&format!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` that never panics: see [`print_err`].
macro_rules! errln {
    ($($arg:tt)*) => { $crate::commands::terminal::print_err(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {errln, out, outln};
/// Runs `work` with a progress bar on standard error when asked and it is a terminal.
pub fn with_progress<T>(show: bool, total: u64, work: impl FnOnce(&AtomicU64) -> T) -> T {
    let done = AtomicU64::new(0);
    let show = show && std::io::stderr().is_terminal() && total >= 1_000_000;
    if !show {
        return work(&done);
    }
    let finished = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                let d = done.load(Ordering::Relaxed);
                let width = 30;
                let filled = (d as f64 / total as f64 * width as f64) as usize;
                print_err(&format!(
                    "\r  Monte Carlo [{}{}] {}/{} draws",
                    "#".repeat(filled.min(width)),
                    " ".repeat(width - filled.min(width)),
                    grouped(d),
                    grouped(total)
                ));
                std::thread::sleep(Duration::from_millis(100));
            }
            print_err(&format!("\r{}\r", " ".repeat(80)));
        });
        let result = work(&done);
        finished.store(true, Ordering::Relaxed);
        result
    })
}
