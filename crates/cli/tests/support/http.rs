//! Minimal HTTP/1.1 client over `std::net::TcpStream`, shared by the WebDriver client and the
//! server helper so the tests need no HTTP crate.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// A response: status code and body decoded as UTF-8 (lossily; both peers send UTF-8).
pub struct Response {
    pub status: u16,
    pub body: String,
}

/// Sends one request on a fresh connection and reads the whole answer. One connection per
/// request keeps the client trivial; the peers are local, so the handshake costs nothing.
pub fn request(
    method: &str,
    url: &str,
    body: Option<&str>,
    timeout: Duration,
) -> Result<Response, String> {
    let (host_port, path) = split_url(url)?;
    let addr = host_port
        .to_socket_addrs()
        .map_err(|e| format!("{url}: cannot resolve {host_port}: {e}"))?
        .next()
        .ok_or_else(|| format!("{url}: no address for {host_port}"))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("{method} {url}: connect failed: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| format!("{method} {url}: {e}"))?;

    let body = body.unwrap_or("");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host_port}\r\nConnection: close\r\nAccept: */*\r\n"
    );
    // WebDriver wants a JSON content type on every POST, even an empty `{}` one.
    if method != "GET" && method != "DELETE" {
        head.push_str("Content-Type: application/json; charset=utf-8\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .map_err(|e| format!("{method} {url}: write failed: {e}"))?;

    // chromedriver ignores `Connection: close` and keeps the socket open, so stop reading
    // once the body is complete instead of waiting for end of file.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = stream
            .read(&mut buf)
            .map_err(|e| format!("{method} {url}: read failed: {e}"))?;
        raw.extend_from_slice(&buf[..n]);
        if n == 0 || is_complete(&raw) {
            break;
        }
    }
    parse_response(&raw).map_err(|e| format!("{method} {url}: {e}"))
}

/// Whether `raw` holds a whole response, judged by its framing headers.
fn is_complete(raw: &[u8]) -> bool {
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let (status, chunked, length) = framing(&String::from_utf8_lossy(&raw[..split]));
    let payload = &raw[split + 4..];
    if chunked {
        dechunk(payload).is_ok()
    } else if let Some(n) = length {
        payload.len() >= n
    } else {
        // These statuses never carry a body; anything else without framing ends at EOF.
        matches!(status, Some(100..=199 | 204 | 304))
    }
}

/// Status code, whether the body is chunked, and its Content-Length, from a response head.
fn framing(head: &str) -> (Option<u16>, bool, Option<usize>) {
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok());
    let mut chunked = false;
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        }
    }
    (status, chunked, length)
}

/// Splits `http://host:port/path?query` into (`host:port`, `/path?query`).
fn split_url(url: &str) -> Result<(&str, &str), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("only http:// URLs are supported, got {url}"))?;
    Ok(match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    })
}

fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("response has no end of headers")?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let payload = &raw[split + 4..];
    let (status, chunked, length) = framing(&head);
    let status = status.ok_or_else(|| {
        format!(
            "bad status line {:?}",
            head.lines().next().unwrap_or_default()
        )
    })?;
    let body = if chunked {
        dechunk(payload)?
    } else {
        match length {
            Some(n) if n <= payload.len() => payload[..n].to_vec(),
            Some(n) => return Err(format!("body cut short: {} of {n} bytes", payload.len())),
            None => payload.to_vec(),
        }
    };
    Ok(Response {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// Decodes a `Transfer-Encoding: chunked` body (chunk extensions and trailers ignored).
fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("chunk size line not terminated")?;
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size_hex = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|_| format!("bad chunk size {size_hex:?}"))?;
        data = &data[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size {
            return Err("chunk cut short".to_string());
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_length_and_chunked_bodies() {
        let r = parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokextra").unwrap();
        assert_eq!((r.status, r.body.as_str()), (200, "ok"));
        let r = parse_response(
            b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_str()), (404, "abcde"));
    }

    #[test]
    fn knows_when_a_response_is_complete() {
        assert!(!is_complete(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"));
        assert!(!is_complete(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab"
        ));
        assert!(is_complete(
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
        ));
        assert!(!is_complete(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
        ));
        assert!(is_complete(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        ));
        assert!(is_complete(b"HTTP/1.1 204 No Content\r\n\r\n"));
        assert!(!is_complete(b"HTTP/1.1 200 OK\r\n\r\nuntil eof"));
    }

    #[test]
    fn splits_urls() {
        assert_eq!(
            split_url("http://127.0.0.1:9/a/b?c").unwrap(),
            ("127.0.0.1:9", "/a/b?c")
        );
        assert_eq!(split_url("http://h:1").unwrap(), ("h:1", "/"));
        assert!(split_url("https://h/").is_err());
    }
}
