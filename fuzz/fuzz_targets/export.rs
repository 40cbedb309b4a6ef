//! Arbitrary bytes as a v4 trace through `simpletrace export --chrome` and
//! `--html`.
//!
//! Besides no panic (overflow checks are on in fuzz builds): the Chrome JSON
//! parses, every `B` slice has its `E` on the same track, the dropped total
//! is a number or flagged overflow; the HTML page has no more `</script`
//! than the page around the data (the data cannot close the script).

#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use simpletrace::timeline::{ChromeTrace, HtmlTimeline};
use simpletrace::{process, Consumer, Filter, Reader, Selected};
use simpletrace_fuzz::trace_table::table;

fn chrome(data: &[u8]) {
    let Ok(mut reader) = Reader::new(data, table()) else {
        return;
    };
    let mut selected = Selected::new(Filter::default(), ChromeTrace::new(Vec::new()));
    let finished = process(&mut reader, &mut selected).is_ok();
    let mut export = selected.into_inner();
    if !finished {
        // As the CLI does after a read error: close what was written.
        export.end().unwrap();
    }
    let out = export.into_inner().unwrap();
    let json: Value = serde_json::from_slice(&out).expect("the export is JSON");
    let mut open: HashMap<(u64, u64), i64> = HashMap::new();
    for event in json["traceEvents"].as_array().expect("traceEvents") {
        let track = (event["pid"].as_u64().unwrap(), event["tid"].as_u64().unwrap());
        match event["ph"].as_str().unwrap() {
            "B" => *open.entry(track).or_default() += 1,
            "E" => {
                let depth = open.entry(track).or_default();
                *depth -= 1;
                assert!(*depth >= 0, "E without B on {track:?}");
            }
            _ => {}
        }
    }
    assert!(open.values().all(|&d| d == 0), "unclosed slices: {open:?}");
    let other = &json["otherData"];
    assert_eq!(
        other["dropped_events"].is_null(),
        other["dropped_events_overflow"] == true
    );
}

/// `</script` occurrences in a page: the page's own, plus any the data added.
fn script_ends(page: &[u8]) -> usize {
    page.windows(8)
        .filter(|w| w.eq_ignore_ascii_case(b"</script"))
        .count()
}

fn html_page(data: &[u8]) -> Option<Vec<u8>> {
    let mut reader = Reader::new(data, table()).ok()?;
    let page = HtmlTimeline::new(Vec::new(), "fuzz").unwrap();
    let mut selected = Selected::new(Filter::default(), page);
    let finished = process(&mut reader, &mut selected).is_ok();
    let mut page = selected.into_inner();
    if !finished {
        page.end().unwrap();
    }
    Some(page.into_inner().unwrap())
}

fn html(data: &[u8]) {
    static EMPTY: OnceLock<usize> = OnceLock::new();
    let baseline = *EMPTY.get_or_init(|| {
        let header = [
            &u64::MAX.to_le_bytes()[..],
            &trace_events::v4::HEADER_MAGIC.to_le_bytes(),
            &trace_events::v4::HEADER_VERSION.to_le_bytes(),
        ]
        .concat();
        script_ends(&html_page(&header).expect("an empty trace exports"))
    });
    if let Some(page) = html_page(data) {
        assert!(std::str::from_utf8(&page).is_ok());
        assert_eq!(script_ends(&page), baseline, "the data closed the script");
    }
}

fuzz_target!(|data: &[u8]| {
    chrome(data);
    html(data);
});
