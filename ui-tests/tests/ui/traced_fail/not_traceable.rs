// What the attribute cannot trace: a `const fn`, a function without a body,
// `ret` on a function that returns nothing, a name that is not ASCII.
use trace_runtime::traced;

#[traced]
const fn constant(a: u32) -> u32 {
    a
}

trait Device {
    #[traced]
    fn reset(&mut self);
}

#[traced(ret)]
fn nothing(a: u32) {}

#[traced]
fn grüße(a: u32) {}

#[traced]
struct NotAFunction;

fn main() {
    constant(1);
    nothing(1);
    grüße(1);
}
