//! Fuzzes `ticketd::negotiate::fuzz::accept_header`: untrusted bytes must never panic the decoder.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ticketd::negotiate::fuzz::accept_header(data));
