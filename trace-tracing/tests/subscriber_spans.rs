//! `SimpletraceSubscriber`'s own span store: `Span::current`, `Span::record`
//! (wider spans and late strings: `common`'s program), reference counts
//! (a clone keeps a span's id from being reused), a span closed on another
//! thread than the one that made it. (Many threads at once:
//! `subscriber_threads.rs`; one trace a process.)

mod common;

use std::collections::BTreeMap;

use common::{named, traced, Rec, I, S, V};
use tracing::field::Empty;
use tracing::{info_span, Span};

fn id(r: &Rec) -> u64 {
    match r.arg("async_call_id") {
        I(id) => *id,
        other => panic!("{other:?}"),
    }
}

#[test]
fn spans_keep_their_values_ids_and_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spans.trace");
    let mut ids = BTreeMap::new();
    let records = traced(&path, || {
        assert!(Span::current().is_none(), "no span yet");
        let outer = info_span!("outer_span", a = 1u64, b = 0u64);
        outer.record("b", 5u64);
        outer.in_scope(|| {
            let current = Span::current();
            assert_eq!(current.id(), outer.id());
            assert_eq!(current.metadata().unwrap().name(), "outer_span");
            let text = info_span!("text_span", s = "x", n = Empty);
            text.record("n", -3i64);
            text.in_scope(|| assert_eq!(Span::current().id(), text.id()));
            assert_eq!(Span::current().id(), outer.id(), "back in outer");
        });
        assert!(Span::current().is_none(), "left");

        // A clone keeps the span, and its id, alive.
        let counted = |n: u64| info_span!("counted_span", n);
        let a = counted(1);
        let a2 = a.clone();
        ids.insert("a", a.id().unwrap().into_u64());
        drop(a);
        let b = counted(2);
        ids.insert("b", b.id().unwrap().into_u64());
        a2.in_scope(|| {});
        drop(a2);
        let c = counted(3);
        ids.insert("c", c.id().unwrap().into_u64());
        c.in_scope(|| {});
        drop(b);

        // Made here, entered, recorded and closed on another thread.
        let moved = info_span!("moved_span", n = 10u64);
        std::thread::spawn(move || {
            moved.record("n", 11u64);
            moved.in_scope(|| {});
        })
        .join()
        .unwrap();
    });

    let outer = named(&records, "outer_span_enter");
    assert_eq!(outer.len(), 1);
    assert_eq!(outer[0].arg("a"), &I(1));
    assert_eq!(outer[0].arg("b"), &I(5), "Span::record before the enter");
    let names: Vec<&str> = records.iter().map(|r| r.name.as_str()).collect();
    let text = named(&records, "text_span_enter");
    assert!(!text.is_empty(), "{names:?}");
    assert_eq!(text[0].arg("s"), &S("x".into()));
    assert_eq!(
        text[0].arg("n"),
        &S("-3".into()),
        "typed by the first value"
    );

    assert_ne!(ids["a"], ids["b"], "a is still live through its clone");
    assert_eq!(
        ids["a"], ids["c"],
        "a's id is free once its last handle drops"
    );
    let counted: Vec<(u64, &V)> = named(&records, "counted_span_enter")
        .iter()
        .map(|r| (id(r), r.arg("n")))
        .collect();
    assert_eq!(counted, [(ids["a"], &I(1)), (ids["c"], &I(3))]);

    let moved = named(&records, "moved_span_enter");
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].arg("n"), &I(11));

    // Every enter has its exit, with its id, right after it on its thread
    // (nothing happens inside these spans).
    let spans: Vec<&Rec> = records
        .iter()
        .filter(|r| r.name.ends_with("_enter") || r.name.ends_with("_exit"))
        .collect();
    for r in &spans {
        if let Some(name) = r.name.strip_suffix("_exit") {
            let enter = spans
                .iter()
                .rev()
                .find(|e| e.name == format!("{name}_enter") && id(e) == id(r));
            assert!(enter.is_some(), "{} without its enter", r.name);
        }
    }
}
