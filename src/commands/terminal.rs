//! Terminal styling: colour only on a terminal, and never when `NO_COLOR` is set.

use std::io::IsTerminal;

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
