//! What `#[traced]` functions record with: how a Rust value becomes an event
//! argument ([`TraceArg`]), how a `Result` shows its error ([`TracedResult`]),
//! the id that pairs a call's enter and exit ([`call_id`]) and the guard that
//! records the exit event on every path ([`Exit`]).

use std::cell::Cell;
use std::ffi::{CStr, CString};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::event::{state_enabled, ArgKind, Event, IntType};
use crate::record::{record, record_with, str_arg_len, RecordPayload};
use crate::write_once::WriteOnce;

/// An argument as the simple backend records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoded<'a> {
    /// Integers, bools and pointers: the value cast to `uint64_t` as C would.
    U64(u64),
    /// Strings: the bytes (truncated to 512 when recorded).
    Str(&'a [u8]),
}

/// A value a trace can hold: an integer, a `bool`, a string or a raw pointer.
///
/// `#[traced]` records each argument not skipped, and with `ret`/`err` the
/// return value or error, through this trait. References record what they
/// point to (`&u32` records the `u32`, `&String` the string).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded in a trace",
    label = "a trace holds integers, `bool`, strings and raw pointers, not `{Self}`",
    note = "skip the argument: `#[traced(skip(NAME))]` (or `skip_all`); for a return value, leave out `ret` or `err`"
)]
pub trait TraceArg {
    /// How the value is recorded (the event descriptor's argument kind).
    const KIND: ArgKind;
    /// The C type the event declares for it (`uint32_t`, `const char *`...).
    const C_TYPE: &'static str;
    /// How the value is passed to a `trace_events!` function that declares it.
    type Value<'a>
    where
        Self: 'a;

    /// What the `#[traced]` event's own record holds for this value.
    fn encoded(&self) -> Encoded<'_>;
    /// The value as passed to a declared event's function.
    fn value(&self) -> Self::Value<'_>;
    /// What a declared exit event gets where the value is absent (an `Ok`'s
    /// error): 0, `false`, `""` or null.
    fn zero<'a>() -> Self::Value<'a>
    where
        Self: 'a;
}

macro_rules! int_arg {
    ($($ty:ty => $c:literal, $signed:literal;)*) => {$(
        impl TraceArg for $ty {
            const KIND: ArgKind = ArgKind::Int(IntType { bits: <$ty>::BITS as u8, signed: $signed });
            const C_TYPE: &'static str = $c;
            type Value<'a> = $ty;

            #[inline(always)]
            fn encoded(&self) -> Encoded<'_> {
                // Signed values sign-extend, as C's cast to uint64_t does.
                Encoded::U64(if $signed { *self as i64 as u64 } else { *self as u64 })
            }
            #[inline(always)]
            fn value(&self) -> $ty {
                *self
            }
            #[inline(always)]
            fn zero<'a>() -> $ty where Self: 'a {
                0
            }
        }
    )*};
}

int_arg! {
    u8 => "uint8_t", false;
    u16 => "uint16_t", false;
    u32 => "uint32_t", false;
    u64 => "uint64_t", false;
    usize => "size_t", false;
    i8 => "int8_t", true;
    i16 => "int16_t", true;
    i32 => "int32_t", true;
    i64 => "int64_t", true;
    isize => "ssize_t", true;
}

impl TraceArg for bool {
    const KIND: ArgKind = ArgKind::Bool;
    const C_TYPE: &'static str = "bool";
    type Value<'a> = bool;

    #[inline(always)]
    fn encoded(&self) -> Encoded<'_> {
        Encoded::U64(*self as u64)
    }
    #[inline(always)]
    fn value(&self) -> bool {
        *self
    }
    #[inline(always)]
    fn zero<'a>() -> bool
    where
        Self: 'a,
    {
        false
    }
}

macro_rules! str_arg {
    ($($ty:ty => $value:ty, |$s:ident| $bytes:expr, $as_value:expr, $zero:expr;)*) => {$(
        impl TraceArg for $ty {
            const KIND: ArgKind = ArgKind::Str;
            const C_TYPE: &'static str = "const char *";
            type Value<'a> = &'a $value;

            #[inline(always)]
            fn encoded(&self) -> Encoded<'_> {
                let $s = self;
                Encoded::Str($bytes)
            }
            #[inline(always)]
            fn value(&self) -> &$value {
                let $s = self;
                $as_value
            }
            #[inline(always)]
            fn zero<'a>() -> &'a $value where Self: 'a {
                $zero
            }
        }
    )*};
}

str_arg! {
    str => str, |s| s.as_bytes(), s, "";
    String => str, |s| s.as_bytes(), s.as_str(), "";
    CStr => CStr, |s| s.to_bytes(), s, c"";
    CString => CStr, |s| s.as_bytes(), s.as_c_str(), c"";
}

macro_rules! pointer_arg {
    ($($ptr:ident),*) => {$(
        impl<T> TraceArg for *$ptr T {
            const KIND: ArgKind = ArgKind::Pointer;
            const C_TYPE: &'static str = "void *";
            type Value<'a> = *$ptr T where T: 'a;

            #[inline(always)]
            fn encoded(&self) -> Encoded<'_> {
                Encoded::U64(*self as usize as u64)
            }
            #[inline(always)]
            fn value(&self) -> *$ptr T {
                *self
            }
            #[inline(always)]
            fn zero<'a>() -> *$ptr T where Self: 'a {
                std::ptr::null::<T>() as *$ptr T
            }
        }
    )*};
}

pointer_arg!(const, mut);

macro_rules! reference_arg {
    ($($ref:ty),*) => {$(
        impl<T: TraceArg + ?Sized> TraceArg for $ref {
            const KIND: ArgKind = T::KIND;
            const C_TYPE: &'static str = T::C_TYPE;
            type Value<'a> = T::Value<'a> where Self: 'a;

            #[inline(always)]
            fn encoded(&self) -> Encoded<'_> {
                (**self).encoded()
            }
            #[inline(always)]
            fn value(&self) -> T::Value<'_> {
                (**self).value()
            }
            #[inline(always)]
            fn zero<'a>() -> T::Value<'a> where Self: 'a {
                T::zero()
            }
        }
    )*};
}

reference_arg!(&T, &mut T);

/// `err` records the error of a function returning this type.
#[diagnostic::on_unimplemented(
    message = "`err` needs a function that returns a `Result`, not `{Self}`",
    label = "not a `Result`"
)]
pub trait TracedResult {
    /// The success type; recorded when `ret` and `err` are both given.
    type Ok;
    /// The error type, which `err` records.
    type Err;
    /// The success value; `None` for an error (a zero is recorded in its
    /// place).
    fn trace_ok(&self) -> Option<&Self::Ok>;
    /// The error; `None` for a success (a zero is recorded in its place).
    fn trace_err(&self) -> Option<&Self::Err>;
}

impl<T, E> TracedResult for Result<T, E> {
    type Ok = T;
    type Err = E;

    #[inline(always)]
    fn trace_ok(&self) -> Option<&T> {
        self.as_ref().ok()
    }
    #[inline(always)]
    fn trace_err(&self) -> Option<&E> {
        self.as_ref().err()
    }
}

/// What an absent value of this kind records: 0 or the empty string.
#[inline(always)]
pub const fn zero_encoded(kind: ArgKind) -> Encoded<'static> {
    match kind {
        ArgKind::Str => Encoded::Str(&[]),
        _ => Encoded::U64(0),
    }
}

/// The value to pass to a declared event, or the zero of its type when absent.
#[inline(always)]
pub fn value_or_zero<'a, T: TraceArg + ?Sized + 'a>(value: Option<&'a T>) -> T::Value<'a> {
    match value {
        Some(v) => v.value(),
        None => T::zero(),
    }
}

/// Types the closure that runs a body for `ret`/`err` as returning `R`, so `?`
/// and `return` in it convert as they did in the function.
#[inline(always)]
pub fn returning<R, F: FnOnce() -> R>(body: F) -> F {
    body
}

/// [`returning`] for the `async` block that runs an `async fn`'s body.
#[inline(always)]
pub fn returning_future<R, F: std::future::Future<Output = R>>(body: F) -> F {
    body
}

/// Name of the first argument of a `#[traced]` fn's enter and exit events:
/// the call's id, which pairs them.
pub const CALL_ID: &str = "call_id";
/// [`CALL_ID`] for an `async fn`: its calls may overlap on a thread, and a
/// reader draws them as async slices.
pub const ASYNC_CALL_ID: &str = "async_call_id";

/// Ids in the low bits; the high bits are the thread's prefix.
const CALL_BITS: u32 = 32;

thread_local! {
    /// The next id this thread gives; 0 (low bits 0) until it takes a prefix.
    /// Const-initialised and without a destructor: no lazy set-up, nothing
    /// registered at thread exit, so safe to touch from a signal handler.
    static NEXT_CALL_ID: Cell<u64> = const { Cell::new(0) };
}

/// Prefixes handed out, one per thread (and per 2^32 calls of a thread).
static PREFIXES: AtomicU64 = AtomicU64::new(1);

/// A fresh id for a traced call: unique in the process (a per-thread counter
/// under a per-thread prefix), never 0. No lock, no syscall, no allocation:
/// a thread-local increment, and one relaxed atomic add per thread. A signal
/// handler interrupting this between its load and store can give the same
/// id as the call it interrupted.
#[inline(always)]
pub fn call_id() -> u64 {
    NEXT_CALL_ID.with(|next| {
        let mut id = next.get();
        if id & ((1 << CALL_BITS) - 1) == 0 {
            id = new_prefix();
        }
        next.set(id.wrapping_add(1));
        id
    })
}

/// This thread's first call, or its low bits wrapped: a new prefix, so ids
/// never repeat. (Its low bits are 0: the first id under a prefix.)
#[cold]
fn new_prefix() -> u64 {
    PREFIXES.fetch_add(1, Ordering::Relaxed) << CALL_BITS
}

/// Record `event` with these arguments (the caller checked it is enabled:
/// `state` is its state word). An array, not a slice: its length is known
/// where `#[traced]` calls this, so the loops below unroll and each record
/// is written as a trace-events function writes it.
#[inline(always)]
pub fn record_args<const N: usize>(state: u64, args: [Encoded<'_>; N]) {
    let len = args
        .iter()
        .map(|a| match a {
            Encoded::U64(_) => 8,
            Encoded::Str(s) => str_arg_len(s.len()),
        })
        .sum();
    record_with(state, len, Args(args));
}

/// A record's arguments, written in order. A [`WriteOnce`] (not a
/// closure) so that its writes are inlined where the kinds are known and
/// fold to plain stores.
struct Args<'a, const N: usize>([Encoded<'a>; N]);

impl<const N: usize> WriteOnce<RecordPayload<'_>> for Args<'_, N> {
    #[inline(always)]
    fn write(self, rec: &mut RecordPayload<'_>) {
        for arg in self.0 {
            match arg {
                Encoded::U64(v) => rec.u64(v),
                Encoded::Str(s) => rec.str(s),
            }
        }
    }
}

/// Records the exit event when dropped: on a plain return, on `?`, while a
/// panic unwinds and when an `async fn`'s future is dropped unfinished. An
/// exit event with arguments is recorded with all of them zero there (its
/// `returned` argument false), except the call's id; [`Exit::returned`]
/// disarms it on the path that records the return value instead.
#[must_use]
pub struct Exit {
    event: &'static Event,
    args: ExitArgs,
}

/// What an exit records when its guard drops.
#[derive(Clone, Copy)]
enum ExitArgs {
    /// A declared exit event (no call id): every argument zero.
    Zeros,
    /// The call's id, then every other argument zero.
    IdFirst(u64),
    /// The call's id alone (a `#[traced]` fn without `ret` or `err`):
    /// written inline, not by walking the descriptor.
    IdOnly(u64),
}

impl Exit {
    /// For a declared exit event (no call id).
    #[inline(always)]
    pub fn new(event: &'static Event) -> Self {
        Exit {
            event,
            args: ExitArgs::Zeros,
        }
    }

    /// For the exit event of a call whose id is `call_id` (0 when its enter
    /// was not recorded).
    #[inline(always)]
    pub fn with_call_id(event: &'static Event, call_id: u64) -> Self {
        Exit {
            event,
            args: ExitArgs::IdFirst(call_id),
        }
    }

    /// For the exit event of a call whose id (0 when its enter was not
    /// recorded) is the exit's one argument.
    #[inline(always)]
    pub fn with_call_id_only(event: &'static Event, call_id: u64) -> Self {
        Exit {
            event,
            args: ExitArgs::IdOnly(call_id),
        }
    }

    /// The function returned a value: the caller records the exit itself.
    #[inline(always)]
    pub fn returned(self) {
        std::mem::forget(self);
    }
}

impl Drop for Exit {
    #[inline]
    fn drop(&mut self) {
        let state = self.event.state();
        if state_enabled(state) {
            match self.args {
                ExitArgs::IdOnly(id) => record(state, 8, |rec| rec.u64(id)),
                ExitArgs::IdFirst(id) => record_zeros(state, self.event, Some(id)),
                ExitArgs::Zeros => record_zeros(state, self.event, None),
            }
        }
    }
}

/// The exit with every argument zero, but the first when it is the call id.
#[inline(never)]
fn record_zeros(state: u64, event: &Event, call_id: Option<u64>) {
    let args = event.meta.args;
    let len = args
        .iter()
        .map(|a| match a.kind {
            ArgKind::Str => str_arg_len(0),
            _ => 8,
        })
        .sum();
    record(state, len, |rec| {
        for (i, arg) in args.iter().enumerate() {
            match (arg.kind, call_id) {
                (ArgKind::Str, _) => rec.str(&[]),
                (_, Some(id)) if i == 0 => rec.u64(id),
                _ => rec.u64(0),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_and_type<T: TraceArg + ?Sized>() -> (ArgKind, &'static str) {
        (T::KIND, T::C_TYPE)
    }

    #[test]
    fn integers_declare_their_c_type_and_sign_extend_like_c() {
        let int = |bits, signed| ArgKind::Int(IntType { bits, signed });
        assert_eq!(kind_and_type::<u8>(), (int(8, false), "uint8_t"));
        assert_eq!(kind_and_type::<i16>(), (int(16, true), "int16_t"));
        assert_eq!(kind_and_type::<u32>(), (int(32, false), "uint32_t"));
        assert_eq!(kind_and_type::<i64>(), (int(64, true), "int64_t"));
        assert_eq!(kind_and_type::<usize>().1, "size_t");
        assert_eq!(kind_and_type::<isize>().1, "ssize_t");
        assert_eq!((-1i8).encoded(), Encoded::U64(u64::MAX));
        assert_eq!((-2i32).encoded(), Encoded::U64(u64::MAX - 1));
        assert_eq!(0xffu8.encoded(), Encoded::U64(0xff));
        assert_eq!(true.encoded(), Encoded::U64(1));
    }

    #[test]
    fn strings_and_references_record_what_they_point_to() {
        assert_eq!(kind_and_type::<&str>(), (ArgKind::Str, "const char *"));
        assert_eq!(kind_and_type::<&mut String>().0, ArgKind::Str);
        assert_eq!(kind_and_type::<&&u16>().1, "uint16_t");
        assert_eq!("ab".encoded(), Encoded::Str(b"ab"));
        assert_eq!(String::from("cd").encoded(), Encoded::Str(b"cd"));
        assert_eq!(c"ef".encoded(), Encoded::Str(b"ef"));
        assert_eq!((&&7u64).encoded(), Encoded::U64(7));
    }

    #[test]
    fn raw_pointers_record_their_address() {
        let x = 5u8;
        let p: *const u8 = &x;
        assert_eq!(kind_and_type::<*mut u8>(), (ArgKind::Pointer, "void *"));
        assert_eq!(p.encoded(), Encoded::U64(p as usize as u64));
        assert!(<*const u8 as TraceArg>::zero().is_null());
    }

    #[test]
    fn absent_values_are_zero_of_their_kind() {
        assert_eq!(zero_encoded(u32::KIND), Encoded::U64(0));
        assert_eq!(zero_encoded(String::KIND), Encoded::Str(b""));
        assert_eq!(zero_encoded(<*const u8>::KIND), Encoded::U64(0));
        assert_eq!(value_or_zero::<String>(None), "");
        assert_eq!(value_or_zero(Some(&String::from("x"))), "x");
        assert_eq!(value_or_zero::<i32>(None), 0);
    }

    #[test]
    fn call_ids_are_unique_across_threads_and_never_zero() {
        let here: Vec<u64> = (0..3).map(|_| call_id()).collect();
        assert_eq!([here[1] - here[0], here[2] - here[1]], [1, 1]);
        let there = std::thread::spawn(call_id).join().unwrap();
        assert_ne!(there >> CALL_BITS, here[0] >> CALL_BITS);
        assert!(here.iter().chain([&there]).all(|&id| id != 0));
    }

    #[test]
    fn a_thread_whose_low_bits_wrap_takes_a_new_prefix() {
        std::thread::spawn(|| {
            let first = call_id();
            NEXT_CALL_ID.with(|next| next.set(first | ((1 << CALL_BITS) - 1)));
            let last = call_id();
            let next = call_id();
            assert_eq!(last >> CALL_BITS, first >> CALL_BITS);
            assert_ne!(next >> CALL_BITS, first >> CALL_BITS);
            assert_eq!(next & ((1 << CALL_BITS) - 1), 0);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn results_show_their_error() {
        let ok: Result<u8, i32> = Ok(1);
        let err: Result<u8, i32> = Err(-5);
        assert_eq!((ok.trace_ok(), ok.trace_err()), (Some(&1), None));
        assert_eq!((err.trace_ok(), err.trace_err()), (None, Some(&-5)));
    }
}
