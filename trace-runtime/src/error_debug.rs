//! `Debug` of the public error types is their message: `main` returning one
//! with `?` prints `Error: {:?}`, which should read like `Display` does
//! (`Error: no event named `x``), not like the enum (`Select(UnknownEvent("x"))`).

macro_rules! debug_is_display {
    ($($ty:ty),* $(,)?) => {$(
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(self, f)
            }
        }
    )*};
}

debug_is_display!(
    crate::config::StartError,
    crate::options::OptionsError,
    crate::select::SelectError,
    crate::control::ControlError,
    crate::flight::SnapshotError,
);
