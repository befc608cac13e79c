//! The `vetted` binary: parse the command line, run the command, map the error to an exit code.
// Each command's future nests the retried write transaction's (`store::transaction`): the
// release build's layout of `commands::run` goes deeper than rustc's default limit of 128.
#![recursion_limit = "256"]

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = vetted::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("vetted: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(vetted::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`vetted supplier list | head`) is the reader's choice, not a failure.
        Err(vetted::error::Error::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vetted: {}", vetted::visible(&e.to_string()));
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
