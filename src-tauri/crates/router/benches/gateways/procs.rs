//! The gateways as processes: how each is installed and started (the peers exactly as
//! the interop suite does it: tests/interop/{venv,portkey}.sh), when it is ready, its
//! process tree's memory, and stopping the whole tree.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::load::Target;

/// The upstream key every gateway is given; the mock ignores it.
pub const UPSTREAM_KEY: &str = "sk-bench-upstream-0000";

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// A started gateway: its process (group), what it is, and how to call it.
pub struct Gateway {
    child: Child,
    pub pid: u32,
    pub version: String,
    pub log: PathBuf,
    pub target: Arc<Target>,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        // The gateway leads its own process group: end the group, the workers with it.
        let group = format!("-{}", self.pid);
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

impl Gateway {
    pub fn new(child: Child, pid: u32, version: String, log: PathBuf, target: Arc<Target>) -> Self {
        Self {
            child,
            pid,
            version,
            log,
            target,
        }
    }

    pub fn log_tail(&self) -> String {
        tail(&self.log)
    }
}

fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// A gateway's environment: the upstream key and nothing that would send calls elsewhere.
pub fn command(program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
    let mut c = Command::new(program);
    for var in [
        "OPENAI_BASE_URL",
        "OPENAI_API_BASE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        c.env_remove(var);
    }
    c.env("OPENAI_API_KEY", UPSTREAM_KEY)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .current_dir(dir)
        .stdin(Stdio::null())
        .process_group(0);
    c
}

pub fn spawn(mut cmd: Command, log: &Path) -> Result<Child, String> {
    let out =
        std::fs::File::create(log).map_err(|e| format!("cannot write {}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    cmd.stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))
}

pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

fn secret(prefix: &str) -> String {
    let mut s = String::from(prefix);
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(Instant::now().elapsed().as_nanos());
        s.push_str(&format!("{:016x}", h.finish()));
    }
    s
}

/// The status of `GET path`, or None when nothing answers.
fn get_status(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    String::from_utf8_lossy(&buf[..n])
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}

/// Waits until `GET path` answers 200.
fn wait_http(
    child: &mut Child,
    log: &Path,
    port: u16,
    path: &str,
    within: Duration,
) -> Result<(), String> {
    let start = Instant::now();
    while start.elapsed() < within {
        if get_status(port, path) == Some(200) {
            return Ok(());
        }
        if let Ok(Some(code)) = child.try_wait() {
            return Err(format!(
                "it exited ({code}) before it was ready:\n{}",
                tail(log)
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("not ready within {within:?}:\n{}", tail(log)))
}

/// A LiteLLM `config.yaml` with the one alias every gateway serves.
fn litellm_config(dir: &Path, mock_port: u16, extra: &str) -> Result<PathBuf, String> {
    let file = dir.join("bench-config.yaml");
    let text = format!(
        "model_list:\n  - model_name: bench\n    litellm_params:\n      model: openai/bench-model\n      api_base: http://127.0.0.1:{mock_port}/v1\n      api_key: os.environ/OPENAI_API_KEY\n{extra}"
    );
    std::fs::write(&file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(file)
}

// ---------------------------------------------------------------------------------
// switchboard serve

/// The release `switchboard` binary: `SWITCHBOARD_BENCH_SERVE_BIN`, or built here
/// (`cargo build --release -p switchboard-cli`) beside this bench's own binary.
pub fn switchboard_bin() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("SWITCHBOARD_BENCH_SERVE_BIN") {
        return Ok(PathBuf::from(bin));
    }
    // The bench runs from <target>/release/deps/; the binary lands in <target>/release/.
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("switchboard"))
        .ok_or("cannot tell the target folder from this bench's path")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("gateways: building the release switchboard binary (cargo build --release --locked -p switchboard-cli)");
    let status = Command::new(cargo)
        .args(["build", "--release", "--locked", "-p", "switchboard-cli"])
        .current_dir(repo())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`cargo build --release -p switchboard-cli` failed ({status}); build it, or set SWITCHBOARD_BENCH_SERVE_BIN to a switchboard binary"
        ));
    }
    if !bin.is_file() {
        return Err(format!(
            "{} is missing after the build; set SWITCHBOARD_BENCH_SERVE_BIN",
            bin.display()
        ));
    }
    Ok(bin)
}

pub fn start_switchboard(bin: &Path, dir: &Path, mock_port: u16) -> Result<Gateway, String> {
    let config = litellm_config(dir, mock_port, "")?;
    let token = secret("sb-bench-");
    let log = dir.join("switchboard.log");
    let mut cmd = command(bin, dir);
    cmd.args(["serve", "--config"])
        .arg(&config)
        .args(["--no-history", "--port", "0"])
        .env("SWITCHBOARD_ROUTER_TOKEN", &token)
        .env("SWITCHBOARD_DATA_DIR", dir.join("data"))
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    // Its stdout goes to a log of its own; the readiness line gives the port.
    let (tx, rx) = mpsc::channel();
    let out_log = dir.join("switchboard.stdout.log");
    std::thread::spawn(move || {
        let mut file = std::fs::File::create(out_log).ok();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(f) = file.as_mut() {
                let _ = writeln!(f, "{line}");
            }
            if let Some(port) = ready_port(&line) {
                let _ = tx.send(port);
            }
        }
    });
    let start = Instant::now();
    let port = loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(p) => break p,
            Err(mpsc::RecvTimeoutError::Timeout) if start.elapsed() < Duration::from_secs(60) => {
                if let Ok(Some(code)) = child.try_wait() {
                    return Err(format!(
                        "`switchboard serve` exited ({code}) before it was ready:\n{}",
                        tail(&log)
                    ));
                }
            }
            Err(_) => {
                stop(child);
                return Err(format!(
                    "`switchboard serve` printed no `Serving N setups on http://127.0.0.1:PORT/v1` within 60 s:\n{}",
                    tail(&log)
                ));
            }
        }
    };
    let version = Command::new(bin)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let pid = child.id();
    Ok(Gateway {
        child,
        pid,
        version,
        log,
        target: Arc::new(Target::new(
            "switchboard",
            port,
            "/v1/chat/completions",
            "bench",
            &[("authorization", format!("Bearer {token}"))],
        )),
    })
}

/// The port of `Serving N setups on http://127.0.0.1:PORT/v1`.
fn ready_port(line: &str) -> Option<u16> {
    let url = line.strip_prefix("Serving ")?.split(" on ").nth(1)?;
    let rest = url.trim().strip_prefix("http://")?;
    let hostport = rest.split('/').next()?;
    hostport.rsplit(':').next()?.parse().ok()
}

// ---------------------------------------------------------------------------------
// Peers

/// Runs one of the interop scripts and returns the path it prints.
fn interop_script(name: &str) -> Result<PathBuf, String> {
    let out = Command::new(repo().join("tests/interop").join(name))
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run tests/interop/{name}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tests/interop/{name} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    Ok(PathBuf::from(path))
}

pub fn start_litellm(dir: &Path, mock_port: u16) -> Result<Gateway, String> {
    let venv = interop_script("venv.sh")?;
    let master = secret("sk-bench-");
    let config = litellm_config(
        dir,
        mock_port,
        "general_settings:\n  master_key: os.environ/LITELLM_MASTER_KEY\n",
    )?;
    let port = free_port()?;
    let log = dir.join("litellm.log");
    let mut cmd = command(venv.join("bin/litellm"), dir);
    cmd.arg("--config")
        .arg(&config)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .env("LITELLM_MASTER_KEY", &master)
        .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        .env("LITELLM_LOG", "ERROR");
    let mut child = spawn(cmd, &log)?;
    if let Err(e) = wait_http(
        &mut child,
        &log,
        port,
        "/health/liveliness",
        Duration::from_secs(180),
    ) {
        stop(child);
        return Err(format!("the LiteLLM proxy: {e}"));
    }
    let pid = child.id();
    Ok(Gateway {
        child,
        pid,
        version: pinned(
            &repo().join("tests/interop/requirements.txt"),
            "litellm[proxy]==",
        )
        .map(|v| format!("litellm {v}"))
        .unwrap_or_default(),
        log,
        target: Arc::new(Target::new(
            "litellm",
            port,
            "/v1/chat/completions",
            "bench",
            &[("authorization", format!("Bearer {master}"))],
        )),
    })
}

pub fn start_portkey(dir: &Path, mock_port: u16) -> Result<Gateway, String> {
    let server = interop_script("portkey.sh")?;
    let port = free_port()?;
    let log = dir.join("portkey.log");
    let mut cmd = command("node", dir);
    cmd.arg(&server)
        .arg(format!("--port={port}"))
        .arg("--headless");
    let mut child = spawn(cmd, &log)?;
    if let Err(e) = wait_http(&mut child, &log, port, "/", Duration::from_secs(60)) {
        stop(child);
        return Err(format!("the Portkey gateway: {e}"));
    }
    // The config the user's call carries, as Switchboard exports it for an OpenAI-compatible
    // server: provider `openai` at the mock.
    let config = serde_json::json!({
        "provider": "openai",
        "api_key": UPSTREAM_KEY,
        "custom_host": format!("http://127.0.0.1:{mock_port}/v1"),
    });
    let version = server
        .parent()
        .and_then(Path::parent)
        .and_then(|d| std::fs::read_to_string(d.join("package.json")).ok())
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            v["version"]
                .as_str()
                .map(|v| format!("@portkey-ai/gateway {v}"))
        })
        .unwrap_or_default();
    let pid = child.id();
    Ok(Gateway {
        child,
        pid,
        version,
        log,
        target: Arc::new(Target::new(
            "portkey",
            port,
            "/v1/chat/completions",
            "bench-model",
            &[("x-portkey-config", config.to_string())],
        )),
    })
}

fn pinned(file: &Path, prefix: &str) -> Option<String> {
    std::fs::read_to_string(file)
        .ok()?
        .lines()
        .find_map(|l| l.trim().strip_prefix(prefix).map(str::to_owned))
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .status();
    let _ = child.wait();
}

// ---------------------------------------------------------------------------------
// Memory

/// A process tree's memory, in kB as /proc gives it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mem {
    pub rss_kb: u64,
    pub pss_kb: Option<u64>,
    pub procs: usize,
}

/// `root` and every process below it.
fn tree(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // After the command name in parentheses: state, then the parent's pid.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let mut out = Vec::new();
    let mut queue = VecDeque::from([root]);
    while let Some(p) = queue.pop_front() {
        out.push(p);
        if let Some(kids) = children.get(&p) {
            queue.extend(kids);
        }
    }
    out
}

fn field_kb(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// RSS of the tree; PSS too when `pss` (reading smaps_rollup walks every mapping).
pub fn mem(root: u32, pss: bool) -> Mem {
    let mut m = Mem {
        pss_kb: pss.then_some(0),
        ..Mem::default()
    };
    for pid in tree(root) {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            continue;
        };
        m.procs += 1;
        m.rss_kb += field_kb(&status, "VmRSS:").unwrap_or(0);
        if pss {
            let p = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
                .ok()
                .and_then(|t| field_kb(&t, "Pss:"));
            m.pss_kb = match (m.pss_kb, p) {
                (Some(a), Some(b)) => Some(a + b),
                _ => None,
            };
        }
    }
    m
}

/// Samples a tree's RSS every 50 ms until stopped; gives the peak.
pub struct Sampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    handle: Option<JoinHandle<()>>,
}

impl Sampler {
    pub fn start(root: u32) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let (s, p) = (stop.clone(), peak.clone());
        let handle = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(mem(root, false).rss_kb, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        Sampler {
            stop,
            peak,
            handle: Some(handle),
        }
    }

    pub fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}
