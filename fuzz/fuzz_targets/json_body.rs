//! Fuzzes `ticketd::negotiate::fuzz::json_body`: untrusted bytes must never panic the decoder.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ticketd::negotiate::fuzz::json_body(data));
