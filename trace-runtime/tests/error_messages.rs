//! An error returned from `main` with `?` prints as `Error: {:?}`: the
//! public error types' `Debug` is their message, as `Display` gives it (the
//! child process below returns one the way `main` does).

mod runner;
use std::process::Termination;

use trace_runtime::{Config, ControlError, OptionsError, StartError};

const CHILD: &str = "ERROR_MESSAGES_CHILD";

fn unknown_event() -> StartError {
    let dir = tempfile::tempdir().unwrap();
    match Config::new()
        .ignore_env()
        .file(dir.path().join("t"))
        .disable_all()
        .enable("jb_submit")
        .start()
    {
        Ok(_) => panic!("started with an unknown event"),
        Err(e) => e,
    }
}

#[test]
fn main_returning_an_error_prints_its_message() {
    if std::env::var_os(CHILD).is_some() {
        // What `fn main() -> Result<(), StartError>` does with the error.
        let _ = Err::<(), _>(unknown_event()).report();
        return;
    }
    let out = runner::output(
        runner::target_command(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "main_returning_an_error_prints_its_message",
                "--nocapture",
            ])
            .env(CHILD, "1"),
    )
    .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("Error: no event named `jb_submit`\n"),
        "{stderr}"
    );
}

#[test]
fn debug_is_the_message() {
    let e = unknown_event();
    assert_eq!(format!("{e:?}"), e.to_string());
    let e: OptionsError = Config::new().options("speed=3").unwrap_err();
    assert_eq!(format!("{e:?}"), e.to_string());
    assert!(format!("{e:?}").starts_with("unknown trace option `speed`"));
    let e: ControlError = trace_runtime::set_enabled("x", true).unwrap_err();
    assert_eq!(format!("{e:?}"), "no trace is running in this process");
    let e = StartError::BufferSize { requested: 1 };
    assert_eq!(format!("{e:?}"), e.to_string());
}
