use serde_json::{Value, json};

use super::{declared_encoding, value_to_xml, xml_to_value};
use crate::domain::sample::sample_message;
use crate::error::ErrorKind;
use crate::negotiate::wire::{TicketMessageEntity, decode_message};

const GOLDEN: &str = include_str!("../../../tests/fixtures/ticketmessage-entity.golden.xml");

fn sample_xml() -> String {
    let value = serde_json::to_value(TicketMessageEntity::full(&sample_message())).unwrap();
    value_to_xml("TicketMessageEntity", &value)
}

#[test]
fn the_full_entity_matches_the_golden_file() {
    let xml = sample_xml();
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write("tests/fixtures/ticketmessage-entity.golden.xml", &xml).unwrap();
    }
    assert_eq!(xml, GOLDEN.trim_end(), "set UPDATE_GOLDEN=1 to accept a deliberate change");
}

#[test]
fn the_written_entity_reads_back_into_the_same_draft() {
    let message = sample_message();
    let from_json = decode_message(&serde_json::to_value(TicketMessageEntity::full(&message)).unwrap()).unwrap();
    let from_xml = decode_message(&xml_to_value(&sample_xml(), "TicketMessageEntity").unwrap()).unwrap();
    assert_eq!(from_xml, from_json);
    assert_eq!(from_xml.content, message.content);
}

#[test]
fn reading_is_namespace_blind_case_insensitive_and_order_free() {
    let xml = r#"<?xml version="1.0" encoding="utf-8"?>
        <ticketmessageentity xmlns="http://www.superoffice.net/ws/crm/NetServer/Services88"
                             xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
          <BODY>Hei &amp; hå &#x1F642;</BODY>
          <ns:TimeSpent xmlns:ns="urn:x">5</ns:TimeSpent>
          <Ticket><TicketId>2</TicketId></Ticket>
          <Person i:nil="true" />
          <HtmlBody/>
          <messageHeaders>
            <TicketMessageHeader><Name>To</Name><Value>a@b.c</Value><StdItem>None</StdItem></TicketMessageHeader>
          </messageHeaders>
          <CustomFields><StringKeyValuePair><Value>bar</Value><Key>x_foo</Key></StringKeyValuePair></CustomFields>
          <Body2><![CDATA[<ignored>]]></Body2>
        </ticketmessageentity>"#;
    let value = xml_to_value(xml, "TicketMessageEntity").unwrap();
    let draft = decode_message(&value).unwrap();
    assert_eq!(draft.content.body, "Hei & hå 🙂");
    assert_eq!(draft.content.time_spent, 5);
    assert_eq!(draft.refs.ticket_id, Some(2));
    assert_eq!(draft.refs.person_id, None);
    assert_eq!(draft.content.headers[0].value, "a@b.c");
    assert_eq!(draft.content.custom_fields["x_foo"], "bar");
    assert_eq!(value["Body2"], json!("<ignored>"));
}

#[test]
fn hostile_and_broken_documents_are_refused() {
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
        <TicketMessageEntity><Body>&lol2;</Body></TicketMessageEntity>"#;
    let external = r#"<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><TicketMessageEntity><Body>&xxe;</Body></TicketMessageEntity>"#;
    let undefined = "<TicketMessageEntity><Body>&xxe;</Body></TicketMessageEntity>";
    let deep = format!("<TicketMessageEntity>{}{}</TicketMessageEntity>", "<a>".repeat(1000), "</a>".repeat(1000));
    let cases = [
        bomb.to_owned(),
        external.to_owned(),
        undefined.to_owned(),
        deep,
        "<TicketMessageEntity><Body>x</Body>".to_owned(),
        "<TicketMessageEntity><Body>x</Bod></TicketMessageEntity>".to_owned(),
        "<Contact><Body>x</Body></Contact>".to_owned(),
        "not xml at all".to_owned(),
        "".to_owned(),
    ];
    for xml in cases {
        let err = xml_to_value(&xml, "TicketMessageEntity").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidArgument, "{xml}");
    }
}

#[test]
fn the_declared_encoding_is_found() {
    assert_eq!(declared_encoding(br#"<?xml version="1.0" encoding="ISO-8859-1"?><a/>"#).as_deref(), Some("ISO-8859-1"));
    assert_eq!(declared_encoding(b"<?xml version='1.0' encoding='utf-8' ?><a/>").as_deref(), Some("utf-8"));
    assert_eq!(declared_encoding(b"<a/>"), None);
}

#[test]
fn nil_root_and_nil_error_values() {
    assert_eq!(
        xml_to_value(r#"<TicketMessageEntity xmlns:i="x" i:nil="true"/>"#, "TicketMessageEntity").unwrap(),
        Value::Null
    );
    let xml = value_to_xml(
        "ErrorInfo",
        &json!({"Error": true, "ErrorType": "X", "ErrorMessage": "a < b", "ErrorSource": "S"}),
    );
    assert!(xml.ends_with("<ErrorInfo xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><Error>true</Error><ErrorType>X</ErrorType><ErrorMessage>a &lt; b</ErrorMessage><ErrorSource>S</ErrorSource></ErrorInfo>"));
}

#[test]
fn every_shape_is_written_as_the_vendor_writes_it() {
    let carrier = serde_json::json!({
        "Id": 7, "Big": 18446744073709551615u64, "Ratio": 0.5, "On": true, "Text": "a<b & \"c\"",
        "Person": null, "MessageHeaders": [], "AttachmentsInfo": [{"Name": "x"}],
        "ExtraFields": {"k&": "v"}, "FieldProperties": {"Body": {"Mask": "Full"}}, "Nested": {}
    });
    assert_eq!(
        value_to_xml("E", &carrier),
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><E xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <Id>7</Id><Big>18446744073709551615</Big><Ratio>0.5</Ratio><On>true</On>\
         <Text>a&lt;b &amp; &quot;c&quot;</Text><Person i:nil=\"true\" /><MessageHeaders />\
         <AttachmentsInfo><AttachmentEntity><Name>x</Name></AttachmentEntity></AttachmentsInfo>\
         <ExtraFields><StringKeyValuePair><Key>k&amp;</Key><Value>v</Value></StringKeyValuePair></ExtraFields>\
         <FieldProperties><FieldProperty><Key>Body</Key><Value><Mask>Full</Mask></Value></FieldProperty></FieldProperties>\
         <Nested></Nested></E>"
    );
    let xsi = "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"";
    let head = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
    assert_eq!(
        value_to_xml("ArrayOfFieldInfoBase", &serde_json::json!([])),
        format!("{head}<ArrayOfFieldInfoBase {xsi}></ArrayOfFieldInfoBase>")
    );
    assert_eq!(
        value_to_xml("ArrayOfFieldInfoBase", &serde_json::json!([{"A": 1}])),
        format!("{head}<ArrayOfFieldInfoBase {xsi}><FieldInfoBase><A>1</A></FieldInfoBase></ArrayOfFieldInfoBase>")
    );
    assert_eq!(
        value_to_xml("StringDictionary", &serde_json::json!({"a": "1"})),
        format!(
            "{head}<StringDictionary {xsi}><StringKeyValuePair><Key>a</Key><Value>1</Value></StringKeyValuePair></StringDictionary>"
        )
    );
    assert_eq!(value_to_xml("E", &serde_json::Value::Null), format!("{head}<E {xsi} i:nil=\"true\" />"));
    assert_eq!(value_to_xml("Int", &serde_json::json!(5)), format!("{head}<Int {xsi}>5</Int>"));
}
