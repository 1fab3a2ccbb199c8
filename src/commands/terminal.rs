//! Terminal styling: `--color always|never|auto`; in `auto`, colour only on a terminal,
//! never when `NO_COLOR` is set (<https://no-color.org>), and always when
//! `CLICOLOR_FORCE` is set to anything but `0` (<https://bixense.com/clicolors/>).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::Duration;

use crate::format::grouped;

/// Whether to decorate terminal output with ANSI colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Colour is on.
    pub color: bool,
}

/// When to colour: the `--color` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    /// On a terminal, following `NO_COLOR` and `CLICOLOR_FORCE`.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The `--color` choice of this process (0 auto, 1 always, 2 never).
static COLOR_CHOICE: AtomicU8 = AtomicU8::new(0);

/// Sets the `--color` choice for every later [`Style`] and [`color_on`].
pub fn set_color_choice(choice: ColorChoice) {
    let code = match choice {
        ColorChoice::Auto => 0,
        ColorChoice::Always => 1,
        ColorChoice::Never => 2,
    };
    COLOR_CHOICE.store(code, Ordering::Relaxed);
}

/// Whether to colour a stream that is (`terminal`) or is not a terminal.
pub fn color_on(terminal: bool) -> bool {
    match COLOR_CHOICE.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
            let forced =
                std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
            !set("NO_COLOR") && (forced || terminal)
        }
    }
}

impl Style {
    /// Colour for standard error (see [`color_on`]).
    pub fn for_stderr() -> Style {
        Style {
            color: color_on(std::io::stderr().is_terminal()),
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
