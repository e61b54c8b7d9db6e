#include "board/metrics.hpp"

#include <charconv>

#include "board/chair_json.hpp"

namespace chairwatch::board {

namespace {

std::string num(double v) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// Label values here are condition names, priorities and reasons: [a-z0-9_]; escape anyway.
std::string label(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

class Writer {
  public:
    explicit Writer(std::string& out) : out_(out) {}
    void family(const char* name, const char* type, const char* help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample(const std::string& name, double v, const std::string& labels = "") {
        out_ += name;
        if (!labels.empty()) out_ += "{" + labels + "}";
        out_ += ' ';
        out_ += num(v);
        out_ += '\n';
    }
    void metric(const char* name, const char* type, const char* help, double v) {
        family(name, type, help);
        sample(name, v);
    }

  private:
    std::string& out_;
};

double d(std::uint64_t v) {
    return static_cast<double>(v);
}

}  // namespace

void Metrics::on_alarm(const alerts::AlarmTransition& t) {
    ++transitions_[{t.condition, std::string(alerts::to_string(t.priority)),
                    std::string(alerts::to_string(t.state))}];
    if (t.state == alerts::AlarmState::escalated)
        ++escalations_[static_cast<std::size_t>(t.priority)];
    if (t.state == alerts::AlarmState::acknowledged) {
        const double latency =
            static_cast<double>((t.acknowledged_at.mono - t.onset.mono).count()) / 1000.0;
        std::size_t i = 0;
        while (i < ack_buckets.size() && latency > ack_buckets[i])
            ++i;
        ++ack_counts_[i];
        ack_sum_ += latency < 0 ? 0 : latency;
        ++ack_count_;
    }
}

std::string Metrics::render(const Station& station, const HttpStats& http, double uptime_s) const {
    const auto st = station.stats();
    const auto& clinic = station.clinic();
    std::string out;
    out.reserve(4096);
    Writer w(out);
    w.family("chairwatch_build_info", "gauge", "The running version.");
    w.sample("chairwatch_build_info", 1, "version=\"" CHAIRWATCH_VERSION "\"");
    w.metric("chairwatch_uptime_seconds", "gauge", "Seconds since chairwatchd started.", uptime_s);
    w.metric("chairwatch_broker_connected", "gauge", "1 while the MQTT broker link is up.",
             st.broker_connected ? 1 : 0);
    w.metric("chairwatch_broker_disconnects_total", "counter", "Broker connections lost.",
             d(st.disconnects));
    w.metric("chairwatch_broker_reconnects_total", "counter",
             "Broker connections restored after a loss.", d(st.reconnects));
    w.metric("chairwatch_outgoing_queue_depth", "gauge",
             "MQTT publishes not yet acknowledged by the broker (held while it is down).",
             d(st.outgoing_queue));
    w.metric("chairwatch_messages_received_total", "counter", "MQTT messages received.",
             d(st.messages));
    w.metric("chairwatch_readings_received_total", "counter",
             "Vital-sign readings accepted and judged.", d(st.readings));
    w.family("chairwatch_readings_rejected_total", "counter",
             "Readings or messages rejected, by reason.");
    for (const auto& [reason, n] : st.rejected)
        w.sample("chairwatch_readings_rejected_total", d(n), "reason=\"" + label(reason) + "\"");
    w.sample("chairwatch_readings_rejected_total", d(st.refused_chairs), "reason=\"max_chairs\"");
    w.metric("chairwatch_foreign_chair_messages_total", "counter",
             "Messages for chairs another site owns (site.chairs), ignored.", d(st.foreign_chairs));
    w.metric("chairwatch_alerts_published_total", "counter", "Alert messages published.",
             d(st.alerts));
    w.metric("chairwatch_control_errors_total", "counter", "Session messages refused.",
             d(st.control_errors));
    w.metric("chairwatch_monitor_errors_total", "counter", "Monitor link statuses refused.",
             d(st.monitor_errors));
    w.metric("chairwatch_ack_errors_total", "counter", "Acknowledgements refused (MQTT and HTTP).",
             d(st.ack_errors));
    w.metric("chairwatch_log_errors_total", "counter", "Session log or report write failures.",
             d(st.log_errors));
    if (!st.notify.empty()) {
        const auto each = [&](const char* name, const char* type, const char* help, auto get) {
            w.family(name, type, help);
            for (const auto& r : st.notify)
                w.sample(name, get(r), "receiver=\"" + label(r.name) + "\"");
        };
        using R = NotifyStats;
        each("chairwatch_notifications_sent_total", "counter",
             "Notifications delivered, by receiver.", [](const R& r) { return d(r.sent); });
        each("chairwatch_notifications_failed_total", "counter",
             "Notification attempts that failed (each retry counts), by receiver.",
             [](const R& r) { return d(r.failed); });
        each("chairwatch_notifications_retried_total", "counter",
             "Notification attempts after the first, by receiver.",
             [](const R& r) { return d(r.retried); });
        each("chairwatch_notifications_rejected_total", "counter",
             "Notifications a receiver refused for good (HTTP 4xx, HL7 AR), by receiver.",
             [](const R& r) { return d(r.rejected); });
        each("chairwatch_notifications_pending", "gauge",
             "Notifications in the outbox, not yet delivered, by receiver.",
             [](const R& r) { return d(r.pending); });
        each("chairwatch_notification_receiver_failed", "gauge",
             "1 while a receiver has failed for longer than notifications.fail_after_s.",
             [](const R& r) { return r.failing ? 1.0 : 0.0; });
        each("chairwatch_notification_latency_seconds", "gauge",
             "Queued to delivered, the last notification, by receiver.",
             [](const R& r) { return r.last_latency_s; });
        w.metric("chairwatch_notification_receipts_total", "counter",
                 "Dispatch statuses received from the alert manager (ACM).", d(st.notify_receipts));
    }
    w.metric("chairwatch_sessions_active", "gauge", "Open monitoring sessions.",
             d(clinic.open_sessions()));
    w.metric("chairwatch_chairs", "gauge", "Chairs known to the daemon.", d(clinic.chair_count()));

    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> now;
    for (const auto& chair : clinic.chairs())
        for (const auto& a : clinic.listed_alarms(chair))
            ++now[{a.condition, std::string(alerts::to_string(a.priority)),
                   std::string(display_state(a))}];
    w.family("chairwatch_alarms", "gauge",
             "Alarms listed now, by condition, priority and state "
             "(active, latched, escalated, acknowledged).");
    for (const auto& [key, n] : now)
        w.sample("chairwatch_alarms", d(n),
                 "condition=\"" + label(std::get<0>(key)) + "\",priority=\"" + std::get<1>(key) +
                     "\",state=\"" + std::get<2>(key) + "\"");
    w.family("chairwatch_alarm_transitions_total", "counter",
             "Alarm transitions since start, by condition, priority and state "
             "(raised, updated, acknowledged, escalated, cleared).");
    for (const auto& [key, n] : transitions_)
        w.sample("chairwatch_alarm_transitions_total", d(n),
                 "condition=\"" + label(std::get<0>(key)) + "\",priority=\"" + std::get<1>(key) +
                     "\",state=\"" + std::get<2>(key) + "\"");
    w.family("chairwatch_escalations_total", "counter",
             "Escalations of alarms nobody acknowledged in time, by priority.");
    for (auto p : {alerts::Priority::low, alerts::Priority::medium, alerts::Priority::high})
        w.sample("chairwatch_escalations_total", d(escalations_[static_cast<std::size_t>(p)]),
                 "priority=\"" + std::string(alerts::to_string(p)) + "\"");
    w.family("chairwatch_ack_latency_seconds", "histogram",
             "Time from an alarm's onset to its acknowledgement (MQTT and board).");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < ack_buckets.size(); ++i) {
        cumulative += ack_counts_[i];
        w.sample("chairwatch_ack_latency_seconds_bucket", d(cumulative),
                 "le=\"" + num(ack_buckets[i]) + "\"");
    }
    w.sample("chairwatch_ack_latency_seconds_bucket", d(ack_count_), "le=\"+Inf\"");
    w.sample("chairwatch_ack_latency_seconds_sum", ack_sum_);
    w.sample("chairwatch_ack_latency_seconds_count", d(ack_count_));

    w.family("chairwatch_http_responses_total", "counter", "HTTP responses, by status code.");
    for (const auto& [code, n] : http.responses)
        w.sample("chairwatch_http_responses_total", d(n), "code=\"" + std::to_string(code) + "\"");
    w.family("chairwatch_board_logins_total", "counter", "Station logins, by result.");
    w.sample("chairwatch_board_logins_total", d(http.logins_ok), "result=\"ok\"");
    w.sample("chairwatch_board_logins_total", d(http.logins_failed), "result=\"failed\"");
    w.metric("chairwatch_board_streams", "gauge", "Boards connected to the live event stream.",
             d(http.event_streams));
    w.metric("chairwatch_board_streams_replaced_total", "counter",
             "Live streams closed for a newer one of the same login (max_streams_per_login).",
             d(http.streams_replaced));
    w.metric("chairwatch_board_streams_refused_total", "counter",
             "Live streams refused with 503 (max_streams).", d(http.streams_refused));
    w.metric("chairwatch_board_streams_ended_total", "counter",
             "Live streams closed because their login ended (logout, expiry, user changed).",
             d(http.streams_ended));
    w.metric("chairwatch_http_connections", "gauge", "Open HTTP connections.", d(http.connections));
    w.metric("chairwatch_http_accept_errors_total", "counter",
             "accept() failures (such as no file descriptors left); accepting pauses after each.",
             d(http.server.accept_errors));
    w.family("chairwatch_http_connections_dropped_total", "counter",
             "Connections closed or refused by a limit, by reason.");
    for (const char* reason : {"client_limit", "connection_limit", "evicted_idle", "header_timeout",
                               "body_timeout", "idle_timeout"}) {
        const auto it = http.server.dropped.find(reason);
        w.sample("chairwatch_http_connections_dropped_total",
                 d(it == http.server.dropped.end() ? 0 : it->second),
                 "reason=\"" + std::string(reason) + "\"");
    }
    return out;
}

}  // namespace chairwatch::board
