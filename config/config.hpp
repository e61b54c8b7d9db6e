// chairwatch's configuration: YAML in, validated plain values out, or every problem found with
// its file, line and column. `--check-config` and SIGHUP reload use exactly this path.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alerts/alarm.hpp"
#include "alerts/clinic.hpp"
#include "alerts/profile.hpp"
#include "alerts/site.hpp"

namespace chairwatch::config {

using alerts::Millis;

// TLS towards the broker: the server is always verified against `ca_file` (or the system's
// store when empty); `cert_file`/`key_file` add a client certificate.
struct TlsConfig {
    bool enabled{false};  // set by an ssl:// or mqtts:// URI, or by a tls: section
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
    bool verify_hostname{true};
};

struct BrokerConfig {
    std::string uri;  // the first of `uris`, named in the logs
    // Every node of a clustered broker the daemon may connect to, tried in this order at each
    // (re)connection (broker.uris, or broker.uri alone).
    std::vector<std::string> uris;
    std::string username;
    std::string password_file;  // the password is read from here at start, never from the YAML
    std::string password;       // filled from password_file; never logged
    TlsConfig tls;
    // Where alerts waiting for the broker are kept on disk so that they survive a restart
    // (one append-only journal file). Empty: in memory only.
    std::string queue_dir{"/var/lib/chairwatch/queue"};
    // Alerts go out on a second connection (client id <client_id>-pub), so that no reading or
    // alert waits for TCP acknowledgements of the other direction.
    bool separate_publisher{true};
    std::string client_id{"chairwatchd"};
    std::string topic_prefix{"clinic"};
    std::string status_topic;      // default: <prefix>/chairwatchd/status
    std::string escalation_topic;  // default: <prefix>/escalations
    int qos{1};
    int keepalive_s{30};
    int max_buffered_alerts{10000};
    // Status and alarm lists published again this often (0: only at each connection), for a
    // broker whose retained messages are node-local (a RabbitMQ cluster).
    int refresh_retained_s{0};
    int reconnect_max_s{30};  // reconnection attempts back off from 1 s, doubling, up to this
    // 5 (MQTT 5), or 4 for MQTT 3.1.1 with brokers that lack 5 ("3.1.1" in the file).
    int mqtt_version{5};
    // MQTT 5: how long the broker keeps our session (subscriptions, queued readings) while we
    // are away.
    int session_expiry_s{86400};
};

struct InputConfig {
    std::size_t max_payload_bytes{4096};
    std::size_t max_chairs{256};
    Millis warn_interval{std::chrono::seconds(60)};
    // A reading's device time may run ahead of the receive time by this much (device clocks
    // drift); beyond it the reading is refused as from the future.
    Millis max_future{std::chrono::seconds(300)};
    // A reading older than this when it arrives is refused as stale (a cuff cycle is at most
    // 15 min; QoS 1 readings redelivered after a short outage are younger).
    Millis max_age{std::chrono::minutes(20)};
    // A chair with no open session that sent nothing this long is forgotten (frees its place
    // under max_chairs).
    Millis forget_chair_after{std::chrono::hours(1)};
    // A chair may send this many messages a second on average (0: no limit).
    int max_messages_per_chair{20};
};

struct SessionConfig {
    std::string log_dir{"/var/lib/chairwatch/sessions"};
    Millis idle_end{std::chrono::minutes(30)};
    bool html_report{true};  // write <session_id>.html beside the log when a session ends
    // At SIGTERM: keep sessions open so that the next start resumes them from their logs
    // (true), or end them (reason shutdown).
    bool suspend_on_shutdown{true};
    // What an acknowledgement may name as the action taken (`action_taken`), on the board's
    // pick list and over MQTT; free text goes in `action_note`.
    // The longest a nurse may pause a chair's feed alarms (pause_feeds).
    Millis max_feed_pause{std::chrono::minutes(15)};
    std::vector<std::string> ack_actions{"recheck ordered", "infusion slowed", "infusion paused",
                                         "medication given", "physician called"};
};

// The nurse-station board and the health/metrics endpoints (board/, docs/board.md).
struct HttpConfig {
    std::string address{"127.0.0.1"};  // --http ADDR:PORT overrides address and port
    int port{8080};                    // 0: no HTTP server
    std::string token_file;            // the station token; empty: nobody can acknowledge
    std::string token;                 // read from token_file; never logged
    bool read_only_without_token{false};
    // People who log in (docs/board.md, "Accounts"); by default `users` beside the config file,
    // which may be missing (then only the station token logs in). Checked at load and reload.
    std::string users_file;
    Millis login_timeout{std::chrono::hours(12)};  // a login lasts this long: a shift
    int shift_hours{12};  // the handover view's "this shift": its acknowledgements of so long
    std::string station_name{"nurse-station"};  // shown on the board and its login page
    bool show_patient_ref{false};
    // Limits against a flood of connections (docs/board.md, "Limits").
    int max_connections{128};
    int max_connections_per_client{16};  // by client IP address; behind a proxy, raise it
    int max_streams{32};                 // live event streams (open boards), in total
    int max_streams_per_login{4};        // per login session, bearer token or read-only address
    int header_timeout_s{5};             // a request head must be complete within this
    int idle_timeout_s{30};              // a keep-alive connection idle this long is closed
};

// `notifications:` (docs/notifications.md): receivers that page people, and routes to them.
struct WebhookReceiver {
    std::string url;          // http:// or https://
    std::string secret_file;  // HMAC-SHA256 key, read at load; empty: no signature
    std::string secret;       // read from secret_file; never logged
    Millis timeout{std::chrono::seconds(5)};
    bool tls_verify{true};
    std::string ca_file;  // empty: the system's trust store
    std::vector<std::pair<std::string, std::string>> headers;
};

// IHE PCD ACM: HL7 v2 ORU^R40 over MLLP.
struct AcmReceiver {
    std::string host;
    int port{0};
    bool tls{false};
    bool tls_verify{true};
    std::string ca_file;
    Millis timeout{std::chrono::seconds(5)};
    std::string sending_application{"CHAIRWATCH"};
    std::string sending_facility;
    std::string receiving_application;
    std::string receiving_facility;
    bool patient_pseudonym{true};  // PID-3 carries the session's patient_ref; false: none
};

struct Receiver {
    enum class Type : std::uint8_t { webhook, acm };
    std::string name;
    Type type{Type::webhook};
    WebhookReceiver webhook;  // when type is webhook
    AcmReceiver acm;          // when type is acm
};

// What a route takes; an empty list matches anything.
struct RouteMatch {
    std::vector<std::string> chairs;
    std::vector<std::string> chair_groups;
    std::vector<std::string> conditions;
    std::vector<alerts::AlarmKind> kinds;
    std::vector<alerts::Priority> priorities;
    std::vector<alerts::AlarmState> states;
};

struct Route {
    std::string name;  // "routes[N]" when not given, or "default_route"
    RouteMatch match;
    std::vector<std::string> receivers;
    std::vector<std::string> escalate_to;  // escalated transitions go here too
    std::string fallback;                  // gets what a failing receiver cannot take
    bool continue_matching{false};         // `continue`: later routes may match as well
};

struct AcmStatusListener {
    std::string address{"127.0.0.1"};
    int port{0};
};

struct NotifyConfig {
    std::map<std::string, Receiver, std::less<>> receivers;
    std::map<std::string, std::vector<std::string>, std::less<>> chair_groups;
    std::vector<Route> routes;
    std::optional<Route> default_route;
    Millis group_window{std::chrono::seconds(2)};
    Millis retry_first{std::chrono::seconds(1)};
    Millis retry_max{std::chrono::seconds(60)};
    Millis fail_after{std::chrono::seconds(60)};
    // Pending notifications on disk; default: "notify" beside broker.queue_dir (empty when
    // that is empty: memory only).
    std::string outbox_dir;
    std::optional<AcmStatusListener> acm_status_listener;

    bool enabled() const { return !receivers.empty(); }
};

// `records:` (docs/records.md): what the session record and its exports say about the patient.
struct RecordsConfig {
    // The system (a URI) the session's patient_ref is an identifier in, so that an EHR can match
    // it (FHIR Identifier.system, HL7 PID-3.4); empty: the pseudonym stands alone (HL7: under
    // the sending application).
    std::string patient_identifier_system;
    // Each session's vital signs as HL7 ORU^R01 (IHE PCD-01) over MLLP at its end; unset: off.
    std::optional<AcmReceiver> hl7_export;
};

// A standby pair (docs/high-availability.md): instances with the same group name on one broker;
// one is active, the others are warm standbys. Empty name: a single instance.
// Mosquitto 2.0 declares a client gone up to ~5 s after its 1.5 keepalives (measured:
// docs/performance.md); 5 s keeps a vanished host's take-over within 15 s.
inline constexpr int max_group_keepalive_s = 5;
struct GroupConfig {
    std::string name;
    std::string instance;  // unique in the group
    bool enabled() const { return !name.empty(); }
};

// Many sites on one broker (docs/high-availability.md, "Many sites"): `id` goes into alert ids
// and generated session ids; the instance takes messages only for the chairs it owns.
struct SiteConfig {
    std::string id;  // empty: no site (ids as a single clinic's)
    alerts::ChairSet chairs;
};

struct Config {
    std::string source;  // the file it came from
    BrokerConfig broker;
    GroupConfig group;
    SiteConfig site;
    InputConfig input;
    SessionConfig sessions;
    RecordsConfig records;
    HttpConfig http;
    NotifyConfig notifications;
    std::string log_level{"info"};
    std::map<std::string, std::shared_ptr<const alerts::Profile>, std::less<>> profiles;
    std::string default_profile;
    std::map<std::string, std::string, std::less<>> chair_profiles;  // chair -> profile name

    std::shared_ptr<const alerts::Profile> profile() const { return profiles.at(default_profile); }
    alerts::ClinicProfiles clinic_profiles() const {
        return {profiles, default_profile, chair_profiles};
    }
    alerts::ClinicSettings clinic_settings() const {
        alerts::ClinicSettings s{sessions.idle_end, input.max_chairs};
        s.site = site.id;
        s.forget_chair_after = input.forget_chair_after;
        s.max_messages_per_s = input.max_messages_per_chair;
        s.max_feed_pause = sessions.max_feed_pause;
        return s;
    }
};

struct ConfigError {
    std::string file;
    int line{1};
    int column{1};
    std::string message;
    std::string format() const;  // "FILE:LINE:COLUMN: message"
};

// Command-line values that take precedence over the file.
struct Overrides {
    std::optional<std::string> broker_uri;
    std::optional<std::string> log_dir;
    std::optional<std::string> queue_dir;
    std::optional<std::string> http_listen;  // --http ADDR:PORT
};

struct LoadResult {
    std::optional<Config> config;  // set only when `errors` is empty
    std::vector<ConfigError> errors;
};

LoadResult load_config_file(const std::string& path, const Overrides& overrides = {});
LoadResult load_config_text(const std::string& text, const std::string& name,
                            const Overrides& overrides = {});

}  // namespace chairwatch::config
