// The webhook transport: one HTTP(S) POST per notification, on Boost.Beast.
//
// Headers: the configured extra headers (they cannot replace the following), Content-Type:
// application/json, Idempotency-Key: <key>, User-Agent and, with a secret, X-Chairwatch-Signature:
// sha256=<hex HMAC of the body> (see webhook_body.hpp for the body). One connection per send,
// closed after the answer.
//
// The timeout covers the whole exchange (resolve, connect, TLS, request, answer). With https,
// the peer's certificate and host name are verified unless tls_verify is off; SNI is sent.
// Outcomes: 2xx delivered; 408, 429, 5xx, refused, timeout, TLS or I/O failure: failed (worth
// a retry); any other status: rejected. Details: "HTTP 503", "connect 127.0.0.1:9: Connection
// refused", "timeout after 5 s", "TLS: certificate verify failed".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "drivers/notify/notification.hpp"

namespace chairwatch::drivers::notify {

struct WebhookUrl {
    bool tls{false};
    std::string host;    // without brackets for IPv6
    std::string port;    // "80"/"443" unless given
    std::string target;  // path and query, "/" at least
};
// nullopt, with the reason in `error`, unless it is an http:// or https:// URL with a host.
std::optional<WebhookUrl> parse_webhook_url(std::string_view url, std::string& error);

// "5 s", "2.5 s".
std::string format_seconds(std::chrono::milliseconds d);

}  // namespace chairwatch::drivers::notify
