#pragma once

#include <cstdint>

namespace crisisline::libre {

// TCP_NODELAY on every TCP connection libre makes: the SIP over TCP and TLS connections phones and carriers open
// to the server, and the ones the server opens to them.
//
// Why: libre 1.1.0's tcp.c sets no TCP_NODELAY (strace of the server: SO_LINGER only on an accepted socket), and
// SIP writes each message as its own small write, TLS 1.3 its session tickets too. With Nagle's algorithm a
// write made while an earlier small segment is not yet acknowledged waits for the peer's ACK, which a Linux peer
// delays up to ~40 ms: on every new TLS connection the first response (written right after the two tickets) was
// held ~40 ms (the SIP over TLS benchmark: INVITE -> 200 p50 44 ms with a new connection per call, 0 ms reused).
//
// How: as libre/timers.hpp does for timers, tcp_nodelay.cpp defines `tcp_accept` and `tcp_conn_connect`
// (extern "C", re_tcp.h's signatures); libre.so calls both through its PLT (R_X86_64_JUMP_SLOT), its SIP
// transport included, so the definitions in the executable run instead. Each calls libre's own (dlsym
// RTLD_NEXT) and sets TCP_NODELAY on the connection's socket (tcp_conn_fd). If libre is upgraded, check that
// both are still called through the PLT (LibreTcpNoDelayTest fails if they are not).

// For tests and diagnostics: sockets given TCP_NODELAY here since the process began.
[[nodiscard]] std::uint64_t NoDelaySockets();

}  // namespace crisisline::libre
