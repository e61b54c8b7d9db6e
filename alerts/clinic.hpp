// Every chair of the clinic: routes readings to each chair's rule engine, starts a session at a
// chair's first reading and ends it after an idle time. Pure: events out, nothing done.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alerts/chair_monitor.hpp"
#include "alerts/session.hpp"

namespace chairwatch::alerts {

struct ClinicSettings {
    Millis session_idle_end{std::chrono::minutes(30)};
    std::size_t max_chairs{256};
};

// One thing that happened, in the order it must be recorded and published. `session` points at
// state the Clinic owns and stays valid until the next call into the Clinic.
struct ClinicEvent {
    enum class Type : std::uint8_t { session_started, reading, alarm, session_ended };
    Type type{Type::reading};
    const Session* session{nullptr};
    Reading reading;
    AlarmTransition alarm;
};

enum class Admission : std::uint8_t { accepted, too_many_chairs };

class Clinic {
  public:
    Clinic(std::shared_ptr<const Profile> profile, ClinicSettings settings);

    Admission on_reading(std::string_view chair, const Reading& r, Instant now,
                         std::vector<ClinicEvent>& out);
    void on_tick(Instant now, std::vector<ClinicEvent>& out);
    // Ends every open session (daemon stopping).
    void end_all(Instant now, EndReason reason, std::vector<ClinicEvent>& out);
    // Applies new rules to every chair without losing sessions or alarms.
    void reconfigure(std::shared_ptr<const Profile> profile, ClinicSettings settings);

    // Active alarms of a chair; empty for an unknown chair or one with no session.
    std::vector<AlarmTransition> active_alarms(std::string_view chair) const;
    const Session* session(std::string_view chair) const;
    std::size_t chair_count() const { return chairs_.size(); }
    std::size_t open_sessions() const;

  private:
    struct Chair {
        explicit Chair(std::shared_ptr<const Profile> p) : monitor(std::move(p)) {}
        ChairMonitor monitor;
        std::optional<Session> session;
        Session last_ended;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };

    void end_session(Chair& chair, Instant now, EndReason reason, std::vector<ClinicEvent>& out);
    void emit_alarms(Session& session, std::vector<ClinicEvent>& out);

    std::shared_ptr<const Profile> profile_;
    ClinicSettings settings_;
    std::unordered_map<std::string, std::unique_ptr<Chair>, Hash, std::equal_to<>> chairs_;
    std::vector<AlarmTransition> scratch_;
};

}  // namespace chairwatch::alerts
