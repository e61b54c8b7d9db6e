// Service's part in a standby pair (docs/high-availability.md): the pipeline with the sinks
// that send wrapped for the standby, and the take-over.
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "daemon/ha/group.hpp"
#include "daemon/ha/standby_sinks.hpp"
#include "daemon/service.hpp"
#include "daemon/sinks/board_sink.hpp"
#include "drivers/codec/json_writer.hpp"

namespace chairwatch::daemon {

using alerts::ClinicEvent;

namespace {

// One process's life, for a group's leader claims: a restarted instance is a new run.
std::string group_run() {
    return std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
}

}  // namespace

void Service::make_group() {
    if (!cfg_.group.enabled()) return;
    ha::Group::Hooks gh;
    gh.publish = [this](const std::string& topic, const std::string& payload, bool retain) {
        return mqtt_ && mqtt_->publish(topic, payload, 1, retain);
    };
    gh.on_role = [this](bool active) { on_role(active); };
    gh.adopt_onset = [this](const std::string& id, alerts::Millis onset) {
        clinic_.adopt_onset(id, onset);
    };
    gh.adopt_ack = [this](const std::string& chair, const ha::AlertKey& k) { adopt_ack(chair, k); };
    gh.apply_action = [this](const std::string& chair, std::string_view payload) {
        inbound_.on_control(chair, payload, now());
    };
    group_ = std::make_unique<ha::Group>(cfg_, group_run(), std::move(gh));
    out_.mute(true);  // a standby until the group says otherwise
}

// A standby takes an acknowledgement the active published and it has not taken itself (one made
// on the active's board), so that a take-over keeps it. One it took already (the same MQTT ack
// reached both) is not taken twice.
void Service::adopt_ack(const std::string& chair, const ha::AlertKey& k) {
    const auto id = alerts::parse_alert_id(k.alert_id);
    const auto* session = clinic_.session(chair);
    if (!id || !session || id->session_id != session->id) return;
    const auto listed = clinic_.listed_alarms(chair);
    if (std::none_of(listed.begin(), listed.end(), [&](const alerts::AlarmTransition& a) {
            return a.alarm_no == id->alarm_no && !a.acknowledged;
        }))
        return;
    std::string ack;
    drivers::JsonWriter w(ack);
    w.begin_object();
    w.key("alert_id").value(k.alert_id);
    w.key("by").value(k.acknowledged_by);
    if (!k.action_taken.empty()) w.key("action_taken").value(k.action_taken);
    if (!k.action_note.empty()) w.key("action_note").value(k.action_note);
    w.end_object();
    inbound_.on_ack(chair, ack, now());
}

// The active took a session message from its board: the standby hears no such message, so it is
// sent to it on the group's topic, in order with the active's other messages.
void Service::mirror_board_action(const std::string& chair, std::string_view payload,
                                  const board::ControlReply& reply) {
    if (!group_ || !reply.error.empty()) return;
    out_.send(group_->action_topic(chair), ha::encode_action(payload, reply.session_id), 1, false);
}

// Every output, in the order each batch of events reaches it. In a group, what goes out to
// others (MQTT, pagers, reports, HL7) goes from the active only; both write their session logs.
void Service::build_pipeline() {
    pipeline_.add(log_sink_);  // first: what a nurse sees, a restart finds
    if (group_)
        pipeline_.add(*group_sinks_.emplace_back(std::make_unique<ha::StandbyRecorder>(
            group_->unconfirmed(), [this] { return !group_->active(); })));
    const auto active_only = [this](EventSink& sink) {
        if (!group_) return pipeline_.add(sink);
        pipeline_.add(*group_sinks_.emplace_back(
            std::make_unique<ha::ActiveOnly>(sink, [this] { return group_->active(); })));
    };
    active_only(publisher_);
    pipeline_.add(chair_state_);  // kept on a standby too; it publishes when active
    active_only(*notifier_);
    pipeline_.add(*board_sink_);
    active_only(report_writer_);
    active_only(hl7_exporter_);
    pipeline_.add(service_log_sink_);
}

bool Service::is_active() const {
    return !group_ || group_->active();
}

// A group's role changed. The new active sends what the old one never did (the alarm
// transitions it was not seen to publish), notifies the recent ones again (under the old
// active's idempotency keys where it published them), then the truth about every chair; a
// demoted one falls silent.
void Service::on_role(bool active) {
    out_.mute(!active);
    if (active) take_over(now());
}

void Service::take_over(alerts::Instant t) {
    const auto recent = group_->unconfirmed().take();
    std::vector<ClinicEvent> events;
    std::size_t missed = 0;
    for (const auto& a : recent) {
        if (!a.confirmed) {
            const auto lane = a.urgent ? Outgoing::Lane::urgent : Outgoing::Lane::normal;
            out_.send(cfg_.broker.topic_prefix + "/" + a.chair + "/alerts", a.json, cfg_.broker.qos,
                      false, lane);
            if (a.escalated)
                out_.send(cfg_.broker.escalation_topic, a.json, cfg_.broker.qos, false, lane);
            ++counters_.alerts;
            ++missed;
        }
        const auto* s = clinic_.session(a.chair);
        if (!s || s->id != a.session_id) continue;  // ended since: its log and list have it
        ClinicEvent e;
        e.type = ClinicEvent::Type::alarm;
        e.session = s;
        e.alarm = a.transition;
        events.push_back(e);
    }
    const Batch batch{t, {}, false};
    if (!events.empty()) {
        notifier_->on_events(events, batch);
        notifier_->on_done(batch);
    }
    for (const auto& chair : clinic_.chairs())
        publisher_.touched(std::string(chair));
    publisher_.republish_lists();
    chair_state_.republish();
    publish_online();
    spdlog::warn(
        "group: took over as the active instance: {} alarm transition{} the last active had not "
        "published sent now, {} recent one{} notified again; {} chairs' lists re-published",
        missed, missed == 1 ? "" : "s", events.size(), events.size() == 1 ? "" : "s",
        clinic_.chair_count());
}

}  // namespace chairwatch::daemon
