//! An event back as its trace-events line, e.g.
//! `disable foo(int a, const char *s) "a %d s %s"`.

use trace_events::Event;

/// The declaration line of `event` (no newline); it parses back to the same
/// name, properties, arguments and format.
pub fn declaration_line(event: &Event) -> String {
    event.declaration_line()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event of every QEMU trace-events file survives the round trip.
    #[test]
    fn qemu_corpus_round_trips() {
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/qemu");
        let mut files = vec![std::path::PathBuf::from(corpus)];
        let mut events = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.file_name() != Some(std::ffi::OsStr::new("trace-events")) {
                continue;
            }
            let parsed = trace_events::parse_file(&path, "f").unwrap();
            for event in &parsed.file.events {
                let line = declaration_line(event);
                let back = trace_events::parse_str("line", &format!("{line}\n"));
                assert!(!back.has_errors(), "{line}: {:?}", back.diagnostics);
                let back = &back.file.events[0];
                assert_eq!(
                    (
                        &back.name,
                        &back.props,
                        &back.args,
                        &back.fmt,
                        &back.c_format
                    ),
                    (
                        &event.name,
                        &event.props,
                        &event.args,
                        &event.fmt,
                        &event.c_format
                    ),
                    "{line}"
                );
                events += 1;
            }
        }
        assert_eq!(events, 5811, "every corpus event (shared/golden/README.md)");
    }
}
