#include "daemon/service.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include "alerts/time_format.hpp"
#include "board/board.hpp"
#include "daemon/ha/group.hpp"
#include "daemon/open_files.hpp"
#include "daemon/out_of_service_file.hpp"
#include "daemon/sinks/board_sink.hpp"
#include "daemon/subscriptions.hpp"
#include "daemon/systemd_notify.hpp"
#include "drivers/codec/json_writer.hpp"
#include "drivers/session_log/session_recovery.hpp"

namespace chairwatch::daemon {

using alerts::ClinicEvent;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

constexpr auto tick_interval = milliseconds(1000);
constexpr auto stats_interval = milliseconds(600'000);
constexpr auto forget_interval = milliseconds(10'000);
constexpr auto log_flush_delay = milliseconds(200);
// Below this many unacknowledged messages in flight to the broker, an alarm storm queues
// alerts in the client (bench/run.sh storm; docs/performance.md).
constexpr int min_send_window = 1000;

// The session logs' share of the open-file limit (chairwatchd refuses a configuration that does
// not fit before it builds the service).
std::size_t session_log_files(const config::Config& cfg) {
    const auto plan = plan_open_files(cfg);
    const auto* f = std::get_if<OpenFiles>(&plan);
    return f ? f->session_logs : min_session_logs;
}

std::string run_id() {
    return std::to_string(
        duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

}  // namespace

Service::Service(asio::io_context& io, config::Config cfg, ServiceParts parts)
    : io_(io),
      clock_(std::move(parts.clock)),
      cfg_(std::move(cfg)),
      warnings_(cfg_.input.warn_interval),
      service_alarms_(run_id(), cfg_.site.id),
      clinic_(cfg_.clinic_profiles(), clinic_settings()),
      log_(cfg_.sessions.log_dir, session_log_files(cfg_)),
      out_(counters_, warnings_, [this] { return now(); }),
      log_sink_(
          log_, warnings_, [this](bool ok, alerts::Instant t) { on_log_written(ok, t); },
          [this] { schedule_log_flush(); }),
      publisher_(cfg_, clinic_, out_, counters_),
      chair_state_(cfg_, out_, [this] { return is_active(); }),
      report_writer_(cfg_, log_, log_sink_, counters_, warnings_),
      hl7_exporter_(io, cfg_, log_, log_sink_),
      service_log_sink_(log_),
      inbound_({cfg_, clinic_, repeats_, pipeline_, out_, counters_, warnings_,
                [this](alerts::Instant t) { return forget_idle_chairs(t); },
                [this](const std::string& chair) { on_service_changed(chair); },
                [this](const std::string& chair) { board_->chair_changed(chair); }}),
      gate_(
          io,
          [this](std::string_view topic, std::string_view payload) {
              const auto t = now();
              if (group_ && group_->on_message(topic, payload, t)) return;
              inbound_.on_message(topic, payload, t);
          },
          [this](const char* where, const std::exception* e) {
              ++counters_.handler_errors;
              spdlog::error("error while handling {}: {}; going on", where,
                            e ? e->what() : "unknown exception");
          }),
      tick_timer_(io),
      reconnect_timer_(io),
      flush_timer_(io) {
    make_group();
    mqtt_ = parts.mqtt(mqtt_settings(), mqtt_handlers());
    out_.attach(*mqtt_);
    board_ = std::make_unique<board::Board>(io_, cfg_.http, board_station());
    board_sink_ = std::make_unique<BoardSink>(*board_);
    Notifier::Hooks hooks;
    hooks.hold = [this] { return gate_.hold(); };
    hooks.now = [this] { return now(); };
    hooks.on_failed = [this](const std::vector<std::string>& failed) { on_notify_failed(failed); };
    hooks.on_receipt = [this](const drivers::notify::DispatchStatus& s) { on_receipt(s); };
    hooks.make_transport = std::move(parts.notify_transport);
    hooks.site = cfg_.site.id;
    notifier_ = std::make_unique<Notifier>(io_, cfg_.notifications, std::move(hooks));
    build_pipeline();
}

Service::~Service() {
    mqtt_.reset();  // no Paho callback after this, and none into a member already gone
}

alerts::Instant Service::now() const {
    if (clock_) return clock_();
    return {duration_cast<milliseconds>(std::chrono::steady_clock::now().time_since_epoch()),
            duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())};
}

alerts::ClinicSettings Service::clinic_settings() {
    auto settings = cfg_.clinic_settings();
    settings.session_id_taken = [this](std::string_view chair, std::string_view id) {
        return !recovering_ && log_.has_log(chair, id);  // a resumed session keeps its own log
    };
    return settings;
}

drivers::MqttSettings Service::mqtt_settings() const {
    drivers::MqttSettings ms;
    ms.uri = cfg_.broker.uri;
    if (cfg_.broker.uris.size() > 1)
        ms.fallback_uris.assign(cfg_.broker.uris.begin() + 1, cfg_.broker.uris.end());
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
    if (group_) {  // the clinic's status is the active's to say; the will says who vanished
        ms.will_topic = group_->will_topic();
        ms.will_payload = group_->will_payload();
    }
    return ms;
}

// Paho calls these on its own thread, holding its own lock: a message goes through the gate,
// everything else is posted to the executor.
drivers::MqttHandlers Service::mqtt_handlers() {
    drivers::MqttHandlers h;
    h.on_message = [this](std::string_view t, std::string_view p) { gate_.deliver(t, p); };
    h.on_connected = [this] { gate_.post([this] { on_connected(); }); };
    h.on_connection_lost = [this](std::string why) {
        gate_.post([this, why = std::move(why)] { on_connection_lost(why); });
    };
    h.on_send_window = [](int n) {
        if (n >= min_send_window) return;
        spdlog::warn(
            "the broker takes at most {} unacknowledged messages from chairwatchd at a time "
            "(MQTT 5 Receive Maximum; Mosquitto's max_inflight_messages, default 20): when many "
            "chairs alarm at once, alerts wait in the client behind each other, seconds in a "
            "storm of 1,000 chairs. Set max_inflight_messages {} in the broker's configuration "
            "(docs/operations.md)",
            n, min_send_window);
    };
    h.on_connect_failed = [this](std::string why) {
        gate_.post([this, why = std::move(why)] { on_connect_failed(why); });
    };
    h.on_link_change = [this](drivers::MqttLink which, bool up) {
        if (which == drivers::MqttLink::publishing)
            publishing_up_ = up;
        else
            gate_.post([this, up] { on_receiving(up); });
    };
    return h;
}

void Service::start() {
    const auto state = gate_.hold();  // Paho may deliver as soon as connect() is called
    last_stats_ = now().mono;
    if (const auto wd = sd_watchdog_interval(); wd.count() > 0)
        spdlog::info("systemd watchdog: {} ms; fed every second from the event loop", wd.count());
    spdlog::info(
        "chairwatchd {} starting: broker {}, prefix '{}', profile '{}', session logs in {}",
        CHAIRWATCH_VERSION, cfg_.broker.uri, cfg_.broker.topic_prefix, cfg_.default_profile,
        cfg_.sessions.log_dir);
    if (!mqtt_->persistent())
        spdlog::warn("alerts waiting for the broker are kept in memory only{}{}",
                     mqtt_->last_error().empty() ? "" : ": ", mqtt_->last_error());
    notifier_->start();  // its outbox first: recovery may have notifications to send
    hl7_exporter_.start();
    recover_sessions();
    restore_out_of_service();  // after: a recovered session keeps its chair in service
    // What fell due while chairwatchd was down (an escalation, a feed lost) happens now, before
    // any message that arrived after it: the next tick could come after an acknowledgement.
    const auto t = now();
    events_.clear();
    clinic_.on_tick(t, events_);
    pipeline_.handle(events_, t);
    mqtt_->connect();
    board_->start();
    schedule_tick();
    sd_notify("READY=1");
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
        // What the log holds (start, phases, readings) is not published again, but the board
        // shows it: latest values and trends of a recovered chair.
        const auto r = drivers::recover_session(
            path, clinic_, t,
            [&](const std::vector<ClinicEvent>& events) { pipeline_.handle(events, t); },
            [&](const std::vector<ClinicEvent>& events, alerts::Instant at) {
                board_->on_events(events, at);
            });
        for (const auto& p : r.problems)
            spdlog::warn("recovery: {}", p);
        if (!r.restored) {
            spdlog::warn("recovery: {} could not be resumed (chair '{}', session '{}')", path,
                         r.chair, r.session_id);
            continue;
        }
        ++counters_.recovered_sessions;
        publisher_.touched(r.chair);
        repeats_.seed(r.chair, r.last_device_ts);
        std::string ids;
        for (const auto& a : clinic_.listed_alarms(r.chair)) {
            ids += ' ';  // appended: GCC 12's false -Wrestrict on " " + string (GCC PR 105651)
            ids += clinic_.session(r.chair)->alert_id(a.alarm_no);
        }
        spdlog::warn(
            "recovery: session {} on chair {} resumed from its log ({} readings, {} of {} alarm "
            "transitions taken back, {} new); listed alarms:{}",
            r.session_id, r.chair, r.readings, r.restored_alarms, r.alarm_lines, r.reconciled,
            ids.empty() ? " none" : ids);
    }
}

namespace {
std::string out_of_service_path(const config::Config& cfg) {
    return cfg.sessions.log_dir + "/out_of_service.json";
}
}  // namespace

void Service::restore_out_of_service() {
    auto loaded = load_out_of_service(out_of_service_path(cfg_));
    for (const auto& p : loaded.problems)
        spdlog::warn("out of service: {}", p);
    for (auto& [chair, why] : loaded.chairs) {
        clinic_.restore_out_of_service(chair, why);
        if (clinic_.out_of_service(chair))
            spdlog::info("chair {} is out of service since {} (by {}): {}", chair,
                         alerts::format_iso8601(why.since), why.by, why.reason);
        else
            spdlog::warn("chair {} was out of service, but a session was recovered on it", chair);
    }
}

void Service::on_service_changed(const std::string& chair) {
    OutOfServiceChairs chairs;
    for (const auto& c : clinic_.chairs())
        if (const auto* why = clinic_.out_of_service(c)) chairs.emplace(c, *why);
    if (auto e = save_out_of_service(out_of_service_path(cfg_), chairs); !e.empty()) {
        ++counters_.log_errors;
        spdlog::error("out of service: {}: a restart would not know of chair {}'s change", e,
                      chair);
    }
    board_->chair_changed(chair);
}

void Service::stop() {
    {
        const auto state = gate_.hold();
        if (stop_requested_) return;
        stop_requested_ = true;
    }
    // First no more messages: every one the broker handed over was acknowledged to it, so each
    // is handled (on Paho's thread, or from the inbox below) before the state is settled. A
    // message the broker has not handed over stays in its queue for the next start.
    mqtt_->stop_receiving(milliseconds(2000));
    {
        const auto state = gate_.hold();
        gate_.drain();
        gate_.close();
        board_->stop();
        tick_timer_.cancel();
        reconnect_timer_.cancel();
        flush_timer_.cancel();
        if (!log_.flush()) spdlog::error("session log: {}", log_.last_error());
        sd_notify("STOPPING=1");
        const auto t = now();
        events_.clear();
        if (cfg_.sessions.suspend_on_shutdown || group_) {  // in a group: the other goes on
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
        for (const auto& e : events_) {
            if (!log_.write(e, t)) {
                ++counters_.log_errors;
            } else if (e.type == alerts::ClinicEvent::Type::session_ended && is_active()) {
                report_writer_.write(*e.session, t);
                hl7_exporter_.remember(*e.session);
            }
        }
        notifier_->stop();
        hl7_exporter_.stop();
        publish_status("offline", "shutdown");
        if (group_) group_->stop(t);
    }
    // Unlocked: Paho's thread takes the broker's acknowledgements of what is still on its way.
    mqtt_->disconnect(milliseconds(2000));
    const auto state = gate_.hold();
    log_stats();
    spdlog::info("chairwatchd stopped");
}

void Service::reload(config::Config cfg) {
    const auto state = gate_.hold();
    gate_.drain();
    if (cfg.broker.uris != cfg_.broker.uris || cfg.broker.client_id != cfg_.broker.client_id ||
        cfg.broker.topic_prefix != cfg_.broker.topic_prefix)
        spdlog::warn("reload: broker settings changed; they take effect at the next restart");
    cfg.broker = cfg_.broker;
    cfg.sessions.log_dir = cfg_.sessions.log_dir;
    if (cfg.site.id != cfg_.site.id || cfg.site.chairs.patterns != cfg_.site.chairs.patterns)
        spdlog::warn("reload: site settings changed; they take effect at the next restart");
    cfg.site = cfg_.site;  // ids and subscriptions stay as the broker and the logs know them
    cfg_ = std::move(cfg);
    log_.set_max_open(session_log_files(cfg_));
    board_->reload(cfg_.http);
    notifier_->reload(cfg_.notifications);
    const auto t = now();
    events_.clear();
    clinic_.reconfigure(cfg_.clinic_profiles(), clinic_settings(), t, events_);
    pipeline_.handle(events_, t);
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
    const auto subs = chair_subscriptions(cfg_);
    if (group_) {
        for (const auto& sub : subs)
            mqtt_->subscribe(sub.filter, sub.qos);
        // Last: their retained messages come after the others are in place. An active says it
        // is once the group confirms it (take_over).
        for (const auto& filter : group_->filters())
            mqtt_->subscribe(filter, 1);
        group_->on_connected(now());
        out_.flush();
        return;
    }
    // What was queued goes at once. The status says online once the broker has answered the
    // subscriptions: a reading sent before then may be lost (RabbitMQ drops a message that no
    // binding routes yet), so a device or test that waits for `online` loses none.
    out_.flush();
    std::vector<std::pair<std::string, int>> filters;
    for (const auto& sub : subs)
        filters.emplace_back(sub.filter, sub.qos);
    const auto round = ++connection_round_;
    mqtt_->subscribe(filters, [this, round](std::string error) {
        gate_.post([this, round, error = std::move(error)] { on_subscribed(round, error); });
    });
}

void Service::on_subscribed(std::uint64_t round, const std::string& error) {
    if (round != connection_round_ || disconnected_since_) return;  // that connection is gone
    // Kept for every `online` of this connection, not only the first.
    refused_subscriptions_ = error.empty() ? "" : "the broker refused subscriptions: " + error;
    if (!error.empty())
        spdlog::error(
            "the broker refused subscriptions ({}): readings there do not arrive; "
            "check the broker's ACL for this client",
            error);
    publish_online();
    // Re-send the truth about every chair, so a station that missed something catches up.
    publisher_.republish_lists();
    chair_state_.republish();
    last_refresh_ = now().mono;
}

void Service::on_connection_lost(const std::string& why) {
    ++counters_.disconnects;
    if (group_) group_->on_disconnected();
    if (!disconnected_since_) disconnected_since_ = now().mono;
    spdlog::error("BROKER CONNECTION LOST ({}): alerts are buffered until it returns", why);
}

void Service::on_connect_failed(const std::string& why) {
    if (gate_.closed()) return;
    const auto delay = milliseconds(
        std::min(cfg_.broker.reconnect_max_s * 1000, 1000 << std::min(connect_attempts_, 9)));
    ++connect_attempts_;
    spdlog::error("cannot reach broker {} ({}); retrying in {} s", cfg_.broker.uri, why,
                  delay.count() / 1000);
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([this](boost::system::error_code ec) {
        const auto state = gate_.hold();
        if (!ec && !gate_.closed()) mqtt_->connect();
    });
}

void Service::on_receiving(bool up) {
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
}

void Service::schedule_tick() {
    tick_timer_.expires_after(tick_interval);
    tick_timer_.async_wait([this](boost::system::error_code ec) {
        const auto state = gate_.hold();
        if (ec || gate_.closed()) return;
        gate_.drain();
        on_tick();
        schedule_tick();
    });
}

void Service::on_tick() {
    const auto t = now();
    if (t.mono - last_forget_ >= forget_interval) forget_idle_chairs(t);
    events_.clear();
    clinic_.on_tick(t, events_);
    pipeline_.handle(events_, t);
    chair_state_.flush(t);
    notifier_->on_tick(t);
    if (group_) group_->on_tick(t);
    refresh_retained(t);
    out_.flush();
    sd_notify("WATCHDOG=1");
    check_receiving(t);
    if (disconnected_since_)
        warnings_.warn("broker-down", t,
                       "BROKER UNREACHABLE for " +
                           std::to_string((t.mono - *disconnected_since_).count() / 1000) + " s (" +
                           cfg_.broker.uri +
                           "): " + std::to_string(mqtt_->pending() + out_.waiting()) +
                           " messages waiting, alerts included");
    if (t.mono - last_stats_ >= stats_interval) {
        last_stats_ = t.mono;
        log_stats();
    }
}

// Readings reach the session log at the end of the message that brought them (SessionLogSink);
// when that write failed, this timer tries again 200 ms later, and on until it succeeds.
void Service::schedule_log_flush() {
    if (flush_scheduled_ || !log_.has_unflushed()) return;
    flush_scheduled_ = true;
    flush_timer_.expires_after(log_flush_delay);
    flush_timer_.async_wait([this](boost::system::error_code ec) {
        const auto state = gate_.hold();
        flush_scheduled_ = false;
        if (ec) return;
        const auto t = now();
        const bool ok = log_.flush();
        on_log_written(ok, t);
        if (!ok) warnings_.warn("session-log", t, "session log: " + log_.last_error());
    });
}

bool Service::forget_idle_chairs(alerts::Instant t) {
    if (t.mono - last_forget_ < milliseconds(1000) && last_forget_.count() != 0) return false;
    last_forget_ = t.mono;
    const auto gone = clinic_.forget_idle_chairs(t);
    if (gone.empty()) return true;
    for (const auto& chair : gone) {
        repeats_.forget(chair);
        publisher_.forget(chair);
        chair_state_.forget(chair);
    }
    board_->forget_chairs(gone);
    spdlog::info(
        "forgot {} chair{} with no open session and nothing received for {} s "
        "(input.forget_chair_after_s); {} chairs known",
        gone.size(), gone.size() == 1 ? "" : "s", cfg_.input.forget_chair_after.count() / 1000,
        clinic_.chair_count());
    return true;
}

// The daemon's own technical alarm: session logs cannot be written (disk full, directory gone
// or unwritable). Alerts keep going out; the record of the sessions is what is missing.
void Service::on_log_written(bool ok, alerts::Instant t) {
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
        "chairwatchd receives no readings: its receiving connection to the broker is down (" +
        std::to_string(down.count() / 1000) +
        " s); no vital sign is judged. Watch the bedside monitors.";
    if (!service_alarms_.active("readings_link_lost")) spdlog::error("TECHNICAL ALARM: {}", text);
    send_service_alarm(service_alarms_.raise("readings_link_lost", p, text, t.wall));
}

void Service::send_service_alarm(std::optional<ServiceAlert> alert) {
    if (!alert) return;
    const auto t = now();
    // A gap in the monitoring of every session open now: its chart must show it. A line that
    // cannot be written is counted and warned about like any log write, but does not go to
    // on_log_written: session_log_failed would be raised (or written) again, into logs that
    // cannot take it. The next write of a Clinic event raises it if the logs stay unwritable.
    const drivers::ServiceAlarmEntry entry{alert->alert_id, alert->condition, alert->state,
                                           std::string(alerts::to_string(alert->priority)),
                                           alert->text};
    for (const auto& chair : clinic_.chairs()) {
        const auto* s = clinic_.session(chair);
        if (!s) continue;
        if (!log_.write_service_alarm(*s, entry, t)) {
            ++counters_.log_errors;
            warnings_.warn("session-log", t, "session log: " + log_.last_error());
        }
    }
    // The pagers as well, routed like a chair's technical alarm (chair "chairwatchd").
    if (notifier_ && is_active()) notifier_->on_service_alarm(*alert, t);
    out_.send(cfg_.broker.topic_prefix + "/chairwatchd/alerts", std::move(alert->json), 1, false);
    publish_online();
}

// A receiver that pages people has failed for longer than notifications.fail_after_s: a
// technical alarm on MQTT, the board's banner and the log, like readings_link_lost.
void Service::on_notify_failed(const std::vector<std::string>& failed) {
    const auto t = now();
    if (failed.empty()) {
        spdlog::warn("notification receivers take notifications again; technical alarm cleared");
        send_service_alarm(
            service_alarms_.clear("notification_failed",
                                  "every notification receiver takes notifications again", t.wall));
        return;
    }
    std::string names;
    for (const auto& n : failed)
        names += (names.empty() ? "'" : ", '") + n + "'";
    const auto text = "chairwatchd cannot notify receiver" +
                      std::string(failed.size() > 1 ? "s " : " ") + names + " for more than " +
                      std::to_string(cfg_.notifications.fail_after.count() / 1000) +
                      " s; pagers may not ring. Watch the board.";
    spdlog::error("TECHNICAL ALARM: {}", text);
    // A second receiver failing changes the text only: the alarm stands, raised once.
    send_service_alarm(
        service_alarms_.raise("notification_failed", alerts::Priority::medium, text, t.wall));
}

// The alarm manager's dispatch status (ACM ORU^R41): a receipt in the session's log, which the
// report shows. A receipt for a session no longer open goes to the service log only.
void Service::on_receipt(const drivers::notify::DispatchStatus& s) {
    ++counters_.notify_receipts;
    spdlog::info("notification receipt: {} {} by '{}'{}{}", s.alert_id, s.status, s.person,
                 s.device.empty() ? "" : " on ", s.device);
    board_->on_receipt(s.alert_id, s.status, s.person);
    const auto id = alerts::parse_alert_id(s.alert_id);
    const auto* session = id && id->site == cfg_.site.id ? clinic_.session(id->chair) : nullptr;
    if (!session || session->id != id->session_id) {
        spdlog::warn(
            "notification receipt for {}: no open session of that alert; not in a "
            "session log",
            s.alert_id);
        return;
    }
    const drivers::Receipt r{s.alert_id, s.status, s.person, s.device, s.at, s.control_id};
    if (!log_.write_receipt(*session, r, now())) {
        ++counters_.log_errors;
        warnings_.warn("session-log", now(), "session log: " + log_.last_error());
    }
}

void Service::publish_online() {
    const char* reason = nullptr;
    if (!refused_subscriptions_.empty()) reason = refused_subscriptions_.c_str();
    if (service_alarms_.active("session_log_failed")) reason = "session logs cannot be written";
    publish_status("online", reason);
}

// A broker whose retained messages stay on the node that took them (RabbitMQ) gives a station
// on another node an old list or none: every broker.refresh_retained_s the status and every
// chair's list go out again, live to every subscriber of the cluster.
void Service::refresh_retained(alerts::Instant t) {
    const auto every = std::chrono::seconds(cfg_.broker.refresh_retained_s);
    if (every.count() == 0 || group_ || disconnected_since_ || t.mono - last_refresh_ < every)
        return;
    last_refresh_ = t.mono;
    publish_online();
    publisher_.republish_lists();
    chair_state_.republish();
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
    if (group_) {
        w.key("instance").value(group_->instance());
        w.key("role").value(group_->active() ? "active" : "standby");
        w.key("term").value(static_cast<std::int64_t>(group_->term()));
    }
    if (reason) w.key("reason").value(reason);
    w.end_object();
    out_.send(cfg_.broker.status_topic, std::move(out), 1, true);
}

// What the board sees of the daemon: read-only views, and acks and session messages through
// the paths their MQTT messages take.
board::Station Service::board_station() {
    board::Station st;
    st.hold = [this] { return gate_.hold(); };
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
        d.foreign_chairs = counters_.foreign_chairs;
        d.alerts = counters_.alerts;
        d.log_errors = counters_.log_errors;
        d.disconnects = counters_.disconnects;
        d.reconnects = counters_.reconnects;
        d.control_errors = counters_.control_errors;
        d.monitor_errors = counters_.monitor_errors;
        d.ack_errors = counters_.ack_errors;
        d.outgoing_queue = out_.waiting() + mqtt_->pending();
        for (const auto& r : notifier_->stats())
            d.notify.push_back({r.name, r.sent, r.failed, r.retried, r.rejected, r.pending,
                                r.failing, r.last_latency_s});
        d.notify_receipts = counters_.notify_receipts;
        return d;
    };
    st.records_dir = [this] { return cfg_.sessions.log_dir; };
    st.acknowledge = [this](const std::string& chair, const std::string& payload) {
        if (!is_active())  // it would be this instance's alone: the active's board takes it
            return board::AckReply{
                {}, "this chairwatchd is the group's standby: acknowledge on the active's board"};
        return inbound_.on_ack(chair, payload, now());
    };
    st.choices = [this] {
        board::Choices c;
        for (const auto& [name, p] : cfg_.profiles)
            c.profiles.emplace_back(name, p->route);
        c.ack_actions = cfg_.sessions.ack_actions;
        c.max_feed_pause_min =
            static_cast<int>(cfg_.sessions.max_feed_pause / std::chrono::minutes(1));
        return c;
    };
    st.control = [this](const std::string& chair, const std::string& payload) {
        if (!is_active())  // as for an acknowledgement: the session is run on the active's board
            return board::ControlReply{
                {}, "?", "this chairwatchd is the group's standby: use the active's board", {}};
        auto reply = inbound_.on_control(chair, payload, now());
        mirror_board_action(chair, payload, reply);
        return reply;
    };
    return st;
}

void Service::log_stats() {
    std::uint64_t rejected = 0;
    std::string by_reason;
    for (std::size_t i = 0; i < counters_.rejected.size(); ++i) {
        if (!counters_.rejected[i]) continue;
        rejected += counters_.rejected[i];
        by_reason += ' ';  // appended, as above (GCC PR 105651)
        by_reason += drivers::to_string(static_cast<drivers::RejectReason>(i));
        by_reason += '=';
        by_reason += std::to_string(counters_.rejected[i]);
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
