//! The one line a trace that lost events prints on stderr when it stops:
//! how many were lost, why, and the setting that would help. A run that
//! dropped most of its events, or wrote into a full disk, must not end
//! silently. `Config::quiet` / `quiet=on` turns it off.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::config::MAX_BUFFER_SIZE;
use crate::control::Status;

static QUIET: AtomicBool = AtomicBool::new(false);

pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Print the line for a stopped trace, unless quiet or nothing was lost.
/// `file`: the trace file, `None` when the simple backend is off.
pub(crate) fn print(status: &Status, buffer_size: usize, file: Option<&Path>) {
    if QUIET.load(Ordering::Relaxed) {
        return;
    }
    if let Some(line) = line(status, buffer_size, file) {
        use std::io::Write;
        // One write: the line does not mix with other output.
        let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
    }
}

/// `trace: lost 512 of 1000 events (51%): 512 dropped: a thread's buffer was
/// full (buffer_size=16K; try buffer_size=64K); quiet=on hides this line`
fn line(s: &Status, buffer_size: usize, file: Option<&Path>) -> Option<String> {
    if s.dropped == 0 && s.write_errors == 0 {
        return None;
    }
    let mut parts = Vec::new();
    if s.dropped > 0 {
        let advice = match buffer_size.saturating_mul(4).min(MAX_BUFFER_SIZE) {
            bigger if bigger > buffer_size => format!(
                "buffer_size={}; try buffer_size={}",
                size(buffer_size),
                size(bigger)
            ),
            _ => format!(
                "buffer_size={}, the largest: record fewer events",
                size(buffer_size)
            ),
        };
        parts.push(format!(
            "{} dropped: a thread's buffer was full ({advice})",
            s.dropped
        ));
    }
    if s.write_errors > 0 {
        let writes = plural(s.write_errors, "failed write");
        parts.push(match file {
            Some(path) => format!(
                "{} in {writes} to {} (a full or failing disk: try file=PATH elsewhere)",
                s.unwritten,
                path.display()
            ),
            None => format!("{writes} of log lines"),
        });
    }
    let lost = s.dropped.saturating_add(s.unwritten);
    let total = lost.saturating_add(s.written);
    let percent = (lost as u128 * 100).checked_div(total as u128).unwrap_or(0);
    Some(format!(
        "trace: lost {lost} of {total} events ({percent}%): {}; quiet=on hides this line",
        parts.join("; ")
    ))
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// A size as `buffer_size=` takes it: `16K`, `64M`, `1G`, else bytes.
fn size(bytes: usize) -> String {
    for (shift, suffix) in [(30, "G"), (20, "M"), (10, "K")] {
        if bytes >= 1 << shift && bytes % (1 << shift) == 0 {
            return format!("{}{suffix}", bytes >> shift);
        }
    }
    bytes.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(written: u64, dropped: u64, write_errors: u64, unwritten: u64) -> Status {
        Status {
            written,
            dropped,
            write_errors,
            unwritten,
            ..Status::default()
        }
    }

    #[test]
    fn nothing_lost_says_nothing() {
        assert_eq!(line(&status(10, 0, 0, 0), 1 << 14, None), None);
    }

    #[test]
    fn drops_suggest_a_larger_buffer() {
        assert_eq!(
            line(&status(22, 78, 0, 0), 256 << 10, Some(Path::new("t"))).unwrap(),
            "trace: lost 78 of 100 events (78%): 78 dropped: a thread's buffer was full \
             (buffer_size=256K; try buffer_size=1M); quiet=on hides this line"
        );
        let at_max = line(&status(0, 5, 0, 0), MAX_BUFFER_SIZE, None).unwrap();
        assert!(
            at_max.contains("(buffer_size=1G, the largest: record fewer events)"),
            "{at_max}"
        );
    }

    #[test]
    fn failed_writes_name_the_file() {
        assert_eq!(
            line(&status(0, 0, 1, 40), 1 << 14, Some(Path::new("/dev/full"))).unwrap(),
            "trace: lost 40 of 40 events (100%): 40 in 1 failed write to /dev/full \
             (a full or failing disk: try file=PATH elsewhere); quiet=on hides this line"
        );
        let log = line(&status(3, 0, 2, 0), 1 << 14, None).unwrap();
        assert!(log.contains("2 failed writes of log lines"), "{log}");
    }

    #[test]
    fn sizes_read_as_buffer_size_takes_them() {
        assert_eq!(size(16 << 10), "16K");
        assert_eq!(size(1 << 20), "1M");
        assert_eq!(size(3 << 30), "3G");
        assert_eq!(size(1000), "1000");
    }
}
