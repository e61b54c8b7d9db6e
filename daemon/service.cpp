#include "daemon/service.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "alerts/time_format.hpp"
#include "drivers/alert_codec.hpp"
#include "drivers/control_codec.hpp"
#include "drivers/json_writer.hpp"
#include "drivers/report/report.hpp"

namespace chairwatch::daemon {

using alerts::ClinicEvent;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

constexpr auto tick_interval = milliseconds(1000);
constexpr auto stats_interval = milliseconds(600'000);

}  // namespace

Service::Service(asio::io_context& io, config::Config cfg)
    : io_(io),
      cfg_(std::move(cfg)),
      clinic_(cfg_.clinic_profiles(), cfg_.clinic_settings()),
      log_(cfg_.sessions.log_dir),
      tick_timer_(io),
      reconnect_timer_(io),
      warnings_(cfg_.input.warn_interval) {
    drivers::MqttSettings ms;
    ms.uri = cfg_.broker.uri;
    ms.client_id = cfg_.broker.client_id;
    ms.keepalive_s = cfg_.broker.keepalive_s;
    ms.max_buffered = cfg_.broker.max_buffered_alerts;
    ms.will_topic = cfg_.broker.status_topic;
    ms.will_payload = R"({"state":"offline","reason":"connection lost"})";
    drivers::MqttHandlers h;
    // Paho calls these on its own thread: hand each to our executor at once.
    h.on_message = [this](std::string t, std::string p) {
        asio::post(io_, [this, t = std::move(t), p = std::move(p)] { on_message(t, p); });
    };
    h.on_connected = [this] { asio::post(io_, [this] { on_connected(); }); };
    h.on_connection_lost = [this](std::string why) {
        asio::post(io_, [this, why = std::move(why)] { on_connection_lost(why); });
    };
    h.on_connect_failed = [this](std::string why) {
        asio::post(io_, [this, why = std::move(why)] { on_connect_failed(why); });
    };
    mqtt_ = drivers::make_paho_client(ms, std::move(h));
}

Service::~Service() = default;

alerts::Instant Service::now() const {
    return {duration_cast<milliseconds>(std::chrono::steady_clock::now().time_since_epoch()),
            duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())};
}

std::string Service::topic(const std::string& chair, const char* leaf) const {
    return cfg_.broker.topic_prefix + "/" + chair + "/" + leaf;
}

void Service::start() {
    started_mono_ = last_stats_ = now().mono;
    spdlog::info(
        "chairwatchd {} starting: broker {}, prefix '{}', profile '{}', session logs in {}",
        CHAIRWATCH_VERSION, cfg_.broker.uri, cfg_.broker.topic_prefix, cfg_.default_profile,
        cfg_.sessions.log_dir);
    mqtt_->connect();
    schedule_tick();
}

void Service::stop() {
    if (stopping_) return;
    stopping_ = true;
    tick_timer_.cancel();
    reconnect_timer_.cancel();
    const auto t = now();
    events_.clear();
    clinic_.end_all(t, alerts::EndReason::shutdown, events_);
    // Sessions are closed in their logs; alerts are not re-published as cleared: the nurses'
    // view keeps the last state and the status topic says the monitor is gone.
    for (const auto& e : events_)
        if (!log_.write(e, t)) ++counters_.log_errors;
    publish_status("offline", "shutdown");
    mqtt_->disconnect(milliseconds(2000));
    log_stats();
    spdlog::info("chairwatchd stopped");
}

void Service::reload(config::Config cfg) {
    if (cfg.broker.uri != cfg_.broker.uri || cfg.broker.client_id != cfg_.broker.client_id ||
        cfg.broker.topic_prefix != cfg_.broker.topic_prefix)
        spdlog::warn("reload: broker settings changed; they take effect at the next restart");
    cfg.broker = cfg_.broker;
    cfg.sessions.log_dir = cfg_.sessions.log_dir;
    cfg_ = std::move(cfg);
    const auto t = now();
    events_.clear();
    clinic_.reconfigure(cfg_.clinic_profiles(), cfg_.clinic_settings(), t, events_);
    handle(events_, t);
    spdlog::set_level(spdlog::level::from_str(cfg_.log_level));
    warnings_.set_interval(cfg_.input.warn_interval);
    spdlog::info("reload: configuration from {} applied (profile '{}')", cfg_.source,
                 cfg_.default_profile);
}

void Service::on_connected() {
    connect_attempts_ = 0;
    if (was_connected_)
        spdlog::warn("broker connection restored ({})", cfg_.broker.uri);
    else
        spdlog::info("connected to broker {}", cfg_.broker.uri);
    was_connected_ = true;
    mqtt_->subscribe(cfg_.broker.topic_prefix + "/+/vitals/#", cfg_.broker.qos);
    mqtt_->subscribe(cfg_.broker.topic_prefix + "/+/session", 1);
    mqtt_->subscribe(cfg_.broker.topic_prefix + "/+/alerts/ack", 1);
    publish_status("online", nullptr);
    // Re-send the truth about every chair, so a station that missed something catches up.
    for (const auto& chair : dirty_chairs_)
        publish_alarm_state(chair);
}

void Service::on_connection_lost(const std::string& why) {
    ++counters_.disconnects;
    spdlog::error("BROKER CONNECTION LOST ({}): alerts are buffered until it returns", why);
}

void Service::on_connect_failed(const std::string& why) {
    if (stopping_) return;
    const auto delay = milliseconds(std::min(30'000, 1000 << std::min(connect_attempts_, 5)));
    ++connect_attempts_;
    spdlog::error("cannot reach broker {} ({}); retrying in {} s", cfg_.broker.uri, why,
                  delay.count() / 1000);
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !stopping_) mqtt_->connect();
    });
}

void Service::on_message(const std::string& topic_name, const std::string& payload) {
    if (stopping_) return;
    ++counters_.messages;
    const auto t = now();
    const auto ct = drivers::parse_chair_topic(topic_name, cfg_.broker.topic_prefix);
    if (!ct) {
        ++counters_.rejected[static_cast<std::size_t>(drivers::RejectReason::bad_topic)];
        warn("topic", t,
             "rejected message on '" + topic_name.substr(0, 128) + "': not <prefix>/<chair>/...");
        return;
    }
    const std::string chair(ct->chair);
    if (!drivers::valid_chair_id(ct->chair)) {
        ++counters_.rejected[static_cast<std::size_t>(drivers::RejectReason::bad_chair)];
        warn("chair-id", t,
             "rejected message on '" + topic_name.substr(0, 128) +
                 "': chair id must be 1-64 of A-Z a-z 0-9 - _ .");
        return;
    }
    if (ct->rest == "session") return on_control(chair, payload, t);
    if (ct->rest == "alerts/ack") return on_ack(chair, payload, t);
    on_vitals(chair, topic_name, payload, t);
}

void Service::on_vitals(const std::string& chair, const std::string& topic_name,
                        const std::string& payload, alerts::Instant t) {
    const auto vt = drivers::parse_vitals_topic(topic_name, cfg_.broker.topic_prefix);
    if (!vt) {
        ++counters_.rejected[static_cast<std::size_t>(drivers::RejectReason::bad_topic)];
        warn("topic", t,
             "rejected message on '" + topic_name.substr(0, 128) +
                 "': not <prefix>/<chair>/vitals/...");
        return;
    }
    const auto d = drivers::decode_vitals(vt->leaf, payload, t.wall, cfg_.input.max_payload_bytes);
    for (std::size_t i = 0; i < d.rejected; ++i) {
        const auto& r = d.rejections[i];
        ++counters_.rejected[static_cast<std::size_t>(r.reason)];
        warn(chair + "/" + std::string(drivers::to_string(r.reason)), t,
             "chair " + chair + ", topic " + topic_name + ": rejected (" +
                 std::string(drivers::to_string(r.reason)) + "): " + r.detail);
    }
    events_.clear();
    if (clinic_.on_readings(chair, std::span<const alerts::Reading>(d.readings.data(), d.count), t,
                            events_) == alerts::Admission::too_many_chairs) {
        ++counters_.refused_chairs;
        warn("max-chairs", t,
             "refused readings for new chair " + chair + ": already monitoring " +
                 std::to_string(cfg_.input.max_chairs) + " chairs (input.max_chairs)");
    } else {
        counters_.readings += d.count;
    }
    for (std::size_t i = 0; i < d.rejected; ++i)
        if (d.rejections[i].reason == drivers::RejectReason::artifact)
            clinic_.on_cuff_artifact(chair, d.rejections[i].detail, t, events_);
    handle(events_, t, d.seq);
}

void Service::on_control(const std::string& chair, const std::string& payload, alerts::Instant t) {
    auto decoded = drivers::decode_control(payload, cfg_.input.max_payload_bytes);
    std::string error;
    std::string action = "?";
    if (auto* m = std::get_if<drivers::ControlMessage>(&decoded)) {
        action = std::string(alerts::to_string(m->action));
        events_.clear();
        const auto result = clinic_.on_control(chair, m->action, m->info, t, events_);
        handle(events_, t);
        if (result != alerts::ControlResult::ok) error = std::string(alerts::to_string(result));
        if (result == alerts::ControlResult::unknown_profile) error += " '" + m->info.profile + "'";
    } else {
        error = std::get<std::string>(decoded);
    }
    if (!error.empty()) {
        ++counters_.control_errors;
        warn(chair + "/session", t,
             "chair " + chair + ": session message (" + action + ") refused: " + error);
    }
    mqtt_->publish(topic(chair, "session/result"),
                   drivers::encode_result(error.empty(), "action", action, error,
                                          alerts::format_iso8601(t.wall)),
                   1, false);
}

void Service::on_ack(const std::string& chair, const std::string& payload, alerts::Instant t) {
    auto decoded = drivers::decode_ack(payload, cfg_.input.max_payload_bytes);
    std::string error, id;
    if (auto* m = std::get_if<drivers::AckMessage>(&decoded)) {
        id = m->alert_id;
        events_.clear();
        const auto result = clinic_.acknowledge(chair, m->alert_id, m->by, t, events_);
        handle(events_, t);
        if (result != alerts::AckResult::ok) error = std::string(alerts::to_string(result));
    } else {
        error = std::get<std::string>(decoded);
    }
    if (!error.empty()) {
        ++counters_.ack_errors;
        warn(
            chair + "/ack", t,
            "chair " + chair + ": acknowledgement of '" + id.substr(0, 80) + "' refused: " + error);
    }
    mqtt_->publish(topic(chair, "alerts/ack/result"),
                   drivers::encode_result(error.empty(), "alert_id", id, error,
                                          alerts::format_iso8601(t.wall)),
                   1, false);
}

void Service::schedule_tick() {
    tick_timer_.expires_after(tick_interval);
    tick_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopping_) return;
        on_tick();
        schedule_tick();
    });
}

void Service::on_tick() {
    const auto t = now();
    events_.clear();
    clinic_.on_tick(t, events_);
    handle(events_, t);
    if (t.mono - last_stats_ >= stats_interval) {
        last_stats_ = t.mono;
        log_stats();
    }
}

void Service::handle(const std::vector<ClinicEvent>& events, alerts::Instant t,
                     std::optional<std::int64_t> seq) {
    std::set<std::string> changed;
    for (const auto& e : events) {
        const auto& s = *e.session;
        if (e.type == ClinicEvent::Type::alarm) {
            const auto alert = drivers::encode_alert(s.chair, s, e.alarm, seq);
            mqtt_->publish(topic(s.chair, "alerts"), alert, cfg_.broker.qos, false);
            if (e.alarm.state == alerts::AlarmState::escalated)
                mqtt_->publish(cfg_.broker.escalation_topic, alert, cfg_.broker.qos, false);
            ++counters_.alerts;
            changed.insert(s.chair);
            spdlog::info("alert {}-a{} {}: {}", s.id, e.alarm.alarm_no,
                         alerts::to_string(e.alarm.state), drivers::alert_text(s.chair, e.alarm));
        } else if (e.type == ClinicEvent::Type::session_started) {
            spdlog::info("session {} started on chair {} ({}, profile {})", s.id, s.chair,
                         s.implicit ? "implicit, from readings" : "start message", s.profile);
        } else if (e.type == ClinicEvent::Type::phase_changed) {
            spdlog::info("session {}: phase {}", s.id, alerts::to_string(s.phase));
        } else if (e.type == ClinicEvent::Type::session_ended) {
            spdlog::info("session {} ended ({}); log {}", s.id, alerts::to_string(s.end_reason),
                         log_.path_of(s, ".jsonl"));
            changed.insert(s.chair);
        }
        if (!log_.write(e, t, seq)) {
            ++counters_.log_errors;
            warn("session-log", t, "session log: " + log_.last_error());
        } else if (e.type == ClinicEvent::Type::session_ended && cfg_.sessions.html_report) {
            write_report(s, t);
        }
    }
    for (const auto& chair : changed) {
        publish_alarm_state(chair);
        dirty_chairs_.insert(chair);
    }
}

// The clinician's one-page record, beside the log. Runs once per session, after its last line.
void Service::write_report(const alerts::Session& s, alerts::Instant t) {
    std::string error;
    const auto rec = report::read_session_log(log_.path_of(s, ".jsonl"), error);
    if (!rec) {
        ++counters_.log_errors;
        warn("report", t, "session " + s.id + ": no report: " + error);
        return;
    }
    report::ReportOptions opt;
    auto it = cfg_.profiles.find(s.profile);
    opt.profile = it != cfg_.profiles.end() ? it->second : cfg_.profile();
    opt.limits_source = cfg_.source;
    opt.generated_at = t.wall;
    opt.utc_offset = report::local_utc_offset(rec->start);
    const auto path = log_.path_of(s, ".html");
    const auto tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << report::render_html(*rec, opt);
        if (!out.flush()) {
            ++counters_.log_errors;
            warn("report", t, "session " + s.id + ": cannot write " + tmp);
            return;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        ++counters_.log_errors;
        warn("report", t, "session " + s.id + ": cannot rename " + tmp + ": " + ec.message());
    }
}

void Service::publish_alarm_state(const std::string& chair) {
    mqtt_->publish(
        topic(chair, "alarms"),
        drivers::encode_active_alarms(chair, clinic_.session(chair), clinic_.listed_alarms(chair)),
        1, true);
}

void Service::publish_status(const char* state, const char* reason) {
    std::string out;
    drivers::JsonWriter w(out);
    w.begin_object();
    w.key("state").value(state);
    w.key("version").value(CHAIRWATCH_VERSION);
    w.key("client_id").value(cfg_.broker.client_id);
    w.key("ts").time(now().wall);
    w.key("pid").value(static_cast<std::int64_t>(::getpid()));
    if (reason) w.key("reason").value(reason);
    w.end_object();
    mqtt_->publish(cfg_.broker.status_topic, out, 1, true);
}

void Service::warn(const std::string& key, alerts::Instant t, const std::string& text) {
    std::size_t suppressed = 0;
    if (!warnings_.allow(key, t.mono, suppressed)) return;
    if (suppressed)
        spdlog::warn("{} ({} more like it suppressed)", text, suppressed);
    else
        spdlog::warn("{}", text);
}

void Service::log_stats() {
    std::uint64_t rejected = 0;
    std::string by_reason;
    for (std::size_t i = 0; i < counters_.rejected.size(); ++i) {
        if (!counters_.rejected[i]) continue;
        rejected += counters_.rejected[i];
        by_reason += " " + std::string(drivers::to_string(static_cast<drivers::RejectReason>(i))) +
                     "=" + std::to_string(counters_.rejected[i]);
    }
    if (!by_reason.empty()) by_reason = " (" + by_reason.substr(1) + ")";
    spdlog::info(
        "stats: {} messages, {} readings accepted, {} rejected{}, {} alerts, {} open sessions, "
        "{} refused, {} log errors, {} disconnects",
        counters_.messages, counters_.readings, rejected, by_reason, counters_.alerts,
        clinic_.open_sessions(), counters_.refused_chairs, counters_.log_errors,
        counters_.disconnects);
}

}  // namespace chairwatch::daemon
