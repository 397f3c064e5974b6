//! The photo picker (issue 5): its pure state as data (what it shows, in which order, the cursor, the
//! photos chosen, the path typed, answers that come too late), folder listings on real folders, and the
//! picker in the window, driven by keys through the accessibility tree until two real camera JPEGs are
//! filed at the checkpoint in the database.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, TimeZone, Utc};
use eframe::egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use rma_station::domain::vocabulary::Checkpoint;
use rma_station::gui::picker::{
    CHOOSE_PHOTOS, NEWEST_FIRST, Order, PICKER_FOLDER, Picker, PickerAction, PickerKey, resolve_typed, shown,
    size_words, start_candidates,
};
use rma_station::gui::{Screen, StationApp, StationSetup};
use rma_station::photos::listing::{self, FolderEntry, ListAnswer, ListError, ListRequest, Listing};
use rma_station::storage::sqlite::SqliteStore;
use rma_station::storage::{Store, database_path};

use crate::bench_flow::{Bench, open_package};
use crate::gui::{harness, sign_in, step_until, with_demo};
use crate::support::sqlite_in;
use crate::support::{POLICIES, fixture, pin_secret};

// ----- the pure state -----

fn at(minute: u32) -> Option<DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(2026, 11, 21, 9, minute, 0).unwrap())
}

fn entry(name: &str, is_folder: bool, modified: Option<DateTime<Utc>>) -> FolderEntry {
    FolderEntry {
        path: Path::new("/photos").join(name),
        name: name.to_owned(),
        is_folder,
        size: if is_folder { 0 } else { 1_000 },
        modified,
    }
}

/// A folder as a listing brings it: unsorted, with things the picker does not show.
fn photos_folder() -> Vec<FolderEntry> {
    vec![
        entry("b-older.jpg", false, at(1)),
        entry("notes.txt", false, at(9)),
        entry("Returns", true, at(2)),
        entry(".thumbnails", true, at(3)),
        entry("a-newest.JPG", false, at(8)),
        entry("c-undated.png", false, None),
        entry("archive", true, at(5)),
        entry(".hidden.jpg", false, at(7)),
        entry("d-phone.heic", false, at(4)),
    ]
}

/// A picker showing [`photos_folder`] at `/photos`.
fn picker_on_photos() -> Picker {
    let (mut picker, request) = Picker::open(vec![PathBuf::from("/photos")], Some(PathBuf::from("/home/sam")));
    picker.listed(answer(request.id, "/photos", photos_folder()));
    picker
}

fn answer(id: u64, folder: &str, entries: Vec<FolderEntry>) -> ListAnswer {
    let listing = Listing { folder: PathBuf::from(folder), entries, truncated: false, highlight: None };
    ListAnswer { id, result: Ok(listing) }
}

fn names(picker: &Picker) -> Vec<&str> {
    picker.rows().iter().map(|row| row.name.as_str()).collect()
}

fn listed_folder(action: Option<PickerAction>) -> (u64, PathBuf) {
    match action {
        Some(PickerAction::List(ListRequest { id, candidates })) => {
            let [folder] = candidates.as_slice() else { panic!("{candidates:?}") };
            (id, folder.clone())
        }
        other => panic!("expected a listing request, got {other:?}"),
    }
}

#[test]
fn the_picker_starts_in_the_last_folder_then_the_hot_folder_then_pictures_then_home() {
    #[track_caller]
    fn check(last: Option<&str>, hot: Option<&str>, home: Option<&str>, expected: &[&str]) {
        let expected: Vec<PathBuf> = expected.iter().map(PathBuf::from).collect();
        let found = start_candidates(last.map(Path::new), hot.map(Path::new), home.map(Path::new));
        assert_eq!(found, expected, "{last:?} {hot:?} {home:?}");
    }
    let (last, hot, home) = (Some("/media/card/DCIM"), Some("/srv/hot"), Some("/home/sam"));
    check(last, hot, home, &["/media/card/DCIM", "/srv/hot", "/home/sam/Pictures", "/home/sam", "/"]);
    check(None, hot, home, &["/srv/hot", "/home/sam/Pictures", "/home/sam", "/"]);
    check(None, None, home, &["/home/sam/Pictures", "/home/sam", "/"]);
    check(None, None, None, &["/"]);
}

#[test]
fn a_typed_path_is_taken_from_the_folder_shown_and_tilde_is_home() {
    #[track_caller]
    fn check(typed: &str, current: Option<&str>, home: Option<&str>, expected: Option<&str>) {
        let found = resolve_typed(typed, current.map(Path::new), home.map(Path::new));
        assert_eq!(found, expected.map(PathBuf::from), "{typed:?}");
    }
    let (current, home) = (Some("/photos"), Some("/home/sam"));
    check("", current, home, None);
    check("   ", current, home, None);
    check("~", current, home, Some("/home/sam"));
    check("~/Pictures/returns", current, home, Some("/home/sam/Pictures/returns"));
    check("  /media/card  ", current, home, Some("/media/card"));
    check("DCIM/100CANON", current, home, Some("/photos/DCIM/100CANON"));
    check("DCIM", None, home, Some("/home/sam/DCIM"));
    check("~", current, None, None);
    check("DCIM", None, None, None);
}

#[test]
fn the_picker_shows_folders_and_photos_but_nothing_hidden() {
    let cases = [
        ("DCIM", true, true),
        (".thumbnails", true, false),
        ("IMG_0001.JPG", false, true),
        ("scan.png", false, true),
        ("IMG_0002.HEIC", false, true),
        ("IMG_0003.heif", false, true),
        ("notes.txt", false, false),
        ("IMG_0004", false, false),
        (".hidden.jpg", false, false),
        ("IMG_0005.jpg~", false, false),
    ];
    for (name, is_folder, expected) in cases {
        assert_eq!(shown(&entry(name, is_folder, None)), expected, "{name}");
    }
}

#[test]
fn sizes_read_at_a_glance() {
    let cases = [
        (0, "0 B"),
        (999, "999 B"),
        (1_000, "1 kB"),
        (312_499, "312 kB"),
        (999_999, "999 kB"),
        (1_000_000, "1.0 MB"),
        (4_412_345, "4.4 MB"),
        (1_000_000_000, "1.0 GB"),
        (12_345_678_901, "12.3 GB"),
    ];
    for (bytes, expected) in cases {
        assert_eq!(size_words(bytes), expected, "{bytes}");
    }
}

#[test]
fn folders_come_first_then_the_newest_photo_or_all_by_name() {
    let mut picker = picker_on_photos();
    assert_eq!(picker.order(), Order::NewestFirst, "the photo just taken is on top by default");
    assert_eq!(names(&picker), ["archive", "Returns", "a-newest.JPG", "d-phone.heic", "b-older.jpg", "c-undated.png"]);
    assert_eq!((picker.folder(), picker.path_text.as_str()), (Some(Path::new("/photos")), "/photos"));

    // Sorting again keeps the cursor on the same photo.
    picker.key(PickerKey::Down);
    picker.key(PickerKey::Down);
    picker.key(PickerKey::Down);
    assert_eq!(picker.rows()[picker.cursor()].name, "d-phone.heic");
    picker.set_order(Order::Name);
    assert_eq!(names(&picker), ["archive", "Returns", "a-newest.JPG", "b-older.jpg", "c-undated.png", "d-phone.heic"]);
    assert_eq!(picker.rows()[picker.cursor()].name, "d-phone.heic");
}

#[test]
fn the_cursor_moves_within_the_rows() {
    let mut picker = picker_on_photos();
    let last = picker.rows().len() - 1;
    let steps = [
        (PickerKey::Up, 0),
        (PickerKey::Down, 1),
        (PickerKey::Down, 2),
        (PickerKey::Last, last),
        (PickerKey::Down, last),
        (PickerKey::Up, last - 1),
        (PickerKey::First, 0),
    ];
    for (key, expected) in steps {
        assert_eq!(picker.key(key), None, "{key:?} asks for nothing");
        assert_eq!(picker.cursor(), expected, "after {key:?}");
    }
}

#[test]
fn space_chooses_photos_in_order_and_enter_attaches_them() {
    let mut picker = picker_on_photos();
    // Space on a folder chooses nothing and stays put.
    assert_eq!(picker.key(PickerKey::Choose), None);
    assert_eq!((picker.cursor(), picker.chosen().len()), (0, 0));

    picker.key(PickerKey::Last);
    picker.key(PickerKey::Choose); // c-undated.png; the cursor stays on the last row
    picker.key(PickerKey::First);
    picker.key(PickerKey::Down);
    picker.key(PickerKey::Down);
    picker.key(PickerKey::Choose); // a-newest.JPG, and on to d-phone.heic
    picker.key(PickerKey::Choose); // d-phone.heic, and on to b-older.jpg
    picker.key(PickerKey::Up);
    picker.key(PickerKey::Choose); // d-phone.heic again: unchosen
    let chosen: Vec<PathBuf> = ["c-undated.png", "a-newest.JPG"].iter().map(|n| Path::new("/photos").join(n)).collect();
    assert_eq!(picker.chosen(), chosen.as_slice());

    // Enter attaches the chosen photos, wherever the cursor is.
    assert_eq!(picker.key(PickerKey::Enter), Some(PickerAction::Attach(chosen)));
}

#[test]
fn with_nothing_chosen_enter_attaches_the_photo_under_the_cursor_or_opens_the_folder() {
    let mut picker = picker_on_photos();
    assert_eq!(picker.attach(), None, "a folder is not a photo");
    let (id, folder) = listed_folder(picker.key(PickerKey::Enter));
    assert_eq!(folder, Path::new("/photos/archive"));
    assert!(picker.loading());
    picker.listed(answer(id, "/photos/archive", vec![entry("old.jpg", false, at(0))]));
    assert_eq!(names(&picker), ["old.jpg"]);
    assert_eq!(picker.key(PickerKey::Enter), Some(PickerAction::Attach(vec![PathBuf::from("/photos/old.jpg")])));
    assert_eq!(picker.key(PickerKey::Close), Some(PickerAction::Close));
}

#[test]
fn backspace_goes_up_a_folder_and_puts_the_cursor_on_the_folder_left() {
    let (mut picker, request) = Picker::open(vec![PathBuf::from("/photos/archive")], None);
    picker.listed(answer(request.id, "/photos/archive", Vec::new()));
    let (id, parent) = listed_folder(picker.key(PickerKey::Parent));
    assert_eq!(parent, Path::new("/photos"));
    picker.listed(answer(id, "/photos", photos_folder()));
    assert_eq!(picker.rows()[picker.cursor()].path, Path::new("/photos/archive"));

    // At the root there is nowhere to go up to.
    let (mut picker, request) = Picker::open(vec![PathBuf::from("/")], None);
    picker.listed(answer(request.id, "/", Vec::new()));
    assert_eq!(picker.key(PickerKey::Parent), None);
}

#[test]
fn an_answer_that_comes_too_late_is_dropped() {
    let mut picker = picker_on_photos();
    let (first, _) = listed_folder(picker.key(PickerKey::Enter)); // archive
    picker.key(PickerKey::Close);
    picker.path_text = "/photos/Returns".to_owned();
    let (second, _) = listed_folder(picker.go_to_typed());
    picker.listed(answer(first, "/photos/archive", vec![entry("late.jpg", false, at(0))]));
    assert!(picker.loading(), "still waiting for the folder asked for last");
    assert_eq!(picker.folder(), Some(Path::new("/photos")));
    picker.listed(answer(second, "/photos/Returns", vec![entry("box.jpg", false, at(0))]));
    assert_eq!((picker.folder(), names(&picker)), (Some(Path::new("/photos/Returns")), vec!["box.jpg"]));
    assert!(!picker.loading());
}

#[test]
fn a_folder_that_cannot_be_listed_is_named_and_the_folder_shown_stays() {
    let mut picker = picker_on_photos();
    picker.path_text = "/photos/gone".to_owned();
    let (id, folder) = listed_folder(picker.go_to_typed());
    let error = ListError::NotFound { path: folder };
    let message = error.to_string();
    picker.listed(ListAnswer { id, result: Err(error) });
    assert_eq!(picker.message(), Some(message.as_str()));
    assert_eq!(message, "/photos/gone: no such folder (it may have been moved, renamed or unplugged)");
    assert_eq!(picker.folder(), Some(Path::new("/photos")));
    assert_eq!(picker.rows().len(), 6, "the folder shown is still there to pick from");
    assert_eq!(picker.path_text, "/photos/gone", "what was typed stays, to be corrected");

    // An empty path asks for nothing and says what to type.
    picker.path_text = "  ".to_owned();
    assert_eq!(picker.go_to_typed(), None);
    assert_eq!(picker.message(), Some("type a folder's path, or ~ for the home folder"));
}

// ----- listings of real folders -----

/// A temporary folder and its absolute path without links, as listings name folders.
fn temp_folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = fs::canonicalize(dir.path()).unwrap();
    (dir, path)
}

fn set_modified(path: &Path, seconds_after_epoch: u64) {
    let file = fs::File::options().write(true).open(path).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds_after_epoch)).unwrap();
}

// Unix only: links (a link on Windows needs an administrator or developer mode).
#[cfg(unix)]
#[test]
fn a_listing_has_each_entry_with_its_size_and_time_and_follows_links() {
    let (_dir, root) = temp_folder();
    let root = root.as_path();
    fs::create_dir(root.join("DCIM")).unwrap();
    fs::write(root.join("IMG_0001.JPG"), b"not really a photo").unwrap();
    set_modified(&root.join("IMG_0001.JPG"), 1_795_000_000);
    std::os::unix::fs::symlink(root.join("DCIM"), root.join("camera")).unwrap();
    std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling.jpg")).unwrap();

    let listing = listing::list(root).unwrap();
    assert_eq!((listing.folder.as_path(), listing.truncated, &listing.highlight), (root, false, &None));
    let mut entries = listing.entries;
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    let summary: Vec<(&str, bool, u64)> = entries.iter().map(|e| (e.name.as_str(), e.is_folder, e.size)).collect();
    assert_eq!(summary, [("DCIM", true, 0), ("IMG_0001.JPG", false, 18), ("camera", true, 0)]);
    let photo = entries.iter().find(|e| e.name == "IMG_0001.JPG").unwrap();
    assert_eq!(photo.path, root.join("IMG_0001.JPG"));
    assert_eq!(photo.modified, Some(DateTime::from_timestamp(1_795_000_000, 0).unwrap()));
}

#[cfg(unix)]
#[test]
fn a_folder_is_listed_under_its_absolute_path_and_errors_keep_the_path_asked_for() {
    let (_dir, root) = temp_folder();
    fs::create_dir(root.join("DCIM")).unwrap();
    std::os::unix::fs::symlink(root.join("DCIM"), root.join("camera")).unwrap();
    for asked in [root.join("DCIM/.."), root.join("camera/.."), root.join("camera/../DCIM/../.")] {
        assert_eq!(listing::list(&asked).unwrap().folder, root, "{}", asked.display());
    }
    assert_eq!(listing::list(&root.join("camera")).unwrap().folder, root.join("DCIM"), "a link to its folder");
    let asked = root.join("camera/../gone");
    let error = listing::list(&asked).unwrap_err();
    assert!(matches!(&error, ListError::NotFound { path } if *path == asked), "{error:?}");
}

#[test]
fn a_path_naming_a_file_lists_its_folder_with_the_file_picked_out() {
    let (_dir, dir) = temp_folder();
    let photo = dir.join("label.jpg");
    fs::write(&photo, b"x").unwrap();
    let listing = listing::list(&photo).unwrap();
    assert_eq!((listing.folder.as_path(), listing.highlight.as_deref()), (dir.as_path(), Some(photo.as_path())));

    let (mut picker, request) = Picker::open(vec![photo.clone()], None);
    picker.listed(listing::answer(request));
    assert_eq!(picker.rows()[picker.cursor()].path, photo);
}

#[test]
fn the_first_folder_that_can_be_listed_is_and_errors_say_which_folder_and_why() {
    let (_dir, dir) = temp_folder();
    let gone = dir.join("last-used-but-deleted");
    let answer = listing::answer(ListRequest { id: 7, candidates: vec![gone.clone(), dir.clone()] });
    assert_eq!(answer.id, 7);
    assert_eq!(answer.result.unwrap().folder, dir);

    let answer = listing::answer(ListRequest { id: 8, candidates: vec![gone.clone(), dir.join("also-gone")] });
    let error = answer.result.unwrap_err();
    assert!(matches!(&error, ListError::NotFound { path } if *path == gone), "the first folder's error: {error:?}");

    let denied = ListError::from_io(Path::new("/root/private"), std::io::ErrorKind::PermissionDenied.into());
    assert_eq!(denied.to_string(), "/root/private: permission denied: the station's user may not open this folder");
    let other = ListError::from_io(Path::new("/mnt/card"), std::io::Error::other("input/output error"));
    assert_eq!(other.to_string(), "/mnt/card: cannot be listed: input/output error");
}

// ----- the picker in the window -----

/// The demo station signed in, with a hot folder holding a label photo, a text file, a hidden photo and
/// a folder `returns` of two camera photos (the Nikon's newer than the Canon's).
fn station_with_photo_folders(dir: &Path, hot: &Path) -> Bench {
    fs::copy(fixture("photos/camera/jolla-phone.jpg"), hot.join("label.jpg")).unwrap();
    fs::write(hot.join("notes.txt"), b"not a photo").unwrap();
    fs::copy(fixture("photos/camera/jolla-phone.jpg"), hot.join(".hidden.jpg")).unwrap();
    let returns = hot.join("returns");
    fs::create_dir(&returns).unwrap();
    fs::copy(fixture("photos/camera/Canon_40D.jpg"), returns.join("canon.jpg")).unwrap();
    fs::copy(fixture("photos/camera/Nikon_DSCN0010_gps.jpg"), returns.join("nikon.jpg")).unwrap();
    set_modified(&returns.join("canon.jpg"), 1_795_000_000);
    set_modified(&returns.join("nikon.jpg"), 1_795_000_600);

    with_demo(&crate::support::place::Place::sqlite_in(dir));
    let mut setup = StationSetup::open(
        POLICIES.clone(),
        dir,
        &sqlite_in(dir),
        "bench-1".into(),
        Vec::new(),
        Some(hot.to_path_buf()),
        pin_secret(),
    );
    setup.clock = crate::support::clock();
    let mut harness = harness(StationApp::new(setup, std::sync::Arc::new(|| {})));
    sign_in(&mut harness, "sam", "1357");
    harness
}

fn press(harness: &mut Bench, key: Key) {
    harness.key_press(key);
    harness.run();
}

fn picker_rows(app: &StationApp) -> Vec<String> {
    app.picker().map(|p| p.rows().iter().map(|r| r.name.clone()).collect()).unwrap_or_default()
}

fn showing(app: &StationApp, folder: &Path) -> bool {
    app.picker().is_some_and(|p| p.folder() == Some(folder) && !p.loading())
}

#[test]
fn two_photos_chosen_in_the_picker_by_keys_are_filed_at_the_checkpoint() {
    let (dir, (_hot, hot)) = (tempfile::tempdir().unwrap(), temp_folder());
    let mut harness = station_with_photo_folders(dir.path(), &hot);
    open_package(&mut harness, "RMA-2026-0109");
    harness.get_by_label("damage").click();
    harness.run();

    // F6 opens the picker in the hot folder: folders first, then photos; the text and hidden files are not shown.
    press(&mut harness, Key::F6);
    step_until(&mut harness, "the hot folder in the picker", |app| showing(app, hot.as_path()));
    assert_eq!(picker_rows(harness.state()), ["returns", "label.jpg"]);
    harness.get_by_label(NEWEST_FIRST);

    // Enter opens the folder under the cursor; the newest photo is on top.
    press(&mut harness, Key::Enter);
    let returns = hot.as_path().join("returns");
    step_until(&mut harness, "the returns folder", |app| showing(app, &returns));
    assert_eq!(picker_rows(harness.state()), ["nikon.jpg", "canon.jpg"]);

    // Space chooses each and moves on; Enter attaches both, like files dropped on the window.
    press(&mut harness, Key::Space);
    press(&mut harness, Key::Space);
    let chosen = harness.state().picker().unwrap().chosen().to_vec();
    assert_eq!(chosen, [returns.join("nikon.jpg"), returns.join("canon.jpg")]);
    press(&mut harness, Key::Enter);
    assert!(harness.state().picker().is_none(), "attaching closes the picker");
    assert_eq!(harness.state().screen(), Screen::Inspection);
    step_until(&mut harness, "both photos' thumbnails", |app| {
        app.inspection_view().is_some_and(|v| v.photos.len() == 2 && v.photos.iter().all(|p| p.thumbnail.is_some()))
    });
    harness.get_by_label("damage: taken");

    let store = SqliteStore::open(&database_path(dir.path()), &POLICIES).unwrap();
    let package = store.find_packages("RMA-2026-0109", 1).unwrap()[0].id;
    let mut filed: Vec<(Checkpoint, u64, Option<String>)> = store
        .package_history(package)
        .unwrap()
        .photos
        .into_iter()
        .map(|p| (p.checkpoint, p.bytes, p.camera_make))
        .collect();
    filed.sort_by_key(|(_, bytes, _)| *bytes);
    let mut expected: Vec<(Checkpoint, u64, Option<String>)> =
        [("Canon_40D.jpg", "Canon"), ("Nikon_DSCN0010_gps.jpg", "NIKON")]
            .iter()
            .map(|(name, make)| {
                let bytes = fs::metadata(fixture(&format!("photos/camera/{name}"))).unwrap().len();
                (Checkpoint::Damage, bytes, Some((*make).to_owned()))
            })
            .collect();
    expected.sort_by_key(|(_, bytes, _)| *bytes);
    assert_eq!(filed, expected);

    // The picker opens again where photos were last attached from; Backspace goes up to the hot folder
    // with the cursor on the folder left, and Escape closes it without attaching anything.
    harness.get_by_label(CHOOSE_PHOTOS).click();
    step_until(&mut harness, "the picker in the last folder", |app| showing(app, &returns));
    press(&mut harness, Key::Backspace);
    step_until(&mut harness, "the hot folder again", |app| showing(app, hot.as_path()));
    assert_eq!(harness.state().picker().unwrap().cursor(), 0, "on the returns folder");
    press(&mut harness, Key::Escape);
    assert!(harness.state().picker().is_none());
    assert_eq!(harness.state().screen(), Screen::Inspection, "Escape closed the picker, not the inspection");
    assert_eq!(harness.state().inspection_view().unwrap().photos.len(), 2);
}

#[test]
fn a_folder_typed_into_the_picker_that_does_not_exist_is_named_on_screen() {
    let (dir, (_hot, hot)) = (tempfile::tempdir().unwrap(), temp_folder());
    let mut harness = station_with_photo_folders(dir.path(), &hot);
    open_package(&mut harness, "RMA-2026-0109");
    press(&mut harness, Key::F6);
    step_until(&mut harness, "the hot folder in the picker", |app| showing(app, hot.as_path()));

    // Ctrl+L puts the cursor in the path field; Enter there goes to the folder typed.
    harness.key_press_modifiers(Modifiers::COMMAND, Key::L);
    harness.run();
    harness.get_by_label(PICKER_FOLDER).type_text("/unplugged");
    harness.run();
    press(&mut harness, Key::Enter);
    let missing = hot.as_path().join("unplugged");
    let message = ListError::NotFound { path: missing }.to_string();
    step_until(&mut harness, "the listing's error", |app| app.picker().is_some_and(|p| p.message().is_some()));
    assert_eq!(harness.state().picker().unwrap().message(), Some(message.as_str()));
    harness.get_by_label(&message);
    assert!(showing(harness.state(), hot.as_path()), "the folder shown stays");
    assert_eq!(picker_rows(harness.state()), ["returns", "label.jpg"]);

    // A typed photo's path lists its folder with the photo under the cursor.
    let label = hot.as_path().join("label.jpg");
    harness.key_press_modifiers(Modifiers::COMMAND, Key::L);
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run();
    harness.get_by_label(PICKER_FOLDER).type_text(&label.display().to_string());
    harness.run();
    press(&mut harness, Key::Enter);
    step_until(&mut harness, "the label's folder", |app| {
        app.picker().is_some_and(|p| p.message().is_none() && p.rows().get(p.cursor()).is_some_and(|r| r.path == label))
    });
}
