//! The functions of `ui-tests/tests/ui/traced_pass/every_kind.rs` (every kind of
//! function `#[traced]` takes, under `#![deny(warnings)]` and
//! `#![deny(clippy::all)]`) as a test target, so that
//! `cargo clippy --workspace --all-targets -- -D warnings` lints what the
//! macro generates; trybuild does not run clippy.

#[path = "../../ui-tests/tests/ui/traced_pass/every_kind.rs"]
mod every_kind;

#[test]
fn every_kind_of_traced_function_runs() {
    every_kind::main();
}
