//! The quick contract run: schemathesis generates requests for every operation of the vendor's
//! Swagger and none may get a 5xx. `.ci/contract.sh` runs the long version (docs/reliability.md).
//!
//! It installs schemathesis from PyPI into `target/contract-venv` on first use;
//! `TICKETD_SKIP_CONTRACT=1` skips it on a machine without the registry.

use std::process::Command;

#[test]
fn generated_requests_for_every_vendor_operation_get_no_server_error() {
    if std::env::var("TICKETD_SKIP_CONTRACT").is_ok_and(|v| v == "1") {
        eprintln!("contract: skipped (TICKETD_SKIP_CONTRACT=1)");
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let output = Command::new("bash")
        .arg(format!("{root}/.ci/contract.sh"))
        .env("TICKETD_BIN", env!("CARGO_BIN_EXE_ticketd"))
        .env("CONTRACT_VENV", format!("{root}/target/contract-venv"))
        .env("CONTRACT_REPORT_DIR", format!("{root}/target/contract-report-quick"))
        .env("CONTRACT_MAX_EXAMPLES", "20")
        .env("CONTRACT_PHASES", "examples,fuzzing")
        .env("CI", "1")
        .output()
        .expect("bash runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    let summary: String =
        printed.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    assert!(
        output.status.success(),
        "schemathesis found server errors or could not run:\n{summary}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(printed.contains(" passed"), "a summary of passed cases is printed:\n{summary}");
}
