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
fn sql_lives_in_the_sqlite_backend_only() {
    // Issue 13: the store's contract (`src/storage` outside `sqlite/`) is backend-neutral, so a second backend
    // can meet it; rusqlite and its errors stay inside the SQLite backend.
    let offences: Vec<String> = rust_files("src")
        .into_iter()
        .filter(|path| !relative(path).starts_with("src/storage/sqlite/"))
        .filter(|path| code_only(&read(path)).contains("rusqlite"))
        .map(|path| relative(&path))
        .collect();
    assert!(offences.is_empty(), "rusqlite outside src/storage/sqlite:\n{}", offences.join("\n"));
}

#[test]
fn formats_never_import_storage() {
    // Issue 13: formats turn values into files and back; the records they write come from `crate::records`.
    let offences: Vec<String> = rust_files("src/formats")
        .into_iter()
        .filter(|path| {
            let code = code_only(&read(path));
            code.contains("crate::storage") || code.contains("storage::")
        })
        .map(|path| relative(&path))
        .collect();
    assert!(offences.is_empty(), "src/formats names storage:\n{}", offences.join("\n"));
}

#[test]
fn no_file_under_src_is_over_800_lines() {
    let long: Vec<String> = rust_files("src")
        .into_iter()
        .filter_map(|path| {
            let lines = read(&path).lines().count();
            (lines > 800).then(|| format!("{} has {lines} lines", relative(&path)))
        })
        .collect();
    assert!(long.is_empty(), "split these by area:\n{}", long.join("\n"));
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

/// The offences of a table of (folder, needle, why): each file under the folder whose code names the needle.
fn offences_in(rules: &[(&str, &str, &str)], except: impl Fn(&str) -> bool) -> Vec<String> {
    let mut offences = Vec::new();
    for (folder, needle, why) in rules {
        for path in rust_files(folder) {
            let rel = relative(&path);
            if !except(&rel) && code_only(&read(&path)).contains(needle) {
                offences.push(format!("{rel} names {needle}: {why}"));
            }
        }
    }
    offences
}

#[test]
fn the_window_owns_no_resource_and_only_main_opens_it() {
    let rules = [
        ("src/gui", "std::fs", "files are the workers' (photos, labels, files thread)"),
        ("src/gui", "fs::", "files are the workers' (photos, labels, files thread)"),
        ("src/gui", "rusqlite", "the database is the storage thread's"),
        ("src/gui", "image::", "decoding is the photo thread's"),
        ("src/gui", "notify", "the hot folder is its own thread's"),
        ("src/gui", "serialport", "ports are the devices' threads'"),
        ("src/cli", "crate::gui", "headless commands never import the window; main chooses"),
    ];
    let mut offences = offences_in(&rules, |_| false);
    // Nothing outside the window imports it but `main`, which chooses window or command.
    offences.extend(offences_in(&[("src", "crate::gui", "only main opens the window")], |rel| {
        rel.starts_with("src/gui") || rel == "src/main.rs"
    }));
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}

#[test]
fn colours_come_from_the_theme_only() {
    let literal = ["Color32::from", "Color32::RED", "Color32::GREEN", "Color32::YELLOW", "Color32::LIGHT", "Rgba::"];
    let offences: Vec<String> = literal
        .iter()
        .flat_map(|needle| {
            offences_in(&[("src", needle, "a colour belongs in src/gui/theme.rs")], |rel| rel == "src/gui/theme.rs")
        })
        .collect();
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}

/// The screens of the window (`src/gui/*.rs`, `src/gui/app` as one) and which of them each imports.
fn window_imports() -> Vec<(String, Vec<String>)> {
    let name_of = |rel: &str| -> String {
        let rest = rel.trim_start_matches("src/gui/").trim_end_matches(".rs");
        rest.split('/').next().unwrap_or(rest).trim_end_matches("/mod").to_owned()
    };
    let mut graph: Vec<(String, Vec<String>)> = Vec::new();
    for path in rust_files("src/gui") {
        let rel = relative(&path);
        let from = name_of(&rel);
        let code = code_only(&read(&path));
        let mut to: Vec<String> = code
            .split("crate::gui::")
            .skip(1)
            .filter_map(|rest| rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next())
            .map(str::to_owned)
            .filter(|to| *to != from)
            .collect();
        match graph.iter_mut().find(|(name, _)| *name == from) {
            Some((_, edges)) => edges.append(&mut to),
            None => graph.push((from, to)),
        }
    }
    graph
}

#[test]
fn no_two_files_of_the_window_import_each_other() {
    let graph = window_imports();
    let edges = |from: &str| graph.iter().find(|(name, _)| name == from).map(|(_, to)| to.clone()).unwrap_or_default();
    let mut cycles = Vec::new();
    for (start, _) in &graph {
        // Depth-first from each file: reaching it again is a circle.
        let (mut stack, mut seen) = (vec![(start.clone(), vec![start.clone()])], Vec::new());
        while let Some((at, path)) = stack.pop() {
            for next in edges(&at) {
                if next == *start {
                    cycles.push(format!("{} -> {next}", path.join(" -> ")));
                } else if !seen.contains(&next) {
                    seen.push(next.clone());
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next, longer));
                }
            }
        }
    }
    assert!(graph.len() > 10, "the window's files were not found: {graph:?}");
    assert!(cycles.is_empty(), "the window's files import each other in a circle:\n{}", cycles.join("\n"));
}

#[test]
fn threads_are_started_by_the_worker_type_only() {
    // Where a thread may be started, and why. Every thread that owns a resource for the station (storage,
    // photos, labels, errands, scanners, the hot folder) is a `crate::worker::Worker`, so that it stops,
    // delivers and logs in one way.
    let allowed = [
        ("src/worker/mod.rs", "the worker type itself"),
        (
            "src/drill/mod.rs",
            "a drill reads a child process's output until the process ends and returns its stderr through the \
             join: no queue, no owner to deliver to, and the child's exit is its stop",
        ),
    ];
    let offences: Vec<String> = rust_files("src")
        .into_iter()
        .filter(|path| !allowed.iter().any(|(file, _)| relative(path) == *file))
        .filter(|path| {
            let code = code_only(&read(path));
            ["thread::Builder", "thread::spawn", "thread::scope"].iter().any(|needle| code.contains(needle))
        })
        .map(|path| relative(&path))
        .collect();
    assert!(
        offences.is_empty(),
        "threads started outside src/worker (use crate::worker::Worker):\n{}",
        offences.join("\n")
    );
}

/// Code that builds or works on some systems only: Unix's and Windows' own APIs, C bindings, a pseudo-terminal,
/// V4L2, and paths that exist on Unix only. `api` needles are checked everywhere; path needles (a string that
/// is a `/dev`, `/sys` or `/proc` path) in `src` only, since tests and benches use such strings as data.
const PLATFORM_APIS: [&str; 8] =
    ["std::os::unix", "std::os::windows", "std::os::linux", "libc::", "nix::", "windows_sys", "TTYPort", "linuxvideo"];
const PLATFORM_PATHS: [&str; 3] = ["\"/dev", "\"/sys", "\"/proc"];

/// Whether a `cfg` attribute or `cfg!` names a platform (not only a feature).
fn names_platform(line: &str) -> bool {
    let code = line.trim_start();
    let is_cfg = code.starts_with("#[cfg(") || code.starts_with("#![cfg(") || code.contains("cfg!(");
    is_cfg && ["unix", "windows", "target_os", "target_family"].iter().any(|word| code.contains(word))
}

/// Whether `needle` occurs in `code` as a path of its own: `nix::` in `nix::unistd` but not in `unix::fs`.
fn names(code: &str, needle: &str) -> bool {
    code.match_indices(needle).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        needle.starts_with('"') || !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// A line with its string and character literals emptied, so that only the code's own braces are counted.
fn without_literals(line: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    for c in line.replace("'{'", "' '").replace("'}'", "' '").chars() {
        match (in_string, escaped, c) {
            (true, false, '\\') => escaped = true,
            (true, true, _) => escaped = false,
            (_, false, '"') => {
                in_string = !in_string;
                out.push('"');
            }
            (true, false, _) => {}
            (false, _, c) => out.push(c),
        }
    }
    out
}

/// The lines (1-based) of `text` that name one of `needles` outside any item, block or statement behind a
/// platform `cfg`. A platform `cfg` guards what follows it up to the end of that item: its `;`, a `,` ending a
/// line outside parentheses (a field, a match arm; not a signature's), or the `}` closing the block it
/// opens. `guarded` says the whole file is behind one (its `mod` is).
fn unguarded(text: &str, needles: &[&str], guarded: bool) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    // For each open brace, whether it opened under a platform cfg; and a cfg not yet used by an item.
    let (mut blocks, mut pending, mut parens) = (Vec::<bool>::new(), false, 0usize);
    let mut file_guarded = guarded;
    for (index, line) in code_only(text).lines().enumerate() {
        let covered = file_guarded || pending || blocks.iter().any(|b| *b);
        for needle in needles {
            if !covered && names(line, needle) {
                found.push((index + 1, (*needle).to_owned()));
            }
        }
        if names_platform(line) {
            if line.trim_start().starts_with("#![cfg(") && blocks.is_empty() {
                file_guarded = true;
            }
            pending = true;
            if line.trim_start().starts_with("#[") {
                continue;
            }
        }
        let code = without_literals(line);
        for c in code.chars() {
            match c {
                '{' => {
                    blocks.push(pending);
                    pending = false;
                }
                '}' => {
                    blocks.pop();
                }
                '(' | '[' => parens += 1,
                ')' | ']' => parens = parens.saturating_sub(1),
                ';' => pending = false,
                _ => {}
            }
        }
        if parens == 0 && code.trim_end().ends_with(',') {
            pending = false;
        }
    }
    found
}

/// Whether `text` declares the module `module` (`mod module;`).
fn names_module(text: &str, module: &str) -> bool {
    text.lines()
        .any(|l| l.trim().trim_start_matches("pub ").trim_start_matches("pub(crate) ") == format!("mod {module};"))
}

/// Whether the file at `path` is a module declared behind a platform `cfg` in its parent, or its parent is.
fn module_is_guarded(path: &Path) -> bool {
    let Some(name) = path.file_stem().and_then(|s| s.to_str()) else { return false };
    let folder = path.parent().unwrap_or(Path::new(ROOT));
    // The file that declares it: `folder.rs` or `folder/mod.rs` beside it, or the crate root in its folder
    // (`src/lib.rs`, `tests/tests.rs`).
    let (module, folder) = if name == "mod" {
        let Some(module) = folder.file_name().and_then(|s| s.to_str()) else { return false };
        (module.to_owned(), folder.parent().unwrap_or(folder))
    } else {
        (name.to_owned(), folder)
    };
    let folder_name = folder.file_name().and_then(|s| s.to_str()).unwrap_or_default();
    let candidates = [
        folder.with_extension("rs"),
        folder.join("mod.rs"),
        folder.join("lib.rs"),
        folder.join("main.rs"),
        folder.join(format!("{folder_name}.rs")),
    ];
    let Some(parent) = candidates.into_iter().find(|p| p.is_file() && p != path && names_module(&read(p), &module))
    else {
        return false;
    };
    let text = read(&parent);
    let lines: Vec<&str> = text.lines().collect();
    let declared = lines.iter().position(|l| names_module(l, &module));
    let Some(at) = declared else { return false };
    let attributes =
        lines[..at].iter().rev().map(|l| l.trim()).take_while(|l| l.starts_with("#[") || l.starts_with("//"));
    attributes.clone().any(names_platform) || module_is_guarded(&parent)
}

#[test]
fn platform_specific_code_is_behind_cfg() {
    // Issue 18: the station builds for Linux and Windows from one source. Code that exists on one system
    // only is behind a `cfg` naming the platform, with the other system's way beside it, so that the
    // portable parts stay one code; CI's Windows cross-build proves the rest.
    let paths: Vec<&str> = PLATFORM_APIS.iter().chain(PLATFORM_PATHS.iter()).copied().collect();
    let mut offences = Vec::new();
    for (folder, needles) in [("src", paths.as_slice()), ("tests", &PLATFORM_APIS[..]), ("benches", &PLATFORM_APIS[..])]
    {
        for path in rust_files(folder) {
            if relative(&path) == "tests/tidy.rs" {
                continue;
            }
            for (line, needle) in unguarded(&read(&path), needles, module_is_guarded(&path)) {
                offences.push(format!("{}:{line}: {needle} outside a platform cfg", relative(&path)));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "platform-specific code must be behind #[cfg(unix)], #[cfg(windows)] …:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_platform_check_finds_unguarded_code_and_lets_guarded_code_pass() {
    // Each snippet and the lines the check must name: it can fail, and it stops at the end of what a cfg guards.
    let cases: [(&str, &[usize]); 10] = [
        ("use std::os::unix::fs::FileTypeExt;\n", &[1]),
        ("#[cfg(unix)]\nuse std::os::unix::fs::FileTypeExt;\nuse std::os::unix::fs::symlink;\n", &[3]),
        ("#[cfg(feature = \"webcam\")]\nuse std::os::unix::fs::FileTypeExt;\n", &[2]),
        (
            "#[cfg(unix)]\nfn f(\n    a: u8,\n    b: u8,\n) -> Result<u8, ()> {\n    let x = libc::getpid();\n}\nfn g() {\n    nix::unistd::getpid();\n}\n",
            &[9],
        ),
        (
            "fn f() {\n    #[cfg(windows)]\n    let x = std::os::windows::ffi::OsStrExt;\n    let y = std::os::windows::ffi::OsStrExt;\n}\n",
            &[4],
        ),
        (
            "// std::os::unix in a comment, and \"/dev/ttyUSB0\" too\nconst HINT: &str = \"give a path, e.g. /dev/ttyUSB0\";\n",
            &[],
        ),
        ("const DEVICES: &str = \"/dev\";\n#[cfg(unix)]\nconst SYS: &str = \"/sys/class/tty\";\n", &[1]),
        ("#![cfg(target_os = \"linux\")]\nuse linuxvideo::Device;\n", &[]),
        ("use std::os::unix_like;\nfn f(x: &str) { let s = \"{\"; }\nuse std::os::unix::fs;\n", &[1, 3]),
        (
            "if cfg!(windows) {\n    let _ = std::os::windows::fs::symlink_file;\n}\nlet _ = std::os::windows::fs::symlink_file;\n",
            &[4],
        ),
    ];
    let needles: Vec<&str> = PLATFORM_APIS.iter().chain(PLATFORM_PATHS.iter()).copied().collect();
    for (snippet, lines) in cases {
        let found: Vec<usize> = unguarded(snippet, &needles, false).into_iter().map(|(line, _)| line).collect();
        assert_eq!(found, lines, "in:\n{snippet}");
    }
    // A file whose `mod` is declared behind a platform cfg is guarded whole: the webcam's V4L2 calls are.
    assert!(module_is_guarded(&Path::new(ROOT).join("src/photos/webcam/v4l2.rs")));
    assert!(!module_is_guarded(&Path::new(ROOT).join("src/photos/webcam.rs")));
    assert!(module_is_guarded(&Path::new(ROOT).join("tests/scanner.rs")));
}
