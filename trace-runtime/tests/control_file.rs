//! The trace file at run time: flush, off, on, set and status, as QEMU's
//! `trace-file` monitor command; every file decoded by the reader.

mod control_common;

use control_common::*;
use trace_runtime::{
    trace_file_flush, trace_file_off, trace_file_on, trace_file_set, trace_file_status, Config,
    ControlError, Status,
};

fn offsets(path: &std::path::Path) -> Vec<u64> {
    records(path)
        .into_iter()
        .filter(|r| r.name == "disk_read")
        .map(|r| match r.args[1] {
            simpletrace::OwnedValue::Int(v) => v,
            ref other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn file_on_off_set_flush_and_status() {
    assert!(trace_file_status().is_none());
    assert!(matches!(trace_file_on(), Err(ControlError::NotRunning)));
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.trace");
    let b = dir.path().join("b.trace");
    let guard = Config::new().ignore_env().file(&a).start().unwrap();

    trace::disk_read("vda", 1, 512);
    trace_file_flush().unwrap();
    assert_eq!(offsets(&a), [1], "flush: recorded so far is in the file");
    let status = trace_file_status().unwrap();
    assert!(status.on);
    assert_eq!(
        status.to_string(),
        format!(
            "Trace file \"{}\" on.\n1 events written, 0 dropped, 0 discarded while off, 0 write errors",
            a.display()
        )
    );

    trace::disk_read("vda", 2, 512);
    trace_file_off().unwrap();
    assert_eq!(
        offsets(&a),
        [1, 2],
        "off writes what was recorded before it"
    );
    trace::disk_read("vda", 3, 512); // discarded
    trace::disk_read("vda", 4, 512); // discarded
    trace_file_flush().unwrap();
    let status = trace_file_status().unwrap();
    assert!(!status.on);
    assert!(status
        .to_string()
        .starts_with(&format!("Trace file \"{}\" off.\n", a.display())));
    assert_eq!(
        status.counts,
        Status {
            written: 2,
            dropped: 0,
            discarded: 2,
            write_errors: 0,
            unwritten: 0,
        }
    );
    trace_file_off().unwrap(); // already off: nothing happens
    assert_eq!(offsets(&a), [1, 2]);

    trace_file_on().unwrap(); // truncates, as QEMU's fopen("wb")
    trace_file_on().unwrap(); // already on: nothing happens
    assert_eq!(
        offsets(&a),
        Vec::<u64>::new(),
        "a new file with header and mappings only"
    );
    trace::disk_read("vda", 5, 512);

    let e = trace_file_set(dir.path().join("missing/c.trace")).unwrap_err();
    assert!(
        matches!(&e, ControlError::Open { path, .. } if path.ends_with("missing/c.trace")),
        "{e:?}"
    );
    assert!(e.to_string().contains("c.trace"), "{e}");
    assert!(
        trace_file_status().unwrap().on,
        "a failed set changes nothing"
    );
    assert_eq!(guard.path(), a);

    trace_file_set(&b).unwrap();
    assert_eq!(guard.path(), b);
    trace::disk_read("vda", 6, 512);
    // Switch between threads recording on their own threads.
    std::thread::spawn(|| trace::disk_read("vdb", 7, 512))
        .join()
        .unwrap();
    assert_eq!(offsets(&a), [5], "records before set went to the old file");
    drop(guard);
    assert_eq!(offsets(&b), [6, 7]);
    let status = trace_file_status().unwrap();
    assert_eq!(status.counts.written, 5);
    assert_eq!(status.counts.discarded, 2);
    assert!(matches!(trace_file_set(&a), Err(ControlError::NotRunning)));
    // The reader prints both files whole, thread records included.
    let log = reader_log(&b, &[]);
    assert!(
        log.contains("disk_read dev vdb offset 0x7 len 512\n"),
        "{log}"
    );
    assert_eq!(
        log.lines()
            .filter(|l| l.starts_with("trace_thread "))
            .count(),
        2,
        "{log}"
    );
}
