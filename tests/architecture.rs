//! The layering of `docs/architecture.md`, measured on the source: every `crate::` path
//! in `src/` (outside comments) points from a module to one above it in the documented
//! list, and the files of `model/` import one another without a circle.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::common::root;

/// The top-level modules in the order `docs/architecture.md` lists them.
fn documented_order() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("docs/architecture.md")).unwrap();
    let block = text
        .split("```")
        .nth(1)
        .expect("the first code block lists the modules");
    block
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(|name| name.trim_end_matches('/').to_owned())
        .collect()
}

/// Every `.rs` file under `dir`, relative to `src/`.
fn rust_files(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root().join("src")).unwrap();
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The `crate::a::b` paths of a file's code (comments left out), with their line.
fn crate_paths(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let mut path = Vec::new();
            for part in after.split("::") {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let whole = name.len() == part.len();
                if !name.is_empty() {
                    path.push(name);
                }
                if !whole {
                    break;
                }
            }
            found.push((n + 1, path));
            rest = after;
        }
    }
    found
}

/// The top module of a file (`simulation/sweep/draw.rs` → `simulation`).
fn top_module(file: &str) -> &str {
    file.split('/').next().unwrap().trim_end_matches(".rs")
}

#[test]
fn no_module_reaches_below_itself() {
    let order = documented_order();
    assert!(
        order.len() >= 8 && order[0] == "time" && order.last().unwrap() == "cli",
        "{order:?}"
    );
    let rank = |m: &str| order.iter().position(|o| o == m);
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let Some(own) = rank(top_module(file)) else {
            continue; // lib.rs, main.rs
        };
        let text = std::fs::read_to_string(root().join("src").join(file)).unwrap();
        for (line, path) in crate_paths(&text) {
            let Some(target) = path.first().and_then(|m| rank(m)) else {
                continue;
            };
            if target > own {
                wrong.push(format!("src/{file}:{line} uses crate::{}", path.join("::")));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against docs/architecture.md:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_model_has_no_import_circle() {
    let mut files = Vec::new();
    rust_files(&root().join("src/model"), &mut files);
    // model file → the model files it uses.
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let own = file
            .trim_start_matches("model/")
            .trim_end_matches(".rs")
            .to_owned();
        let text = std::fs::read_to_string(root().join("src").join(file)).unwrap();
        let targets = crate_paths(&text)
            .into_iter()
            .filter(|(_, p)| p.first().is_some_and(|m| m == "model") && p.len() > 1)
            .map(|(_, p)| p[1].clone())
            .filter(|t| *t != own && files.iter().any(|f| f == &format!("model/{t}.rs")))
            .collect();
        uses.insert(own, targets);
    }
    assert!(uses.len() >= 8, "{uses:?}");
    // Peel off files that use nothing left; a circle is what remains.
    let mut left = uses.clone();
    while let Some(leaf) = left
        .iter()
        .find(|(_, targets)| targets.iter().all(|t| !left.contains_key(t)))
        .map(|(name, _)| name.clone())
    {
        left.remove(&leaf);
    }
    assert!(left.is_empty(), "an import circle among {left:?}");
}

#[test]
fn the_scan_sees_paths_and_skips_comments() {
    let found = crate_paths(
        "use crate::model::ranges::Range; // crate::cli::x\n/// crate::output\nlet x = crate::time::HOURS;",
    );
    assert_eq!(found.len(), 2);
    assert_eq!(
        found[0],
        (1, vec!["model".into(), "ranges".into(), "Range".into()])
    );
    assert_eq!(found[1].1[0], "time");
}

/// Rooms of one job: no file in `src/` over 800 lines but the kernel (one fused pass,
/// cohesive by design).
#[test]
fn no_file_but_the_kernel_is_over_800_lines() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter(|f| f.as_str() != "simulation/kernel.rs")
        .filter_map(|f| {
            let lines = std::fs::read_to_string(root().join("src").join(f))
                .unwrap()
                .lines()
                .count();
            (lines > 800).then(|| format!("src/{f}: {lines} lines"))
        })
        .collect();
    assert!(long.is_empty(), "{}", long.join("\n"));
}
