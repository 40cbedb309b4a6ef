// The generated API: one function per event, `events::NAME` descriptors to ask
// whether an event is enabled, and `EVENT_TABLE` in file order. A `disable`
// event keeps its function (which does nothing) and its table entry.
mod trace {
    trace_runtime::trace_events!("ui/disabled.trace-events");
}

// Warnings in the file do not fail the build.
mod warned {
    trace_runtime::trace_events!("ui/warnings.trace-events");
}

fn main() {
    let name = String::from("disk.img");
    if trace::events::disk_read.is_enabled() {
        unreachable!("nothing is enabled before the runtime starts");
    }
    trace::disk_read(&name, 4096);
    trace::disk_write(name.as_bytes(), 0);

    let table = trace::EVENT_TABLE;
    assert_eq!(table.len(), 2);
    let (read, write) = (&table[0].meta, &table[1].meta);
    assert_eq!((read.name, read.line, read.available), ("disk_read", 1, true));
    assert_eq!((write.name, write.line, write.available), ("disk_write", 2, false));
    assert_eq!(read.file, "ui/disabled.trace-events");
    assert_eq!(read.fmt, r#""name %s offset 0x%" PRIx64"#);
    assert_eq!(read.c_format, "name %s offset 0x%llx");
    assert_eq!(read.args[0].ty, "const char *");
    assert_eq!(read.args[1].name, "offset");
    assert!(std::ptr::eq(table[1], &trace::events::disk_write));

    // Every event of the program is in the runtime's slice, whichever module
    // declared it.
    let all = trace_runtime::__private::EVENTS.len();
    assert!(all >= trace::EVENT_TABLE.len() + warned::EVENT_TABLE.len());
}
