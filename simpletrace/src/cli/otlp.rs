//! `simpletrace export --otlp OUT | --otlp-endpoint URL`: the calls as
//! OpenTelemetry spans (`simpletrace::timeline::otlp`), to a file or posted
//! to a collector.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use simpletrace::timeline::otlp::{
    ids, Endpoint, OtlpHttp, OtlpOptions, OtlpTrace, Requests, ToWriter,
};
use simpletrace::{Filter, Reader, Selected};

use super::outcome::{analyze, fail, warn_unmatched};

#[derive(Args)]
pub struct OtlpArgs {
    /// Write the calls (`X_enter`/`X_exit` pairs, `#[traced]` functions) as
    /// OpenTelemetry spans: OTLP protobuf, an `ExportTraceServiceRequest`;
    /// `-` for standard output.
    #[arg(long, value_name = "OUT.otlp")]
    pub otlp: Option<PathBuf>,
    /// Post the spans to an OpenTelemetry collector's OTLP/HTTP receiver
    /// (plain http; e.g. http://127.0.0.1:4318/v1/traces), in requests of
    /// about --otlp-batch-bytes.
    #[arg(long, value_name = "http://HOST:PORT/v1/traces")]
    pub otlp_endpoint: Option<String>,
    /// `service.name` of the spans (default: the traced process's main
    /// thread's name, when the trace names it).
    #[arg(long, value_name = "NAME")]
    otlp_service_name: Option<String>,
    /// Nanoseconds added to the trace's timestamps (CLOCK_MONOTONIC) to make
    /// them Unix time: on the traced host while it is up,
    /// `python3 -c 'import time; print(time.time_ns() - time.monotonic_ns())'`.
    /// Default 0: spans near 1970.
    #[arg(long, value_name = "NS", allow_hyphen_values = true)]
    otlp_time_offset: Option<i64>,
    /// Seconds to wait for the collector at each step (connect, send, answer).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    otlp_timeout: f64,
    /// Size of a request: one is sent once it holds this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = simpletrace::timeline::otlp::DEFAULT_BATCH_BYTES,
          value_parser = clap::value_parser!(usize))]
    otlp_batch_bytes: usize,
}

impl OtlpArgs {
    pub fn wanted(&self) -> bool {
        self.otlp.is_some() || self.otlp_endpoint.is_some()
    }
}

/// Export the trace's calls as spans, to the file or the collector.
pub fn run(
    args: &OtlpArgs,
    host: Option<&str>,
    reader: &mut Reader<File>,
    filter: Filter,
    trace: &Path,
) -> io::Result<ExitCode> {
    let seed = match ids::file_seed(trace, host) {
        Ok(seed) => seed,
        Err(e) => return Ok(fail(&format_args!("cannot read {}: {e}", trace.display()))),
    };
    let options = OtlpOptions {
        seed,
        service_name: args.otlp_service_name.clone(),
        host: host.map(str::to_string),
        time_offset_ns: args.otlp_time_offset.unwrap_or(0),
        batch_bytes: args.otlp_batch_bytes,
        ..OtlpOptions::default()
    };
    if let Some(url) = &args.otlp_endpoint {
        let endpoint = match Endpoint::parse(url) {
            Ok(endpoint) => endpoint,
            Err(e) => return Ok(fail(&e)),
        };
        if !(args.otlp_timeout > 0.0 && args.otlp_timeout <= 86_400.0) {
            return Ok(fail(&"--otlp-timeout takes seconds from above 0 to 86400"));
        }
        let http = OtlpHttp::new(endpoint, Duration::from_secs_f64(args.otlp_timeout));
        let (code, spans) = export(reader, filter, trace, http, options)?;
        let http = spans.requests();
        if code == ExitCode::SUCCESS {
            eprintln!(
                "simpletrace: sent {} spans in {} requests to {url}",
                spans.spans(),
                spans.requests_sent()
            );
        }
        if http.rejected_spans > 0 || http.last_rejection.is_some() {
            eprintln!(
                "simpletrace: warning: the collector rejected {} spans{}",
                http.rejected_spans,
                http.last_rejection
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            );
        }
        return Ok(code);
    }
    let Some(path) = &args.otlp else {
        return Ok(ExitCode::FAILURE);
    };
    let out: Box<dyn Write> = if path.as_os_str() == "-" {
        Box::new(io::stdout().lock())
    } else {
        match File::create(path) {
            Ok(file) => Box::new(io::BufWriter::new(file)),
            Err(e) => return Ok(fail(&format_args!("cannot create {}: {e}", path.display()))),
        }
    };
    Ok(export(reader, filter, trace, ToWriter(out), options)?.0)
}

fn export<R: Requests>(
    reader: &mut Reader<File>,
    filter: Filter,
    trace: &Path,
    requests: R,
    options: OtlpOptions,
) -> io::Result<(ExitCode, simpletrace::timeline::otlp::OtlpSpans<R>)> {
    let mut export = Selected::new(filter, OtlpTrace::new(requests, options));
    let code = analyze(reader, &mut export, trace)?;
    warn_unmatched(export.filter());
    Ok((code, export.into_inner().into_draw()))
}
