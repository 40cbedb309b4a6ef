//! Every `#[traced]` call has an id that its enter and exit records both
//! carry as their first argument (`call_id`, or `async_call_id` for an
//! `async fn`), so a reader pairs them even when calls overlap.

mod traced_common;

use std::collections::HashSet;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use simpletrace::{EventTable, Reader, Value};
use trace_runtime::traced;
use traced_common::start;

#[traced]
fn outer(n: u32) -> u32 {
    inner(n) + inner(n + 1)
}

#[traced(ret)]
fn inner(n: u32) -> u32 {
    n * 2
}

struct Noop;
impl Wake for Noop {
    fn wake(self: Arc<Self>) {}
}

/// Pending on the first poll, ready on the second.
struct YieldOnce(bool);
impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[traced]
async fn load(key: u32) {
    YieldOnce(false).await;
    let _ = key;
}

/// A record: name, first argument's name and value, and the last argument.
#[derive(Debug)]
struct Call {
    name: String,
    id_name: String,
    id: u64,
    last: u64,
}

fn calls(path: &std::path::Path) -> Vec<Call> {
    let mut reader = Reader::open(path, EventTable::new([])).unwrap();
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().unwrap() {
        if !(r.name().ends_with("_enter") || r.name().ends_with("_exit")) {
            continue;
        }
        let args: Vec<_> = r.args().collect();
        let (Some((decl, Value::Int(id))), Some((_, Value::Int(last)))) =
            (args.first(), args.last())
        else {
            panic!("{r:?}: no integer arguments");
        };
        out.push(Call {
            name: r.name().to_string(),
            id_name: decl.name.clone(),
            id: *id,
            last: *last,
        });
    }
    out
}

#[test]
fn enter_and_exit_carry_the_calls_id() {
    let mut tracing = start();
    assert_eq!(outer(1), 2 + 4);
    // Two async calls overlapping on this thread: both enter, then both exit.
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let (mut a, mut b) = (pin!(load(10)), pin!(load(20)));
    assert!(a.as_mut().poll(&mut cx).is_pending());
    assert!(b.as_mut().poll(&mut cx).is_pending());
    assert!(a.as_mut().poll(&mut cx).is_ready());
    assert!(b.as_mut().poll(&mut cx).is_ready());
    let other_thread = std::thread::spawn(|| inner(7)).join().unwrap();
    assert_eq!(other_thread, 14);
    tracing.stop();

    let calls = calls(tracing.path());
    let shape: Vec<(&str, &str, u64)> = calls
        .iter()
        .map(|c| (c.name.as_str(), c.id_name.as_str(), c.last))
        .collect();
    assert_eq!(
        shape,
        [
            ("outer_enter", "call_id", 1),
            ("inner_enter", "call_id", 1),
            ("inner_exit", "call_id", 2),
            ("inner_enter", "call_id", 2),
            ("inner_exit", "call_id", 4),
            ("outer_exit", "call_id", calls[5].id),
            ("load_enter", "async_call_id", 10),
            ("load_enter", "async_call_id", 20),
            ("load_exit", "async_call_id", calls[8].id),
            ("load_exit", "async_call_id", calls[9].id),
            ("inner_enter", "call_id", 7),
            ("inner_exit", "call_id", 14),
        ]
    );
    let ids: Vec<u64> = calls.iter().map(|c| c.id).collect();
    // Each exit carries its enter's id (async: in completion order).
    for (enter, exit) in [(0, 5), (1, 2), (3, 4), (6, 8), (7, 9), (10, 11)] {
        assert_eq!(
            ids[enter], ids[exit],
            "{:?} / {:?}",
            calls[enter], calls[exit]
        );
    }
    let distinct: HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), 6, "one id per call: {ids:x?}");
    assert!(!distinct.contains(&0), "0 means no id: {ids:x?}");
    // The thread is in the high bits: another thread's ids never collide.
    assert_ne!(ids[10] >> 32, ids[0] >> 32, "{ids:x?}");
    assert!(ids[..10].iter().all(|id| id >> 32 == ids[0] >> 32));
}
