//! The OData list at scale: 1,000,000 messages in a SQLite file, filtered and ordered pages
//! fetched over HTTP, against two baselines in the same run — the same query through the store
//! without HTTP, and a single-message GET over HTTP.
//!
//! Run: `cargo bench --bench odata_list` (set `ODATA_BENCH_ROWS` for another size).

use std::time::{Duration, Instant};

use sqlx::ConnectOptions as _;
use ticketd::app::{Application, Settings};
use ticketd::negotiate::odata::parse_list_request;

const SAMPLES: usize = 60;
const QUERIES: [(&str, &str); 5] = [
    ("one ticket, newest first", "$filter=ticketId%20eq%20500&$orderBy=createdAt%20desc&$top=50"),
    (
        "one author since a date",
        "$filter=createdBy%20eq%202%20and%20createdAt%20ge%20'2025-06-01'&$orderBy=createdAt%20desc&$top=100",
    ),
    ("newest page of all", "$orderBy=createdAt%20desc&$top=100"),
    ("deep page by id", "$filter=ejMessageId%20gt%20900000&$top=100&$skip=200"),
    ("substring search (full scan)", "$filter=searchTitle%20contains%20'case%20424242'&$top=20"),
];

#[tokio::main]
async fn main() {
    ticketd::notify::install_crypto_provider();
    let rows: i64 = std::env::var("ODATA_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("odata.db").display());
    let store = ticketd::store::connect(&url).await.expect("store");
    ticketd::app::seed_demo_data(store.as_ref()).await.expect("demo data");
    let seeded = Instant::now();
    seed(&url, rows).await;
    eprintln!("seeded {rows} messages in {:.1} s", seeded.elapsed().as_secs_f64());

    let mut settings = Settings {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: url.clone().into(),
        ..Settings::default()
    };
    settings.delivery.no_dispatch = true;
    let server = Application::build(settings).await.expect("server");
    let base = format!("http://{}/api/v1/TicketMessage", server.local_addr().expect("addr"));
    tokio::spawn(server.run_until_stopped(std::future::pending()));
    let client = reqwest::Client::new();
    let get = |path: String| {
        let request =
            client.get(path).header("Authorization", "Basic dGplMDpUamUw").header("Accept", "application/json");
        async move {
            let response = request.send().await.expect("answered");
            assert!(response.status().is_success(), "{}", response.status());
            response.bytes().await.expect("body").len()
        }
    };

    let single = median(SAMPLES, || get(format!("{base}/5"))).await;
    println!("{rows} messages; median of {SAMPLES} sequential requests each\n");
    println!("| query | over HTTP (ms) | store only (ms) | HTTP ÷ store | HTTP ÷ single GET |");
    println!("|---|---|---|---|---|");
    for (label, query) in QUERIES {
        let http = median(SAMPLES, || get(format!("{base}?{query}"))).await;
        let list = parse_list_request(query).expect("query parses").query;
        let direct = median(SAMPLES, || {
            let (store, list) = (store.clone(), list.clone());
            async move { store.list_messages(&list, list.top + 1, None).await.expect("list").len() }
        })
        .await;
        println!(
            "| {label} | {:.2} | {:.2} | {:.2} | {:.1} |",
            ms(http),
            ms(direct),
            http.as_secs_f64() / direct.as_secs_f64(),
            http.as_secs_f64() / single.as_secs_f64()
        );
    }
    println!("\nsingle-message GET over HTTP: {:.2} ms", ms(single));
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The median time of `samples` runs, after a few warm-up runs.
async fn median<F, Fut, T>(samples: usize, mut run: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    for _ in 0..3 {
        run().await;
    }
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        std::hint::black_box(run().await);
        times.push(started.elapsed());
    }
    times.sort();
    times[samples / 2]
}

/// 1,000 tickets and `rows` messages spread over them, three authors and two years, written
/// with one recursive statement each.
async fn seed(url: &str, rows: i64) {
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().expect("url");
    let mut conn = options.connect().await.expect("connect");
    sqlx::raw_sql(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) \
         INSERT INTO tickets (title, created_at, last_changed, created_by, owned_by, category_name, priority_name) \
         SELECT 'Ticket ' || i, 0, 0, 1, 1 + i % 3, '', '' FROM n",
    )
    .execute(&mut conn)
    .await
    .expect("tickets");
    // 2024-01-01 in .NET ticks, plus about a minute per message.
    let start_ticks: i64 = 638_396_640_000_000_000;
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
         INSERT INTO ticket_messages (ticket_id, created_at, created_by, author, slevel, message_type, message_id, \
         time_spent, body, html_body, email_header, debug_info, mail_sorter, category, person_id, search_title, \
         important, language, sentiment, sentiment_confidence, badge, updated_at) \
         SELECT 3 + i % 1000, {start_ticks} + i * 600000000, 1 + i % 3, 'Author ' || (i % 97), 1, 1, '', 0, \
         'Body of message ' || i || ' about case ' || (i * 7 % 1000003), '', '', '', '', 1, NULL, \
         'case ' || (i * 7 % 1000003), FALSE, 'no', 0, 0, 0, 0 FROM n"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("messages");
    sqlx::raw_sql("ANALYZE").execute(&mut conn).await.expect("analyze");
}
