//! `im.v2.Event.subscribe` / `im.v2.Event.get` as the server notes describe them: recording only
//! for subscribers, `offset` acknowledges (deletes) what is below it, `nextOffset` = max(offset,
//! last id + 1), `hasMore` = (events returned ≥ limit), camelCase parameters matched as sent.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use b24_core::Method;
use b24_im::{ImEventType, V2EventGetRequest, V2EventSubscribeRequest};
use serde_json::{Value, json};

async fn events(emu: &b24_emulator::Emulator, params: Value) -> Value {
    let (status, body) = common::call_raw(emu, V2EventGetRequest::INFO.name, params).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let typed = common::decode::<V2EventGetRequest>(status, &body);
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        typed.result.events.len(),
        json["result"]["events"].as_array().unwrap().len()
    );
    json["result"].clone()
}

fn ids(page: &Value) -> Vec<u64> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventId"].as_u64().unwrap())
        .collect()
}

async fn say(emu: &b24_emulator::Emulator, text: &str) {
    let (status, body) = common::call(
        emu,
        "im.message.add",
        json!({"DIALOG_ID": "chat2", "MESSAGE": text}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn events_are_recorded_for_subscribers_and_acknowledged_by_offset() {
    let emu = common::start(common::unlimited()).await;
    say(&emu, "before the subscription").await;
    assert_eq!(
        ids(&events(&emu, json!({})).await),
        Vec::<u64>::new(),
        "nothing recorded unsubscribed"
    );

    let (status, body) =
        common::call_raw(&emu, V2EventSubscribeRequest::INFO.name, json!({})).await;
    assert!(common::decode::<V2EventSubscribeRequest>(status, &body).result);
    let (_, again) = common::call(&emu, V2EventSubscribeRequest::INFO.name, json!({})).await;
    assert_eq!(again["result"], true, "idempotent");
    for text in ["one", "two", "three", "four"] {
        say(&emu, text).await;
    }

    let all = events(&emu, json!({})).await;
    let every = ids(&all);
    assert_eq!(every.len(), 4, "{all}");
    assert_eq!(all["hasMore"], false);
    let first = &all["events"][0];
    assert_eq!(first["type"], "ONIMV2MESSAGEADD");
    assert_eq!(first["data"]["message"]["text"], "one");
    assert_eq!(first["data"]["user"]["id"], 1);
    assert_eq!(
        first["data"]["user"]["idle"], false,
        "online status is always false in events"
    );
    assert!(
        first["data"]["user"].get("firstName").is_some()
            && first["data"]["user"].get("network").is_none()
    );

    // Case matters for a D7 controller: `LIMIT` is not `limit`.
    assert_eq!(ids(&events(&emu, json!({"LIMIT": 1})).await).len(), 4);

    let page = events(&emu, json!({"limit": 2})).await;
    assert_eq!(ids(&page), every[..2]);
    assert_eq!(
        (page["hasMore"].clone(), page["nextOffset"].as_u64()),
        (json!(true), Some(every[1] + 1))
    );
    let page = events(&emu, json!({"limit": 2, "offset": page["nextOffset"]})).await;
    assert_eq!(ids(&page), every[2..]);
    assert_eq!(page["hasMore"], true, "hasMore is only `returned >= limit`");
    let next = page["nextOffset"].as_u64().unwrap();
    assert_eq!(next, every[3] + 1);
    let end = events(&emu, json!({"limit": 2, "offset": next})).await;
    assert_eq!(
        (
            ids(&end),
            end["nextOffset"].as_u64(),
            end["hasMore"].clone()
        ),
        (vec![], Some(next), json!(false))
    );
    // Everything below `next` was acknowledged, for good.
    assert_eq!(ids(&events(&emu, json!({})).await), Vec::<u64>::new());
    assert_eq!(emu.with_portal(|p| p.events.len()), 0);

    // The documented example decodes with the same types.
    let typed = common::decode::<V2EventGetRequest>(
        200,
        include_bytes!("../../../spec/im/examples/v2.Event.get.json"),
    );
    assert_eq!(
        typed.result.events[0].kind,
        Some(ImEventType::Onimv2messageadd)
    );
}
