// What the notifier hands a receiver, and the port it hands it through.
//
// A Transport delivers one Notification (one or more transitions of one chair) to one receiver
// and reports how it went: `send` returns at once and calls `done` exactly once, later, on the
// io_context's thread (never inside send()). Sends may overlap; each has its own connection.
// Destroying a Transport closes what it has in flight; the `done` of those sends is then never
// called, so the owner may go away with it.
//
// Outcomes: `delivered` (2xx, HL7 AA/CA), `failed` (worth a retry: refused, timeout, TLS
// failure, HTTP 408/429/5xx, HL7 AE/CE, no ACK), `rejected` (permanent: other HTTP 4xx, HL7
// AR/CR). `detail` says precisely what happened ("HTTP 503", "timeout after 5 s").
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/alarm.hpp"

namespace boost::asio {
class io_context;
}

namespace chairwatch::drivers::notify {

// The chair of the daemon's own technical alarms (readings_link_lost, session_log_failed,
// notification_failed): their session id is "run-<run>", they have no signal or value.
inline constexpr std::string_view daemon_chair = "chairwatchd";

// What goes to one receiver: one or more transitions of one chair, grouped (webhook), or one
// transition per message (ACM).
struct Notification {
    // Idempotency key, stable across retries and restarts: "<alert_id>/<state>/<ts ms>" of its
    // first transition, "+<n-1>" appended if grouped.
    std::string key;
    std::string chair;
    std::string session_id;
    std::string site{};       // the instance's site (alert ids begin with it); empty: none
    std::string patient_ref;  // the session's pseudonym, if the start message gave one
    std::vector<alerts::AlarmTransition> transitions;  // in order
    std::vector<std::string> texts;                    // drivers::alert_text of each
    bool test{false};  // `chairwatch notify-test`: a clearly marked test alarm
};

// "[<site>:]<chair>:<session_id>:a<n>", as Session::alert_id makes it.
std::string alert_id_of(const Notification& n, const alerts::AlarmTransition& t);

enum class Outcome : std::uint8_t { delivered, failed, rejected };
std::string_view to_string(Outcome o);

struct Result {
    Outcome outcome{Outcome::failed};
    std::string detail;
};

class Transport {
  public:
    virtual ~Transport() = default;
    // Sends `n`; calls `done` exactly once, on the io_context's thread, never inside send().
    virtual void send(const Notification& n, std::function<void(Result)> done) = 0;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct WebhookOptions {
    std::string url;     // http://host[:port]/path or https://...
    std::string secret;  // the HMAC-SHA256 key itself (read from its file); empty: no signature
    std::chrono::milliseconds timeout{std::chrono::seconds(5)};  // the whole exchange
    bool tls_verify{true};                                       // peer certificate and host name
    std::string ca_file;                                         // empty: the system's trust store
    Headers headers;                                             // extra request headers
};

// PID-3: the session's pseudonym (the session id when it has none), or only the session id.
enum class PatientIdMode : std::uint8_t { pseudonym, none };

struct AcmOptions {
    std::string host;
    std::uint16_t port{2575};
    bool tls{false};
    bool tls_verify{true};
    std::string ca_file;
    std::chrono::milliseconds timeout{std::chrono::seconds(5)};  // per message, until its ACK
    std::string sending_application{"CHAIRWATCH"};
    std::string sending_facility;
    std::string receiving_application;
    std::string receiving_facility;
    PatientIdMode patient_id{PatientIdMode::pseudonym};
};

// Construction throws std::invalid_argument for an unusable URL, header or CA file.
std::unique_ptr<Transport> make_webhook(boost::asio::io_context& io, WebhookOptions options);
// One ORU^R40 per transition, in order, each waiting for its ACK.
std::unique_ptr<Transport> make_acm(boost::asio::io_context& io, AcmOptions options);

// A dispatch status from the alert manager (ORU^R41): what happened to one alert's delivery.
struct DispatchStatus {
    std::string alert_id;              // the alert it refers to (our OBR-3 filler id)
    std::string status;                // delivered | read | accepted | rejected | ... (lower case)
    std::string person;                // who, as the alert manager names them
    std::string device;                // the endpoint device, if it says
    std::optional<alerts::Millis> at;  // wall time it reports, epoch ms
    std::string control_id;            // MSH-10 of the status message
};

struct ListenerOptions {
    std::string address{"127.0.0.1"};
    std::uint16_t port{0};  // 0: any free port (see StatusListener::port)
    std::size_t max_frame_bytes{1 << 20};
    std::size_t max_connections{16};
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
    // Who the ACKs say they come from (MSH-3/4).
    std::string application{"CHAIRWATCH"};
    std::string facility;
};

// Accepts the alert manager's MLLP connections, ACKs each message (AA, or AE with the reason)
// and hands each parsed dispatch status to the callback, on the io_context's thread.
class StatusListener {
  public:
    virtual ~StatusListener() = default;
    virtual std::uint16_t port() const = 0;
};

// Binds at once (throws boost::system::system_error if it cannot).
std::unique_ptr<StatusListener> make_status_listener(
    boost::asio::io_context& io, ListenerOptions options,
    std::function<void(const DispatchStatus&)> on_status);

}  // namespace chairwatch::drivers::notify
