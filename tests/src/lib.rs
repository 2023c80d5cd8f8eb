//! Repository-wide checks: helpers to walk the project's own source files for tidy rules.

use std::path::{Path, PathBuf};

/// The repository root (this crate lives in `tests/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// Every `.rs` file under `root`, skipping build output, installed tools and dependencies.
pub fn rust_sources(root: &Path) -> Vec<PathBuf> {
    const SKIP: [&str; 6] = ["target", ".tools", "node_modules", ".git", ".wrangler", "build"];
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if !SKIP.contains(&name.to_string_lossy().as_ref()) {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Whether a Rust source starts (after blank lines and inner attributes) with a `//!` line.
pub fn starts_with_module_doc(source: &str) -> bool {
    source
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with("#!["))
        .is_some_and(|line| line.starts_with("//!"))
}
