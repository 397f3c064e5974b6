//! The station's window (egui + eframe): sign in, then the bench screens from a package's first scan to
//! its queue — intake, inspection, decision, queues, records and settings — and the daily view, one screen
//! per file, all driven by [`app::StationApp`].
//!
//! The UI thread only draws and routes. Database work goes to the storage thread, photos to the photo
//! thread, bin labels to the label thread, PIN checks to `pin-check`, evidence packets and export files to
//! `files`; serial scanners and the hot folder have threads of their own. All answer through bounded
//! channels drained in `logic` under a time budget, and wake the UI so an answer shows in the next frame.

pub mod app;
pub mod dashboard;
pub mod decision;
pub mod inspection;
pub mod intake;
pub mod labels;
pub mod picker;
pub mod printer;
pub mod queues;
pub mod records;
pub mod settings;
pub mod sign_in;
pub mod station;
pub mod status;
pub mod theme;
pub mod words;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use eframe::egui;

pub use app::{CLOSE_NOW, CLOSING_TITLE, KEEP_WORKING, Screen, StationApp};

use crate::clock::Clock;
use crate::devices::scanner::ScannerConfig;
use crate::policies::PolicySet;
use crate::storage::Store;
use crate::storage::StoreError;
use crate::storage::location::DatabaseLocation;

/// The window's title and the app's name in the OS.
pub const APP_NAME: &str = "RMA Station";

/// What the window needs to start.
#[derive(Debug)]
pub struct StationSetup {
    pub policies: PolicySet,
    /// The station's data folder: its database, photos and exports.
    pub data_dir: PathBuf,
    /// Where the database is (the SQLite file, or the server's database), as the station screen names it.
    pub database: DatabaseLocation,
    pub store: Result<Box<dyn Store>, StoreError>,
    pub station: String,
    pub scanners: Vec<ScannerConfig>,
    /// A folder a tethered camera or phone app saves photos into.
    pub hot_folder: Option<PathBuf>,
    /// The station's PIN secret: every PIN is hashed and checked with it.
    pub pin_secret: crate::auth::PinSecret,
    /// Where webcams' video device nodes are: `/dev` (tests give a folder of their own).
    pub video_devices: PathBuf,
    /// The time: the system's clock, or one a test pins.
    pub clock: Clock,
}

impl StationSetup {
    /// Opens (or creates) the station's database where `database` says.
    pub fn open(
        policies: PolicySet,
        data_dir: &Path,
        database: &DatabaseLocation,
        station: String,
        scanners: Vec<ScannerConfig>,
        hot_folder: Option<PathBuf>,
        pin_secret: crate::auth::PinSecret,
    ) -> StationSetup {
        let store = crate::storage::open(database, &policies);
        StationSetup {
            policies,
            data_dir: data_dir.to_path_buf(),
            database: database.clone(),
            store,
            station,
            scanners,
            hot_folder,
            pin_secret,
            video_devices: PathBuf::from(crate::photos::webcam::DEVICES),
            clock: Clock::System,
        }
    }
}

/// Opens the window and runs until it is closed.
pub fn run(setup: StationSetup) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title(APP_NAME).with_inner_size([1280.0, 800.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        APP_NAME,
        options,
        Box::new(move |cc| {
            theme::apply(&cc.egui_ctx);
            let ctx = cc.egui_ctx.clone();
            Ok(Box::new(StationApp::new(setup, Arc::new(move || ctx.request_repaint()))))
        }),
    )
}

impl eframe::App for StationApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        StationApp::logic(self, ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }
}
