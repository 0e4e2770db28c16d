//! Build a request and decode a response with the generated `im` types.
//!
//! `cargo run -p b24-im --example decode_users [RESPONSE.json]` (default: the documented example).

use b24_core::{DialogId, Method, decode_response};
use b24_im::DialogUsersListRequest;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Required parameters go to `new`, optional ones to setters.
    let request = DialogUsersListRequest::new(DialogId::Chat(2935))
        .skip_external(true)
        .limit(200);
    println!(
        "{} {}",
        <DialogUsersListRequest as Method>::INFO.name,
        serde_json::to_string(&request)?
    );

    // A response body decodes into typed users, or a typed error naming the JSON path.
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../spec/im/examples/dialog.users.list.json"
        )
        .to_owned()
    });
    let body = std::fs::read(path)?;
    let response = decode_response::<DialogUsersListRequest>(Some(200), &body)?;
    for user in &response.result {
        // Only the id is always there; older servers omit other fields, so they are Options.
        // `idle` is "datetime or false" on the wire: `None` when not idle.
        let name = user.name.as_deref().unwrap_or("(no name)");
        println!("{:>6} {name:<24} idle since {:?}", user.id, user.idle);
    }
    for skipped in &response.skipped {
        eprintln!("{skipped}"); // entries that did not fit, left out of `result`
    }
    println!(
        "total {:?}, next page at {:?}",
        response.total, response.next
    );
    Ok(())
}
