//! (f) Peak memory of a 100 MB upload (`im.v2.File.upload`), per way of sending it.
//!
//! Each variant runs in a child process of its own (this binary with `--upload-worker`), so
//! its peak resident memory (`VmHWM` of `/proc/self/status`) is the client's alone; the
//! emulator it uploads to runs in the parent. Variants:
//! - `path`: `Upload::path`, the helper reading the file in chunks;
//! - `bytes`: the file read into memory first, then `Upload::bytes`;
//! - `naive`: the file read into memory, Base64-encoded into a `String`, put in the typed
//!   request and sent with `client.call` (the body is a third copy).

use std::time::Instant;

use b24_client::Client;
use b24_client::files::Upload;
use b24_core::DialogId;

const VARIANTS: [&str; 3] = ["path", "bytes", "naive"];

/// A field of `/proc/self/status` in bytes (`VmHWM`, `VmRSS`); 0 where it is not available.
fn status_bytes(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':').map(str::to_owned))
        })
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// `--upload-worker VARIANT WEBHOOK_URL PATH CHAT`: uploads once and prints
/// `baseline_rss peak_hwm seconds`.
pub fn worker_main(args: &[String]) -> std::process::ExitCode {
    let [variant, url, path, chat] = args else {
        eprintln!("usage: --upload-worker VARIANT WEBHOOK_URL PATH CHAT");
        return std::process::ExitCode::from(2);
    };
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(upload_once(variant, url, path, chat)));
    match outcome {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("upload worker: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn upload_once(variant: &str, url: &str, path: &str, chat: &str) -> Result<String, String> {
    let client = Client::builder()
        .webhook(url)
        .map_err(|e| e.to_string())?
        .unlimited()
        .timeout(std::time::Duration::from_secs(600))
        .build()
        .map_err(|e| e.to_string())?;
    let dialog = DialogId::Chat(chat.parse().map_err(|_| "bad chat id".to_owned())?);
    let baseline = status_bytes("VmRSS");
    let started = Instant::now();
    match variant {
        "path" => {
            client
                .upload_file(Upload::path(dialog, path), |_, _| {})
                .await
                .map_err(|e| e.to_string())?;
        }
        "bytes" => {
            let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
            client
                .upload_file(Upload::bytes(dialog, "bench.bin", &bytes), |_, _| {})
                .await
                .map_err(|e| e.to_string())?;
        }
        _ => {
            use base64::Engine as _;
            let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
            let content = base64::engine::general_purpose::STANDARD.encode(&bytes);
            let request = b24_im::V2FileUploadRequest::new(
                dialog,
                b24_im::FileUploadFields::new("bench.bin", content),
            );
            client.call(&request).await.map_err(|e| e.to_string())?;
        }
    }
    Ok(format!(
        "{baseline} {} {:.3}",
        status_bytes("VmHWM"),
        started.elapsed().as_secs_f64()
    ))
}

/// Runs every variant in a child process against one emulator and prints the table.
///
/// # Errors
/// When the emulator, the file or a child fails.
pub async fn run(quick: bool) -> Result<(), String> {
    let size: usize = if quick { 20 } else { 100 } * 1024 * 1024;
    let emu = crate::free_emulator(b24_emulator::Bucket::OFF, 50).await?;
    let chat = emu
        .with_portal(|p| {
            p.chats
                .iter()
                .find(|c| c.kind == "chat" && c.members.iter().any(|r| r.user_id == 1))
                .map(|c| c.id)
        })
        .ok_or("no chat with the webhook user")?;
    let dir = std::env::temp_dir().join(format!("b24-bench-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("bench.bin");
    let content: Vec<u8> = (0..size)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &content).map_err(|e| e.to_string())?;
    drop(content);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    println!(
        "## (f) peak memory of a {} MB upload (im.v2.File.upload, client process alone)\n",
        size / (1024 * 1024)
    );
    println!(
        "| variant | peak RSS (VmHWM) | RSS before | peak − before | (peak − before) / file size | time |"
    );
    println!("|---|---|---|---|---|---|");
    let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
    for variant in VARIANTS {
        let output = tokio::process::Command::new(&exe)
            .arg("--upload-worker")
            .arg(variant)
            .arg(emu.webhook_url())
            .arg(&path)
            .arg(chat.to_string())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(format!(
                "{variant}: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let fields: Vec<f64> = text
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
        let [baseline, peak, seconds] = fields.as_slice() else {
            return Err(format!("{variant}: unexpected output `{text}`"));
        };
        let growth = (peak - baseline).max(0.0);
        println!(
            "| {variant} | {:.1} MB | {:.1} MB | {:.1} MB | {:.2}× | {seconds:.2} s |",
            mb(*peak as u64),
            mb(*baseline as u64),
            mb(growth as u64),
            growth / size as f64
        );
    }
    std::fs::remove_dir_all(&dir).ok();
    emu.shutdown().await;
    Ok(())
}
