//! drconsole's entry point: install the panic and error reporters, start logging to a file, parse
//! the command line and hand over to the CLI (or, with no subcommand, the console).

use clap::Parser;
use drconsole::cli::{self, Cli};

fn main() {
    let _ = color_eyre::install();
    let cli = Cli::parse();
    let _log = drconsole::logging::init(&cli::data_dir());
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(cli::EXIT_FAILED);
        }
    };
    let code = runtime.block_on(cli::run(cli));
    std::process::exit(code);
}
