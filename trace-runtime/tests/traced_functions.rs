//! `#[traced]` on every kind of function: enter with the arguments, exit on
//! every way out (return, early return, `?`, panic), decoded by the reader
//! from the trace alone.

mod traced_common;

use std::fmt::Display;

use trace_runtime::traced;
use traced_common::*;

#[traced]
fn add(a: u32, b: i8, name: &str, owned: String, flag: bool) -> u64 {
    let _ = (name, owned, flag);
    (a as i64 + b as i64) as u64
}

#[traced]
fn pointers(p: *const u8, r: &u16, m: &mut i64) {
    let _ = (p, r);
    *m += 1;
}

struct Disk {
    sectors: u64,
}

impl Disk {
    #[traced]
    fn by_value(self, n: u8) -> u64 {
        self.sectors + n as u64
    }

    #[traced]
    fn by_ref(&self, n: u8) -> u64 {
        self.sectors * n as u64
    }

    #[traced]
    fn by_mut(&mut self, n: u8) {
        self.sectors += n as u64;
    }

    #[traced(name = "disk_new")]
    fn new(sectors: u64) -> Self {
        Disk { sectors }
    }
}

trait Device {
    fn reset(&mut self, level: u32) -> u32;
}

impl Device for Disk {
    #[traced(name = "disk_reset")]
    fn reset(&mut self, level: u32) -> u32 {
        self.sectors = 0;
        level
    }
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

#[traced(skip(shown))]
fn impl_trait(shown: impl Display, len: u16) -> impl Display {
    format!("{shown}:{len}")
}

/// # Safety
/// `p` points to a readable `u32`.
#[traced]
unsafe fn read_raw(p: *const u32, tag: u8) -> u32 {
    let _ = tag;
    *p
}

#[traced]
fn early(x: i32) -> i32 {
    if x < 0 {
        return -1;
    }
    for i in 0.. {
        if i == x {
            return i * 2;
        }
    }
    unreachable!()
}

#[traced]
fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
    let n: u32 = text.parse()?;
    Ok(n + 1)
}

#[traced]
fn boom(code: u8) {
    if code > 0 {
        panic!("boom {code}");
    }
}

#[traced]
fn outer(depth: u8) -> u8 {
    if depth == 0 {
        0
    } else {
        outer(depth - 1) + 1
    }
}

#[test]
fn every_kind_of_function_records_enter_and_exit() {
    let tracing = start();

    assert_eq!(add(7, -2, "vda", "img".into(), true), 5);
    let value = 9u8;
    let (r, mut m) = (3u16, 10i64);
    pointers(&value, &r, &mut m);
    assert_eq!(m, 11);

    let mut disk = Disk::new(4);
    assert_eq!(disk.by_ref(3), 12);
    disk.by_mut(1);
    assert_eq!(disk.reset(6), 6);
    assert_eq!(disk.by_value(2), 2);

    assert_eq!(generic::<&str, u8>("abc", 4), 7);
    assert_eq!(impl_trait("x", 5).to_string(), "x:5");
    let word = 0xdead_beefu32;
    // SAFETY: `word` is a readable u32.
    assert_eq!(unsafe { read_raw(&word, 1) }, 0xdead_beef);

    assert_eq!(early(-3), -1);
    assert_eq!(early(2), 4);
    assert_eq!(parse("41").unwrap(), 42);
    assert!(parse("x").is_err());
    assert!(std::panic::catch_unwind(|| boom(2)).is_err());
    boom(0);
    assert_eq!(outer(2), 2);

    let records = tracing.records();
    let pointer = |p: *const u8| I(p as usize as u64);
    assert_eq!(
        records,
        [
            rec(
                "add_enter",
                [
                    I(7),
                    I(-2i64 as u64),
                    S("vda".into()),
                    S("img".into()),
                    I(1)
                ]
            ),
            rec("add_exit", []),
            rec("pointers_enter", [pointer(&value), I(3), I(10)]),
            rec("pointers_exit", []),
            rec("disk_new_enter", [I(4)]),
            rec("disk_new_exit", []),
            rec("by_ref_enter", [I(3)]),
            rec("by_ref_exit", []),
            rec("by_mut_enter", [I(1)]),
            rec("by_mut_exit", []),
            rec("disk_reset_enter", [I(6)]),
            rec("disk_reset_exit", []),
            rec("by_value_enter", [I(2)]),
            rec("by_value_exit", []),
            rec("generic_enter", [I(4)]),
            rec("generic_exit", []),
            rec("impl_trait_enter", [I(5)]),
            rec("impl_trait_exit", []),
            rec(
                "read_raw_enter",
                [I(&word as *const u32 as usize as u64), I(1)]
            ),
            rec("read_raw_exit", []),
            rec("early_enter", [I(-3i64 as u64)]),
            rec("early_exit", []),
            rec("early_enter", [I(2)]),
            rec("early_exit", []),
            rec("parse_enter", [S("41".into())]),
            rec("parse_exit", []),
            rec("parse_enter", [S("x".into())]),
            rec("parse_exit", []),
            rec("boom_enter", [I(2)]),
            rec("boom_exit", []),
            rec("boom_enter", [I(0)]),
            rec("boom_exit", []),
            rec("outer_enter", [I(2)]),
            rec("outer_enter", [I(1)]),
            rec("outer_enter", [I(0)]),
            rec("outer_exit", []),
            rec("outer_exit", []),
            rec("outer_exit", []),
        ]
    );
}
