//! [`WriteOnce`]: a write the hot path inlines whole. A closure that is
//! called on both the fast and the cold path is left out of line by the
//! compiler once it is large (a `#[traced]` call's arguments), and then
//! re-reads from memory what its caller had in registers. A `WriteOnce`
//! whose `write` is `#[inline(always)]` is copied into the fast path.

/// Writes into `T` once.
pub(crate) trait WriteOnce<T: ?Sized> {
    fn write(self, target: &mut T);
}

/// A closure as a [`WriteOnce`] (inlined as the compiler sees fit).
pub(crate) struct Closure<F>(pub(crate) F);

impl<T: ?Sized, F: FnOnce(&mut T)> WriteOnce<T> for Closure<F> {
    #[inline(always)]
    fn write(self, target: &mut T) {
        (self.0)(target)
    }
}
