// Arguments and return values of types a trace cannot hold must be skipped
// or left out; the error names the type and says how.
use trace_runtime::traced;

struct Config {
    depth: u32,
}

#[traced]
fn scale(factor: f64, config: &Config, bytes: Vec<u8>, ok: u32) -> u32 {
    (factor as u32) + config.depth + bytes.len() as u32 + ok
}

#[traced(ret)]
fn parse(text: &str) -> Result<u32, String> {
    text.parse().map_err(|_| text.to_string())
}

#[traced(err)]
fn open(path: &str) -> std::io::Result<u32> {
    Ok(path.len() as u32)
}

#[traced(err)]
fn not_a_result(n: u8) -> u8 {
    n
}

fn main() {
    scale(1.0, &Config { depth: 1 }, vec![], 1);
    let _ = parse("1");
    let _ = open("/");
    not_a_result(1);
}
