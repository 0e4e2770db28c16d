//! (b) Decoding a 200-member page: the generated types (with every quirk handled) against
//! `serde_json::Value` and against a plain serde struct that handles no quirk (the polymorphic
//! fields kept as `Value`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use b24_im::DialogUsersListRequest;
use serde::Deserialize;
use serde_json::Value;

use crate::{fmt_duration, median};

/// What a hand-written client without quirk handling would declare.
#[allow(dead_code)]
#[derive(Deserialize)]
pub struct PlainUser {
    id: u64,
    active: bool,
    name: String,
    first_name: String,
    last_name: String,
    work_position: Option<String>,
    color: String,
    avatar: String,
    avatar_hr: Option<String>,
    gender: String,
    birthday: String,
    extranet: bool,
    network: bool,
    bot: bool,
    connector: bool,
    external_auth_id: String,
    status: String,
    idle: Value,
    last_activity_date: Value,
    mobile_last_date: Value,
    desktop_last_date: Option<Value>,
    absent: Value,
    departments: Vec<u64>,
    phones: Value,
    bot_data: Value,
    #[serde(rename = "type")]
    kind: Option<String>,
    website: Option<String>,
    email: Option<String>,
}

/// The envelope around plain users.
#[allow(dead_code)]
#[derive(Deserialize)]
pub struct PlainPage {
    pub result: Vec<PlainUser>,
    total: Option<i64>,
    next: Option<u64>,
    time: Option<Value>,
}

/// A realistic 200-member page, as the emulator serves it (values or `false`, phones, bots...).
pub fn page() -> Vec<u8> {
    let portal = b24_emulator::Portal::generate(b24_emulator::portal::Shape {
        seed: 1,
        webhook_user: 1,
        dialog_size: None,
        hidden_pct: 0.0,
    });
    let users: Vec<Value> = portal
        .users
        .iter()
        .cycle()
        .take(200)
        .map(|u| {
            serde_json::to_value(b24_emulator::methods::render::user(&portal, u))
                .unwrap_or_default()
        })
        .collect();
    let body = serde_json::json!({
        "result": users,
        "next": 200,
        "total": 20000,
        "time": {"start": 1_772_477_165.0, "finish": 1_772_477_165.27, "duration": 0.27, "processing": 0.07,
                 "date_start": "2026-03-02T17:46:05+02:00", "date_finish": "2026-03-02T17:46:05+02:00",
                 "operating_reset_at": 1_772_477_765, "operating": 3.5}
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

fn time<F: FnMut()>(iterations: u32, mut f: F) -> Duration {
    let started = Instant::now();
    for _ in 0..iterations {
        f();
    }
    started.elapsed() / iterations
}

/// Runs (b).
///
/// # Errors
/// When a variant fails to decode the page.
pub fn run(quick: bool) -> Result<(), String> {
    let body = page();
    // Every variant must decode the page before it is timed.
    let typed = b24_core::decode_response::<DialogUsersListRequest>(Some(200), &body)
        .map_err(|e| e.to_string())?;
    let plain: PlainPage = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    if typed.result.len() != 200 || plain.result.len() != 200 {
        return Err("the page does not hold 200 users".into());
    }
    let (rounds, iterations) = if quick { (9, 50) } else { (31, 200) };
    let mut generated = Vec::new();
    let mut value = Vec::new();
    let mut plain = Vec::new();
    for _ in 0..rounds {
        generated.push(time(iterations, || {
            black_box(
                b24_core::decode_response::<DialogUsersListRequest>(Some(200), black_box(&body))
                    .ok(),
            );
        }));
        value.push(time(iterations, || {
            black_box(serde_json::from_slice::<Value>(black_box(&body)).ok());
        }));
        plain.push(time(iterations, || {
            black_box(serde_json::from_slice::<PlainPage>(black_box(&body)).ok());
        }));
    }
    let (g, v, p) = (median(generated), median(value), median(plain));
    println!("## (b) decoding a 200-member page ({} bytes)\n", body.len());
    println!("{rounds} interleaved rounds of {iterations} decodes each; medians per decode.\n");
    println!("| decoder | time per page | vs generated |");
    println!("|---|---|---|");
    println!(
        "| generated types (`decode_response::<DialogUsersListRequest>`) | {} | 1.00 |",
        fmt_duration(g)
    );
    println!(
        "| `serde_json::Value` | {} | {:.2} |",
        fmt_duration(v),
        v.as_secs_f64() / g.as_secs_f64()
    );
    println!(
        "| plain serde struct, no quirk handling | {} | {:.2} |",
        fmt_duration(p),
        p.as_secs_f64() / g.as_secs_f64()
    );
    let vs_value = g.as_secs_f64() / v.as_secs_f64();
    let vs_plain = g.as_secs_f64() / p.as_secs_f64();
    println!();
    println!(
        "- generated / Value = **{vs_value:.2}** (target ≤ 0.70): {}",
        verdict(vs_value <= 0.70)
    );
    println!(
        "- generated / plain struct = **{vs_plain:.2}** (target ≤ 1.10): {}",
        verdict(vs_plain <= 1.10)
    );
    Ok(())
}

/// `met` or `missed`.
pub fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "missed" }
}
