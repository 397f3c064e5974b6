//! Bench commands: barcodes on the bench sheet that the scan field obeys instead of looking them up.
//!
//! A command barcode reads `RMA-STATION:` and the command's word (`RMA-STATION:CONFIRM`). Parsing is
//! trimmed and ASCII case-insensitive and nothing else: a near miss (another separator, a missing
//! hyphen, extra text) is not a command, so a stray label never acts on the clerk's behalf. Check a scan
//! here before classifying it. `rma-station bench-sheet` prints these codes.

/// What a command barcode tells the station to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BenchCommand {
    /// Confirm what the screen proposes (the decision, the inspection step).
    Confirm,
    /// Go on to the package's next item.
    NextItem,
    /// Take a photo with the bench camera.
    Photo,
    /// Put the package on hold.
    Hold,
    /// Go back one step.
    Back,
}

/// What every command barcode starts with.
pub const PREFIX: &str = "RMA-STATION:";

impl BenchCommand {
    /// Every command, in the order the bench sheet prints them.
    pub const ALL: [BenchCommand; 5] =
        [BenchCommand::Confirm, BenchCommand::NextItem, BenchCommand::Photo, BenchCommand::Hold, BenchCommand::Back];

    /// The command a scanned code stands for, if it is one: trimmed, ASCII case-insensitive.
    pub fn parse(code: &str) -> Option<BenchCommand> {
        let code = code.trim();
        BenchCommand::ALL.into_iter().find(|command| command.code().eq_ignore_ascii_case(code))
    }

    /// The barcode's text, e.g. `RMA-STATION:CONFIRM`.
    pub fn code(self) -> &'static str {
        match self {
            BenchCommand::Confirm => "RMA-STATION:CONFIRM",
            BenchCommand::NextItem => "RMA-STATION:NEXT-ITEM",
            BenchCommand::Photo => "RMA-STATION:PHOTO",
            BenchCommand::Hold => "RMA-STATION:HOLD",
            BenchCommand::Back => "RMA-STATION:BACK",
        }
    }

    /// The words printed under the barcode.
    pub fn label(self) -> &'static str {
        match self {
            BenchCommand::Confirm => "Confirm",
            BenchCommand::NextItem => "Next item",
            BenchCommand::Photo => "Photo",
            BenchCommand::Hold => "Hold",
            BenchCommand::Back => "Back",
        }
    }
}
