//! The reliability drills (RELIABILITY.md), at the size CI runs them: kill the save path, run two
//! stations on one file, restore a backup taken mid-write, unplug the scanner, fill the disk, feed every
//! parser garbage. Each drill's full size is an environment variable or a command (RELIABILITY.md).
//! Time limits here only stop a hang; nothing is timed.

mod benches;
mod crash;
mod disk_full;
mod garbage;
mod race;
mod restore;
mod security;
mod two_stations;
// Unix only: the scanner is a pseudo-terminal under a link, as udev would name it.
#[cfg(unix)]
mod unplug;

/// A drill's size: the environment variable `name` if set (the documented full-size run), else `ci`.
pub fn size(name: &str, ci: u64) -> u64 {
    match std::env::var(name) {
        Ok(text) => text.trim().parse().unwrap_or_else(|e| panic!("{name}={text:?}: {e}")),
        Err(_) => ci,
    }
}
