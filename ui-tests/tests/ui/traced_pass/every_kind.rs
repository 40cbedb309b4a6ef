// `#[traced]` adds no warning and no clippy lint to code that has none, on
// every kind of function. trybuild compiles this file (rustc lints) and
// `trace-runtime/tests/traced_lints.rs` includes it as a module, so
// `cargo clippy --all-targets -- -D warnings` checks it too.
#![deny(warnings)]
#![deny(clippy::all)]

use std::fmt::Display;

use trace_runtime::traced;

// The README's examples: bodies of one expression on one line (rustc's
// `unused_braces` looks at those only).
#[rustfmt::skip]
#[traced]
fn read_block(dev: &str, sector: u64) -> usize { 512 }

#[rustfmt::skip]
#[traced(name = "dev_write", skip(buf), ret)]
fn write(fd: i32, buf: &[u8]) -> isize { buf.len() as isize }

#[rustfmt::skip]
#[traced(err)]
fn open(path: &str) -> Result<u32, i32> { Err(-2) }

#[rustfmt::skip]
#[traced]
fn one_line_unit(a: u8) { let _ = a; }

#[rustfmt::skip]
#[traced]
async fn one_line_async(a: u8) -> u8 { a }

#[rustfmt::skip]
#[traced(ret)]
async fn one_line_async_ret(a: u8) -> u8 { a }

#[rustfmt::skip]
#[traced]
fn one_line_never() -> ! { panic!("never") }

#[traced(ret, err)]
fn checked(a: i64) -> Result<i64, &'static str> {
    if a < 0 {
        return Err("negative");
    }
    Ok(a)
}

#[traced(ret)]
fn single_ret(a: u8) -> u8 {
    a
}

#[traced]
fn unit() {}

#[traced]
#[allow(clippy::unused_unit)]
fn explicit_unit(a: u8) -> () {
    let _ = a;
}

#[traced]
fn never(code: i32) -> ! {
    std::process::exit(code)
}

#[traced(skip(shown))]
fn impl_trait(shown: impl Display, len: u16) -> impl Display {
    format!("{shown}:{len}")
}

#[traced(skip(item))]
fn generic<T, U>(item: T, count: usize) -> usize
where
    T: Display,
    U: Default,
{
    let _ = U::default();
    item.to_string().len() + count
}

// Inner attributes stay the body's: here clippy's `identity_op` is allowed.
#[traced]
fn inner_attribute(a: u32) -> u32 {
    #![allow(clippy::identity_op)]
    a + 0
}

#[traced]
fn skipped_unused(_unused: u32, used: u32) -> u32 {
    used
}

#[traced(skip_all)]
fn skip_all(a: u32, b: u32) -> u32 {
    a + b
}

#[traced]
fn early_return(a: u32) -> u32 {
    if a > 3 {
        return 3;
    }
    a
}

#[traced]
fn question_mark(a: &str) -> Result<u32, std::num::ParseIntError> {
    Ok(a.parse::<u32>()? + 1)
}

/// # Safety
/// `p` points to a readable `u32`.
#[traced]
unsafe fn read_raw(p: *const u32) -> u32 {
    // SAFETY: the caller's promise.
    unsafe { *p }
}

/// # Safety
/// `p` points to a readable `u32`.
#[traced(ret)]
unsafe fn read_raw_ret(p: *const u32) -> u32 {
    // SAFETY: the caller's promise.
    unsafe { *p }
}

#[traced]
async fn later(a: u8) -> u8 {
    a
}

#[traced(ret)]
async fn later_ret(a: u8) -> u8 {
    a
}

#[traced(err)]
async fn later_err(a: u8) -> Result<u8, u8> {
    Ok(a)
}

#[traced]
async fn later_unit() {}

struct Disk {
    sectors: u64,
}

impl Disk {
    #[traced(name = "disk_new")]
    fn new(sectors: u64) -> Self {
        Disk { sectors }
    }

    #[traced]
    fn by_value(self, n: u8) -> u64 {
        self.sectors + n as u64
    }

    #[traced(ret)]
    fn by_ref(&self, n: u8) -> u64 {
        self.sectors * n as u64
    }

    #[traced]
    fn by_mut(&mut self, n: u8) {
        self.sectors += n as u64;
    }

    #[traced]
    async fn by_ref_async(&self) -> u64 {
        self.sectors
    }
}

trait Device {
    fn reset(&mut self, level: u32) -> u32;
}

impl Device for Disk {
    #[traced(name = "disk_reset")]
    fn reset(&mut self, level: u32) -> u32 {
        level
    }
}

struct Noop;

impl std::task::Wake for Noop {
    fn wake(self: std::sync::Arc<Self>) {}
}

/// Polls a future that never waits.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(std::sync::Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

pub fn main() {
    assert_eq!(read_block("vda", 1), 512);
    assert_eq!(write(1, b"ab"), 2);
    assert_eq!(open("x"), Err(-2));
    assert_eq!(checked(-1), Err("negative"));
    assert_eq!(single_ret(4), 4);
    unit();
    one_line_unit(1);
    assert_eq!(
        block_on(one_line_async(1)) + block_on(one_line_async_ret(1)),
        2
    );
    explicit_unit(1);
    if read_block("vda", 0) == 0 {
        never(1);
    }
    if read_block("vda", 0) == 1 {
        one_line_never();
    }
    assert_eq!(impl_trait("a", 2).to_string(), "a:2");
    assert_eq!(generic::<&str, u8>("abc", 1), 4);
    assert_eq!(skipped_unused(1, 2), 2);
    assert_eq!(inner_attribute(3), 3);
    assert_eq!(skip_all(1, 2), 3);
    assert_eq!(early_return(5), 3);
    assert_eq!(question_mark("4"), Ok(5));
    let x = 7u32;
    // SAFETY: `x` is readable.
    assert_eq!(unsafe { read_raw(&x) + read_raw_ret(&x) }, 14);
    assert_eq!(block_on(later(1)) + block_on(later_ret(2)), 3);
    assert_eq!(block_on(later_err(1)), Ok(1));
    block_on(later_unit());
    let mut disk = Disk::new(2);
    disk.by_mut(1);
    assert_eq!(disk.by_ref(2), 6);
    assert_eq!(block_on(disk.by_ref_async()), 3);
    assert_eq!(disk.reset(4), 4);
    assert_eq!(disk.by_value(1), 4);
}
