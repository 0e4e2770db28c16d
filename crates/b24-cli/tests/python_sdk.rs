//! `b24 emulate --tls` serves the official Python SDK (`b24pysdk`, installed from PyPI into a
//! virtualenv under `target/`): the members of a chat paged to the end, a message sent, a
//! batch and an error, over HTTPS verified against the CA file the emulator prints.
//!
//! Without `python3` (or without PyPI) the test says so loudly and passes; with
//! `B24_REQUIRE_PYTHON=1` (set by `.ci/run`) that is a failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// The version the test was written against.
const B24PYSDK: &str = "b24pysdk==1.3.2";

fn required() -> bool {
    std::env::var("B24_REQUIRE_PYTHON").is_ok_and(|v| v == "1")
}

/// Skips the test (loudly), or fails it when Python is required.
fn skip(why: &str) {
    assert!(!required(), "B24_REQUIRE_PYTHON=1 but {why}");
    eprintln!(
        "\n*** SKIPPED python_sdk: {why} (set B24_REQUIRE_PYTHON=1 to make this a failure) ***\n"
    );
}

/// The virtualenv's python with b24pysdk installed, made on first use.
fn python_with_sdk() -> Result<PathBuf, String> {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("b24pysdk-venv");
    let python = venv.join("bin/python");
    let has_sdk = |python: &Path| {
        Command::new(python)
            .args(["-c", "import b24pysdk"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if has_sdk(&python) {
        return Ok(python);
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .map_err(|e| format!("python3 is missing ({e})"))?;
    if !made.status.success() {
        return Err(format!(
            "python3 cannot make a virtualenv: {}",
            String::from_utf8_lossy(&made.stderr)
        ));
    }
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            B24PYSDK,
        ])
        .output()
        .map_err(|e| format!("pip did not run: {e}"))?;
    if !installed.status.success() || !has_sdk(&python) {
        return Err(format!(
            "pip could not install {B24PYSDK}: {}",
            String::from_utf8_lossy(&installed.stderr)
        ));
    }
    Ok(python)
}

/// `b24 emulate --tls`, stopped when dropped.
struct Emulate(Child);

impl Drop for Emulate {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_official_python_sdk_runs_against_the_tls_emulator() {
    let python = match python_with_sdk() {
        Ok(python) => python,
        Err(why) => return skip(&why),
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    let mut child = Command::new(env!("CARGO_BIN_EXE_b24"))
        .args(["emulate", "--tls", "--dialog-size", "120", "--ca-file"])
        .arg(&ca_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _emulate = Emulate(child);
    let mut lines = BufReader::new(stdout).lines();
    let url = lines.next().unwrap().unwrap();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let tls_line = lines
        .map_while(Result::ok)
        .find(|line| line.starts_with("# TLS:"))
        .unwrap();
    let ca = ca_file.to_string_lossy();
    assert!(
        tls_line.contains(&format!("REQUESTS_CA_BUNDLE={ca}"))
            && tls_line.contains(&format!("NODE_EXTRA_CA_CERTS={ca}")),
        "{tls_line}"
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/b24pysdk_client.py");

    // Trusting the CA the emulator wrote, the SDK runs as against a portal.
    let out = Command::new(&python)
        .arg(&script)
        .arg(&url)
        .env("REQUESTS_CA_BUNDLE", &ca_file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut members: Vec<u64> = seen["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_u64().unwrap())
        .collect();
    assert_eq!(members.len(), 120, "{seen}");
    members.sort_unstable();
    members.dedup();
    assert_eq!(members.len(), 120, "each member once: {seen}");
    assert_eq!(seen["pages"], 3, "50 + 50 + 20");
    assert_eq!(seen["total"], 120);
    assert!(
        seen["message_id"].as_u64().is_some_and(|id| id > 0),
        "{seen}"
    );
    assert_eq!(seen["batch_first"].as_array().unwrap().len(), 2, "{seen}");
    assert!(
        seen["batch_counters"]
            .as_array()
            .unwrap()
            .contains(&Value::from("TYPE")),
        "{seen}"
    );
    assert_eq!(seen["error"]["code"], "ACCESS_ERROR");
    assert_eq!(seen["error"]["status"], 403);

    // Without it, the certificate is refused: the connection really is verified TLS.
    let untrusted = Command::new(&python)
        .arg(&script)
        .arg(&url)
        .env_remove("REQUESTS_CA_BUNDLE")
        .env_remove("SSL_CERT_FILE")
        .output()
        .unwrap();
    assert!(!untrusted.status.success());
    assert!(
        String::from_utf8_lossy(&untrusted.stderr).contains("CERTIFICATE_VERIFY_FAILED"),
        "{}",
        String::from_utf8_lossy(&untrusted.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
