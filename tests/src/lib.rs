//! Workspace-level tests: the whole QEMU corpus compiled through `trace_events!`
//! (this library), checked and exercised by the tests in `tests/`.

use trace_runtime::Event;

/// One module per corpus file, each with the code `trace_events!` generates for
/// it, and [`corpus`] listing them.
macro_rules! corpus {
    ($($module:ident => $path:literal,)*) => {
        $(
            pub mod $module {
                trace_runtime::trace_events!($path);
            }
        )*

        /// Every corpus file: its path as given to `trace_events!` and its
        /// generated `EVENT_TABLE`.
        pub fn corpus() -> Vec<(&'static str, &'static [&'static Event])> {
            vec![$(($path, $module::EVENT_TABLE)),*]
        }
    };
}

include!("corpus.rs");
