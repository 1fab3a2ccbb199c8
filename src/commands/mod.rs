//! One module per subcommand. Each takes a plain options struct, never clap types.

pub mod check;
pub mod compare;
pub mod new;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod solve;
mod terminal;

pub use terminal::Style;
