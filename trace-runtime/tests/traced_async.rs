//! `#[traced]` on `async fn`: enter on first poll, exit when the future
//! completes or is dropped unfinished; the future stays `Send`.

mod traced_common;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use trace_runtime::traced;
use traced_common::*;

struct Noop;
impl Wake for Noop {
    fn wake(self: Arc<Self>) {}
}

fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    let waker = Waker::from(Arc::new(Noop));
    f.poll(&mut Context::from_waker(&waker))
}

/// Run to completion (the futures here only yield, never wait).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    loop {
        if let Poll::Ready(v) = poll_once(f.as_mut()) {
            return v;
        }
    }
}

/// Pending on the first poll, ready on the second.
struct YieldOnce(bool);
impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[traced]
async fn fetch(block: u64, dev: &str) -> usize {
    YieldOnce(false).await;
    dev.len() + block as usize
}

#[traced(err)]
async fn checked(n: i32) -> Result<i32, String> {
    YieldOnce(false).await;
    let doubled = n.checked_mul(2).ok_or("overflow")?;
    Ok(doubled)
}

#[traced(ret, err)]
async fn lookup(key: u8) -> Result<u32, i32> {
    YieldOnce(false).await;
    if key == 0 {
        return Err(-2);
    }
    Ok(key as u32 * 10)
}

struct Queue {
    depth: u32,
}

impl Queue {
    #[traced(name = "queue_submit", ret)]
    async fn submit(&mut self, req: u32) -> u32 {
        YieldOnce(false).await;
        self.depth += 1;
        req + self.depth
    }
}

fn is_send<T: Send>(_: &T) {}

#[test]
fn async_functions_enter_on_first_poll_and_exit_on_completion_or_drop() {
    let tracing = start();

    let future = fetch(7, "vda");
    is_send(&future);
    assert!(
        named(&tracing.records(), "fetch").is_empty(),
        "nothing before the first poll"
    );
    let mut future = pin!(future);
    assert!(poll_once(future.as_mut()).is_pending());
    assert_eq!(
        named(&tracing.records(), "fetch"),
        [rec("fetch_enter", [I(7), S("vda".into())])]
    );
    assert_eq!(poll_once(future.as_mut()), Poll::Ready(10));
    assert_eq!(
        named(&tracing.records(), "fetch"),
        [
            rec("fetch_enter", [I(7), S("vda".into())]),
            rec("fetch_exit", [])
        ]
    );

    // Dropped while suspended: the exit is recorded by the drop.
    {
        let mut dropped = Box::pin(fetch(1, "vdb"));
        assert!(poll_once(dropped.as_mut()).is_pending());
    }
    // Dropped before its first poll: it never ran, nothing is recorded.
    drop(fetch(2, "vdc"));

    assert_eq!(block_on(lookup(3)), Ok(30));
    assert_eq!(block_on(lookup(0)), Err(-2));
    {
        let mut cancelled = Box::pin(lookup(5));
        assert!(poll_once(cancelled.as_mut()).is_pending());
    }
    let mut queue = Queue { depth: 0 };
    assert_eq!(block_on(queue.submit(100)), 101);
    assert_eq!(block_on(checked(4)), Ok(8));
    assert_eq!(block_on(checked(i32::MAX)), Err("overflow".to_string()));

    let records = tracing.records();
    assert_eq!(
        named(&records, "fetch"),
        [
            rec("fetch_enter", [I(7), S("vda".into())]),
            rec("fetch_exit", []),
            rec("fetch_enter", [I(1), S("vdb".into())]),
            rec("fetch_exit", []),
        ]
    );
    assert_eq!(
        named(&records, "lookup"),
        [
            rec("lookup_enter", [I(3)]),
            // returned, is_err, ret, err
            rec("lookup_exit", [I(1), I(0), I(30), I(0)]),
            rec("lookup_enter", [I(0)]),
            rec("lookup_exit", [I(1), I(1), I(0), I(-2i64 as u64)]),
            rec("lookup_enter", [I(5)]),
            // cancelled: not returned, every value zero
            rec("lookup_exit", [I(0), I(0), I(0), I(0)]),
        ]
    );
    assert_eq!(
        named(&records, "queue_submit"),
        [
            rec("queue_submit_enter", [I(100)]),
            rec("queue_submit_exit", [I(1), I(101)]),
        ]
    );
    assert_eq!(
        named(&records, "checked"),
        [
            rec("checked_enter", [I(4)]),
            // returned, is_err, err
            rec("checked_exit", [I(1), I(0), S("".into())]),
            rec("checked_enter", [I(i32::MAX as u64)]),
            rec("checked_exit", [I(1), I(1), S("overflow".into())]),
        ]
    );
}
