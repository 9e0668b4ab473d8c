//! The `gridstrain` binary: parse the command line, run, print the error chain, set the
//! exit code (0 ok, 1 error, 2 bad usage).
use std::process::ExitCode;

fn main() -> ExitCode {
    gridstrain::cli::main()
}
