#include "daemon/service.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "alerts/time_format.hpp"
#include "board/board.hpp"
#include "daemon/open_files.hpp"
#include "daemon/systemd_notify.hpp"
#include "drivers/codec/alert_codec.hpp"
#include "drivers/codec/control_codec.hpp"
#include "drivers/codec/json_writer.hpp"
#include "report/report.hpp"
#include "drivers/session_log/session_recovery.hpp"
#include "drivers/codec/text_rules.hpp"

namespace chairwatch::daemon {

using alerts::ClinicEvent;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

constexpr auto tick_interval = milliseconds(1000);
constexpr auto stats_interval = milliseconds(600'000);
constexpr auto forget_interval = milliseconds(10'000);

}  // namespace

namespace {

// The session logs' share of the open-file limit (chairwatchd refuses a configuration that does
// not fit before it builds the service).
std::size_t session_log_files(const config::Config& cfg) {
    const auto plan = plan_open_files(cfg);
    const auto* f = std::get_if<OpenFiles>(&plan);
    return f ? f->session_logs : min_session_logs;
}

}  // namespace

template <class F>
void Service::post_locked(F f) {
    asio::post(io_, [this, f = std::move(f)]() mutable {
        std::lock_guard lock(state_mutex_);
        f();
    });
}

alerts::ClinicSettings Service::clinic_settings() {
    auto settings = cfg_.clinic_settings();
    settings.session_id_taken = [this](std::string_view chair, std::string_view id) {
        return !recovering_ && log_.has_log(chair, id);  // a resumed session keeps its own log
    };
    return settings;
}

Service::Service(asio::io_context& io, config::Config cfg, ServiceParts parts)
    : io_(io),
      clock_(std::move(parts.clock)),
      cfg_(std::move(cfg)),
      clinic_(cfg_.clinic_profiles(), clinic_settings()),
      log_(cfg_.sessions.log_dir, session_log_files(cfg_)),
      tick_timer_(io),
      reconnect_timer_(io),
      flush_timer_(io),
      warnings_(cfg_.input.warn_interval),
      service_alarms_(std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count())) {
    drivers::MqttSettings ms;
    ms.uri = cfg_.broker.uri;
    ms.client_id = cfg_.broker.client_id;
    ms.keepalive_s = cfg_.broker.keepalive_s;
    ms.max_buffered = cfg_.broker.max_buffered_alerts;
    ms.username = cfg_.broker.username;
    ms.password = cfg_.broker.password;
    ms.tls = {cfg_.broker.tls.enabled, cfg_.broker.tls.ca_file, cfg_.broker.tls.cert_file,
              cfg_.broker.tls.key_file, cfg_.broker.tls.verify_hostname};
    ms.persist_dir = cfg_.broker.queue_dir;
    ms.separate_publisher = cfg_.broker.separate_publisher;
    ms.reconnect_max_s = cfg_.broker.reconnect_max_s;
    ms.mqtt_version = cfg_.broker.mqtt_version;
    ms.session_expiry_s = cfg_.broker.session_expiry_s;
    ms.max_payload_bytes = cfg_.input.max_payload_bytes;  // the broker keeps bigger ones
    ms.will_topic = cfg_.broker.status_topic;
    ms.will_payload = R"({"state":"offline","reason":"connection lost"})";
    drivers::MqttHandlers h;
    // Paho calls these on its receiving thread. A message is handled right there when the state
    // is free: handing every message to the executor woke its thread once per message, about a
    // third of the daemon's CPU per reading. When a handler on the executor holds the state (a
    // tick, a flush, a board request), the message waits in the inbox instead, for the next
    // message or the posted drain, whichever comes first; the inbox always goes first, so
    // messages keep their order. Paho's thread never waits for the lock: it holds Paho's own
    // mutex here, which a publish from the executor may be waiting for.
    h.on_message = [this](std::string_view t, std::string_view p) {
        if (stopping_) return;
        std::unique_lock state(state_mutex_, std::try_to_lock);
        if (!state) {
            bool was_empty = false;
            {
                std::lock_guard lock(inbox_mutex_);
                was_empty = inbox_.empty();
                inbox_.push_back({std::string(t), std::string(p)});
            }
            if (was_empty) post_locked([this] { drain_inbox(); });
            return;
        }
        drain_inbox();
        on_message(t, p);
    };
    h.on_connected = [this] { post_locked([this] { on_connected(); }); };
    h.on_connection_lost = [this](std::string why) {
        post_locked([this, why = std::move(why)] { on_connection_lost(why); });
    };
    h.on_link_change = [this](drivers::MqttLink which, bool up) {
        if (which == drivers::MqttLink::publishing) {
            publishing_up_ = up;
            return;
        }
        post_locked([this, up] {
            const auto t = now();
            if (up) {
                if (receiving_down_since_)
                    spdlog::warn("receiving connection to the broker is up again after {} s",
                                 (t.mono - *receiving_down_since_).count() / 1000);
                receiving_down_since_.reset();
            } else if (!receiving_down_since_) {
                receiving_down_since_ = t.mono;
                spdlog::error(
                    "RECEIVING CONNECTION TO THE BROKER LOST: no reading arrives until it is back");
            }
            check_receiving(t);
        });
    };
    h.on_connect_failed = [this](std::string why) {
        post_locked([this, why = std::move(why)] { on_connect_failed(why); });
    };
    mqtt_ = parts.mqtt(ms, std::move(h));
    board_ = std::make_unique<board::Board>(io_, cfg_.http, board_station());
}

Service::~Service() {
    mqtt_.reset();  // no Paho callback after this, and none into a member already gone
}

alerts::Instant Service::now() const {
    if (clock_) return clock_();
    return {duration_cast<milliseconds>(std::chrono::steady_clock::now().time_since_epoch()),
            duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())};
}

std::string Service::topic(const std::string& chair, const char* leaf) const {
    return cfg_.broker.topic_prefix + "/" + chair + "/" + leaf;
}

void Service::start() {
    std::lock_guard lock(state_mutex_);  // Paho may deliver as soon as connect() is called
    started_mono_ = last_stats_ = now().mono;
    started_wall_ = now().wall;
    if (const auto wd = sd_watchdog_interval(); wd.count() > 0)
        spdlog::info("systemd watchdog: {} ms; fed every second from the event loop", wd.count());
    spdlog::info(
        "chairwatchd {} starting: broker {}, prefix '{}', profile '{}', session logs in {}",
        CHAIRWATCH_VERSION, cfg_.broker.uri, cfg_.broker.topic_prefix, cfg_.default_profile,
        cfg_.sessions.log_dir);
    if (!mqtt_->persistent())
        spdlog::warn("alerts waiting for the broker are kept in memory only{}{}",
                     mqtt_->last_error().empty() ? "" : ": ", mqtt_->last_error());
    recover_sessions();
    mqtt_->connect();
    board_->start();
    schedule_tick();
    notify_systemd("READY=1");
}

// Sessions left open by the last run (a crash, a restart mid-infusion) continue where their
// logs end: same session, same alert ids, latched alarms still latched.
void Service::recover_sessions() {
    const auto t = now();
    recovering_ = true;
    struct Done {
        bool& flag;
        ~Done() { flag = false; }
    } done{recovering_};
    for (const auto& path : drivers::find_open_session_logs(cfg_.sessions.log_dir)) {
        // What the log holds was published and logged the first time; what recovery finds
        // new (a superseded session's end, an alarm the rules raise or clear now) goes out now.
        const auto r = drivers::recover_session(
            path, clinic_, t, [&](const std::vector<ClinicEvent>& events) { handle(events, t); });
        for (const auto& p : r.problems)
            spdlog::warn("recovery: {}", p);
        if (!r.restored) {
            spdlog::warn("recovery: {} could not be resumed (chair '{}', session '{}')", path,
                         r.chair, r.session_id);
            continue;
        }
        ++counters_.recovered_sessions;
        dirty_chairs_.insert(r.chair);
        last_device_ts_[r.chair] = r.last_device_ts;
        const auto alarms = clinic_.listed_alarms(r.chair);
        std::string ids;
        for (const auto& a : alarms)
            ids += " " + clinic_.session(r.chair)->alert_id(a.alarm_no);
        spdlog::warn(
            "recovery: session {} on chair {} resumed from its log ({} readings, {} of {} alarm "
            "transitions taken back, {} new); listed alarms:{}",
            r.session_id, r.chair, r.readings, r.restored_alarms, r.alarm_lines, r.reconciled,
            ids.empty() ? " none" : ids);
    }
}

void Service::send(const std::string& topic_name, std::string payload, int qos, bool retain) {
    unsent_.push_back({topic_name, std::move(payload), qos, retain});
    flush_unsent();
}

// Hands queued messages to the client in order; stops at the first it refuses (its buffer is
// full or its disk queue failed) and tries again on the next tick or reconnection.
void Service::flush_unsent() {
    while (!unsent_.empty()) {
        auto& m = unsent_.front();
        if (!mqtt_->publish(m.topic, m.payload, m.qos, m.retain)) {
            ++counters_.publish_retries;
            warn("publish", now(),
                 "outgoing message kept for a retry (" + std::to_string(unsent_.size()) +
                     " waiting): " + mqtt_->last_error());
            return;
        }
        unsent_.pop_front();
    }
}

void Service::notify_systemd(const char* state) {
    sd_notify(state);
}

void Service::stop() {
    {
        std::lock_guard lock(state_mutex_);
        if (stop_requested_) return;
        stop_requested_ = true;
    }
    // First no more messages: every one the broker handed over was acknowledged to it, so each
    // is handled (on Paho's thread, or from the inbox below) before the state is settled. A
    // message the broker has not handed over stays in its queue for the next start.
    mqtt_->stop_receiving(milliseconds(2000));
    {
        std::lock_guard lock(state_mutex_);
        drain_inbox();
        stopping_ = true;
        board_->stop();
        tick_timer_.cancel();
        reconnect_timer_.cancel();
        flush_timer_.cancel();
        if (!log_.flush()) spdlog::error("session log: {}", log_.last_error());
        notify_systemd("STOPPING=1");
        const auto t = now();
        events_.clear();
        if (cfg_.sessions.suspend_on_shutdown) {
            // Open sessions stay open in their logs; the next start resumes them.
            if (const auto open = clinic_.open_sessions())
                spdlog::info(
                    "{} open session{} suspended; they resume when chairwatchd starts again", open,
                    open == 1 ? "" : "s");
        } else {
            clinic_.end_all(t, alerts::EndReason::shutdown, events_);
        }
        // Sessions are closed in their logs; alerts are not re-published as cleared: the
        // nurses' view keeps the last state and the status topic says the monitor is gone.
        for (const auto& e : events_)
            if (!log_.write(e, t)) ++counters_.log_errors;
        publish_status("offline", "shutdown");
    }
    // Unlocked: Paho's receiving thread takes the broker's acknowledgements of what is still on
    // its way, and a message arriving meanwhile must not wait for the lock (it returns at once).
    mqtt_->disconnect(milliseconds(2000));
    std::lock_guard lock(state_mutex_);
    log_stats();
    spdlog::info("chairwatchd stopped");
}

void Service::reload(config::Config cfg) {
    std::lock_guard lock(state_mutex_);
    if (cfg.broker.uri != cfg_.broker.uri || cfg.broker.client_id != cfg_.broker.client_id ||
        cfg.broker.topic_prefix != cfg_.broker.topic_prefix)
        spdlog::warn("reload: broker settings changed; they take effect at the next restart");
    cfg.broker = cfg_.broker;
    cfg.sessions.log_dir = cfg_.sessions.log_dir;
    cfg_ = std::move(cfg);
    log_.set_max_open(session_log_files(cfg_));
    board_->reload(cfg_.http);
    const auto t = now();
    events_.clear();
    clinic_.reconfigure(cfg_.clinic_profiles(), clinic_settings(), t, events_);
    handle(events_, t);
    spdlog::set_level(spdlog::level::from_str(cfg_.log_level));
    warnings_.set_interval(cfg_.input.warn_interval);
    spdlog::info("reload: configuration from {} applied (profile '{}')", cfg_.source,
                 cfg_.default_profile);
}

void Service::on_connected() {
    connect_attempts_ = 0;
    if (was_connected_) {
        ++counters_.reconnects;
        spdlog::warn("broker connection restored ({}) after {} s; sending what was queued",
                     cfg_.broker.uri,
                     disconnected_since_ ? (now().mono - *disconnected_since_).count() / 1000 : 0);
    } else {
        spdlog::info("connected to broker {}", cfg_.broker.uri);
    }
    disconnected_since_.reset();
    was_connected_ = true;
    mqtt_->subscribe(cfg_.broker.topic_prefix + "/+/vitals/#", cfg_.broker.qos);
    mqtt_->subscribe(cfg_.broker.topic_prefix + "/+/session", 1);
    mqtt_->subscribe(cfg_.broker.topic_prefix + "/+/alerts/ack", 1);
    publish_status("online", service_alarms_.active("session_log_failed")
                                 ? "session logs cannot be written"
                                 : nullptr);
    flush_unsent();
    // Re-send the truth about every chair, so a station that missed something catches up.
    for (const auto& chair : dirty_chairs_)
        publish_alarm_state(chair);
}

void Service::on_connection_lost(const std::string& why) {
    ++counters_.disconnects;
    if (!disconnected_since_) disconnected_since_ = now().mono;
    spdlog::error("BROKER CONNECTION LOST ({}): alerts are buffered until it returns", why);
}

void Service::on_connect_failed(const std::string& why) {
    if (stopping_) return;
    const auto delay = milliseconds(
        std::min(cfg_.broker.reconnect_max_s * 1000, 1000 << std::min(connect_attempts_, 9)));
    ++connect_attempts_;
    spdlog::error("cannot reach broker {} ({}); retrying in {} s", cfg_.broker.uri, why,
                  delay.count() / 1000);
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([this](boost::system::error_code ec) {
        std::lock_guard lock(state_mutex_);
        if (!ec && !stopping_) mqtt_->connect();
    });
}

void Service::drain_inbox() {
    {
        std::lock_guard lock(inbox_mutex_);
        if (inbox_.empty()) return;
        draining_.swap(inbox_);
    }
    for (const auto& m : draining_)
        on_message(m.topic, m.payload);
    draining_.clear();
}

void Service::on_message(std::string_view topic_name, std::string_view payload) {
    if (stopping_) return;
    ++counters_.messages;
    const auto t = now();
    const auto ct = drivers::parse_chair_topic(topic_name, cfg_.broker.topic_prefix);
    if (!ct) {
        ++counters_.rejected[static_cast<std::size_t>(drivers::RejectReason::bad_topic)];
        warn("topic", t,
             "rejected message on '" + std::string(topic_name.substr(0, 128)) +
                 "': not <prefix>/<chair>/...");
        return;
    }
    const std::string chair(ct->chair);
    if (!drivers::valid_chair_id(ct->chair)) {
        ++counters_.rejected[static_cast<std::size_t>(drivers::RejectReason::bad_chair)];
        warn("chair-id", t,
             "rejected message on '" + std::string(topic_name.substr(0, 128)) +
                 "': chair id must be 1-64 of A-Z a-z 0-9 - _ .");
        return;
    }
    if (chair == "chairwatchd") {
        // The daemon's own topics (status, its technical alarms) sit beside the chairs'.
        ++counters_.rejected[static_cast<std::size_t>(drivers::RejectReason::bad_chair)];
        warn("chair-id", t,
             "rejected message on '" + std::string(topic_name.substr(0, 128)) +
                 "': 'chairwatchd' is reserved for the daemon's own topics");
        return;
    }
    events_.clear();
    if (clinic_.on_message(chair, t, events_) == alerts::Admission::flooding) {
        ++counters_.rejected[static_cast<std::size_t>(drivers::RejectReason::flooding)];
        if (!events_.empty()) handle(events_, t);
        warn(chair + "/flooding", t,
             "chair " + chair + ": more than " + std::to_string(cfg_.input.max_messages_per_chair) +
                 " messages a second (input.max_messages_per_chair_s): its excess is dropped "
                 "unread");
        return;
    }
    if (ct->rest == "session") return on_control(chair, payload, t);
    if (ct->rest == "alerts/ack") {
        on_ack(chair, payload, t);
        return;
    }
    on_vitals(chair, topic_name, payload, t);
}

void Service::on_vitals(const std::string& chair, std::string_view topic_name,
                        std::string_view payload, alerts::Instant t) {
    const auto vt = drivers::parse_vitals_topic(topic_name, cfg_.broker.topic_prefix);
    if (!vt) {
        ++counters_.rejected[static_cast<std::size_t>(drivers::RejectReason::bad_topic)];
        warn("topic", t,
             "rejected message on '" + std::string(topic_name.substr(0, 128)) +
                 "': not <prefix>/<chair>/vitals/...");
        return;
    }
    auto d = drivers::decode_vitals(vt->leaf, payload, t.wall, cfg_.input.max_payload_bytes);
    refuse_untimely(chair, topic_name, d, t);
    drop_duplicates(chair, d, t);
    for (std::size_t i = 0; i < d.rejected; ++i) {
        const auto& r = d.rejections[i];
        ++counters_.rejected[static_cast<std::size_t>(r.reason)];
        warn(chair + "/" + std::string(drivers::to_string(r.reason)), t,
             "chair " + chair + ", topic " + std::string(topic_name) + ": rejected (" +
                 std::string(drivers::to_string(r.reason)) + "): " + r.detail);
    }
    events_.clear();
    if (d.count == 0) {
        // Nothing usable: an artifact still notes itself below; nothing else reaches the core.
    } else if (admit(chair, d, t) == alerts::Admission::too_many_chairs) {
        ++counters_.refused_chairs;
        warn("max-chairs", t,
             "refused readings for new chair " + chair + ": already monitoring " +
                 std::to_string(cfg_.input.max_chairs) + " chairs (input.max_chairs)");
    } else {
        counters_.readings += d.count;
        auto& last = last_device_ts_[chair];
        for (std::size_t i = 0; i < d.count; ++i)
            last[alerts::index_of(d.readings[i].signal)] = d.readings[i].device_ts;
    }
    for (std::size_t i = 0; i < d.rejected; ++i)
        if (d.rejections[i].reason == drivers::RejectReason::artifact)
            clinic_.on_cuff_artifact(chair, d.rejections[i].detail, t, events_);
    handle(events_, t, d.seq);
}

// The readings go to the Clinic; a new chair that finds every place taken first gets the
// places of chairs idle long enough (at most once a second: a flood of new ids stays cheap).
alerts::Admission Service::admit(const std::string& chair, const drivers::Decoded& d,
                                 alerts::Instant t) {
    const std::span<const alerts::Reading> readings(d.readings.data(), d.count);
    auto admission = clinic_.on_readings(chair, readings, t, events_);
    if (admission == alerts::Admission::too_many_chairs &&
        t.mono - last_forget_ >= milliseconds(1000)) {
        forget_idle_chairs(t);
        admission = clinic_.on_readings(chair, readings, t, events_);
    }
    return admission;
}

// A reading stamped too far ahead of the receive time (a device clock gone wrong) or too long
// ago (a stale replay, a device that buffered for hours) would move the session's clock or be
// judged as current: it is refused, logged and counted. Readings in between, including ones
// late or out of order after a reconnect, are judged as usual.
void Service::refuse_untimely(const std::string& chair, std::string_view topic_name,
                              drivers::Decoded& d, alerts::Instant t) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < d.count; ++i) {
        const auto& r = d.readings[i];
        const auto ahead = r.device_ts - t.wall;
        if (ahead > cfg_.input.max_future || -ahead > cfg_.input.max_age) {
            ++counters_.stale_or_future;
            warn(chair + (ahead.count() > 0 ? "/future" : "/stale"), t,
                 "chair " + chair + ", topic " + std::string(topic_name) +
                     ": reading refused: its ts is " +
                     std::to_string(std::abs(ahead.count()) / 1000) + " s " +
                     (ahead.count() > 0 ? "ahead of" : "behind") +
                     " the receive time (input.max_future_s / input.max_age_s)");
            continue;
        }
        d.readings[kept++] = r;
    }
    counters_.rejected[static_cast<std::size_t>(drivers::RejectReason::bad_timestamp)] +=
        d.count - kept;
    d.count = kept;
}

// A message delivered twice (a QoS 1 redelivery, a monitor that repeats itself) carries the
// same device time as the reading before it: judging it again would count one measurement
// twice towards a rule's `consecutive`. Older, out-of-order readings are still judged.
void Service::drop_duplicates(const std::string& chair, drivers::Decoded& d, alerts::Instant t) {
    const auto it = last_device_ts_.find(chair);
    if (it == last_device_ts_.end()) return;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < d.count; ++i) {
        const auto& r = d.readings[i];
        // A reading without its own ts was stamped with this arrival time: never a repeat.
        if (r.device_ts != t.wall && it->second[alerts::index_of(r.signal)] == r.device_ts) {
            ++counters_.duplicates;
            continue;
        }
        d.readings[kept++] = r;
    }
    d.count = kept;
}

void Service::on_control(const std::string& chair, std::string_view payload, alerts::Instant t) {
    auto decoded = drivers::decode_control(payload, cfg_.input.max_payload_bytes);
    std::string error;
    std::string action = "?";
    if (auto* m = std::get_if<drivers::ControlMessage>(&decoded)) {
        action = std::string(alerts::to_string(m->action));
        events_.clear();
        auto result = clinic_.on_control(chair, m->action, m->info, t, events_);
        if (result == alerts::ControlResult::too_many_chairs &&
            t.mono - last_forget_ >= milliseconds(1000)) {
            forget_idle_chairs(t);
            result = clinic_.on_control(chair, m->action, m->info, t, events_);
        }
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
    // The id the session goes by: a start's differs from the one asked for when that was taken.
    const auto* open = error.empty() ? clinic_.session(chair) : nullptr;
    send(topic(chair, "session/result"),
         drivers::encode_result(error.empty(), "action", action, error,
                                alerts::format_iso8601(t.wall), open ? open->id : ""),
         1, false);
}

board::AckReply Service::on_ack(const std::string& chair, std::string_view payload,
                                alerts::Instant t) {
    auto decoded = drivers::decode_ack(payload, cfg_.input.max_payload_bytes);
    std::string error, id;
    board::AckReply reply;
    if (auto* m = std::get_if<drivers::AckMessage>(&decoded)) {
        id = m->alert_id;
        events_.clear();
        const auto result = clinic_.acknowledge(chair, m->alert_id, m->by, t, events_);
        reply.result = result;
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
    send(topic(chair, "alerts/ack/result"),
         drivers::encode_result(error.empty(), "alert_id", id, error,
                                alerts::format_iso8601(t.wall)),
         1, false);
    reply.error = error;
    return reply;
}

// What the board sees of the daemon: read-only views, and acks through on_ack.
board::Station Service::board_station() {
    board::Station st;
    st.state = &state_mutex_;
    st.clinic = [this]() -> const alerts::Clinic& { return clinic_; };
    st.profile = [this](std::string_view name) -> std::shared_ptr<const alerts::Profile> {
        auto it = cfg_.profiles.find(name);
        return it == cfg_.profiles.end() ? nullptr : it->second;
    };
    st.stats = [this] {
        board::DaemonStats d;
        d.broker_connected = mqtt_->connected();
        d.receiving = mqtt_->receiving();
        d.publishing = publishing_up_;
        d.messages = counters_.messages;
        d.readings = counters_.readings;
        for (std::size_t i = 0; i < counters_.rejected.size(); ++i)
            d.rejected.emplace_back(drivers::to_string(static_cast<drivers::RejectReason>(i)),
                                    counters_.rejected[i]);
        d.refused_chairs = counters_.refused_chairs;
        d.alerts = counters_.alerts;
        d.log_errors = counters_.log_errors;
        d.disconnects = counters_.disconnects;
        d.reconnects = counters_.reconnects;
        d.control_errors = counters_.control_errors;
        d.ack_errors = counters_.ack_errors;
        d.outgoing_queue = unsent_.size() + mqtt_->pending();
        return d;
    };
    st.acknowledge = [this](const std::string& chair, const std::string& payload) {
        return on_ack(chair, payload, now());
    };
    return st;
}

void Service::schedule_tick() {
    tick_timer_.expires_after(tick_interval);
    tick_timer_.async_wait([this](boost::system::error_code ec) {
        std::lock_guard lock(state_mutex_);
        if (ec || stopping_) return;
        on_tick();
        schedule_tick();
    });
}

void Service::on_tick() {
    const auto t = now();
    if (t.mono - last_forget_ >= forget_interval) forget_idle_chairs(t);
    events_.clear();
    clinic_.on_tick(t, events_);
    handle(events_, t);
    flush_unsent();
    notify_systemd("WATCHDOG=1");
    check_receiving(t);
    if (disconnected_since_)
        warn("broker-down", t,
             "BROKER UNREACHABLE for " +
                 std::to_string((t.mono - *disconnected_since_).count() / 1000) + " s (" +
                 cfg_.broker.uri + "): " + std::to_string(mqtt_->pending() + unsent_.size()) +
                 " messages waiting, alerts included");
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
        // Written before it is published: an alarm a nurse has seen is one a restart after
        // kill -9 resumes, with its id, so her acknowledgement finds it.
        const bool written = log_.write(e, t, seq);
        log_written(written, t);
        if (!written) warn("session-log", t, "session log: " + log_.last_error());
        if (e.type == ClinicEvent::Type::alarm) {
            const auto alert = drivers::encode_alert(s.chair, s, e.alarm, seq);
            send(topic(s.chair, "alerts"), alert, cfg_.broker.qos, false);
            if (e.alarm.state == alerts::AlarmState::escalated)
                send(cfg_.broker.escalation_topic, alert, cfg_.broker.qos, false);
            ++counters_.alerts;
            changed.insert(s.chair);
            spdlog::info("alert {} {}: {}", s.alert_id(e.alarm.alarm_no),
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
            if (written && cfg_.sessions.html_report) write_report(s, t);
        }
    }
    for (const auto& chair : changed) {
        publish_alarm_state(chair);
        dirty_chairs_.insert(chair);
    }
    if (board_) board_->on_events(events, t);
    schedule_log_flush();
}

// Readings reach the session log in batches, at most 200 ms after they arrived; alarm
// transitions were written through at once.
void Service::schedule_log_flush() {
    if (flush_scheduled_ || !log_.has_unflushed()) return;
    flush_scheduled_ = true;
    flush_timer_.expires_after(milliseconds(200));
    flush_timer_.async_wait([this](boost::system::error_code ec) {
        std::lock_guard lock(state_mutex_);
        flush_scheduled_ = false;
        if (ec) return;
        const auto t = now();
        const bool ok = log_.flush();
        log_written(ok, t);
        if (!ok) warn("session-log", t, "session log: " + log_.last_error());
    });
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

// Chairs idle past input.forget_chair_after_s leave the clinic, and everything kept for them here.
void Service::forget_idle_chairs(alerts::Instant t) {
    last_forget_ = t.mono;
    const auto gone = clinic_.forget_idle_chairs(t);
    if (gone.empty()) return;
    for (const auto& chair : gone) {
        last_device_ts_.erase(chair);
        dirty_chairs_.erase(chair);
    }
    board_->forget_chairs(gone);
    spdlog::info(
        "forgot {} chair{} with no open session and nothing received for {} s "
        "(input.forget_chair_after_s); {} chairs known",
        gone.size(), gone.size() == 1 ? "" : "s", cfg_.input.forget_chair_after.count() / 1000,
        clinic_.chair_count());
}

void Service::log_written(bool ok, alerts::Instant t) {
    if (!ok) ++counters_.log_errors;
    if (ok == !service_alarms_.active("session_log_failed")) return;
    if (!ok) {
        const auto why = log_.last_error();
        spdlog::error("TECHNICAL ALARM: session logs cannot be written ({}); alerts still go out",
                      why);
        send_service_alarm(
            service_alarms_.raise("session_log_failed", alerts::Priority::medium,
                                  "chairwatchd cannot write session logs (" + why +
                                      "); alerts still go out, the session records do not",
                                  t.wall));
    } else {
        spdlog::warn("session logs are written again; technical alarm cleared");
        send_service_alarm(service_alarms_.clear("session_log_failed",
                                                 "chairwatchd writes session logs again", t.wall));
    }
}

// REFERENCE §8: the link to the broker lost for more than 15 s is a MEDIUM technical alarm,
// HIGH while a chair is dosing. With the receiving connection down (and the publishing one
// up), alerts already raised still go out but no reading is judged: this alarm says so on MQTT;
// the board shows it as well, and the service log.
void Service::check_receiving(alerts::Instant t) {
    constexpr auto grace = milliseconds(15'000);
    if (!receiving_down_since_) {
        send_service_alarm(service_alarms_.clear("readings_link_lost",
                                                 "chairwatchd receives readings again", t.wall));
        return;
    }
    const auto down = t.mono - *receiving_down_since_;
    if (down < grace) return;
    bool dosing = false;
    for (const auto& chair : clinic_.chairs())
        if (const auto* s = clinic_.session(chair); s && s->phase == alerts::Phase::dosing)
            dosing = true;
    const auto p = dosing ? alerts::Priority::high : alerts::Priority::medium;
    const auto text =
        "chairwatchd receives no readings: its receiving connection to the broker "
        "is down (" +
        std::to_string(down.count() / 1000) +
        " s); no vital sign is judged. Watch the bedside monitors.";
    if (!service_alarms_.active("readings_link_lost")) spdlog::error("TECHNICAL ALARM: {}", text);
    send_service_alarm(service_alarms_.raise("readings_link_lost", p, text, t.wall));
}

void Service::send_service_alarm(std::optional<std::string> alert) {
    if (!alert) return;
    send(topic("chairwatchd", "alerts"), std::move(*alert), 1, false);
    publish_status("online", service_alarms_.active("session_log_failed")
                                 ? "session logs cannot be written"
                                 : nullptr);
}

void Service::publish_alarm_state(const std::string& chair) {
    send(topic(chair, "alarms"),
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
    send(cfg_.broker.status_topic, out, 1, true);
}

// Every warning goes through here: rate-limited, and with whatever outside text it quotes
// (topics, payload fragments) escaped so that it cannot forge a line or drive a terminal.
void Service::warn(const std::string& key, alerts::Instant t, const std::string& text) {
    const auto verdict = warnings_.check(key, t.mono);
    if (!verdict.allowed) return;
    spdlog::warn("{}{}", drivers::printable(text, 1024), WarnLimiter::note(verdict));
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
        "{} refused, {} log errors, {} disconnects, {} duplicates dropped, {} publish retries, "
        "{} sessions recovered at start",
        counters_.messages, counters_.readings, rejected, by_reason, counters_.alerts,
        clinic_.open_sessions(), counters_.refused_chairs, counters_.log_errors,
        counters_.disconnects, counters_.duplicates, counters_.publish_retries,
        counters_.recovered_sessions);
}

}  // namespace chairwatch::daemon
