//! What the OS tells about a trace file's writer: whether a process is
//! alive and holds the file open for writing, and which process does.
//! Linux reads `/proc`; other Unix systems can only tell whether a process
//! is alive (`kill(pid, 0)`); elsewhere nothing is known. Each function
//! holds its platform bodies side by side.

use std::fs::Metadata;

/// A file's identity: device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
}

/// The identity of the file `meta` describes; `None` where the platform
/// does not give one.
pub(crate) fn file_id(meta: &Metadata) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Whether a process holds the file open for writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holds {
    // Only `/proc` shows a process's open files.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Yes,
    /// The process is gone (or a zombie), or it was seen without the file
    /// open for writing.
    #[cfg_attr(not(unix), allow(dead_code))]
    No,
    /// The process is alive; its open files cannot be seen (another user's
    /// process, or a platform without `/proc`).
    Unknown,
}

/// Whether process `pid` holds `file` open for writing.
pub(crate) fn holds_for_writing(pid: u32, file: Option<FileId>) -> Holds {
    #[cfg(target_os = "linux")]
    {
        if !linux::alive(pid) {
            return Holds::No;
        }
        match file.map(|file| linux::holds(pid, file)) {
            Some(Some(true)) => Holds::Yes,
            Some(Some(false)) => Holds::No,
            Some(None) | None => Holds::Unknown,
        }
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        let _ = file;
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return Holds::No;
        };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let alive = unsafe { libc::kill(pid, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        if alive {
            Holds::Unknown
        } else {
            Holds::No
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (pid, file);
        Holds::Unknown
    }
}

/// A process (other than this one) seen holding `file` open for writing:
/// `Some(None)` when none is, `None` when the platform cannot tell.
pub(crate) fn find_writer(file: Option<FileId>) -> Option<Option<u32>> {
    #[cfg(target_os = "linux")]
    {
        let file = file?;
        let me = std::process::id();
        let procs = std::fs::read_dir("/proc").ok()?;
        let found = procs
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter(|&pid| pid != me)
            .find(|&pid| linux::holds(pid, file) == Some(true));
        Some(found)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs;
    use std::io::ErrorKind;

    use super::{file_id, FileId};

    /// The process exists and is not a zombie (`/proc/PID/stat`'s state).
    pub fn alive(pid: u32) -> bool {
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return false;
        };
        // `PID (COMM) STATE ...`; COMM may hold spaces and parentheses.
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next());
        !matches!(state, None | Some('Z' | 'X' | 'x'))
    }

    /// Whether `pid` has `file` open for writing; `None` when its open
    /// files cannot be read (another user's process).
    pub fn holds(pid: u32, file: FileId) -> Option<bool> {
        let fds = match fs::read_dir(format!("/proc/{pid}/fd")) {
            Ok(fds) => fds,
            Err(e) if e.kind() == ErrorKind::NotFound => return Some(false),
            Err(_) => return None,
        };
        for fd in fds.filter_map(Result::ok) {
            // The link's target: the open file itself, even if deleted.
            let same = fs::metadata(fd.path()).is_ok_and(|m| file_id(&m) == Some(file));
            if same && opened_for_writing(pid, &fd.file_name().to_string_lossy()) {
                return Some(true);
            }
        }
        Some(false)
    }

    /// `/proc/PID/fdinfo/FD`'s `flags:` (octal) has `O_WRONLY` or `O_RDWR`.
    fn opened_for_writing(pid: u32, fd: &str) -> bool {
        let Ok(info) = fs::read_to_string(format!("/proc/{pid}/fdinfo/{fd}")) else {
            return false;
        };
        info.lines()
            .find_map(|line| line.strip_prefix("flags:"))
            .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
            .is_some_and(|flags| flags & 0o3 != 0)
    }
}
