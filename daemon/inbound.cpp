#include "daemon/inbound.hpp"

#include <algorithm>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "alerts/time_format.hpp"
#include "drivers/codec/control_codec.hpp"
#include "drivers/codec/monitor_codec.hpp"
#include "drivers/codec/text_rules.hpp"

namespace chairwatch::daemon {

using drivers::RejectReason;

void Inbound::on_message(std::string_view topic_name, std::string_view payload, alerts::Instant t) {
    ++p_.counters.messages;
    const auto ct = drivers::parse_chair_topic(topic_name, p_.cfg.broker.topic_prefix);
    if (!ct) {
        p_.counters.reject(RejectReason::bad_topic);
        warn("topic", t,
             "rejected message on '" + std::string(topic_name.substr(0, 128)) +
                 "': not <prefix>/<chair>/...");
        return;
    }
    const std::string chair(ct->chair);
    if (!drivers::valid_chair_id(ct->chair)) {
        p_.counters.reject(RejectReason::bad_chair);
        warn("chair-id", t,
             "rejected message on '" + std::string(topic_name.substr(0, 128)) +
                 "': chair id must be 1-64 of A-Z a-z 0-9 - _ .");
        return;
    }
    if (chair == "chairwatchd") {
        // The daemon's own topics (status, its technical alarms) sit beside the chairs'.
        p_.counters.reject(RejectReason::bad_chair);
        warn("chair-id", t,
             "rejected message on '" + std::string(topic_name.substr(0, 128)) +
                 "': 'chairwatchd' is reserved for the daemon's own topics");
        return;
    }
    if (!p_.cfg.site.chairs.owns(chair)) {
        // Another site's chair on a shared prefix: not the sender's error, and never a chair
        // or a session here (docs/high-availability.md, "Many sites").
        ++p_.counters.foreign_chairs;
        return;
    }
    events_.clear();
    if (p_.clinic.on_message(chair, t, events_) == alerts::Admission::flooding) {
        p_.counters.reject(RejectReason::flooding);
        if (!events_.empty()) p_.pipeline.handle(events_, t);
        warn(chair + "/flooding", t,
             "chair " + chair + ": more than " +
                 std::to_string(p_.cfg.input.max_messages_per_chair) +
                 " messages a second (input.max_messages_per_chair_s): its excess is dropped "
                 "unread");
        return;
    }
    if (ct->rest == "session") {
        on_control(chair, payload, t);
        return;
    }
    if (ct->rest == "alerts/ack") {
        on_ack(chair, payload, t);
        return;
    }
    if (ct->rest == "monitor") {
        on_monitor(chair, payload, t);
        return;
    }
    on_vitals(chair, topic_name, payload, t);
}

void Inbound::on_monitor(const std::string& chair, std::string_view payload, alerts::Instant t) {
    auto decoded = drivers::decode_monitor_status(payload, p_.cfg.input.max_payload_bytes);
    if (auto* error = std::get_if<std::string>(&decoded)) {
        ++p_.counters.monitor_errors;
        warn(chair + "/monitor", t, "chair " + chair + ": monitor status refused: " + *error);
        return;
    }
    const auto& status = std::get<drivers::MonitorStatus>(decoded);
    events_.clear();
    auto admission = p_.clinic.on_monitor_status(chair, status.online, status.device, t, events_);
    if (admission == alerts::Admission::too_many_chairs && p_.make_room(t))
        admission = p_.clinic.on_monitor_status(chair, status.online, status.device, t, events_);
    if (admission == alerts::Admission::too_many_chairs) {
        ++p_.counters.refused_chairs;
        warn("max-chairs", t, "chair " + chair + ": monitor status refused: too many chairs");
    }
    if (!events_.empty()) p_.pipeline.handle(events_, t);
    if (p_.monitor_changed) p_.monitor_changed(chair);
    spdlog::info("chair {}: monitor reports itself {}", chair,
                 status.online ? "online" : "offline");
}

void Inbound::on_vitals(const std::string& chair, std::string_view topic_name,
                        std::string_view payload, alerts::Instant t) {
    const auto vt = drivers::parse_vitals_topic(topic_name, p_.cfg.broker.topic_prefix);
    if (!vt) {
        p_.counters.reject(RejectReason::bad_topic);
        warn("topic", t,
             "rejected message on '" + std::string(topic_name.substr(0, 128)) +
                 "': not <prefix>/<chair>/vitals/...");
        return;
    }
    auto d = drivers::decode_vitals(vt->leaf, payload, t.wall, p_.cfg.input.max_payload_bytes);
    admit(chair, topic_name, d, t);
    for (std::size_t i = 0; i < d.rejected; ++i) {
        const auto& r = d.rejections[i];
        p_.counters.reject(r.reason);
        warn(chair + "/" + std::string(drivers::to_string(r.reason)), t,
             "chair " + chair + ", topic " + std::string(topic_name) + ": rejected (" +
                 std::string(drivers::to_string(r.reason)) + "): " + r.detail);
    }
    events_.clear();
    if (d.count == 0) {
        // Nothing usable: an artifact still notes itself below; nothing else reaches the core.
    } else if (const auto admission = judge(chair, d, t);
               admission == alerts::Admission::too_many_chairs) {
        ++p_.counters.refused_chairs;
        warn("max-chairs", t,
             "refused readings for new chair " + chair + ": already monitoring " +
                 std::to_string(p_.cfg.input.max_chairs) + " chairs (input.max_chairs)");
    } else if (admission == alerts::Admission::out_of_service) {
        p_.counters.reject(RejectReason::out_of_service, d.count);
        warn(chair + "/out_of_service", t,
             "chair " + chair + ": readings ignored: the chair is out of service");
    } else {
        p_.counters.readings += d.count;
        p_.repeats.judged(chair, std::span<const alerts::Reading>(d.readings.data(), d.count));
    }
    for (std::size_t i = 0; i < d.rejected; ++i)
        if (d.rejections[i].reason == RejectReason::artifact)
            p_.clinic.on_cuff_artifact(chair, d.rejections[i].detail, t, events_);
    p_.pipeline.handle(events_, t, d.seq);
}

void Inbound::admit(const std::string& chair, std::string_view topic_name, drivers::Decoded& d,
                    alerts::Instant t) {
    std::size_t kept = 0, untimely = 0;
    for (std::size_t i = 0; i < d.count; ++i) {
        const auto& r = d.readings[i];
        const auto timing =
            alerts::timing(r.device_ts, t.wall, p_.cfg.input.max_future, p_.cfg.input.max_age);
        if (timing != alerts::Timing::ok) {
            ++untimely;
            ++p_.counters.stale_or_future;
            const bool ahead = timing == alerts::Timing::ahead;
            warn(chair + (ahead ? "/future" : "/stale"), t,
                 "chair " + chair + ", topic " + std::string(topic_name) +
                     ": reading refused: its ts is " +
                     std::to_string(std::abs((r.device_ts - t.wall).count()) / 1000) + " s " +
                     (ahead ? "ahead of" : "behind") +
                     " the receive time (input.max_future_s / input.max_age_s)");
            continue;
        }
        if (p_.repeats.repeats(chair, r, t.wall)) {
            ++p_.counters.duplicates;
            continue;
        }
        d.readings[kept++] = r;
    }
    p_.counters.reject(RejectReason::bad_timestamp, untimely);
    d.count = kept;
}

// A new chair that finds every place taken first gets the places of chairs idle long enough.
alerts::Admission Inbound::judge(const std::string& chair, const drivers::Decoded& d,
                                 alerts::Instant t) {
    const std::span<const alerts::Reading> readings(d.readings.data(), d.count);
    auto admission = p_.clinic.on_readings(chair, readings, t, events_);
    if (admission == alerts::Admission::too_many_chairs && p_.make_room(t))
        admission = p_.clinic.on_readings(chair, readings, t, events_);
    return admission;
}

board::ControlReply Inbound::on_control(const std::string& chair, std::string_view payload,
                                        alerts::Instant t) {
    auto decoded = drivers::decode_control(payload, p_.cfg.input.max_payload_bytes);
    board::ControlReply reply;
    reply.action = "?";
    std::string& error = reply.error;
    if (!p_.cfg.site.chairs.owns(chair)) {  // the board's request: MQTT ones never get here
        ++p_.counters.control_errors;
        error = "chair " + chair + " is not one of this site's chairs (site.chairs)";
        return reply;
    }
    if (auto* m = std::get_if<drivers::ControlMessage>(&decoded); m && m->observation) {
        reply.action = "observation";
        error = observe(chair, *m, t, reply);
    } else if (m && m->pause) {
        reply.action = m->pause->resume ? "resume_feeds" : "pause_feeds";
        error = pause_feeds(chair, *m, t, reply);
    } else if (m && m->limit) {
        reply.action = "limit_change";
        error = change_limit(chair, *m, t, reply);
    } else if (m && m->service) {
        reply.action = m->service->in_service ? "in_service" : "out_of_service";
        error = chair_service(chair, *m->service, t, reply);
    } else if (m) {
        reply.action = std::string(alerts::to_string(m->action));
        events_.clear();
        auto result = p_.clinic.on_control(chair, m->action, m->info, t, events_);
        if (result == alerts::ControlResult::too_many_chairs && p_.make_room(t))
            result = p_.clinic.on_control(chair, m->action, m->info, t, events_);
        p_.pipeline.handle(events_, t);
        reply.result = result;
        if (result != alerts::ControlResult::ok) error = std::string(alerts::to_string(result));
        if (result == alerts::ControlResult::unknown_profile) error += " '" + m->info.profile + "'";
    } else {
        error = std::get<std::string>(decoded);
    }
    if (!error.empty()) {
        ++p_.counters.control_errors;
        warn(chair + "/session", t,
             "chair " + chair + ": session message (" + reply.action + ") refused: " + error);
    }
    // The id the session goes by: a start's differs from the one asked for when that was taken.
    const auto* open = error.empty() ? p_.clinic.session(chair) : nullptr;
    if (open) reply.session_id = open->id;
    p_.out.send(topic(chair, "session/result"),
                drivers::encode_result(error.empty(), "action", reply.action, error,
                                       alerts::format_iso8601(t.wall), reply.session_id),
                1, false);
    return reply;
}

std::string Inbound::observe(const std::string& chair, const drivers::ControlMessage& m,
                             alerts::Instant t, board::ControlReply& reply) {
    if (auto e = other_session(chair, m); !e.empty()) return e;
    events_.clear();
    return finish(p_.clinic.observe(chair, *m.observation, t, events_), t, reply);
}

std::string Inbound::pause_feeds(const std::string& chair, const drivers::ControlMessage& m,
                                 alerts::Instant t, board::ControlReply& reply) {
    if (auto e = other_session(chair, m); !e.empty()) return e;
    const auto& p = *m.pause;
    events_.clear();
    const auto length = alerts::Millis(static_cast<std::int64_t>(p.minutes * 60000));
    return finish(p.resume ? p_.clinic.resume_feeds(chair, p.by, t, events_)
                           : p_.clinic.pause_feeds(chair, length, p.reason, p.by, t, events_),
                  t, reply);
}

std::string Inbound::change_limit(const std::string& chair, const drivers::ControlMessage& m,
                                  alerts::Instant t, board::ControlReply& reply) {
    if (auto e = other_session(chair, m); !e.empty()) return e;
    const auto& rq = *m.limit;
    events_.clear();
    auto error = finish(p_.clinic.change_limit(chair, rq, t, events_), t, reply);
    if (reply.result == alerts::ControlResult::limit_out_of_bounds)
        for (const auto& l : p_.clinic.limits(chair))
            if (l.bound->condition == rq.condition && l.bound->tier == rq.tier)
                error += fmt::format(" ({:g} to {:g})", l.bound->min, l.bound->max);
    if (reply.result == alerts::ControlResult::unknown_limit)
        error += " ('" + drivers::printable(rq.condition, 64) + "' tier " +
                 std::to_string(rq.tier) + ")";
    return error;
}

std::string Inbound::chair_service(const std::string& chair, const drivers::ServiceRequest& r,
                                   alerts::Instant t, board::ControlReply& reply) {
    auto result = r.in_service ? p_.clinic.return_to_service(chair, t)
                               : p_.clinic.take_out_of_service(chair, r.reason, r.by, t);
    if (result == alerts::ControlResult::too_many_chairs && p_.make_room(t))
        result = p_.clinic.take_out_of_service(chair, r.reason, r.by, t);
    reply.result = result;
    if (result != alerts::ControlResult::ok) return std::string(alerts::to_string(result));
    if (r.in_service)
        spdlog::info("chair {} back in service (by {})", chair, r.by);
    else
        spdlog::info("chair {} out of service (by {}): {}", chair, r.by, r.reason);
    if (p_.service_changed) p_.service_changed(chair);
    return {};
}

std::string Inbound::other_session(const std::string& chair, const drivers::ControlMessage& m) {
    const auto* open = p_.clinic.session(chair);
    if (open && !m.info.session_id.empty() && m.info.session_id != open->id)
        return "session_id '" + m.info.session_id + "' is not the open session '" + open->id + "'";
    return {};
}

std::string Inbound::finish(alerts::ControlResult result, alerts::Instant t,
                            board::ControlReply& reply) {
    p_.pipeline.handle(events_, t);
    reply.result = result;
    return result == alerts::ControlResult::ok ? "" : std::string(alerts::to_string(result));
}

// Why an acknowledgement's action_taken is refused ("" if it is empty or on the pick list).
std::string Inbound::unknown_action(const std::string& taken) const {
    const auto& list = p_.cfg.sessions.ack_actions;
    if (taken.empty() || std::find(list.begin(), list.end(), taken) != list.end()) return {};
    std::string names;
    for (const auto& a : list)
        names += (names.empty() ? "" : ", ") + a;
    return "action_taken '" + drivers::printable(taken, 64) + "' is not one of " + names +
           " (sessions.ack_actions)";
}

board::AckReply Inbound::on_ack(const std::string& chair, std::string_view payload,
                                alerts::Instant t) {
    auto decoded = drivers::decode_ack(payload, p_.cfg.input.max_payload_bytes);
    std::string error, id;
    board::AckReply reply;
    auto* m = std::get_if<drivers::AckMessage>(&decoded);
    if (m) {
        id = m->alert_id;
        error = unknown_action(m->action.taken);
    }
    if (m && error.empty()) {
        events_.clear();
        const auto result = p_.clinic.acknowledge(chair, m->alert_id, m->by, t, events_, m->action);
        reply.result = result;
        p_.pipeline.handle(events_, t);
        if (result != alerts::AckResult::ok) error = std::string(alerts::to_string(result));
    } else if (!m) {
        error = std::get<std::string>(decoded);
    }
    if (!error.empty()) {
        ++p_.counters.ack_errors;
        warn(
            chair + "/ack", t,
            "chair " + chair + ": acknowledgement of '" + id.substr(0, 80) + "' refused: " + error);
    }
    p_.out.send(topic(chair, "alerts/ack/result"),
                drivers::encode_result(error.empty(), "alert_id", id, error,
                                       alerts::format_iso8601(t.wall)),
                1, false);
    reply.error = error;
    return reply;
}

}  // namespace chairwatch::daemon
