//! Tidy rules over the whole repository: every Rust module says what it is for in a `//!` line, and
//! the edge worker's modules import each other without cycles.

use earshot_repo_checks::{
    crate_imports, find_cycle, module_path, repo_root, rust_sources, starts_with_module_doc,
};

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

#[test]
fn the_edge_modules_import_each_other_without_cycles() {
    let src = repo_root().join("edge-worker/src");
    let files = rust_sources(&src);
    let known: Vec<String> = files.iter().map(|file| module_path(&src, file)).collect();
    let edges: Vec<(String, Vec<String>)> = files
        .iter()
        .zip(&known)
        .map(|(file, module)| {
            let imports = crate_imports(&std::fs::read_to_string(file).unwrap(), &known);
            // A module's own path and its parent's `mod` lines are not dependencies.
            (module.clone(), imports.into_iter().filter(|to| to != module).collect())
        })
        .collect();
    assert!(edges.len() >= 20, "walked too few edge modules: {known:?}");
    assert_eq!(find_cycle(&edges), None, "an import cycle among the edge's modules");
}

#[test]
fn imports_and_cycles_are_read_as_meant() {
    let known = vec!["call".to_owned(), "call::room".to_owned(), "net::sockets".to_owned()];
    let source = "//! doc about crate::net::sockets\nuse crate::call::room::{CallRecord};\nfn f() { crate::net::sockets::send(); }\n#[cfg(test)]\nmod tests { use crate::call; }";
    assert_eq!(crate_imports(source, &known), ["call::room", "net::sockets"]);
    let edge = |from: &str, to: &[&str]| (from.to_owned(), to.iter().map(|t| t.to_string()).collect());
    assert_eq!(find_cycle(&[edge("a", &["b"]), edge("b", &["c"]), edge("c", &[])]), None);
    assert_eq!(
        find_cycle(&[edge("a", &["b"]), edge("b", &["a"])]),
        Some(vec!["a".to_owned(), "b".to_owned()])
    );
}
