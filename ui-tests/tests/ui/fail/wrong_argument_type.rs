// A call with wrong argument types is an ordinary type error at the call.
mod trace {
    trace_runtime::trace_events!("ui/calls.trace-events");
}

fn main() {
    trace::disk_read("disk.img", -1i32, std::ptr::null::<u8>(), true);
    trace::disk_read(42, 0, std::ptr::null::<u8>(), 1);
}
