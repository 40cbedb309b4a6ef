// Bad options: every one is reported, and each function is still emitted as
// written, so its callers see no "cannot find function" errors.
use trace_runtime::traced;

#[traced(level = "info")]
fn unknown(a: u32) {}

#[traced(ret, ret, skip_all = 1)]
fn repeated() -> u32 { 1 }

#[traced(name = disk, skip(a), skip_all)]
fn bad_values(a: u32) {}

#[traced(name = "9lives")]
fn bad_name() {}

#[traced(skip(b))]
fn no_such_argument(a: u32) {}

#[traced(events = "trace")]
fn events_not_a_path() {}

fn main() {
    unknown(1);
    let _: u32 = repeated();
    bad_values(2);
    bad_name();
    no_such_argument(3);
    events_not_a_path();
}
