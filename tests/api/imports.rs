//! The library's files import each other without cycles: read from `src/`, every `crate::` and
//! `super::` path a file names is an edge to the file that defines it, and no chain of edges may
//! lead back to where it started. A child naming its own parent (`super::` re-exports) is not
//! an edge: that is how a module shares with its files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Every library source file by module path (`http/mod.rs` is `["http"]`); `main.rs` belongs to
/// the binary, not the library.
fn modules(dir: &Path, prefix: &[String], out: &mut BTreeMap<Module, PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("directory entry").path();
        let name = path.file_stem().and_then(|stem| stem.to_str()).expect("file name").to_owned();
        let mut module = prefix.to_vec();
        if path.is_dir() {
            module.push(name);
            modules(&path, &module, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") && !(prefix.is_empty() && name == "main") {
            if !matches!(name.as_str(), "mod" | "lib") {
                module.push(name);
            }
            out.insert(module, path);
        }
    }
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Reads one use tree at `at` (after `crate::`/`super::` and any further `super::`), adding each
/// full path to `paths`; returns where it stopped.
fn use_tree(text: &[u8], mut at: usize, base: &Module, paths: &mut Vec<Module>) -> usize {
    let mut path = base.clone();
    loop {
        while at < text.len() && text[at].is_ascii_whitespace() {
            at += 1;
        }
        if at < text.len() && text[at] == b'{' {
            at += 1;
            loop {
                at = use_tree(text, at, &path, paths);
                // Past what a tree ends with but names no module: `as alias`, `*`.
                while at < text.len() && !matches!(text[at], b',' | b'}') {
                    at += 1;
                }
                while at < text.len() && (text[at].is_ascii_whitespace() || text[at] == b',') {
                    at += 1;
                }
                if at >= text.len() || text[at] == b'}' {
                    return at + 1;
                }
            }
        }
        let start = at;
        while at < text.len() && is_ident(text[at]) {
            at += 1;
        }
        if at > start && &text[start..at] != b"self".as_slice() {
            path.push(String::from_utf8_lossy(&text[start..at]).into_owned());
        }
        if text[at..].starts_with(b"::") {
            at += 2;
        } else {
            paths.push(path);
            return at;
        }
    }
}

/// The modules one file names, as the longest module prefix of each path it names.
fn imports(module: &Module, source: &str, known: &BTreeMap<Module, PathBuf>) -> BTreeSet<Module> {
    // Test modules come last in a file and may import anything.
    let code = source.split("#[cfg(test)]").next().unwrap_or_default().as_bytes();
    // `super` of `a/b.rs` (module a::b) and of `a/mod.rs` (module a) alike is the module's parent.
    let parent: Module = module[..module.len().saturating_sub(1)].to_vec();
    let mut paths = Vec::new();
    let mut at = 0;
    while at < code.len() {
        let boundary = at == 0 || !is_ident(code[at - 1]);
        let rest = &code[at..];
        let (mut base, skip) = if boundary && rest.starts_with(b"crate::") {
            (Vec::new(), 7)
        } else if boundary && rest.starts_with(b"super::") {
            (parent.clone(), 7)
        } else {
            at += 1;
            continue;
        };
        at += skip;
        while code[at..].starts_with(b"super::") {
            base.pop();
            at += 7;
        }
        at = use_tree(code, at, &base, &mut paths);
    }
    paths
        .into_iter()
        .filter_map(|path| (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|prefix| known.contains_key(prefix)))
        .filter(|target| target != module && !module.starts_with(target))
        .collect()
}

/// A cycle through `from`, if any, as the modules along it.
fn cycle_from(from: &Module, edges: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
    let mut stack = vec![(from.clone(), vec![from.clone()])];
    let mut seen = BTreeSet::new();
    while let Some((at, trail)) = stack.pop() {
        for next in edges.get(&at).into_iter().flatten() {
            if next == from {
                return Some([trail.clone(), vec![from.clone()]].concat());
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), [trail.clone(), vec![next.clone()]].concat()));
            }
        }
    }
    None
}

#[test]
fn library_files_import_each_other_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut known = BTreeMap::new();
    modules(&src, &[], &mut known);
    let edges: BTreeMap<Module, BTreeSet<Module>> = known
        .iter()
        .map(|(module, path)| {
            let source = std::fs::read_to_string(path).expect("source file");
            (module.clone(), imports(module, &source, &known))
        })
        .collect();
    assert!(edges.get(&vec!["http".to_owned(), "health".to_owned()]).is_some_and(|to| !to.is_empty()));
    let cycles: BTreeSet<String> = edges
        .keys()
        .filter_map(|module| cycle_from(module, &edges))
        .map(|cycle| cycle.iter().map(|module| module.join("/")).collect::<Vec<_>>().join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.into_iter().collect::<Vec<_>>().join("\n"));
}

/// Whether `code` names a path into crate `krate` (`krate::…`, as an identifier of its own).
fn names_crate(code: &str, krate: &str) -> bool {
    let path = format!("{krate}::");
    code.match_indices(&path).any(|(at, _)| code[..at].bytes().next_back().is_none_or(|b| !is_ident(b)))
}

/// A layer, the library modules it may not import and the crates it may not name.
struct Rule {
    layer: &'static str,
    modules: &'static [&'static str],
    crates: &'static [&'static str],
}

/// Who may import whom (see docs/architecture.md, "Import rules").
const RULES: &[Rule] = &[
    // The model: no HTTP, no storage.
    Rule { layer: "domain", modules: &["http", "store", "service"], crates: &["axum", "sqlx", "rusqlite"] },
    // Storage: no HTTP, no wire format.
    Rule { layer: "store", modules: &["http", "negotiate", "service"], crates: &["axum"] },
    // The operations every face calls: no HTTP.
    Rule { layer: "service", modules: &["http"], crates: &["axum", "hyper", "tower", "tower_http"] },
];

#[test]
fn the_layers_import_only_what_their_rules_allow() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut known = BTreeMap::new();
    modules(&src, &[], &mut known);
    let mut offences = Vec::new();
    for rule in RULES {
        let files: Vec<(&Module, &PathBuf)> =
            known.iter().filter(|(module, _)| module.first().is_some_and(|m| m == rule.layer)).collect();
        assert!(files.len() > 3, "{} is where it is expected: {files:?}", rule.layer);
        for (module, path) in files {
            let source = std::fs::read_to_string(path).expect("source file");
            for krate in rule.crates.iter().filter(|krate| names_crate(&source, krate)) {
                offences.push(format!("{} names the crate {krate}", module.join("/")));
            }
            // The whole file, tests included: a layer's tests use it as its callers do.
            let whole = source.replace("#[cfg(test)]", "");
            for target in imports(module, &whole, &known) {
                if target.first().is_some_and(|m| rule.modules.contains(&m.as_str())) {
                    offences.push(format!("{} imports {}", module.join("/"), target.join("/")));
                }
            }
        }
    }
    assert!(offences.is_empty(), "imports against the layer rules:\n{}", offences.join("\n"));
}
