// Inbound: one MQTT message in, the Clinic's events out to the pipeline. Decodes the topic and
// payload (drivers/codec), counts and warns about what it refuses, drops what the admission
// rules refuse (alerts/admission.hpp: untimely or repeated readings; a chair over its message
// rate), hands the rest to the Clinic, and answers session and ack messages on their result
// topics. Runs with the state held (daemon/state_gate.hpp).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/admission.hpp"
#include "alerts/clinic.hpp"
#include "board/station.hpp"
#include "config/config.hpp"
#include "daemon/counters.hpp"
#include "daemon/outgoing.hpp"
#include "daemon/pipeline.hpp"
#include "daemon/warnings.hpp"
#include "drivers/codec/control_codec.hpp"
#include "drivers/codec/payload_codec.hpp"

namespace chairwatch::daemon {

class Inbound {
  public:
    struct Parts {
        const config::Config& cfg;
        alerts::Clinic& clinic;
        alerts::RepeatFilter& repeats;
        Pipeline& pipeline;
        Outgoing& out;
        Counters& counters;
        Warnings& warnings;
        // Frees the places of idle chairs when a new one finds none (at most once a second).
        std::function<bool(alerts::Instant)> make_room;
        // A chair went out of or back into service (to be kept across a restart, and shown).
        std::function<void(const std::string& chair)> service_changed;
        // A chair's monitor reported its link (for the board: the tile shows it at once).
        std::function<void(const std::string& chair)> monitor_changed;
    };
    explicit Inbound(Parts p) : p_(std::move(p)) {}

    void on_message(std::string_view topic, std::string_view payload, alerts::Instant t);
    // MQTT acks and the board's (POST /api/alarms/{id}/ack) both take this path.
    board::AckReply on_ack(const std::string& chair, std::string_view payload, alerts::Instant t);
    // MQTT session messages and the board's (POST /api/chairs/{chair}/session) take this path.
    board::ControlReply on_control(const std::string& chair, std::string_view payload,
                                   alerts::Instant t);

  private:
    // A monitor's link status (`<prefix>/<chair>/monitor`, drivers/codec/monitor_codec.hpp).
    void on_monitor(const std::string& chair, std::string_view payload, alerts::Instant t);
    void on_vitals(const std::string& chair, std::string_view topic, std::string_view payload,
                   alerts::Instant t);
    // A nurse's observation for the chair's open session ("" if recorded, else why not).
    std::string observe(const std::string& chair, const drivers::ControlMessage& m,
                        alerts::Instant t, board::ControlReply& reply);
    // pause_feeds or resume_feeds for the chair's open session ("" if done, else why not).
    std::string pause_feeds(const std::string& chair, const drivers::ControlMessage& m,
                            alerts::Instant t, board::ControlReply& reply);
    // limit_change for the chair's open session ("" if done, else why not, with the bounds).
    std::string change_limit(const std::string& chair, const drivers::ControlMessage& m,
                             alerts::Instant t, board::ControlReply& reply);
    // out_of_service or in_service ("" if done, else why not).
    std::string chair_service(const std::string& chair, const drivers::ServiceRequest& r,
                              alerts::Instant t, board::ControlReply& reply);
    // Why a message naming session_id is not for the chair's open session ("" if it is).
    std::string other_session(const std::string& chair, const drivers::ControlMessage& m);
    // Hands events_ to the pipeline; "" if `result` is ok, else why not.
    std::string finish(alerts::ControlResult result, alerts::Instant t, board::ControlReply& reply);
    std::string unknown_action(const std::string& taken) const;
    // The readings the Clinic may judge: none untimely or repeated.
    void admit(const std::string& chair, std::string_view topic, drivers::Decoded& d,
               alerts::Instant t);
    alerts::Admission judge(const std::string& chair, const drivers::Decoded& d, alerts::Instant t);
    std::string topic(const std::string& chair, const char* leaf) const {
        return p_.cfg.broker.topic_prefix + "/" + chair + "/" + leaf;
    }
    void warn(const std::string& key, alerts::Instant t, const std::string& text) {
        p_.warnings.warn(key, t, text);
    }

    Parts p_;
    std::vector<alerts::ClinicEvent> events_;
};

}  // namespace chairwatch::daemon
