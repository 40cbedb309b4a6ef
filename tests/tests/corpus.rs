//! The QEMU corpus through `trace_events!`: the generated module list covers the
//! corpus, and every generated event table says what QEMU's tracetool says.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use integration_tests::corpus;
use trace_runtime::__private::ArgKind;
use trace_runtime::Event;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/qemu");
const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/golden/tracetool-events.jsonl"
);
/// How `src/corpus.rs` names corpus files, relative to this crate.
const PREFIX: &str = "../../shared/corpus/qemu/";

fn corpus_files(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            corpus_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "trace-events") {
            out.insert(trace_events::path_name(path.strip_prefix(CORPUS).unwrap()));
        }
    }
}

/// The generated tables by corpus-relative file.
fn tables() -> HashMap<String, &'static [&'static Event]> {
    corpus()
        .into_iter()
        .map(|(path, table)| (path.strip_prefix(PREFIX).unwrap().to_string(), table))
        .collect()
}

#[test]
fn module_list_covers_every_corpus_file() {
    let mut on_disk = BTreeSet::new();
    corpus_files(Path::new(CORPUS), &mut on_disk);
    assert_eq!(on_disk.len(), 103, "the corpus README promises 103 files");
    let listed: BTreeSet<String> = tables().into_keys().collect();
    assert_eq!(
        listed, on_disk,
        "src/corpus.rs is stale: run tests/gen-corpus-list.sh"
    );
}

#[test]
fn every_table_names_its_file_and_keeps_file_order() {
    for (path, table) in corpus() {
        assert!(table.iter().all(|e| e.meta.file == path), "{path}");
        let lines: Vec<u32> = table.iter().map(|e| e.meta.line).collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "{path}: {lines:?}");
    }
}

#[test]
fn every_generated_event_matches_tracetool() {
    let tables = tables();
    let golden = std::fs::read_to_string(GOLDEN).unwrap();
    let mut checked = 0;
    let mut per_file: HashMap<String, usize> = HashMap::new();
    for line in golden.lines() {
        let g: serde_json::Value = serde_json::from_str(line).unwrap();
        let file = g["file"].as_str().unwrap();
        let name = g["name"].as_str().unwrap();
        let table = tables[file];
        let ev = table
            .iter()
            .find(|e| e.meta.name == name)
            .unwrap_or_else(|| panic!("{file}: no event {name}"));
        let m = &ev.meta;
        let at = format!("{file}:{name}");
        assert_eq!(u64::from(m.line), g["line"].as_u64().unwrap(), "{at}");
        assert_eq!(m.fmt, g["fmt"].as_str().unwrap(), "{at}");
        assert_eq!(m.c_format, g["c_format"].as_str().unwrap(), "{at}");
        let disabled = g["props"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "disable");
        assert_eq!(m.available, !disabled, "{at}");
        let args = g["args"].as_array().unwrap();
        assert_eq!(m.args.len(), args.len(), "{at}");
        for (a, ga) in m.args.iter().zip(args) {
            assert_eq!(a.ty, ga[0].as_str().unwrap(), "{at}");
            assert_eq!(a.name, ga[1].as_str().unwrap(), "{at}");
            // QEMU.md: `const char *`/`char *` are strings; other `*` types pointers.
            let ty: String = a.ty.split_whitespace().collect::<Vec<_>>().join(" ");
            let is_str = matches!(ty.replace(" *", "*").as_str(), "const char*" | "char*");
            assert_eq!(a.kind == ArgKind::Str, is_str, "{at}: {}", a.ty);
            let is_ptr = a.ty.contains('*') && !is_str;
            assert_eq!(a.kind == ArgKind::Pointer, is_ptr, "{at}: {}", a.ty);
            assert_eq!(a.kind == ArgKind::Bool, ty == "bool", "{at}: {}", a.ty);
        }
        *per_file.entry(file.to_string()).or_default() += 1;
        checked += 1;
    }
    assert_eq!(checked, 5811);
    for (file, table) in &tables {
        assert_eq!(table.len(), per_file[file], "{file}");
    }
}

/// The macro hands every argument kind over as the parser decided it.
#[test]
fn recorded_kinds_match_the_parser() {
    for (file, table) in tables() {
        let path = PathBuf::from(CORPUS).join(&file);
        let parsed = trace_events::parse_file(&path, &file).unwrap();
        assert_eq!(parsed.file.events.len(), table.len(), "{file}");
        for (ev, pe) in table.iter().zip(&parsed.file.events) {
            for (a, pa) in ev.meta.args.iter().zip(&pe.args) {
                assert_eq!(a.kind, pa.kind, "{file}:{}:{}", ev.meta.name, a.name);
            }
        }
    }
}
