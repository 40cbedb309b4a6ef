// A trace event's arguments have one fixed type: generic, `impl Trait` and
// `Self` arguments (and return values for `ret`) must be skipped.
use trace_runtime::traced;

#[traced]
fn generic<T: Copy, const N: usize>(value: T, array: [u8; N], shown: impl std::fmt::Display) {}

#[traced(ret)]
fn returns_generic<T: Default>() -> T {
    T::default()
}

#[traced(ret)]
fn returns_impl() -> impl std::fmt::Display {
    1
}

struct Disk;

impl Disk {
    #[traced]
    fn same(&self, other: &Self) {}
}

fn main() {
    generic(1u8, [0u8; 2], "x");
    let _: u8 = returns_generic();
    let _ = returns_impl();
    Disk.same(&Disk);
}
