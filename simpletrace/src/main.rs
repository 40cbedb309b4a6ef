//! The `simpletrace` command line: see `simpletrace --help`.

fn main() -> std::process::ExitCode {
    simpletrace_cli::run()
}

#[path = "cli/mod.rs"]
mod simpletrace_cli;
