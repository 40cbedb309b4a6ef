//! The options string in `SIMPLETRACE`, read at start after the program's own
//! configuration.

mod control_common;

use control_common::*;
use trace_runtime::{
    event_state, Config, EventState, OptionsError, SelectError, StartError, OPTIONS_ENV,
};

#[test]
fn environment_options_apply_last_and_their_errors_name_the_variable() {
    assert_eq!(OPTIONS_ENV, "SIMPLETRACE");
    let dir = tempfile::tempdir().unwrap();
    let env_path = dir.path().join("env.trace");
    let own_path = dir.path().join("own.trace");

    std::env::set_var(OPTIONS_ENV, "bogus=1");
    let e = Config::new().file(&own_path).start().err().unwrap();
    assert!(
        matches!(&e, StartError::Options(OptionsError::Env(inner))
            if matches!(**inner, OptionsError::UnknownKey { .. })),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("environment variable SIMPLETRACE: unknown trace option `bogus`"),
        "{e}"
    );
    // ignore_env: the variable is not read, the program's own error shows.
    let e = Config::new()
        .ignore_env()
        .enable("nosuch")
        .start()
        .err()
        .unwrap();
    assert!(matches!(e, StartError::Select(SelectError::UnknownEvent(n)) if n == "nosuch"));

    std::env::set_var(OPTIONS_ENV, "bogus");
    let e = Config::new().file(&own_path).start().err().unwrap();
    assert!(matches!(e, StartError::Select(SelectError::UnknownEvent(n)) if n == "bogus"));

    std::env::set_var(OPTIONS_ENV, format!("net_rx,file={}", env_path.display()));
    let guard = Config::new()
        .file(&own_path)
        .enable("disk_*")
        .start()
        .unwrap();
    assert_eq!(event_state("net_rx"), Some(EventState::Enabled));
    assert_eq!(event_state("disk_read"), Some(EventState::Disabled));
    assert_eq!(guard.path(), env_path);
    trace::disk_read("vda", 0, 1);
    trace::net_rx(3, 1500);
    drop(guard);
    assert!(!own_path.exists());
    assert_eq!(program_names(&env_path), ["net_rx"]);
}
