// Warnings in the trace-events file show as compiler warnings, spanned on the
// path, and do not fail the build (the error below is here only so that this
// compile-fail test records what the compiler printed).
mod trace {
    trace_runtime::trace_events!("ui/warnings.trace-events");
}

fn main() {
    trace::sized(1);
    let _: u8 = "this line is the only error";
}
