//! The `ticketd` binary: everything is in the library's `cli` module.

fn main() -> std::process::ExitCode {
    ticketd::cli::run()
}
