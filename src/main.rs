//! `rma-station`: the station's window with no arguments, headless tools as subcommands. The one place
//! that knows both: the command line never opens the window itself.

use std::io::Write as _;
use std::process::ExitCode;

use rma_station::cli::{self, Invocation, WindowArgs};
use rma_station::gui::{self, StationSetup};

fn main() -> ExitCode {
    let cli = cli::parse();
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
    let outcome = cli::run(cli).map_err(|e| e.to_string()).and_then(|invocation| match invocation {
        Invocation::Done(code) => Ok(code),
        Invocation::Window(args) => open_window(*args),
    });
    match outcome {
        Ok(code) => code,
        Err(error) => {
            // The one place an error reaches the user: one line on standard error.
            let _ = writeln!(std::io::stderr().lock(), "rma-station: {error}");
            tracing::error!(%error, "command failed");
            ExitCode::FAILURE
        }
    }
}

fn open_window(args: WindowArgs) -> Result<ExitCode, String> {
    let WindowArgs { policies, data_dir, database, station, scanners, hot_folder, pin_secret } = args;
    let setup = StationSetup::open(policies, &data_dir, &database, station, scanners, hot_folder, pin_secret);
    gui::run(setup).map_err(|e| format!("the station window could not open: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
