//! The Agents API's calling convention over real sockets: the three parameter shapes in JSON,
//! XML and forms, `null` for missing ids, empty 204s, `GET` descriptions that change nothing,
//! 404 / 405 / 501, and bad input (wrong types, arrays and scalars as bodies, long id lists).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_error, on_both_backends};

on_both_backends!(
    getters_bind_query_entity_and_request_object_shapes,
    xml_and_form_bodies_bind_and_xml_answers_follow_accept,
    missing_ids_answer_null_and_void_methods_answer_an_empty_204,
    malformed_calls_are_400s_naming_the_parameter,
    get_describes_without_calling_and_other_verbs_are_405,
    unknown_methods_are_404_and_unoffered_ones_501,
    select_nulls_the_unselected_properties_as_on_rest,
);

pub const AGENT: &str = "/api/v1/Agents/Ticket/";

/// POSTs `body` as JSON to a TicketAgent method; the answer's status and JSON body.
pub async fn agent(app: &TestApp, method: &str, body: Value) -> (StatusCode, Value) {
    app.call(app.send_json(Method::POST, &format!("{AGENT}{method}"), body.to_string())).await
}

async fn getters_bind_query_entity_and_request_object_shapes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (_, rest) = app.get_message(1).await;

    let (status, entity) = agent(&app, "GetTicketMessageEntity?ticketMessageEntityId=1", Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{entity}");
    assert_eq!(entity, rest, "the same entity as REST, property for property");
    // Any letter case, a tenant prefix, a trailing slash; parameter names in any case.
    let odd = "/Cust12345/API/v1/agents/TICKET/getticketmessageentity/?TICKETMESSAGEENTITYID=1";
    let (status, same) = app.call(app.send_json(Method::POST, odd, "null")).await;
    assert_eq!((status, same), (StatusCode::OK, rest.clone()));

    let with_options = json!({"ticketMessageEntityId": 1, "includeNonInlineAttachmentsInfo": true});
    let (status, entity) = agent(&app, "GetTicketMessageWithOptions", with_options).await;
    assert_eq!((status, entity["EjMessageId"].clone()), (StatusCode::OK, json!(1)));
    // A request object's scalars may come as query parameters; the body wins over the query.
    let (status, entity) = agent(&app, "GetTicketMessageWithOptions?TicketMessageEntityId=2", json!({})).await;
    assert_eq!((status, entity["EjMessageId"].clone()), (StatusCode::OK, json!(2)));
    let (_, entity) =
        agent(&app, "GetTicketMessageWithOptions?TicketMessageEntityId=2", json!({"TicketMessageEntityId": 1})).await;
    assert_eq!(entity["EjMessageId"], 1);

    let (status, embedded) =
        agent(&app, "GetTicketMessageWithEmbeddedData", json!({"Id": 1, "EmbedImages": "Link"})).await;
    assert_eq!((status, embedded["HtmlBody"].clone()), (StatusCode::OK, rest["HtmlBody"].clone()));

    let (status, summary) = agent(&app, "GetTicketMessage?ticketMessageId=1", Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    let keys: Vec<&str> = summary.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys[..4], ["TicketMessageId", "CreatedAt", "Slevel", "Important"]);
    assert_eq!(summary["TicketMessageId"], 1);
    assert_eq!(summary["CreatedAt"], rest["CreatedAt"]);
    assert_eq!(summary["Author"], rest["Author"]);
    assert_eq!(summary["PersonId"], rest["Person"]["PersonId"]);
    assert_eq!(summary["ContactName"], rest["Person"]["ContactName"]);
    assert_eq!(summary["CreatedBy"], rest["CreatedBy"]["AssociateId"]);
    assert_eq!(summary["NumAttachments"], rest["AttachmentsInfo"].as_array().map_or(0, Vec::len));
    assert_eq!(summary["MessageHeaders"], rest["MessageHeaders"]);

    let ticket = rest["Ticket"]["TicketId"].clone();
    let (status, listed) =
        agent(&app, "GetTicketMessageEntities", json!({"TicketId": ticket, "MessageIds": [1, 99999]})).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed, json!([rest]), "missing ids are left out");
    let (status, all) = agent(&app, "GetTicketMessageEntities", json!({"ticketId": ticket})).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let ids: Vec<i64> = all.as_array().expect("array").iter().filter_map(|m| m["EjMessageId"].as_i64()).collect();
    assert!(ids.contains(&1) && ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert!(all.as_array().expect("array").iter().all(|m| m["Ticket"]["TicketId"] == ticket));

    // Language and time zone apply as on REST (labels translated, dates converted with offsets).
    let localized = |request: reqwest::RequestBuilder| {
        request.header("Accept-Language", "nb-NO").header("SO-TimeZone", "US-NY, includeTZOffset")
    };
    let (_, rest_local) = app.call(localized(app.request(Method::GET, "/api/v1/TicketMessage/4"))).await;
    let agent_call =
        app.send_json(Method::POST, &format!("{AGENT}GetTicketMessageEntity?ticketMessageEntityId=4"), "null");
    let (status, agent_local) = app.call(localized(agent_call)).await;
    assert_eq!((status, &agent_local), (StatusCode::OK, &rest_local));
    assert_ne!(agent_local["Ticket"]["Deadline"], app.get_message(4).await.1["Ticket"]["Deadline"], "converted");

    let (status, fresh) = agent(&app, "CreateDefaultTicketMessageEntity", Value::Null).await;
    assert_eq!(
        (status, fresh["EjMessageId"].clone(), fresh["Slevel"].clone()),
        (StatusCode::OK, json!(0), json!("Internal"))
    );
}

async fn xml_and_form_bodies_bind_and_xml_answers_follow_accept(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let post = |method: &str, content_type: &str, body: &str| {
        app.request(Method::POST, &format!("{AGENT}{method}"))
            .header("Content-Type", content_type)
            .header("Accept", "application/xml")
            .body(body.to_owned())
    };
    let xml = "<GetTicketMessageWithOptionsRequest><TicketMessageEntityId>1</TicketMessageEntityId>\
               <IncludeNonInlineAttachmentsInfo>true</IncludeNonInlineAttachmentsInfo></GetTicketMessageWithOptionsRequest>";
    let response = post("GetTicketMessageWithOptions", "application/xml", xml).send().await.expect("answered");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/xml; charset=utf-8");
    let text = response.text().await.expect("body");
    assert!(text.contains("<TicketMessageEntity xmlns:i=") && text.contains("<EjMessageId>1</EjMessageId>"), "{text}");

    let ids = "<R><TicketId>1</TicketId><MessageIds><int>1</int><int>99999</int></MessageIds></R>";
    let text =
        post("GetTicketMessageEntities", "text/xml", ids).send().await.expect("answered").text().await.expect("body");
    assert!(text.contains("<ArrayOfTicketMessageEntity") && text.matches("<EjMessageId>").count() == 1, "{text}");

    let form = post(
        "GetTicketMessageEntities",
        "application/x-www-form-urlencoded",
        "TicketId=1&MessageIds=1&MessageIds=99999",
    );
    let text = form.send().await.expect("answered").text().await.expect("body");
    assert!(text.matches("<EjMessageId>1</EjMessageId>").count() == 1, "{text}");

    let summary =
        post("GetTicketMessage?ticketMessageId=1", "application/json", "null").send().await.expect("answered");
    let text = summary.text().await.expect("body");
    assert!(
        text.contains("<TicketMessage xmlns:i=") && text.contains("<TicketMessageId>1</TicketMessageId>"),
        "{text}"
    );
    assert!(text.contains("<MessageHeaders>"), "{text}");

    // Saves: the entity itself as XML, and an entity inside an XML request object.
    let entity = "<TicketMessageEntity><Ticket><TicketId>2</TicketId></Ticket><Body>from XML</Body>\
                  <MessageHeaders><TicketMessageHeader><Name>X-Via</Name><Value>xml</Value></TicketMessageHeader></MessageHeaders>\
                  </TicketMessageEntity>";
    let text = post("SaveTicketMessageEntity", "application/xml", entity).send().await.expect("answered");
    let text = text.text().await.expect("body");
    assert!(text.contains("<Body>from XML</Body>") && text.contains("<Name>X-Via</Name>"), "{text}");
    let id = text.split("<EjMessageId>").nth(1).and_then(|rest| rest.split('<').next()).unwrap_or_default().to_owned();
    let request = format!(
        "<SaveTicketMessageEntityWithNotifyRequest><NewEntity><EjMessageId>{id}</EjMessageId><Body>again</Body>\
         </NewEntity><Notify>false</Notify></SaveTicketMessageEntityWithNotifyRequest>"
    );
    let text = post("SaveTicketMessageEntityWithNotify", "text/xml", &request).send().await.expect("answered");
    let text = text.text().await.expect("body");
    assert!(
        text.contains(&format!("<EjMessageId>{id}</EjMessageId>")) && text.contains("<Body>again</Body>"),
        "{text}"
    );
}

async fn missing_ids_answer_null_and_void_methods_answer_an_empty_204(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    for (method, body) in [
        ("GetTicketMessageEntity?ticketMessageEntityId=99999", Value::Null),
        ("GetTicketMessage?ticketMessageId=99999", Value::Null),
        ("GetTicketMessageWithOptions", json!({"TicketMessageEntityId": 99999})),
        ("GetTicketMessageWithEmbeddedData", json!({"Id": 99999, "EmbedImages": "Inline"})),
    ] {
        let response =
            app.send_json(Method::POST, &format!("{AGENT}{method}"), body.to_string()).send().await.expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "{method}");
        assert_eq!(response.text().await.expect("body"), "null", "{method}");
    }
    let xml = app
        .request(Method::POST, &format!("{AGENT}GetTicketMessageEntity?ticketMessageEntityId=99999"))
        .header("Accept", "application/xml");
    let text = xml.send().await.expect("answered").text().await.expect("body");
    assert!(
        text.ends_with("<TicketMessageEntity xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" i:nil=\"true\" />"),
        "{text}"
    );
    let (status, none) = agent(&app, "GetTicketMessageEntities", json!({"TicketId": 99999, "MessageIds": [1]})).await;
    assert_eq!((status, none), (StatusCode::OK, json!([])), "another ticket's message is left out");

    let response = app
        .send_json(
            Method::POST,
            &format!("{AGENT}SetTicketMessageImportant"),
            json!({"TicketMessageId": 1, "Important": true}).to_string(),
        )
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.headers().get("content-type").is_none());
    assert_eq!(response.bytes().await.expect("body").len(), 0);
    assert_eq!(app.get_message(1).await.1["Important"], true);
}

async fn malformed_calls_are_400s_naming_the_parameter(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let glops = agent(&app, "GetTicketMessageEntity?ticketMessageEntityId=glops", Value::Null).await;
    assert_error(glops, StatusCode::BAD_REQUEST, "ArgumentException", "'ticketMessageEntityId'");
    let missing = agent(&app, "GetTicketMessageEntity", Value::Null).await;
    assert_error(missing, StatusCode::BAD_REQUEST, "ArgumentException", "'ticketMessageEntityId' is required");
    let wrong = agent(&app, "SetTicketMessageImportant", json!({"TicketMessageId": "one", "Important": true})).await;
    assert_error(wrong, StatusCode::BAD_REQUEST, "ArgumentException", "'TicketMessageId'");
    let wrong = agent(&app, "SetTicketMessageImportant", json!({"TicketMessageId": 1, "Important": [true]})).await;
    assert_error(wrong, StatusCode::BAD_REQUEST, "ArgumentException", "'Important'");
    let wrong = agent(&app, "GetTicketMessageEntities", json!({"TicketId": 1, "MessageIds": 7.5})).await;
    assert_error(wrong, StatusCode::BAD_REQUEST, "ArgumentException", "'MessageIds'");
    let wrong = agent(&app, "SaveTicketMessageEntityWithNotify", json!({"NewEntity": [1], "Notify": true})).await;
    assert_error(wrong, StatusCode::BAD_REQUEST, "ArgumentException", "'NewEntity'");
    for body in [json!([1, 2]), json!(42), json!("text"), json!(true)] {
        let scalar = agent(&app, "DeleteTicketMessageEntity", body.clone()).await;
        assert_error(scalar, StatusCode::BAD_REQUEST, "ArgumentException", "DeleteTicketMessageEntityRequest");
        let entity = agent(&app, "SaveTicketMessageEntity", body).await;
        assert_error(entity, StatusCode::BAD_REQUEST, "ArgumentException", "TicketMessageEntity object");
    }
    let many: Vec<i32> = (1..=1001).collect();
    let huge = agent(&app, "GetTicketMessageEntities", json!({"TicketId": 1, "MessageIds": many})).await;
    assert_error(huge, StatusCode::BAD_REQUEST, "ArgumentException", "'MessageIds' holds 1001 items");
    let broken =
        app.send_json(Method::POST, &format!("{AGENT}GetTicketMessageWithOptions"), "{\"TicketMessageEntityId\": ");
    assert_error(app.call(broken).await, StatusCode::BAD_REQUEST, "JsonReaderException", "not valid JSON");
    let no_entity = agent(&app, "SaveTicketMessageEntity", Value::Null).await;
    assert_error(no_entity, StatusCode::BAD_REQUEST, "ArgumentException", "Entity to save");
    let raw = |content_type: &str, body: String| {
        app.request(Method::POST, &format!("{AGENT}DeleteTicketMessageEntity"))
            .header("Content-Type", content_type)
            .header("Accept", "application/json")
            .body(body)
    };
    let entity_bomb = "<!DOCTYPE r [<!ENTITY a \"aaaa\">]><R><TicketMessageEntityId>&a;</TicketMessageEntityId></R>";
    let dtd = app.call(raw("application/xml", entity_bomb.to_owned())).await;
    assert_error(dtd, StatusCode::BAD_REQUEST, "ArgumentException", "DTD");
    let deep = format!("{}1{}", "<a>".repeat(100), "</a>".repeat(100));
    assert_error(app.call(raw("text/xml", deep)).await, StatusCode::BAD_REQUEST, "ArgumentException", "nests deeper");
    let huge =
        app.call(raw("application/json", format!("{{\"TicketMessageEntityId\": \"{}\"}}", "9".repeat(3 << 20)))).await;
    assert_error(huge, StatusCode::PAYLOAD_TOO_LARGE, "RequestEntityTooLargeException", "limit");
    let csv = app.call(raw("text/csv", "1".to_owned())).await;
    assert_error(csv, StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedMediaTypeException", "text/csv");
    assert_eq!(app.get_message(1).await.0, StatusCode::OK, "nothing was deleted");
    // Unknown properties are ignored, as on REST.
    let extra =
        json!({"TicketMessageEntityId": 1, "Frobnicate": {"deep": [1]}, "IncludeNonInlineAttachmentsInfo": false});
    assert_eq!(agent(&app, "GetTicketMessageWithOptions", extra).await.0, StatusCode::OK);
    let before = app.get_message(1).await.1;
    assert_eq!(app.get_message(1).await.1, before, "nothing changed");
}

async fn get_describes_without_calling_and_other_verbs_are_405(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (_, before) = app.get_message(1).await;
    let (status, description) =
        app.call(app.request(Method::GET, &format!("{AGENT}deleteticketmessageentity?TicketMessageEntityId=1"))).await;
    assert_eq!(status, StatusCode::OK, "{description}");
    assert_eq!(description["Method"], "DeleteTicketMessageEntity");
    assert_eq!(description["Returns"], "void");
    assert_eq!(description["Parameters"][0]["Name"], "TicketMessageEntityId");
    assert_eq!(description["Parameters"][0]["Type"], "int32");
    let (_, important) = app.call(app.request(Method::GET, &format!("{AGENT}SetTicketMessageImportant"))).await;
    assert_eq!(important["Parameters"].as_array().map(Vec::len), Some(2));
    assert_eq!(app.get_message(1).await, (StatusCode::OK, before), "GET changed nothing");

    for verb in [Method::PUT, Method::PATCH, Method::DELETE] {
        let response =
            app.request(verb.clone(), &format!("{AGENT}DeleteTicketMessageEntity")).send().await.expect("answered");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{verb}");
        assert_eq!(response.headers()["allow"], "POST", "{verb}");
    }
    assert_eq!(app.get_message(1).await.0, StatusCode::OK);
}

async fn unknown_methods_are_404_and_unoffered_ones_501(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let unknown = agent(&app, "GetTicketMessageEntityPlease", json!({})).await;
    assert_error(unknown, StatusCode::NOT_FOUND, "SoNotFoundException", "");
    for method in [
        "SplitTicketMessage",
        "GetDefaultMessageContent",
        "GetDefaultMessageContentFull",
        "GetDefaultMessageContentWithOptions",
        "CalculateMessageRecipients",
    ] {
        let answer = agent(&app, method, json!({"TicketId": 1})).await;
        assert_error(answer, StatusCode::NOT_IMPLEMENTED, "NotImplementedException", method);
    }
    let anonymous = app.client.post(app.url(&format!("{AGENT}GetTicketMessageEntity?ticketMessageEntityId=1")));
    assert_eq!(anonymous.send().await.expect("answered").status(), StatusCode::UNAUTHORIZED);
}

/// Every TicketAgent message operation of the vendor's contract is in the OpenAPI document under
/// its operation id and with its parameters; the five ticketd does not offer are marked (501).
#[tokio::test]
async fn the_openapi_document_lists_the_vendors_ticket_agent_operations() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let vendor: Value =
        serde_json::from_str(include_str!("../fixtures/Swagger-v1-TicketAgent-messages.json")).expect("vendor Swagger");
    let (_, ours) = app.call(app.client.get(app.url("/api/v1/openapi.json"))).await;
    let names = |params: &Value| -> std::collections::BTreeSet<String> {
        params
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] != "body")
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect()
    };
    let mut checked = 0;
    for (path, item) in vendor["paths"].as_object().expect("paths") {
        let operation = &item["post"];
        let mine = &ours["paths"][path]["post"];
        assert_eq!(mine["operationId"], operation["operationId"], "{path}");
        assert_eq!(names(&mine["parameters"]), names(&operation["parameters"]), "parameters of {path}");
        assert!(ours["paths"][path]["get"].is_object(), "GET {path} describes the method");
        let unoffered = mine["deprecated"] == true;
        assert_eq!(unoffered, mine["responses"]["501"].is_object(), "{path}");
        if !unoffered {
            let answers = if operation["responses"]["204"].is_object() { "204" } else { "200" };
            assert!(mine["responses"][answers].is_object(), "{path} answers {answers}");
        }
        checked += 1;
    }
    assert_eq!(checked, 21, "the vendor's contract has 21 TicketAgent message operations");
    let unoffered =
        ours["paths"].as_object().expect("paths").values().filter(|item| item["post"]["deprecated"] == true).count();
    assert_eq!(unoffered, 5);
}

async fn select_nulls_the_unselected_properties_as_on_rest(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let (_, rest) = app.call(app.request(Method::GET, "/api/v1/TicketMessage/1?$select=Body,Ticket/TicketId")).await;
    let (status, selected) =
        agent(&app, "GetTicketMessageEntity?ticketMessageEntityId=1&$select=Body,Ticket/TicketId", Value::Null).await;
    assert_eq!((status, &selected), (StatusCode::OK, &rest));
    assert_eq!(selected["Author"], Value::Null);
    let (_, listed) =
        agent(&app, "GetTicketMessageEntities?$select=Body", json!({"TicketId": 1, "MessageIds": [1]})).await;
    assert_eq!((listed[0]["Body"].clone(), listed[0]["EjMessageId"].clone()), (rest["Body"].clone(), Value::Null));
}
