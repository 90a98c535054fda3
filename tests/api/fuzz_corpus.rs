//! Replays the checked-in fuzz corpora (`fuzz/corpus/<target>/`) through the same entry points
//! the fuzz targets use, so CI catches a regression on any input fuzzing ever found interesting.

use std::path::Path;

use ticketd::negotiate::fuzz;

fn replay(target: &str, entry: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut count = 0;
    for file in std::fs::read_dir(&dir).expect("corpus directory") {
        let path = file.expect("corpus entry").path();
        match std::fs::read(&path) {
            Ok(bytes) => entry(&bytes),
            // A fuzzer running beside the tests may have just replaced this input.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => panic!("{}: {err}", path.display()),
        }
        count += 1;
    }
    assert!(count > 0, "{} has no inputs", dir.display());
}

#[test]
fn json_body_corpus() {
    replay("json_body", fuzz::json_body);
}

#[test]
fn xml_body_corpus() {
    replay("xml_body", fuzz::xml_body);
}

#[test]
fn form_body_corpus() {
    replay("form_body", fuzz::form_body);
}

#[test]
fn patch_body_corpus() {
    replay("patch_body", fuzz::patch_body);
}

#[test]
fn accept_header_corpus() {
    replay("accept_header", fuzz::accept_header);
}

#[test]
fn the_specification_samples_decode() {
    let spec = |name: &str| {
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).expect("sample")
    };
    let xml = String::from_utf8(spec("spec-entity.inferred.xml")).expect("utf-8");
    let value =
        ticketd::negotiate::xml::xml_to_value(&xml, "TicketMessageEntity").expect("the spec's XML sample reads");
    let draft = ticketd::negotiate::wire::decode_message(&value).expect("and decodes");
    assert_eq!(draft.refs.ticket_id, Some(1));
    let json: serde_json::Value = serde_json::from_slice(&spec("spec-entity.realistic.json")).expect("json");
    assert!(ticketd::negotiate::wire::decode_message(&json).is_ok());
}
