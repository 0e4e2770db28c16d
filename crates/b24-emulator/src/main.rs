//! `b24-emulator`: a local Bitrix24 portal (im scope). Prints the webhook URL first.

use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "b24-emulator",
    version,
    about = "A local Bitrix24 portal for the im scope"
)]
struct Cli {
    #[command(flatten)]
    args: b24_emulator::EmulatorArgs,
}

fn main() -> ExitCode {
    b24_emulator::run_blocking(&Cli::parse().args)
}
