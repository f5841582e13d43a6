//! Private network namespaces, for probing what another machine could reach: a namespace
//! joined to the host by a veth pair on a random private /30, removed on drop, on Ctrl-C,
//! and by the next run if this one is killed. Needs root and iproute2's `ip`.

use std::process::{Command, Output};

use rand::Rng;

use crate::backend::cleanup::{self, Registration};

const PREFIX: &str = "readiness-";

/// A network namespace with one link to the host.
#[derive(Debug)]
pub struct Netns {
    name: String,
    host_link: String,
    host_ip: String,
    peer_ip: String,
    _on_interrupt: Registration,
}

impl Netns {
    /// Creates the namespace and its link; an error says why it cannot be done here.
    pub fn create() -> Result<Netns, String> {
        if !nix::unistd::Uid::effective().is_root() {
            return Err("creating a network namespace needs root".into());
        }
        reap_stale();
        let mut rng = rand::thread_rng();
        let tag = format!("{:06x}", rng.gen::<u32>() & 0xff_ffff);
        let block = rng.gen_range(0..16_384u32) * 4;
        let (a, b) = (block / 256, block % 256);
        let host_ip = format!("10.213.{a}.{}", b + 1);
        let peer_ip = format!("10.213.{a}.{}", b + 2);
        let name = format!("{PREFIX}{}-{tag}", std::process::id());
        let host_link = format!("rdy{tag}h");
        let peer_link = format!("rdy{tag}n");
        let on_interrupt = {
            let (name, link) = (name.clone(), host_link.clone());
            cleanup::register(format!("network namespace {name}"), move || {
                remove(&name, &link)
            })
            .map_err(|e| e.to_string())?
        };
        let ns = Netns {
            name,
            host_link,
            host_ip,
            peer_ip,
            _on_interrupt: on_interrupt,
        };
        let steps: [&[&str]; 7] = [
            &["netns", "add", &ns.name],
            &[
                "link",
                "add",
                &ns.host_link,
                "type",
                "veth",
                "peer",
                "name",
                &peer_link,
            ],
            &["link", "set", &peer_link, "netns", &ns.name],
            &[
                "addr",
                "add",
                &format!("{}/30", ns.host_ip),
                "dev",
                &ns.host_link,
            ],
            &["link", "set", &ns.host_link, "up"],
            &[
                "-n",
                &ns.name,
                "addr",
                "add",
                &format!("{}/30", ns.peer_ip),
                "dev",
                &peer_link,
            ],
            &["-n", &ns.name, "link", "set", &peer_link, "up"],
        ];
        for step in steps {
            ip(step)?;
        }
        ip(&["-n", &ns.name, "link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// The host's address on the link: what the namespace sees as "the server machine".
    pub fn host_ip(&self) -> &str {
        &self.host_ip
    }

    /// The namespace's own address.
    pub fn peer_ip(&self) -> &str {
        &self.peer_ip
    }

    /// Runs `program` inside the namespace.
    pub fn exec(&self, program: &str, args: &[&str]) -> std::io::Result<Output> {
        Command::new("ip")
            .args(["netns", "exec", &self.name, program])
            .args(args)
            .output()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        remove(&self.name, &self.host_link);
    }
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("failed to run `ip`: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "`ip {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

fn remove(name: &str, host_link: &str) {
    let _ = Command::new("ip").args(["netns", "del", name]).output();
    let _ = Command::new("ip").args(["link", "del", host_link]).output();
}

/// Deletes namespaces left by runs that no longer exist.
fn reap_stale() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or_default();
        let Some(rest) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let Some((pid, tag)) = rest.split_once('-') else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            remove(name, &format!("rdy{tag}h"));
        }
    }
}
