//! Webhook deliveries of bot events: after a call, what it queued in the portal's outbox is
//! POSTed, in order, to the bots' loopback URLs (plain HTTP/1.1, one connection per POST). The
//! platform expects HTTP 200 and does not retry, so neither does the emulator.

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::portal::bots::Outgoing;

/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// POSTs every delivery in order, in the background.
pub(crate) fn send_all(outgoing: Vec<Outgoing>) {
    if outgoing.is_empty() {
        return;
    }
    tokio::spawn(async move {
        for item in outgoing {
            // A receiver that is slow or gone loses the event, as on the platform.
            let _ = tokio::time::timeout(TIMEOUT, post(&item)).await;
        }
    });
}

/// `host:port` and path of a plain-http URL.
fn split(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (rest.get(..i)?, rest.get(i..)?),
        None => (rest, "/"),
    };
    let authority = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
    {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    Some((authority, path.to_owned()))
}

async fn post(item: &Outgoing) {
    // Only plain http is delivered (register accepts loopback URLs only).
    let Some((authority, path)) = split(&item.url) else {
        return;
    };
    let Ok(mut stream) = TcpStream::connect(authority.replace("localhost", "127.0.0.1")).await
    else {
        return;
    };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        item.content_type,
        item.body.len()
    );
    if stream.write_all(head.as_bytes()).await.is_err()
        || stream.write_all(item.body.as_bytes()).await.is_err()
    {
        return;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn urls_split_into_authority_and_path() {
        assert_eq!(
            split("http://127.0.0.1:8080/hook?CLIENT_ID=x"),
            Some(("127.0.0.1:8080".into(), "/hook?CLIENT_ID=x".into()))
        );
        assert_eq!(
            split("http://localhost"),
            Some(("localhost:80".into(), "/".into()))
        );
        assert_eq!(split("https://127.0.0.1/"), None);
    }
}
