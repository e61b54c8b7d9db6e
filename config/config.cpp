#include "config/config.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/broker_reader.hpp"
#include "config/http_reader.hpp"
#include "config/notify_reader.hpp"
#include "config/profile_reader.hpp"
#include "config/site_reader.hpp"
#include "config/yaml_reader.hpp"

namespace chairwatch::config {

namespace {

using std::chrono::milliseconds;

Millis from_seconds(double s) {
    return milliseconds(static_cast<long long>(s * 1000.0 + 0.5));
}

bool valid_uri(const std::string& uri) {
    for (const char* scheme : {"tcp://", "ssl://", "mqtt://", "mqtts://", "ws://", "wss://"})
        if (uri.rfind(scheme, 0) == 0 && uri.size() > std::string(scheme).size()) return true;
    return false;
}

bool tls_uri(const std::string& uri) {
    return uri.rfind("ssl://", 0) == 0 || uri.rfind("mqtts://", 0) == 0;
}

// What is wrong with a list of broker URIs, if anything.
std::optional<std::string> uri_list_error(const std::vector<std::string>& uris) {
    for (std::size_t i = 0; i < uris.size(); ++i) {
        if (!valid_uri(uris[i]))
            return "'" + uris[i] + "' is not an MQTT URI (tcp://HOST:PORT or ssl://HOST:PORT)";
        if (std::find(uris.begin(), uris.begin() + static_cast<std::ptrdiff_t>(i), uris[i]) !=
            uris.begin() + static_cast<std::ptrdiff_t>(i))
            return "'" + uris[i] + "' is named twice";
        if (tls_uri(uris[i]) != tls_uri(uris.front()))
            return "'" + uris[i] + "' and '" + uris.front() +
                   "' mix TLS and plain connections: a node would be reached unencrypted";
    }
    return std::nullopt;
}

void set_uris(BrokerConfig& b, std::vector<std::string> uris) {
    b.uri = uris.front();
    b.uris = std::move(uris);
}

// "tcp://a:1883,tcp://b:1883" as its parts.
std::vector<std::string> split_uris(const std::string& list) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = std::min(list.find(',', start), list.size());
        out.push_back(list.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

// The first line of a secret file, without its line end.
std::optional<std::string> read_secret(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
        line.pop_back();
    return line;
}

}  // namespace

void read_tls(YamlReader& r, const YAML::Node& n, TlsConfig& t) {
    if (!r.expect_map(n, "broker.tls", {"ca_file", "cert_file", "key_file", "verify_hostname"}))
        return;
    t.enabled = true;
    auto file = [&](const char* key, std::string& out) {
        auto v = r.string(n, key, "broker.tls");
        if (!v) return;
        if (!std::ifstream(*v))
            r.error(n[key], std::string("broker.tls.") + key + ": cannot read '" + *v + "'");
        out = *v;
    };
    file("ca_file", t.ca_file);
    file("cert_file", t.cert_file);
    file("key_file", t.key_file);
    if (auto v = r.boolean(n, "verify_hostname", "broker.tls")) t.verify_hostname = *v;
    if (t.cert_file.empty() != t.key_file.empty())
        r.error(n, "broker.tls: cert_file and key_file go together");
}

// broker.uri (one) or broker.uris (the nodes of a cluster): MQTT URIs, none twice.
void read_uris(YamlReader& r, const YAML::Node& n, BrokerConfig& b) {
    if (n["uri"] && n["uris"]) {
        r.error(r.key_mark(n, "uris"), "broker.uris: give broker.uri or broker.uris, not both");
        return;
    }
    const char* key = n["uris"] ? "uris" : "uri";
    std::vector<std::string> uris;
    if (n["uris"]) {
        auto v = r.strings(n, "uris", "broker");
        if (!v) return;
        if (v->empty()) r.error(n["uris"], "broker.uris: must name at least one broker");
        uris = std::move(*v);
    } else if (auto v = r.string(n, "uri", "broker")) {
        uris.push_back(*v);
    }
    if (auto e = uri_list_error(uris))
        r.error(n[key], std::string("broker.") + key + ": " + *e);
    else if (!uris.empty())
        set_uris(b, std::move(uris));
}

void read_broker(YamlReader& r, const YAML::Node& n, BrokerConfig& b) {
    if (!r.expect_map(
            n, "broker",
            {"uri", "uris", "client_id", "topic_prefix", "status_topic", "escalation_topic", "qos",
             "keepalive_s", "max_buffered_alerts", "username", "password_file", "password", "tls",
             "queue_dir", "reconnect_max_s", "separate_publisher", "mqtt_version",
             "session_expiry_s", "refresh_retained_s"}))
        return;
    if (n["password"])
        r.error(r.key_mark(n, "password"),
                "broker.password: passwords are not kept in this file; put it in a file "
                "readable only by chairwatchd and name that file in broker.password_file");
    if (auto v = r.string(n, "username", "broker")) b.username = *v;
    if (auto v = r.string(n, "password_file", "broker")) {
        b.password_file = *v;
        if (auto pw = read_secret(*v))
            b.password = *pw;
        else
            r.error(n["password_file"], "broker.password_file: cannot read '" + *v + "'");
    }
    if (auto v = r.string(n, "queue_dir", "broker")) b.queue_dir = *v;
    if (auto v = r.integer(n, "reconnect_max_s", "broker", 1, 600)) b.reconnect_max_s = *v;
    if (auto v = r.boolean(n, "separate_publisher", "broker")) b.separate_publisher = *v;
    if (auto v = r.integer(n, "refresh_retained_s", "broker", 0, 86400)) b.refresh_retained_s = *v;
    if (auto v = r.string(n, "mqtt_version", "broker")) {
        if (*v == "5")
            b.mqtt_version = 5;
        else if (*v == "3.1.1")
            b.mqtt_version = 4;
        else
            r.error(n["mqtt_version"], "broker.mqtt_version: '" + *v + "' is not 5 or 3.1.1");
    }
    if (auto v = r.integer(n, "session_expiry_s", "broker", 0, 2147483647)) b.session_expiry_s = *v;
    if (n["tls"]) read_tls(r, n["tls"], b.tls);
    read_uris(r, n, b);
    if (auto v = r.string(n, "client_id", "broker")) {
        if (v->empty())
            r.error(n["client_id"], "broker.client_id: must not be empty");
        else
            b.client_id = *v;
    }
    if (auto v = r.string(n, "topic_prefix", "broker")) {
        if (v->empty() || v->find_first_of("+#") != std::string::npos || v->back() == '/')
            r.error(n["topic_prefix"],
                    "broker.topic_prefix: '" + *v +
                        "' must be a non-empty topic without wildcards or a trailing '/'");
        else
            b.topic_prefix = *v;
    }
    if (auto v = r.string(n, "status_topic", "broker")) b.status_topic = *v;
    if (auto v = r.string(n, "escalation_topic", "broker")) b.escalation_topic = *v;
    if (auto v = r.integer(n, "qos", "broker", 0, 2)) b.qos = *v;
    if (auto v = r.integer(n, "keepalive_s", "broker", 1, 3600)) b.keepalive_s = *v;
    if (auto v = r.integer(n, "max_buffered_alerts", "broker", 1, 1000000))
        b.max_buffered_alerts = *v;
}

void check_broker(YamlReader& r, const YAML::Node& root, BrokerConfig& b) {
    const bool tls = !b.uri.empty() && tls_uri(b.uri);
    if (b.tls.enabled && !tls && !b.uri.empty())
        r.error(
            root["broker"] && root["broker"]["tls"] ? root["broker"]["tls"].Mark() : root.Mark(),
            "broker.tls: set, but broker.uri '" + b.uri +
                "' is not ssl:// or mqtts://: the connection would not be encrypted");
    if (tls) b.tls.enabled = true;
    if (!b.password_file.empty() && b.username.empty())
        r.error(root["broker"] ? root["broker"]["password_file"].Mark() : root.Mark(),
                "broker.password_file: needs broker.username");
    if (b.uri.empty() && r.ok())
        r.error(root.IsMap() && root["broker"] ? root["broker"].Mark() : root.Mark(),
                "broker.uri: missing (set it in the file or pass --broker URI)");
}

namespace {

void read_input(YamlReader& r, const YAML::Node& n, InputConfig& in) {
    if (!r.expect_map(n, "input",
                      {"max_payload_bytes", "max_chairs", "warn_interval_s", "max_future_s",
                       "max_age_s", "forget_chair_after_s", "max_messages_per_chair_s"}))
        return;
    if (auto v = r.integer(n, "max_messages_per_chair_s", "input", 0, 100000))
        in.max_messages_per_chair = static_cast<int>(*v);
    if (auto v = r.number(n, "forget_chair_after_s", "input", 1, 30 * 86400))
        in.forget_chair_after = from_seconds(*v);
    if (auto v = r.number(n, "max_future_s", "input", 0, 86400)) in.max_future = from_seconds(*v);
    if (auto v = r.number(n, "max_age_s", "input", 1, 7 * 86400)) in.max_age = from_seconds(*v);
    if (auto v = r.integer(n, "max_payload_bytes", "input", 64, 65536))
        in.max_payload_bytes = static_cast<std::size_t>(*v);
    if (auto v = r.integer(n, "max_chairs", "input", 1, 100000))
        in.max_chairs = static_cast<std::size_t>(*v);
    if (auto v = r.number(n, "warn_interval_s", "input", 0, 86400))
        in.warn_interval = from_seconds(*v);
}

void read_sessions(YamlReader& r, const YAML::Node& n, SessionConfig& s) {
    if (!r.expect_map(
            n, "sessions",
            {"log_dir", "idle_end_s", "report", "on_shutdown", "ack_actions", "max_feed_pause_s"}))
        return;
    if (auto v = r.string(n, "on_shutdown", "sessions")) {
        if (*v == "suspend" || *v == "end")
            s.suspend_on_shutdown = *v == "suspend";
        else
            r.error(n["on_shutdown"],
                    "sessions.on_shutdown: '" + *v + "' is not one of suspend, end");
    }
    if (auto v = r.string(n, "report", "sessions")) {
        if (*v == "html" || *v == "none")
            s.html_report = *v == "html";
        else
            r.error(n["report"], "sessions.report: '" + *v + "' is not one of html, none");
    }
    if (auto v = r.string(n, "log_dir", "sessions")) {
        if (v->empty())
            r.error(n["log_dir"], "sessions.log_dir: must not be empty");
        else
            s.log_dir = *v;
    }
    if (auto v = r.number(n, "idle_end_s", "sessions", 1, 86400)) s.idle_end = from_seconds(*v);
    if (auto v = r.number(n, "max_feed_pause_s", "sessions", 60, 3600))
        s.max_feed_pause = from_seconds(*v);
    if (auto v = r.strings(n, "ack_actions", "sessions")) {
        for (const auto& a : *v)
            if (a.size() > 64)
                r.error(n["ack_actions"], "sessions.ack_actions: '" + a.substr(0, 64) +
                                              "...' is longer than 64 characters");
        s.ack_actions = std::move(*v);
    }
}

// An absolute URI as FHIR's Identifier.system takes it: a scheme, ':', and no white space
// ("https://clinic.example/mrn", "urn:oid:1.2.36.146.595.217.0.1").
bool valid_system_uri(const std::string& v) {
    const auto colon = v.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == v.size() || v.size() > 255)
        return false;
    if (!std::isalpha(static_cast<unsigned char>(v[0]))) return false;
    for (std::size_t i = 1; i < colon; ++i) {
        const auto c = static_cast<unsigned char>(v[i]);
        if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return false;
    }
    for (const char ch : v)
        if (std::isspace(static_cast<unsigned char>(ch)) ||
            std::iscntrl(static_cast<unsigned char>(ch)))
            return false;
    return true;
}

void read_records(YamlReader& r, const YAML::Node& n, RecordsConfig& rc) {
    if (!r.expect_map(n, "records", {"patient_identifier_system", "hl7_export"})) return;
    if (auto v = r.string(n, "patient_identifier_system", "records")) {
        if (valid_system_uri(*v))
            rc.patient_identifier_system = *v;
        else
            r.error(n["patient_identifier_system"],
                    "records.patient_identifier_system: '" + *v +
                        "' is not an absolute URI (e.g. https://clinic.example/patient-id or "
                        "urn:oid:1.2.3)");
    }
    if (const auto h = n["hl7_export"])
        read_acm(r, h, "records.hl7_export", rc.hl7_export.emplace(), false);
}

void read_log(YamlReader& r, const YAML::Node& n, std::string& level) {
    if (!r.expect_map(n, "log", {"level"})) return;
    if (auto v = r.string(n, "level", "log")) {
        for (const char* known : {"trace", "debug", "info", "warn", "error", "critical", "off"})
            if (*v == known) {
                level = *v;
                return;
            }
        r.error(n["level"], "log.level: '" + *v +
                                "' is not one of trace, debug, info, warn, error, critical, off");
    }
}

bool group_name_ok(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (const char ch : s)
        if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') return false;
    return true;
}

// group: {name, instance}. The broker must declare a vanished active within REFERENCE §8's
// 15 s (see max_group_keepalive_s).
void read_group(YamlReader& r, const YAML::Node& n, const YAML::Node& broker, Config& c) {
    if (!r.expect_map(n, "group", {"name", "instance"})) return;
    for (const char* key : {"name", "instance"}) {
        if (!n[key]) {
            r.error(n, std::string("group.") + key + ": missing");
            continue;
        }
        auto v = r.string(n, key, "group");
        if (!v) continue;
        if (!group_name_ok(*v)) {
            r.error(n[key], std::string("group.") + key + ": '" + *v +
                                "' must be 1 to 64 letters, digits, '-' or '_'");
            continue;
        }
        (std::string_view(key) == "name" ? c.group.name : c.group.instance) = *v;
    }
    if (c.broker.keepalive_s > max_group_keepalive_s) {
        const auto& at = broker && broker["keepalive_s"] ? broker["keepalive_s"] : n;
        r.error(at, "broker.keepalive_s: " + std::to_string(c.broker.keepalive_s) +
                        " is too long for a group: the broker declares a vanished active after "
                        "1.5 keepalives and its next check, which must be within 15 s (at most " +
                        std::to_string(max_group_keepalive_s) + ")");
    }
}

LoadResult load(const YAML::Node& root, YamlReader& r, const Overrides& overrides) {
    Config c;
    c.source = r.file();
    if (root.IsNull()) {
        r.error(root, "the file is empty");
    } else if (r.expect_map(root, "",
                            {"broker", "input", "sessions", "log", "profiles", "default_profile",
                             "chairs", "http", "notifications", "records", "group", "site"})) {
        if (root["broker"]) read_broker(r, root["broker"], c.broker);
        if (root["group"]) read_group(r, root["group"], root["broker"], c);
        if (root["site"]) read_site(r, root["site"], c.site);
        if (root["input"]) read_input(r, root["input"], c.input);
        if (root["sessions"]) read_sessions(r, root["sessions"], c.sessions);
        if (root["records"]) read_records(r, root["records"], c.records);
        if (root["log"]) read_log(r, root["log"], c.log_level);
        if (root["http"]) read_http(r, root["http"], c.http);
        read_users_file(r, root["http"] ? YAML::Node(root["http"]) : YAML::Node(), c.http);
        if (root["notifications"]) read_notifications(r, root["notifications"], c.notifications);
        read_profiles(r, root, c);
        check_site_chairs(r, root["chairs"], c);
    }
    if (overrides.broker_uri) {
        auto uris = split_uris(*overrides.broker_uri);
        if (auto e = uri_list_error(uris))
            r.error(YAML::Mark::null_mark(), "--broker: " + *e);
        else
            set_uris(c.broker, std::move(uris));
    }
    if (overrides.log_dir) c.sessions.log_dir = *overrides.log_dir;
    if (overrides.http_listen)
        if (auto e = apply_http_listen(*overrides.http_listen, c.http))
            r.error(YAML::Mark::null_mark(), "--http: " + *e);
    if (overrides.queue_dir) c.broker.queue_dir = *overrides.queue_dir;
    check_broker(r, root, c.broker);
    finish_notifications(c.notifications, c.broker,
                         root.IsMap() && root["notifications"] && root["notifications"].IsMap() &&
                             root["notifications"]["outbox_dir"]);
    // With a site, its own status topic: sites may share a prefix (their chairs told apart by
    // site.chairs), and a status is retained.
    if (c.broker.status_topic.empty())
        c.broker.status_topic = c.broker.topic_prefix + "/chairwatchd/" +
                                (c.site.id.empty() ? "" : c.site.id + "/") + "status";
    if (c.broker.escalation_topic.empty())
        c.broker.escalation_topic = c.broker.topic_prefix + "/escalations";

    LoadResult result;
    result.errors = r.take_errors();
    if (result.errors.empty()) result.config = std::move(c);
    return result;
}

}  // namespace

std::string ConfigError::format() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

LoadResult load_config_text(const std::string& text, const std::string& name,
                            const Overrides& overrides) {
    YamlReader r(name);
    const auto root = parse_yaml(text, r);
    if (!root) return {std::nullopt, r.take_errors()};
    return load(*root, r, overrides);
}

LoadResult load_config_file(const std::string& path, const Overrides& overrides) {
    std::ifstream in(path);
    if (!in)
        return {std::nullopt, {{path, 1, 1, "cannot open " + path + ": " + std::strerror(errno)}}};
    std::ostringstream text;
    text << in.rdbuf();
    return load_config_text(text.str(), path, overrides);
}

}  // namespace chairwatch::config
