//! The outbox contract of the store, on SQLite and PostgreSQL alike: what a notifying save
//! queues, and how claims, leases, settling, reviving and purging behave.

use std::time::Duration;

use ticketd::domain::notification::ChannelSet;
use ticketd::domain::notification::{Channel, DeliveryStatus};
use ticketd::store::outbox::DeliveryResult;
use ticketd::store::{NewAssociate, SaveContext, StoreError};

use crate::helpers::{Backend, on_both_backends};
use crate::store_suite::{Fixture, ctx, draft, fixture};

on_both_backends!(followers_are_managed_and_queued_for, claims_are_exclusive_until_settled_released_or_expired);

async fn with_follower(backend: Backend) -> Option<(Fixture, i32)> {
    let f = fixture(backend).await?;
    let follower = NewAssociate { login: "Follower".into(), email: "f@example.com".into(), ..Default::default() };
    let id = f.store.add_associate(&follower).await.expect("associate");
    f.store.set_following("follower", f.ticket, true).await.expect("follow");
    f.store.add_webhook("http://127.0.0.1:9/hook", "ticketmessage.*", "whsec_k").await.expect("webhook");
    Some((f, id))
}

/// A notifying save with e-mail configured.
fn mailing(f: &Fixture) -> SaveContext {
    SaveContext { channels: ChannelSet { email: true }, ..ctx(f, true) }
}

async fn followers_are_managed_and_queued_for(backend: Backend) {
    let Some((f, follower)) = with_follower(backend).await else { return };
    f.store.set_following("FOLLOWER", f.ticket, true).await.expect("following twice is harmless");
    assert_eq!(f.store.followers(f.ticket).await.expect("followers"), vec![follower]);
    assert!(matches!(f.store.set_following("nobody", f.ticket, true).await, Err(StoreError::NotFound)));
    assert!(matches!(f.store.set_following("follower", 999, true).await, Err(StoreError::NotFound)));

    let id = f.store.create_message(&draft(&f, "hei"), ctx(&f, true)).await.expect("created");
    let rows = f.store.outbox(None, 10).await.expect("outbox");
    let mut kinds: Vec<(Channel, Option<i32>)> = rows.iter().map(|r| (r.channel, r.recipient_id)).collect();
    kinds.sort_by_key(|(channel, _)| channel.code());
    // The owner saved, so only the follower hears of it (no e-mail channel configured here).
    assert_eq!(kinds, vec![(Channel::Webhook, None), (Channel::Stream, Some(follower))]);
    let streamed = f.store.stream_after(follower, 0, 10).await.expect("stream");
    assert_eq!(streamed.iter().map(|item| item.id).collect::<Vec<_>>(), vec![1], "the follower's first stream number");
    f.store.create_message(&draft(&f, "mer"), mailing(&f)).await.expect("created");
    let streamed = f.store.stream_after(follower, 1, 10).await.expect("stream");
    assert_eq!(streamed.iter().map(|item| item.id).collect::<Vec<_>>(), vec![2]);
    assert_eq!(f.store.outbox(None, 10).await.expect("outbox").len(), 5, "stream, e-mail and webhook rows");
    assert!(rows.iter().all(|r| r.message_id == id && r.event == "ticketmessage.created"));

    f.store.set_following("follower", f.ticket, false).await.expect("unfollow");
    f.store.update_message(id, &draft(&f, "igjen"), mailing(&f)).await.expect("updated");
    assert_eq!(f.store.outbox(None, 10).await.expect("outbox").len(), 6, "only the webhook row is added");
    assert_eq!(f.store.last_stream_id(follower).await.expect("last"), 2);
}

async fn claims_are_exclusive_until_settled_released_or_expired(backend: Backend) {
    let Some((f, _)) = with_follower(backend).await else { return };
    let minute = Duration::from_secs(60);
    f.store.create_message(&draft(&f, "a"), mailing(&f)).await.expect("created");
    let claimed = f.store.claim_deliveries("w1", 10, minute).await.expect("claim");
    assert_eq!(claimed.len(), 2);
    assert!(claimed.iter().all(|d| d.row.attempts == 1));
    let hook = claimed.iter().find(|d| d.row.channel == Channel::Webhook).expect("webhook row");
    assert_eq!(hook.webhook.as_ref().map(|w| w.secret.as_str()), Some("whsec_k"));
    assert!(f.store.claim_deliveries("w2", 10, minute).await.expect("claim").is_empty(), "claimed rows are taken");

    let (first, second) = (claimed[0].row.id, claimed[1].row.id);
    f.store.finish_delivery(first, "w2", &DeliveryResult::Delivered).await.expect("finish");
    assert_eq!(status_of(&f, first).await, DeliveryStatus::Pending, "only the claim holder settles a row");
    f.store.finish_delivery(first, "w1", &DeliveryResult::Delivered).await.expect("finish");
    assert_eq!(status_of(&f, first).await, DeliveryStatus::Delivered);

    assert_eq!(f.store.release_claims(Some("w1")).await.expect("release"), 1);
    let again = f.store.claim_deliveries("w2", 10, Duration::from_millis(1)).await.expect("claim");
    assert_eq!(
        again.iter().map(|d| (d.row.id, d.row.attempts)).collect::<Vec<_>>(),
        vec![(second, 1)],
        "release does not count"
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    let after_expiry = f.store.claim_deliveries("w3", 10, minute).await.expect("claim");
    assert_eq!(
        after_expiry.iter().map(|d| (d.row.id, d.row.attempts)).collect::<Vec<_>>(),
        vec![(second, 2)],
        "an expired claim is free"
    );

    let later = chrono::Utc::now().naive_utc() + chrono::Duration::hours(1);
    f.store
        .finish_delivery(second, "w3", &DeliveryResult::Retry { error: "503".into(), at: later })
        .await
        .expect("retry");
    assert!(f.store.claim_deliveries("w4", 10, minute).await.expect("claim").is_empty(), "not due before its time");
    f.store.release_claims(None).await.expect("release all");
    let dead = DeliveryResult::Dead { error: "gone".into() };
    f.store.create_message(&draft(&f, "b"), mailing(&f)).await.expect("created");
    for delivery in f.store.claim_deliveries("w5", 10, minute).await.expect("claim") {
        f.store.finish_delivery(delivery.row.id, "w5", &dead).await.expect("dead");
    }
    assert_eq!(f.store.outbox(Some(DeliveryStatus::Dead), 10).await.expect("dead rows").len(), 2);
    assert_eq!(f.store.retry_outbox(None).await.expect("revive"), 2);
    let revived = f.store.claim_deliveries("w6", 10, minute).await.expect("claim");
    assert_eq!(revived.len(), 2);
    assert!(revived.iter().all(|d| d.row.attempts == 1 && d.row.last_error.is_empty()));

    let tomorrow = chrono::Utc::now().naive_utc() + chrono::Duration::days(1);
    // The delivered e-mail row and both (delivered) stream rows go; the three pending stay.
    assert_eq!(f.store.purge_outbox(tomorrow).await.expect("purge"), 3);
    let counts = f.store.outbox_counts().await.expect("counts");
    assert_eq!(counts.iter().map(|c| c.rows).sum::<i64>(), 3);
}

async fn status_of(f: &Fixture, id: i64) -> DeliveryStatus {
    let rows = f.store.outbox(None, 100).await.expect("outbox");
    rows.into_iter().find(|r| r.id == id).map(|r| r.status).expect("row exists")
}
