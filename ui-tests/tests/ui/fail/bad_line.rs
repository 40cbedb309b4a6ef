// One bad line: one error, naming file:line:column, with the line and a caret.
// The valid events are still generated, so their uses raise no further errors.
mod trace {
    trace_runtime::trace_events!("ui/bad_line.trace-events");
}

fn main() {
    trace::disk_read("disk.img", 0);
    trace::disk_flush();
}
