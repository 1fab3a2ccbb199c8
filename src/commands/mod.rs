//! One module per subcommand. Each takes a plain options struct, never clap types.

pub mod run;
mod terminal;

pub use terminal::Style;
