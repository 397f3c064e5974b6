//! A station's own settings, which only a supervisor changes: today its label printer (none, a serial
//! port or a network printer), kept in the database as the station's setting, audited.

use super::{Actor, BenchError, supervisor_only};
use crate::clock::Now;
use crate::labels::printer::{self, PrinterTarget};
use crate::storage::Store;

/// The label printer this station's bin labels print on (`None`: no printer), or none set yet.
pub fn printer(store: &dyn Store, station: &str) -> Result<Option<PrinterTarget>, BenchError> {
    match store.station_setting(station, printer::SETTING)? {
        Some(value) => Ok(PrinterTarget::from_setting(&value)?),
        None => Ok(None),
    }
}

/// A supervisor sets the actor's station's label printer (`None`: no printer).
pub fn set_printer(
    store: &mut dyn Store,
    actor: &Actor,
    now: &Now,
    target: Option<&PrinterTarget>,
) -> Result<(), BenchError> {
    supervisor_only(actor, "setting the label printer")?;
    let value = target.map_or_else(|| printer::NONE.to_owned(), PrinterTarget::setting);
    store.set_station_setting(printer::SETTING, &value, &actor.stamp(now))?;
    Ok(())
}
