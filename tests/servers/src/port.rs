//! Whether a server a harness started is listening yet.

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Whether something listens on `port` of the loopback address. A probe of a port nobody
/// listens on yet can connect to itself: the test ports come from the ephemeral range, and
/// when the kernel picks the probed port as the probe's own source port, the two ends meet
/// ("simultaneous open"). That is no server, and while it lasts the server cannot bind its
/// port and exits; so a connection whose two ends are one address does not count.
pub(crate) fn listening(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    match TcpStream::connect_timeout(&address, Duration::from_millis(200)) {
        Ok(stream) => stream.local_addr().ok() != stream.peer_addr().ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    #[test]
    fn a_listener_counts_and_a_closed_port_does_not() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let port = listener.local_addr().expect("address").port();
        assert!(super::listening(port));
        drop(listener);
        // However often the probe happens to meet itself, no listener is no server.
        assert!((0..200).all(|_| !super::listening(port)));
    }
}
