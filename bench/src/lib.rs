//! Benchmarks of issue #5, side by side: our runtime (`ours`), a port of QEMU's
//! simple backend (`qemu_port`), the `tracing` crate (`tracing_baseline`) and
//! the floor (`floor`); `fastrace` (`fastrace_baseline`) for `#[traced]`. The criterion benches live in `benches/`.

pub mod fastrace_baseline;
pub mod floor;
pub mod ladder;
pub mod ours;
pub mod qemu_port;
pub mod rounds;
pub mod setup;
pub mod tracing_baseline;
pub mod tracing_floor;
