//! How Rust values become trace arguments: the traits generated event functions
//! take for string and pointer arguments.

use std::ffi::{CStr, CString};

/// A value that can be recorded as a trace-events string argument
/// (`const char *`). Recorded as its bytes, truncated to 512; `None` is recorded
/// as an empty string, as QEMU records a NULL string.
pub trait TraceStr {
    /// The bytes to record (truncated to 512 when recorded).
    fn trace_bytes(&self) -> &[u8];
}

impl TraceStr for &str {
    #[inline(always)]
    fn trace_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}
impl TraceStr for &String {
    #[inline(always)]
    fn trace_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}
impl TraceStr for &[u8] {
    #[inline(always)]
    fn trace_bytes(&self) -> &[u8] {
        self
    }
}
impl<const N: usize> TraceStr for &[u8; N] {
    #[inline(always)]
    fn trace_bytes(&self) -> &[u8] {
        &self[..]
    }
}
impl TraceStr for &CStr {
    #[inline(always)]
    fn trace_bytes(&self) -> &[u8] {
        self.to_bytes()
    }
}
impl TraceStr for &CString {
    #[inline(always)]
    fn trace_bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}
impl<T: TraceStr> TraceStr for Option<T> {
    #[inline(always)]
    fn trace_bytes(&self) -> &[u8] {
        match self {
            Some(s) => s.trace_bytes(),
            None => &[],
        }
    }
}

/// A value that can be recorded as a trace-events pointer argument (`void *`,
/// `char **`, ...): recorded as its address.
pub trait TracePtr {
    /// The address to record, as C's cast to `uintptr_t` gives it.
    fn trace_addr(&self) -> u64;
}

impl<T: ?Sized> TracePtr for *const T {
    #[inline(always)]
    fn trace_addr(&self) -> u64 {
        self.cast::<()>() as usize as u64
    }
}
impl<T: ?Sized> TracePtr for *mut T {
    #[inline(always)]
    fn trace_addr(&self) -> u64 {
        self.cast::<()>() as usize as u64
    }
}
impl<T: ?Sized> TracePtr for &T {
    #[inline(always)]
    fn trace_addr(&self) -> u64 {
        (*self as *const T).cast::<()>() as usize as u64
    }
}
impl<T: ?Sized> TracePtr for &mut T {
    #[inline(always)]
    fn trace_addr(&self) -> u64 {
        (&**self as *const T).cast::<()>() as usize as u64
    }
}
impl<T: ?Sized> TracePtr for Option<&T> {
    #[inline(always)]
    fn trace_addr(&self) -> u64 {
        self.map_or(0, |r| r.trace_addr())
    }
}
impl TracePtr for usize {
    #[inline(always)]
    fn trace_addr(&self) -> u64 {
        *self as u64
    }
}
