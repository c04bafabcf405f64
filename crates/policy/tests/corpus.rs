//! Runs every decision case in `tests/corpus/` against the native core.
//!
//! A case is `{"description": …, "request": {"op": …, "args": …}, "reply": {"ok": …} | {"error": …}}`.
//! The engine's tests run the same files through the component, so a case that
//! passes here and fails there is a difference between the builds, not a rule.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    // Cargo sets the variable when it runs the test too; preferring that value
    // keeps a binary built from another checkout (a shared target dir) reading
    // the corpus of the checkout that runs it.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    manifest.unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR"))).join("../../tests/corpus")
}

fn cases(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            cases(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn corpus_matches_native_core() {
    let mut files = Vec::new();
    cases(&corpus_dir(), &mut files);
    assert!(!files.is_empty(), "no corpus cases under {}", corpus_dir().display());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read case");
        let case: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()));
        let request = case.get("request").unwrap_or_else(|| panic!("{}: no \"request\"", path.display()));
        let expected = case.get("reply").unwrap_or_else(|| panic!("{}: no \"reply\"", path.display()));
        let got: Value =
            serde_json::from_str(&session_warden_policy::json::handle(&request.to_string())).expect("reply is JSON");
        if &got != expected {
            failures.push(format!("{}\n  expected {expected}\n  got      {got}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{} of {} corpus cases differ:\n{}", failures.len(), files.len(), failures.join("\n"));
    eprintln!("{} corpus cases", files.len());
}
