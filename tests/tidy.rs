//! The architecture's invariants, checked by reading the sources (see ARCHITECTURE.md), so they cannot
//! rot: the domain core does no I/O, never reads the clock and knows no serialized shapes (serde); SQL stays in
//! the store and serial ports in the devices module; no merchant is named in Rust code; every module says what
//! it is for; the map names every module; tests neither skip nor expect panics.

use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn rust_files(folder: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&Path::new(ROOT).join(folder), &mut files);
    assert!(!files.is_empty(), "no Rust files under {folder}");
    files
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The code of a file with its comments removed, so that prose may speak of threads and clocks.
fn code_only(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(cut) if !line[..cut].contains('"') => &line[..cut],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn relative(path: &Path) -> String {
    path.strip_prefix(ROOT).unwrap_or(path).display().to_string()
}

#[test]
fn the_domain_core_does_no_io_and_never_reads_the_clock() {
    let forbidden = [
        ("egui", "the GUI"),
        ("eframe", "the GUI"),
        ("rusqlite", "the database"),
        ("serialport", "the serial port"),
        ("image::", "image decoding"),
        ("std::fs", "files"),
        ("std::net", "the network"),
        ("std::io", "I/O"),
        ("std::thread", "threads"),
        ("std::process", "processes"),
        ("std::env", "the environment"),
        ("std::sync::mpsc", "channels"),
        ("Local::now", "the clock"),
        ("Utc::now", "the clock"),
        ("SystemTime", "the clock"),
        ("Instant", "the clock"),
        ("today()", "the clock"),
        ("crate::formats", "the edges"),
        ("crate::policies", "the edges"),
        ("crate::cli", "the edges"),
        ("crate::gui", "the edges"),
    ];
    let mut offences = Vec::new();
    for path in rust_files("src/domain") {
        let code = code_only(&read(&path));
        for (needle, what) in forbidden {
            if code.contains(needle) {
                offences.push(format!("{} uses {needle} ({what})", relative(&path)));
            }
        }
    }
    assert!(offences.is_empty(), "the domain core must stay pure:\n{}", offences.join("\n"));
}

#[test]
fn the_domain_core_knows_no_serialized_shapes() {
    // Serialized shapes are the edges' (`src/formats`): the core gets plain values and never derives serde.
    let offences: Vec<String> = rust_files("src/domain")
        .into_iter()
        .filter(|path| {
            let code = code_only(&read(path));
            ["serde", "Deserialize", "Serialize"].iter().any(|needle| code.contains(needle))
        })
        .map(|path| relative(&path))
        .collect();
    assert!(offences.is_empty(), "serde in the domain core (it belongs in src/formats):\n{}", offences.join("\n"));
}

#[test]
fn serial_ports_are_opened_in_the_devices_module_only() {
    let offences: Vec<String> = rust_files("src")
        .into_iter()
        .filter(|path| !relative(path).starts_with("src/devices"))
        .filter(|path| code_only(&read(path)).contains("serialport"))
        .map(|path| relative(&path))
        .collect();
    assert!(
        offences.is_empty(),
        "serialport outside src/devices (open ports with crate::devices::serial::open):\n{}",
        offences.join("\n")
    );
}

#[test]
fn sql_lives_in_the_storage_module_only() {
    let offences: Vec<String> = rust_files("src")
        .into_iter()
        .filter(|path| !relative(path).starts_with("src/storage"))
        .filter(|path| code_only(&read(path)).contains("rusqlite"))
        .map(|path| relative(&path))
        .collect();
    assert!(offences.is_empty(), "SQL outside src/storage:\n{}", offences.join("\n"));
}

#[test]
fn no_merchant_is_named_in_rust_code() {
    let mut names: Vec<String> = Vec::new();
    for entry in fs::read_dir(Path::new(ROOT).join("assets/policies")).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let text = read(&path);
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_lowercase();
        names.push(stem);
        // The merchant's display name, from `name = "..."` in its [merchant] table.
        if let Some(name) = text.lines().find_map(|l| l.strip_prefix("name = \"")).and_then(|l| l.strip_suffix('"')) {
            names.push(name.to_lowercase());
        }
    }
    assert!(names.len() >= 4, "expected both merchants' ids and names, found {names:?}");
    let mut offences = Vec::new();
    for path in rust_files("src").into_iter().chain([Path::new(ROOT).join("build.rs")]) {
        let text = read(&path).to_lowercase();
        for name in &names {
            if text.contains(name.as_str()) {
                offences.push(format!("{} names merchant {name:?}", relative(&path)));
            }
        }
    }
    assert!(offences.is_empty(), "merchants belong in policy files:\n{}", offences.join("\n"));
}

#[test]
fn every_module_opens_by_saying_what_it_is_for() {
    let missing: Vec<String> = rust_files("src")
        .into_iter()
        .filter(|path| !read(path).trim_start().starts_with("//!"))
        .map(|path| relative(&path))
        .collect();
    assert!(missing.is_empty(), "modules without a //! opening comment:\n{}", missing.join("\n"));
}

#[test]
fn the_architecture_map_names_every_module() {
    let map = read(&Path::new(ROOT).join("ARCHITECTURE.md"));
    let mut unnamed = Vec::new();
    for path in rust_files("src") {
        let rel = relative(&path);
        // A module is named by its path without `.rs` / `/mod.rs`: `src/domain/engine`, `src/cli`.
        let module = rel.trim_end_matches(".rs").trim_end_matches("/mod");
        if module != "src/main" && module != "src/lib" && !map.contains(&format!("`{module}")) {
            unnamed.push(module.to_owned());
        }
    }
    assert!(unnamed.is_empty(), "ARCHITECTURE.md does not name:\n{}", unnamed.join("\n"));
}

#[test]
fn tests_neither_skip_nor_expect_panics() {
    let banned = ["#[ignore", "#[should_panic"];
    let offences: Vec<String> = rust_files("tests")
        .into_iter()
        .filter(|path| path.file_name().is_none_or(|n| n != "tidy.rs"))
        .flat_map(|path| {
            let text = read(&path);
            banned
                .iter()
                .filter(|b| text.contains(*b))
                .map(|b| format!("{} has {b}", relative(&path)))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}
