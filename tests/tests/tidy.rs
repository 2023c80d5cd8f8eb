//! Tidy rules over the whole repository: every Rust module says what it is for in a `//!` line.

use earshot_repo_checks::{repo_root, rust_sources, starts_with_module_doc};

#[test]
fn every_rust_file_starts_with_a_module_doc_line() {
    let root = repo_root();
    let sources = rust_sources(&root);
    assert!(sources.len() >= 4, "walked too few files: {sources:?}");
    let missing: Vec<_> = sources
        .iter()
        .filter(|path| !starts_with_module_doc(&std::fs::read_to_string(path).unwrap()))
        .map(|path| path.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(missing.is_empty(), "Rust files without a leading //! line: {missing:?}");
}

#[test]
fn the_rule_accepts_doc_lines_and_rejects_others() {
    assert!(starts_with_module_doc("//! What it is for.\nfn f() {}"));
    assert!(starts_with_module_doc("\n#![no_std]\n//! After an attribute.\n"));
    assert!(!starts_with_module_doc("// a plain comment\n//! too late\n"));
    assert!(!starts_with_module_doc("/// an item doc\nfn f() {}"));
    assert!(!starts_with_module_doc(""));
}
