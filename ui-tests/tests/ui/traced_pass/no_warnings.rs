// The generated code adds no warnings to code that has none, whatever the
// kind of function and options.
#![deny(warnings, unsafe_op_in_unsafe_fn)]

use trace_runtime::traced;

mod trace {
    trace_runtime::trace_events!("ui/traced_declared.trace-events");
}

#[traced]
fn plain(a: u32, b: &str) -> usize {
    a as usize + b.len()
}

#[traced(ret, err)]
fn fallible(a: i64) -> Result<i64, &'static str> {
    if a < 0 {
        return Err("negative");
    }
    Ok(a)
}

/// # Safety
/// `p` is readable.
#[traced(ret)]
unsafe fn read(p: *const u8) -> u8 {
    // SAFETY: the caller's promise.
    unsafe { *p }
}

#[traced(skip_all)]
async fn later(a: u8) -> u8 {
    a
}

#[traced(events = trace)]
fn disk_io(dev: &str, sector: u64) {
    let _ = (dev, sector);
}

struct S;

impl S {
    #[traced(name = "s_get", ret)]
    fn get(&self, i: u32) -> u32 {
        i
    }
}

fn main() {
    let _ = plain(1, "x");
    let _ = fallible(-1);
    let byte = 7u8;
    // SAFETY: `byte` is readable.
    assert_eq!(unsafe { read(&byte) }, 7);
    drop(later(1));
    disk_io("vda", 1);
    assert_eq!(S.get(2), 2);
}
