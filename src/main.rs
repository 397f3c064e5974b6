//! `rma-station`: the station's window with no arguments, headless tools as subcommands.

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    match rma_station::cli::run() {
        Ok(code) => code,
        Err(error) => {
            // The one place an error reaches the user: one line on standard error.
            let _ = writeln!(std::io::stderr().lock(), "rma-station: {error}");
            ExitCode::FAILURE
        }
    }
}
