//! The options string: QEMU's `-trace` argument, plus the backend choice.
//!
//! ```text
//! OPTIONS := ITEM ( "," ITEM )*
//! ITEM    := [enable=]PATTERN      enable the matching events; "-PATTERN" disables
//!          | events=FILE           one PATTERN a line; blank lines and "#" comments skipped
//!          | file=FILE             the simple backend's trace file
//!          | help | ?              list the events with their states and exit
//!          | backend=simple|log|both
//!          | logfile=FILE          the log backend's output (default: stderr)
//!          | timestamp=on|off      log lines start with "<tid>@<sec>.<usec>:"
//!          | buffer_size=SIZE      bytes of buffer per thread: digits, optional K, M or G
//!          | quiet=on|off          no line on stderr about lost events at the end
//!          | mode=stream|flight    flight: keep the newest records in memory until a snapshot
//!          | snapshot_on_panic=on|off            flight mode: snapshot to the trace file on panic
//!          | snapshot_signal=SIGUSR1|SIGUSR2|off flight mode: snapshot on this signal
//! ```
//!
//! Items apply in order and may repeat. As in QEMU's option syntax, `,,` in an
//! item is a literal comma (for file names).

use std::path::PathBuf;

use crate::settings::{Backend, Mode, SnapshotSignal};

/// The environment variable read at start: an options string.
pub const OPTIONS_ENV: &str = "SIMPLETRACE";

/// Largest `events=FILE` read (QEMU's reader has a 1 KiB line buffer; real
/// lists are a few KiB).
pub const MAX_EVENTS_FILE: u64 = 1 << 20;

/// One item of an options string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionItem {
    /// Enable (or, written `-PATTERN`, disable) the events matching a name or glob.
    Select {
        /// A name, or a glob with `*` and `?`.
        pattern: String,
        /// False when written `-PATTERN`.
        enable: bool,
    },
    /// Read more patterns from this file.
    EventsFile(PathBuf),
    /// The trace file.
    File(PathBuf),
    /// List the events and their states, then exit.
    Help,
    /// Which backends record (`backend=simple|log|both`).
    Backend(Backend),
    /// Where the log backend writes.
    LogFile(PathBuf),
    /// Whether log lines carry QEMU's `-msg timestamp=on` prefix.
    Timestamp(bool),
    /// Bytes of buffer per thread.
    BufferSize(usize),
    /// Whether the end of the trace stays silent about lost events.
    Quiet(bool),
    /// Stream to the file, or keep the newest records until a snapshot.
    Mode(Mode),
    /// Flight mode: snapshot on panic.
    SnapshotOnPanic(bool),
    /// Flight mode: snapshot on this signal (`None`: off).
    SnapshotSignal(Option<SnapshotSignal>),
}

/// Why an options string was rejected. Each names the offending item.
/// `Debug` prints the message, as `Display` does.
#[derive(thiserror::Error)]
pub enum OptionsError {
    /// An item is empty (a leading or trailing comma, or an empty string).
    #[error("empty item at position {position} of the trace options")]
    EmptyItem {
        /// 1-based, counting items.
        position: usize,
    },
    /// An item's key is none the runtime knows.
    #[error("unknown trace option `{key}` in `{item}` (expected enable, events, file, help, backend, logfile, timestamp, buffer_size, quiet, mode, snapshot_on_panic or snapshot_signal)")]
    UnknownKey {
        /// The key as written.
        key: String,
        /// The whole item.
        item: String,
    },
    /// `key=` with nothing after the `=`.
    #[error("trace option `{key}=` needs a value")]
    EmptyValue {
        /// The key as written.
        key: String,
    },
    /// A pattern that is empty once its `-` is taken off.
    #[error("`{item}` names no event: a pattern cannot be empty")]
    EmptyPattern {
        /// The item as written.
        item: String,
    },
    /// A value the key does not take (`timestamp=maybe`, `buffer_size=1X`).
    #[error("trace option `{key}={value}`: expected {expected}")]
    BadValue {
        /// The item's key.
        key: String,
        /// The value as written.
        value: String,
        /// What the key takes, for the message.
        expected: &'static str,
    },
    /// An `events=FILE` could not be read.
    #[error("cannot read events file {}: {source}", path.display())]
    EventsFile {
        /// The file named.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// An `events=FILE` is larger than [`MAX_EVENTS_FILE`]: surely not a list
    /// of patterns.
    #[error("events file {} is larger than {MAX_EVENTS_FILE} bytes", path.display())]
    EventsFileTooLarge {
        /// The file named.
        path: PathBuf,
    },
    /// The error is in the `SIMPLETRACE` variable, not in the program's own
    /// options.
    #[error("environment variable {OPTIONS_ENV}: {0}")]
    Env(Box<OptionsError>),
    /// `SIMPLETRACE` is set but not valid UTF-8.
    #[error("environment variable {OPTIONS_ENV} is not valid Unicode")]
    EnvNotUnicode,
}

/// Split an options string into items (no file is read here).
pub fn parse_options(options: &str) -> Result<Vec<OptionItem>, OptionsError> {
    split_items(options)
        .into_iter()
        .enumerate()
        .map(|(i, item)| parse_item(i + 1, &item))
        .collect()
}

/// The patterns of an events file's text: one a line, surrounding blanks
/// ignored, blank lines and lines starting with `#` skipped.
pub fn parse_events_text(text: &str) -> Result<Vec<OptionItem>, OptionsError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(select)
        .collect()
}

/// Read an `events=FILE` into its patterns.
pub(crate) fn read_events_file(path: &std::path::Path) -> Result<Vec<OptionItem>, OptionsError> {
    use std::io::Read;
    let err = |source| OptionsError::EventsFile {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(err)?;
    let mut text = String::new();
    file.take(MAX_EVENTS_FILE + 1)
        .read_to_string(&mut text)
        .map_err(err)?;
    if text.len() as u64 > MAX_EVENTS_FILE {
        return Err(OptionsError::EventsFileTooLarge {
            path: path.to_path_buf(),
        });
    }
    parse_events_text(&text)
}

/// Items split at single commas; `,,` is a literal comma.
fn split_items(options: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = options.chars().peekable();
    while let Some(c) = chars.next() {
        if c != ',' {
            current.push(c);
        } else if chars.next_if_eq(&',').is_some() {
            current.push(',');
        } else {
            items.push(std::mem::take(&mut current));
        }
    }
    items.push(current);
    items
}

fn parse_item(position: usize, item: &str) -> Result<OptionItem, OptionsError> {
    if item.is_empty() {
        return Err(OptionsError::EmptyItem { position });
    }
    let Some((key, value)) = item.split_once('=') else {
        return Ok(match item {
            "help" | "?" => OptionItem::Help,
            pattern => select(pattern)?,
        });
    };
    if value.is_empty() {
        return Err(OptionsError::EmptyValue { key: key.into() });
    }
    let bad = |expected| OptionsError::BadValue {
        key: key.into(),
        value: value.into(),
        expected,
    };
    Ok(match key {
        "enable" if value == "help" || value == "?" => OptionItem::Help,
        "enable" => select(value)?,
        "events" => OptionItem::EventsFile(value.into()),
        "file" => OptionItem::File(value.into()),
        "logfile" => OptionItem::LogFile(value.into()),
        "backend" => OptionItem::Backend(match value {
            "simple" => Backend::Simple,
            "log" => Backend::Log,
            "both" => Backend::Both,
            _ => return Err(bad("simple, log or both")),
        }),
        "timestamp" => OptionItem::Timestamp(on_off(value).ok_or_else(|| bad("on or off"))?),
        "quiet" => OptionItem::Quiet(on_off(value).ok_or_else(|| bad("on or off"))?),
        "mode" => OptionItem::Mode(match value {
            "stream" => Mode::Stream,
            "flight" => Mode::Flight,
            _ => return Err(bad("stream or flight")),
        }),
        "snapshot_on_panic" => {
            OptionItem::SnapshotOnPanic(on_off(value).ok_or_else(|| bad("on or off"))?)
        }
        "snapshot_signal" => OptionItem::SnapshotSignal(match value {
            "SIGUSR1" | "USR1" => Some(SnapshotSignal::Usr1),
            "SIGUSR2" | "USR2" => Some(SnapshotSignal::Usr2),
            "off" => None,
            _ => return Err(bad("SIGUSR1, SIGUSR2 or off")),
        }),
        "buffer_size" => {
            OptionItem::BufferSize(size(value).ok_or_else(|| {
                bad("a size in bytes, with an optional K, M or G suffix (e.g. 64M)")
            })?)
        }
        _ => {
            return Err(OptionsError::UnknownKey {
                key: key.into(),
                item: item.into(),
            })
        }
    })
}

fn on_off(value: &str) -> Option<bool> {
    match value {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    }
}

/// `64M`: decimal digits and an optional binary suffix K, M or G (either case).
fn size(value: &str) -> Option<usize> {
    let (digits, shift) = match value.as_bytes().last()? {
        b'k' | b'K' => (&value[..value.len() - 1], 10),
        b'm' | b'M' => (&value[..value.len() - 1], 20),
        b'g' | b'G' => (&value[..value.len() - 1], 30),
        _ => (value, 0),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<usize>().ok()?.checked_mul(1 << shift)
}

fn select(text: &str) -> Result<OptionItem, OptionsError> {
    let (enable, pattern) = match text.strip_prefix('-') {
        Some(rest) => (false, rest),
        None => (true, text),
    };
    if pattern.is_empty() {
        return Err(OptionsError::EmptyPattern { item: text.into() });
    }
    Ok(OptionItem::Select {
        pattern: pattern.into(),
        enable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(p: &str) -> OptionItem {
        OptionItem::Select {
            pattern: p.into(),
            enable: true,
        }
    }
    fn off(p: &str) -> OptionItem {
        OptionItem::Select {
            pattern: p.into(),
            enable: false,
        }
    }

    #[test]
    fn every_form() {
        let items = parse_options(
            "disk_*,enable=net_rx,-disk_write,enable=-net_?x,events=ev.txt,file=out.trace,\
             help,?,enable=help,backend=log,backend=both,backend=simple,logfile=log.txt,\
             timestamp=on,timestamp=off",
        )
        .unwrap();
        assert_eq!(
            items,
            [
                on("disk_*"),
                on("net_rx"),
                off("disk_write"),
                off("net_?x"),
                OptionItem::EventsFile("ev.txt".into()),
                OptionItem::File("out.trace".into()),
                OptionItem::Help,
                OptionItem::Help,
                OptionItem::Help,
                OptionItem::Backend(Backend::Log),
                OptionItem::Backend(Backend::Both),
                OptionItem::Backend(Backend::Simple),
                OptionItem::LogFile("log.txt".into()),
                OptionItem::Timestamp(true),
                OptionItem::Timestamp(false),
            ]
        );
    }

    #[test]
    fn double_comma_is_a_literal_comma_and_values_may_hold_equals() {
        assert_eq!(
            parse_options("file=a,,b.trace,x").unwrap(),
            [OptionItem::File("a,b.trace".into()), on("x")]
        );
        assert_eq!(
            parse_options("file=a=b").unwrap(),
            [OptionItem::File("a=b".into())]
        );
    }

    fn err(options: &str) -> String {
        parse_options(options).unwrap_err().to_string()
    }

    #[test]
    fn each_error_names_the_item() {
        assert_eq!(err(""), "empty item at position 1 of the trace options");
        assert_eq!(err(",a"), "empty item at position 1 of the trace options");
        assert_eq!(
            err("a,b,,,"),
            "empty item at position 3 of the trace options"
        );
        assert_eq!(err("a,"), "empty item at position 2 of the trace options");
        assert!(
            err("a,speed=3").starts_with("unknown trace option `speed` in `speed=3`"),
            "{}",
            err("a,speed=3")
        );
        assert_eq!(err("file="), "trace option `file=` needs a value");
        assert_eq!(err("enable="), "trace option `enable=` needs a value");
        assert_eq!(err("events="), "trace option `events=` needs a value");
        assert_eq!(err("-"), "`-` names no event: a pattern cannot be empty");
        assert_eq!(
            err("enable=-"),
            "`-` names no event: a pattern cannot be empty"
        );
        assert_eq!(
            err("backend=binary"),
            "trace option `backend=binary`: expected simple, log or both"
        );
        assert_eq!(
            err("timestamp=yes"),
            "trace option `timestamp=yes`: expected on or off"
        );
    }

    #[test]
    fn buffer_sizes_take_k_m_g_suffixes() {
        let size = |s: &str| match &parse_options(&format!("buffer_size={s}")).unwrap()[..] {
            [OptionItem::BufferSize(n)] => *n,
            other => panic!("{other:?}"),
        };
        assert_eq!(size("65536"), 65536);
        assert_eq!(size("64K"), 64 << 10);
        assert_eq!(size("64k"), 64 << 10);
        assert_eq!(size("64M"), 64 << 20);
        assert_eq!(size("1G"), 1 << 30);
        for bad in [
            "",
            "M",
            "-1",
            // Rust's integer parse takes a leading `+`; the option does not.
            "+64",
            "+1K",
            "1.5M",
            "64MB",
            "64 M",
            "x",
            "99999999999999999999",
            "17179869184G",
        ] {
            let e = err(&format!("buffer_size={bad}"));
            if bad.is_empty() {
                assert_eq!(e, "trace option `buffer_size=` needs a value");
            } else {
                assert_eq!(
                    e,
                    format!("trace option `buffer_size={bad}`: expected a size in bytes, with an optional K, M or G suffix (e.g. 64M)")
                );
            }
        }
    }

    #[test]
    fn flight_mode_items() {
        assert_eq!(
            parse_options("mode=flight,snapshot_on_panic=off,snapshot_signal=SIGUSR2,mode=stream")
                .unwrap(),
            [
                OptionItem::Mode(Mode::Flight),
                OptionItem::SnapshotOnPanic(false),
                OptionItem::SnapshotSignal(Some(SnapshotSignal::Usr2)),
                OptionItem::Mode(Mode::Stream),
            ]
        );
        assert_eq!(
            parse_options("snapshot_signal=USR1,snapshot_signal=off").unwrap(),
            [
                OptionItem::SnapshotSignal(Some(SnapshotSignal::Usr1)),
                OptionItem::SnapshotSignal(None)
            ]
        );
        assert_eq!(
            err("mode=ring"),
            "trace option `mode=ring`: expected stream or flight"
        );
        assert_eq!(
            err("snapshot_signal=SIGKILL"),
            "trace option `snapshot_signal=SIGKILL`: expected SIGUSR1, SIGUSR2 or off"
        );
    }

    #[test]
    fn quiet_is_on_or_off() {
        assert_eq!(
            parse_options("quiet=on,quiet=off").unwrap(),
            [OptionItem::Quiet(true), OptionItem::Quiet(false)]
        );
        assert_eq!(err("quiet=1"), "trace option `quiet=1`: expected on or off");
    }

    #[test]
    fn events_text_skips_blanks_and_comments() {
        let text = "# block layer\n\ndisk_*\n  -disk_write  \n\t# indented comment\nnet_rx\n";
        assert_eq!(
            parse_events_text(text).unwrap(),
            [on("disk_*"), off("disk_write"), on("net_rx")]
        );
        assert!(matches!(
            parse_events_text("a\n-\n"),
            Err(OptionsError::EmptyPattern { item }) if item == "-"
        ));
    }

    #[test]
    fn events_file_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let e = read_events_file(&missing).unwrap_err();
        assert!(matches!(&e, OptionsError::EventsFile { path, .. } if *path == missing));
        assert!(e.to_string().contains("missing"), "{e}");

        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; MAX_EVENTS_FILE as usize + 1]).unwrap();
        assert!(matches!(
            read_events_file(&big),
            Err(OptionsError::EventsFileTooLarge { path }) if path == big
        ));

        // Exactly the limit is read: one pattern of MAX_EVENTS_FILE bytes.
        let at_limit = dir.path().join("at_limit");
        std::fs::write(&at_limit, vec![b'a'; MAX_EVENTS_FILE as usize]).unwrap();
        let items = read_events_file(&at_limit).unwrap();
        assert_eq!(items.len(), 1);

        let bad = dir.path().join("bad");
        std::fs::write(&bad, b"\xff\n").unwrap();
        assert!(matches!(
            read_events_file(&bad),
            Err(OptionsError::EventsFile { .. })
        ));

        let good = dir.path().join("good");
        std::fs::write(&good, "a\n#b\n-c\n").unwrap();
        assert_eq!(read_events_file(&good).unwrap(), [on("a"), off("c")]);
    }

    proptest::proptest! {
        // Miri runs each case some thousand times slower: a few cases there.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
            if cfg!(miri) { 4 } else { 256 }
        ))]

        /// Any text: items or a typed error, never a panic.
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_options(&s);
            let _ = parse_events_text(&s);
        }
    }
}
