//! `--format log` keeps a `%c` of 0 and everything after it, as C's
//! `vfprintf` (so QEMU's log backend) writes it. The expected text is QEMU's
//! real `escc_mem_readb_data` row of the golden printf.jsonl, rendered by
//! glibc: `Read channel \0, ch -1`.

mod common;

use common::*;

#[test]
fn cli_log_keeps_the_nul_of_a_zero_char_and_the_rest_of_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("trace-events");
    let trace = dir.path().join("trace");
    let row = std::fs::read_to_string(format!("{GOLDEN}/printf.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["name"] == "escc_mem_readb_data")
        .unwrap();
    let expected = row["expected"].as_str().unwrap();
    assert!(expected.contains('\0'), "{expected:?}");
    let declaration = std::fs::read_to_string(format!("{CORPUS}/hw/char/trace-events"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("escc_mem_readb_data("))
        .unwrap()
        .to_string();
    std::fs::write(&events, format!("{declaration}\n")).unwrap();
    let args: Vec<A<'_>> = row["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| A::I(a["u64"].as_u64().unwrap()))
        .collect();
    let bytes = Trace::v4()
        .mapping(7, "escc_mem_readb_data")
        .event(7, 1000, 42, &args)
        .bytes;
    std::fs::write(&trace, bytes).unwrap();

    let out = run_cli(&[
        "--format".as_ref(),
        "log".as_ref(),
        events.as_os_str(),
        trace.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.stdout,
        format!("escc_mem_readb_data {expected}\n").into_bytes()
    );
}
