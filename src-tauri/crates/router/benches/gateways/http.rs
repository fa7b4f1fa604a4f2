//! Just enough HTTP/1.1 for the mock upstream and the load generator, on a plain tokio
//! socket: no client library's pool, task hops or buffering between the socket and the
//! clock, so every byte is timed when the read that brought it returns.

use std::io;
use std::time::Instant;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// A request or response head.
#[derive(Debug)]
pub struct Head {
    /// `HTTP/1.1 200 OK` or `POST /v1/chat/completions HTTP/1.1`, split on spaces.
    pub start: Vec<String>,
    pub content_length: Option<usize>,
    pub chunked: bool,
    /// `Connection: close` (or HTTP/1.0): the peer ends the connection after this message.
    pub close: bool,
}

impl Head {
    pub fn status(&self) -> u16 {
        self.start.get(1).and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    pub fn method(&self) -> &str {
        self.start.first().map_or("", String::as_str)
    }

    pub fn path(&self) -> &str {
        self.start.get(1).map_or("", String::as_str)
    }
}

/// One keep-alive connection with its read buffer.
pub struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
    /// Bytes before this offset are consumed.
    at: usize,
    /// When the last read returned: the arrival time of every byte it brought.
    pub last_read: Instant,
}

impl Conn {
    pub fn new(stream: TcpStream) -> io::Result<Conn> {
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(16 * 1024),
            at: 0,
            last_read: Instant::now(),
        })
    }

    fn avail(&self) -> &[u8] {
        &self.buf[self.at..]
    }

    /// Reads once more; Ok(0) at end of stream.
    async fn fill(&mut self) -> io::Result<usize> {
        if self.at == self.buf.len() {
            self.buf.clear();
            self.at = 0;
        } else if self.at > 64 * 1024 {
            self.buf.drain(..self.at);
            self.at = 0;
        }
        self.buf.reserve(16 * 1024);
        let n = self.stream.read_buf(&mut self.buf).await?;
        self.last_read = Instant::now();
        Ok(n)
    }

    async fn ensure(&mut self, n: usize) -> io::Result<()> {
        while self.avail().len() < n {
            if self.fill().await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        Ok(())
    }

    async fn line(&mut self) -> io::Result<String> {
        loop {
            if let Some(i) = find(self.avail(), b"\r\n") {
                let line = String::from_utf8_lossy(&self.avail()[..i]).into_owned();
                self.at += i + 2;
                return Ok(line);
            }
            if self.fill().await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// The next message head; None when the peer closed the connection between messages.
    pub async fn read_head(&mut self) -> io::Result<Option<Head>> {
        loop {
            if let Some(i) = find(self.avail(), b"\r\n\r\n") {
                let text = String::from_utf8_lossy(&self.avail()[..i]).into_owned();
                self.at += i + 4;
                return parse_head(&text).map(Some);
            }
            if self.fill().await? == 0 {
                return if self.avail().is_empty() {
                    Ok(None)
                } else {
                    Err(io::ErrorKind::UnexpectedEof.into())
                };
            }
        }
    }

    /// Reads the body `head` announces, handing each piece to `on_data` with the time
    /// the read that completed it returned. `bodiless`: a response to HEAD, 204 or 304.
    pub async fn read_body(
        &mut self,
        head: &Head,
        bodiless: bool,
        mut on_data: impl FnMut(&[u8], Instant),
    ) -> io::Result<()> {
        if bodiless {
            return Ok(());
        }
        if head.chunked {
            loop {
                let line = self.line().await?;
                let hex = line.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(hex, 16)
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
                if size == 0 {
                    // Trailers, up to the empty line.
                    while !self.line().await?.is_empty() {}
                    return Ok(());
                }
                self.ensure(size + 2).await?;
                on_data(&self.buf[self.at..self.at + size], self.last_read);
                self.at += size + 2;
            }
        } else if let Some(n) = head.content_length {
            self.ensure(n).await?;
            on_data(&self.buf[self.at..self.at + n], self.last_read);
            self.at += n;
            Ok(())
        } else if head.start.first().is_some_and(|s| s.starts_with("HTTP/")) {
            // A response without length: the body runs to the end of the connection.
            loop {
                if !self.avail().is_empty() {
                    on_data(self.avail(), self.last_read);
                    self.at = self.buf.len();
                }
                if self.fill().await? == 0 {
                    return Ok(());
                }
            }
        } else {
            // A request without length has no body.
            Ok(())
        }
    }
}

fn parse_head(text: &str) -> io::Result<Head> {
    let mut lines = text.split("\r\n");
    let start: Vec<String> = lines
        .next()
        .unwrap_or("")
        .splitn(3, ' ')
        .map(str::to_owned)
        .collect();
    if start.len() < 2 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not an HTTP message: {:?}",
                text.chars().take(80).collect::<String>()
            ),
        ));
    }
    let mut head = Head {
        close: start.iter().any(|s| s == "HTTP/1.0"),
        start,
        content_length: None,
        chunked: false,
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => head.content_length = value.parse().ok(),
            "transfer-encoding" => head.chunked = value.to_ascii_lowercase().contains("chunked"),
            "connection" => head.close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
    Ok(head)
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One chunk of a chunked body.
pub fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}
