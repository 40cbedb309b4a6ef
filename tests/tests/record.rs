//! Generated functions record what QEMU records: start the runtime, call corpus
//! events of every argument type with known values, and decode the trace with
//! the `simpletrace` reader. Expected values are the C casts, written out.
//!
//! One test: the runtime can be started once per process.

use std::collections::{BTreeSet, HashMap};

use integration_tests::*;
use simpletrace::{EventTable, OwnedValue, Reader};
use trace_runtime::__private::EVENTS;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/qemu/");

fn int(v: u64) -> OwnedValue {
    OwnedValue::Int(v)
}

fn str(s: &[u8]) -> OwnedValue {
    OwnedValue::Str(s.to_vec())
}

#[test]
fn generated_functions_record_qemu_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace");
    let guard = trace_runtime::Config::new()
        .file(&path)
        // bsd-user and linux-user declare eight names alike (QEMU never links both).
        .allow_duplicate_names()
        // Only the program's records: no thread markers, no self-description.
        .disable("trace_thread")
        .disable("trace_event_decl")
        .start()
        .unwrap();

    assert!(accel_kvm::events::kvm_irqchip_release_virq.is_enabled());
    assert!(
        !hw_display::events::qxl_io_write_vga.is_enabled(),
        "disabled in the file"
    );

    let x = 7u32;
    let buf = [1u8, 2, 3];
    let mut out: *mut u8 = std::ptr::null_mut();
    let long = "a".repeat(600);
    let (x_addr, buf_addr) = (&x as *const u32 as u64, buf.as_ptr() as u64);
    let out_addr = &mut out as *mut *mut u8 as u64;

    hw_arm::z2_aer915_event(-5, 127);
    hw_9pfs::v9fs_flush(65535, 200, -2);
    hw_net::e1000e_msi_init_fail(i32::MIN);
    audio::audio_rate_reset(-1);
    accel_nitro::nitro_enclave_started(u64::MAX);
    accel_kvm::kvm_irqchip_release_virq(-42);
    block::nbd_reconnect_attempt(4_000_000_000);
    audio::alsa_read_zero(-7);
    hw_ppc::spapr_cas_continue(1 << 63);
    hw_char::escc_put_queue(-128, 3);
    hw_i386::vmport_command(255);
    audio::dbus_audio_read(usize::MAX);
    block::ssh_read_return(-1, 0);
    audio::alsa_enable_out(true);
    audio::alsa_enable_in(false);
    accel_kvm::kvm_dirty_ring_reaper("reaping");
    hw_9pfs::xen_9pfs_alloc(None::<&str>);
    backends_tpm::tpm_passthrough_handle_request(&x);
    qapi::visit_type_str(0usize, "name", std::ptr::addr_of_mut!(out));
    hw_net::tulip_receive(buf.as_ptr(), 3);
    accel_tcg::load_atom8_or_exit_fallback(0xdead_beef);
    hw_intc::sh_intc_pending(1, 65535);
    hw_audio::asc_read_fifo(-1, 2, 3, 4);
    audio::jack_connect(&long, b"\xff'\"\\");
    accel_kvm::kvm_irqchip_commit_routes();
    hw_display::qxl_io_write_vga(1, "compiled out", 2, 3);
    drop(guard);

    let expected: Vec<(&str, Vec<OwnedValue>)> = vec![
        (
            "z2_aer915_event",
            vec![int(0xffff_ffff_ffff_fffb), int(0x7f)],
        ),
        (
            "v9fs_flush",
            vec![int(0xffff), int(0xc8), int(0xffff_ffff_ffff_fffe)],
        ),
        ("e1000e_msi_init_fail", vec![int(0xffff_ffff_8000_0000)]),
        ("audio_rate_reset", vec![int(0xffff_ffff_ffff_ffff)]),
        ("nitro_enclave_started", vec![int(0xffff_ffff_ffff_ffff)]),
        ("kvm_irqchip_release_virq", vec![int(0xffff_ffff_ffff_ffd6)]),
        ("nbd_reconnect_attempt", vec![int(0xee6b_2800)]),
        ("alsa_read_zero", vec![int(0xffff_ffff_ffff_fff9)]),
        ("spapr_cas_continue", vec![int(0x8000_0000_0000_0000)]),
        ("escc_put_queue", vec![int(0xffff_ffff_ffff_ff80), int(3)]),
        ("vmport_command", vec![int(0xff)]),
        ("dbus_audio_read", vec![int(0xffff_ffff_ffff_ffff)]),
        ("ssh_read_return", vec![int(0xffff_ffff_ffff_ffff), int(0)]),
        ("alsa_enable_out", vec![int(1)]),
        ("alsa_enable_in", vec![int(0)]),
        ("kvm_dirty_ring_reaper", vec![str(b"reaping")]),
        ("xen_9pfs_alloc", vec![str(b"")]),
        ("tpm_passthrough_handle_request", vec![int(x_addr)]),
        ("visit_type_str", vec![int(0), str(b"name"), int(out_addr)]),
        ("tulip_receive", vec![int(buf_addr), int(3)]),
        ("load_atom8_or_exit_fallback", vec![int(0xdead_beef)]),
        ("sh_intc_pending", vec![int(1), int(0xffff)]),
        (
            "asc_read_fifo",
            vec![int(0xffff_ffff_ffff_ffff), int(2), int(3), int(4)],
        ),
        ("jack_connect", vec![str(&[b'a'; 512]), str(b"\xff'\"\\")]),
        ("kvm_irqchip_commit_routes", vec![]),
    ];

    let files = [
        "accel/kvm",
        "accel/nitro",
        "accel/tcg",
        "audio",
        "backends/tpm",
        "block",
        "hw/9pfs",
        "hw/arm",
        "hw/audio",
        "hw/char",
        "hw/i386",
        "hw/intc",
        "hw/net",
        "hw/ppc",
        "qapi",
    ];
    let paths: Vec<String> = files
        .iter()
        .map(|f| format!("{CORPUS}{f}/trace-events"))
        .collect();
    let (table, _) = EventTable::load(&paths).unwrap();
    let mut reader = Reader::open(&path, table).unwrap();
    let mut got = Vec::new();
    let mut last_ts = 0;
    while let Some(record) = reader.next_record().unwrap() {
        assert_eq!(record.pid, std::process::id());
        assert!(
            record.timestamp_ns >= last_ts,
            "one thread: time goes forward"
        );
        last_ts = record.timestamp_ns;
        let args: Vec<OwnedValue> = record.args().map(|(_, v)| v.to_owned()).collect();
        got.push((record.name().to_string(), args));
    }
    let got: Vec<(&str, Vec<OwnedValue>)> =
        got.iter().map(|(n, a)| (n.as_str(), a.clone())).collect();
    assert_eq!(got, expected);

    check_mappings(&std::fs::read(&path).unwrap());
}

/// Every event of the program (5,811 corpus events from 103 modules and the
/// runtime's own) has a mapping record with a distinct id, named as declared.
fn check_mappings(file: &[u8]) {
    let u64_at = |at: usize| u64::from_ne_bytes(file[at..at + 8].try_into().unwrap());
    let u32_at = |at: usize| u32::from_ne_bytes(file[at..at + 4].try_into().unwrap());
    assert_eq!(u64_at(8), 0xf2b1_77cb_0aa4_29b4, "magic");
    let mut names_by_id: HashMap<u64, String> = HashMap::new();
    let mut at = 24;
    while at < file.len() {
        match u64_at(at) {
            0 => {
                let (id, len) = (u64_at(at + 8), u32_at(at + 16) as usize);
                let name = String::from_utf8(file[at + 20..at + 20 + len].to_vec()).unwrap();
                assert!(
                    names_by_id.insert(id, name).is_none(),
                    "id {id} mapped twice"
                );
                at += 20 + len;
            }
            1 => at += 8 + u32_at(at + 24) as usize,
            other => panic!("record type {other} at {at}"),
        }
    }
    let mapped: BTreeSet<&str> = names_by_id.values().map(String::as_str).collect();
    let declared: BTreeSet<&str> = EVENTS.iter().map(|e| e.meta.name).collect();
    assert_eq!(names_by_id.len(), EVENTS.len(), "one mapping per event");
    assert_eq!(mapped, declared);
    let corpus_events: usize = corpus().iter().map(|(_, t)| t.len()).sum();
    assert_eq!(corpus_events, 5811);
    assert!(
        EVENTS.len() > corpus_events,
        "the runtime's own events are mapped too"
    );
}
