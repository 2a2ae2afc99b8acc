//! A stand-in for the Esplora server ldk-node needs to start. No bitcoind or electrs can run here, so this
//! answers only what `Node::start` waits for — `GET /fee-estimates` with an empty map, which ldk-node accepts
//! on regtest (1 sat/vB) — and 503 to everything else, so chain syncing fails and is only logged.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;

/// Serves on a free port of 127.0.0.1 for the rest of the process; returns its base URL.
pub fn start() -> Result<String, String> {
	let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind the chain stub: {e}"))?;
	let url = format!("http://{}", listener.local_addr().map_err(|e| e.to_string())?);
	thread::spawn(move || {
		for stream in listener.incoming().flatten() {
			thread::spawn(move || answer(stream));
		}
	});
	Ok(url)
}

fn answer(stream: TcpStream) {
	let mut reader = BufReader::new(match stream.try_clone() {
		Ok(s) => s,
		Err(_) => return,
	});
	let mut request_line = String::new();
	if reader.read_line(&mut request_line).is_err() {
		return;
	}
	// Skip the headers; the stub never needs them, and GET requests carry no body.
	let mut line = String::new();
	while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
		line.clear();
	}
	let path = request_line.split_whitespace().nth(1).unwrap_or("");
	let (status, body) = if path == "/fee-estimates" { ("200 OK", "{}") } else { ("503 Service Unavailable", "no chain here") };
	let response = format!(
		"HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
		body.len()
	);
	let mut stream = stream;
	let _ = stream.write_all(response.as_bytes());
}
