//! Embeds every policy file in `assets/policies/` into the binary, so that the station runs from any
//! folder and a new merchant is a new file, not a code change.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

fn main() {
    let folder = PathBuf::from("assets/policies");
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&folder)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|path| path.extension().is_some_and(|ext| ext == "toml"));
    files.sort();

    let mut source = String::from(
        "/// Built-in policy files: (file name, contents).\npub const BUILT_IN_POLICIES: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        // Relative to the crate being compiled, never an absolute path: the generated file must not tie
        // a build to the folder it was first generated in.
        let _ = writeln!(
            source,
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/assets/policies/{name}\"))),"
        );
    }
    source.push_str("];\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default()).join("built_in_policies.rs");
    if let Err(e) = fs::write(&out, source) {
        panic!("cannot write {}: {e}", out.display());
    }
}
