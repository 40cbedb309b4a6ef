// With `events = path` the trace-events declarations are checked against the
// function by rustc: argument types and counts, and the exit's arguments.
use trace_runtime::traced;

mod trace {
    trace_runtime::trace_events!("ui/traced_declared.trace-events");
}

// Declared `disk_io_enter(const char *dev, uint64_t sector)`.
#[traced(events = trace)]
fn disk_io(dev: &str, sector: i32) {}

// Declared `flush_enter(void)` and `flush_exit(bool returned, int64_t ret)`.
#[traced(events = trace)]
fn flush(all: bool) {}

// No such events in the file.
#[traced(events = trace)]
fn undeclared() {}

fn main() {
    disk_io("vda", 1);
    flush(true);
    undeclared();
}
