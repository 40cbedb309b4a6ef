//! `#[traced]` options: `ret`, `err` (alone and together, on every way out),
//! `skip`, `skip_all` and `name`.

mod traced_common;

use trace_runtime::traced;
use traced_common::*;

#[traced(ret)]
fn area(w: u32, h: u32) -> u64 {
    if w == 0 {
        return 0;
    }
    w as u64 * h as u64
}

#[traced(skip(names), ret)]
fn label<'a>(names: &'a [String], i: usize) -> &'a str {
    &names[i]
}

#[traced(err)]
fn open(path: &str) -> Result<u32, i32> {
    match path {
        "" => Err(-22),
        _ => Ok(path.len() as u32),
    }
}

fn nonzero(b: i64) -> Result<i64, &'static str> {
    if b == 0 {
        Err("division by zero")
    } else {
        Ok(b)
    }
}

#[traced(ret, err)]
fn divide(a: i64, b: i64) -> Result<i64, &'static str> {
    let b = nonzero(b)?;
    Ok(a / b)
}

#[traced(ret)]
fn must_be_even(n: u16) -> u16 {
    assert!(n % 2 == 0, "odd");
    n / 2
}

#[traced(skip_all, ret)]
fn secret(key: &str, n: u8) -> u8 {
    key.len() as u8 + n
}

#[traced(skip(scale))]
fn resize(scale: f64, r#type: u8, size: usize) -> f64 {
    scale * (size + r#type as usize) as f64
}

#[traced(name = "vm_start")]
fn start_vm(cpus: u8) -> u8 {
    cpus
}

#[test]
fn options_choose_what_is_recorded() {
    let tracing = start();

    assert_eq!(area(3, 4), 12);
    assert_eq!(area(0, 9), 0);
    let names = ["a".to_string(), "bcd".to_string()];
    assert_eq!(label(&names, 1), "bcd");
    assert_eq!(open("disk"), Ok(4));
    assert_eq!(open(""), Err(-22));
    assert_eq!(divide(9, 3), Ok(3));
    assert_eq!(divide(9, 0), Err("division by zero"));
    assert_eq!(must_be_even(8), 4);
    assert!(std::panic::catch_unwind(|| must_be_even(3)).is_err());
    assert_eq!(secret("hunter2", 1), 8);
    assert_eq!(resize(0.5, 2, 4), 3.0);
    assert_eq!(start_vm(4), 4);

    let minus = |v: i64| I(v as u64);
    assert_eq!(
        tracing.records(),
        [
            rec("area_enter", [I(3), I(4)]),
            rec("area_exit", [I(1), I(12)]),
            rec("area_enter", [I(0), I(9)]),
            rec("area_exit", [I(1), I(0)]),
            rec("label_enter", [I(1)]),
            rec("label_exit", [I(1), S("bcd".into())]),
            rec("open_enter", [S("disk".into())]),
            rec("open_exit", [I(1), I(0), I(0)]),
            rec("open_enter", [S("".into())]),
            rec("open_exit", [I(1), I(1), minus(-22)]),
            rec("divide_enter", [I(9), I(3)]),
            rec("divide_exit", [I(1), I(0), I(3), S("".into())]),
            rec("divide_enter", [I(9), I(0)]),
            rec(
                "divide_exit",
                [I(1), I(1), I(0), S("division by zero".into())]
            ),
            rec("must_be_even_enter", [I(8)]),
            rec("must_be_even_exit", [I(1), I(4)]),
            rec("must_be_even_enter", [I(3)]),
            // unwinding: not returned, no value
            rec("must_be_even_exit", [I(0), I(0)]),
            rec("secret_enter", []),
            rec("secret_exit", [I(1), I(8)]),
            rec("resize_enter", [I(2), I(4)]),
            rec("resize_exit", []),
            rec("vm_start_enter", [I(4)]),
            rec("vm_start_exit", []),
        ]
    );
}
