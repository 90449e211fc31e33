#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| claimdesk_fuzz::intake_csv(data));
