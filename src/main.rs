//! `rma-station`: the station's window with no arguments, headless tools as subcommands.

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = rma_station::cli::parse();
    // The log file in the data folder (logs/rma-station.YYYY-MM-DD.log), for the window and the commands
    // that work on a data folder; its guard is held until the process ends so no line is lost. A folder
    // that cannot hold it is said once and the station runs on without it.
    let _log = cli.log_folder().and_then(|folder| {
        rma_station::log::init(&folder)
            .map_err(|error| {
                let _ = writeln!(std::io::stderr().lock(), "rma-station: no log file: {error}");
            })
            .ok()
    });
    match rma_station::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            // The one place an error reaches the user: one line on standard error.
            let _ = writeln!(std::io::stderr().lock(), "rma-station: {error}");
            tracing::error!(%error, "command failed");
            ExitCode::FAILURE
        }
    }
}
