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

/// The module path of `file` under a crate's `src` (`call/room.rs` → `call::room`, `call/mod.rs` →
/// `call`, `lib.rs` → the crate root, an empty path).
pub fn module_path(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("a file under src");
    let mut parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts.join("::")
}

/// The modules of `known` that `source` imports through `crate::` paths in its code (comments and
/// the trailing `#[cfg(test)]` module are not imports): each path is taken to the longest known
/// module it starts with.
pub fn crate_imports(source: &str, known: &[String]) -> Vec<String> {
    let code = source.split("\n#[cfg(test)]").next().unwrap_or_default();
    let mut found = Vec::new();
    for line in code.lines().map(str::trim).filter(|line| !line.starts_with("//")) {
        for (at, _) in line.match_indices("crate::") {
            let path: String = line[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let module = known
                .iter()
                .filter(|m| !m.is_empty() && (path == **m || path.starts_with(&format!("{m}::"))))
                .max_by_key(|m| m.len());
            if let Some(module) = module {
                if !found.contains(module) {
                    found.push(module.clone());
                }
            }
        }
    }
    found
}

/// A cycle in `edges` (module → modules it imports), as the modules on it in order, if there is one.
pub fn find_cycle(edges: &[(String, Vec<String>)]) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &[(String, Vec<String>)],
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            return Some(path[start..].to_vec());
        }
        if done.iter().any(|n| n == node) {
            return None;
        }
        path.push(node.to_owned());
        let next =
            edges.iter().find(|(from, _)| from == node).map(|(_, to)| to.as_slice()).unwrap_or_default();
        for to in next {
            if let Some(cycle) = visit(to, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(node.to_owned());
        None
    }
    let mut done = Vec::new();
    edges.iter().find_map(|(from, _)| visit(from, edges, &mut Vec::new(), &mut done))
}
