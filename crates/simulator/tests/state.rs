//! `--state FILE`: the account and threads survive a restart of the real binary.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(state: &std::path::Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_flowyte-simulator"))
        .args(["--addr", "127.0.0.1:0", "--pace-ms", "0", "--state"])
        .arg(state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("simulator listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    Running { child, base }
}

async fn ask(base: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/assist"))
        .bearer_auth(flowyte_simulator::DEV_KEY)
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn changes_and_threads_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sim.json");
    let first = spawn(&file);
    assert!(
        file.exists(),
        "a missing state file is created with the seed"
    );
    let created = ask(
        &first.base,
        json!({"message": "create an agent called “Front Desk”"}),
    )
    .await;
    let thread = created["threadId"].as_str().unwrap().to_owned();
    let proposed = ask(
        &first.base,
        json!({"message": "release the number ending 4421", "threadId": thread}),
    )
    .await;
    drop(first);

    let second = spawn(&file);
    let account: Value = reqwest::get(format!("{}/__sim/account", second.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        account["agents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "Front Desk")
    );
    // The pending approval from before the restart still runs, once.
    let approved = ask(
        &second.base,
        json!({
            "message": "release the number ending 4421",
            "threadId": thread,
            "confirmed": proposed["pendingConfirmations"],
        }),
    )
    .await;
    assert_eq!(
        approved["appliedMutations"][0]["operationId"], "releaseNumber",
        "{approved}"
    );
    drop(second);
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        saved["threads"][&thread]["messages"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
}

#[test]
fn a_state_file_that_is_not_one_stops_the_simulator_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(&file, "{\"account\": 1").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_flowyte-simulator"))
        .args(["--addr", "127.0.0.1:0", "--state"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not a simulator state file"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"account\": 1",
        "left untouched"
    );
}
