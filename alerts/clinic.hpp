// Every chair of the clinic: routes readings, session messages and acknowledgements to each
// chair's rule engine and alarm book, and keeps each chair's session (phases, baseline,
// discharge). Pure: events out, nothing done.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alarm_book.hpp"
#include "alerts/chair_index.hpp"
#include "alerts/chair_monitor.hpp"
#include "alerts/limits.hpp"
#include "alerts/monitor_link.hpp"
#include "alerts/session.hpp"

namespace chairwatch::alerts {

struct ClinicSettings {
    Millis session_idle_end{std::chrono::minutes(30)};
    std::size_t max_chairs{256};
    // off: every chair's engine judges every rule on every reading and tick, and every tick
    // visits every chair (for tests that hold the shortcuts to the same results).
    ChairMonitor::Shortcuts shortcuts{ChairMonitor::Shortcuts::on};
    // Whether an earlier session of the chair already used a session id (the daemon: its log
    // exists). A new session never takes such an id: it gets the first free "-N" suffix, so it
    // never writes into an old session's log nor repeats its alert ids. Empty: only the chair's
    // last session in memory counts.
    std::function<bool(std::string_view chair, std::string_view session_id)> session_id_taken{};
    // A chair with no open session that has sent nothing this long is forgotten (its place under
    // max_chairs is free again); chairs named in the profiles' chair defaults never are.
    Millis forget_chair_after{std::chrono::hours(1)};
    // A chair may send this many messages a second on average (0: no limit), with bursts of
    // flood_burst_s seconds' worth; beyond, its messages are dropped unread and its session has
    // the technical alarm message_flood until it has kept to the rate for flood_calm_s.
    double max_messages_per_s{20};
    double flood_burst_s{5};
    Millis flood_calm{std::chrono::seconds(10)};
    // The longest a nurse may pause a chair's feed alarms (Clinic::pause_feeds).
    Millis max_feed_pause{std::chrono::minutes(15)};
    // The site (alerts/site.hpp) that alert ids and generated session ids carry; empty: none.
    std::string site{};
};

// The profiles a clinic has, and which one each chair uses unless a start message names one.
struct ClinicProfiles {
    std::map<std::string, std::shared_ptr<const Profile>, std::less<>> by_name;
    std::string default_profile;
    std::map<std::string, std::string, std::less<>> chair_default;  // chair -> profile name

    static ClinicProfiles single(std::shared_ptr<const Profile> p) {
        ClinicProfiles c;
        c.default_profile = p->name;
        c.by_name.emplace(p->name, std::move(p));
        return c;
    }
    std::shared_ptr<const Profile> find(std::string_view name) const;
    std::shared_ptr<const Profile> for_chair(std::string_view chair) const;
};

// One thing that happened, in the order it must be recorded and published. `session` points at
// state the Clinic owns and stays valid until the next call into the Clinic.
struct ClinicEvent {
    enum class Type : std::uint8_t {
        session_started,
        phase_changed,
        reading,
        alarm,
        session_ended,
        observation,
        feed_pause,    // paused (pause_end empty) or ended; `pause` says which pause
        limit_changed  // `limit_change` says which
    };
    Type type{Type::reading};
    const Session* session{nullptr};
    Reading reading;
    AlarmTransition alarm;
    const Observation* observation{nullptr};   // type observation; valid as `session` is
    const FeedPause* pause{nullptr};           // type feed_pause; valid as `session` is
    std::optional<PauseEnd> pause_end{};       // type feed_pause: why the pause ended
    const LimitChange* limit_change{nullptr};  // type limit_changed; valid as `session` is
};

// A nurse's change of one of the session's limits (Clinic::change_limit).
struct LimitRequest {
    std::string condition;
    int tier{1};  // 1-based, in the profile's order
    double value{0};
    std::string reason;
    std::string by;
};

// out_of_service: the chair is out of service (Clinic::take_out_of_service); its readings are
// ignored (the caller counts them).
enum class Admission : std::uint8_t { accepted, too_many_chairs, flooding, out_of_service };

// Why and since when a chair is out of service, and who took it out (an admin's login).
struct OutOfService {
    Millis since{0};  // wall time
    std::string reason;
    std::string by;
};

enum class ControlAction : std::uint8_t { start, dose_start, dose_end, end };
std::string_view to_string(ControlAction a);

enum class ControlResult : std::uint8_t {
    ok,
    unknown_profile,
    no_session,
    wrong_phase,
    too_many_chairs,
    pause_too_long,
    not_paused,
    session_open,        // the chair has an open session: it cannot go out of service
    out_of_service,      // the chair is out of service: no session starts on it
    in_service,          // the chair is not out of service
    unknown_limit,       // the profile in force lets no one change that limit
    limit_out_of_bounds  // the new value is outside the limit's bounds
};
std::string_view to_string(ControlResult r);

class Clinic {
  public:
    Clinic(ClinicProfiles profiles, ClinicSettings settings);

    // A message arrived on one of a known chair's topics, before it is decoded: `flooding` if
    // the chair is over its rate (ClinicSettings::max_messages_per_s): the message is dropped
    // unread. The first drop raises message_flood on the chair's open session.
    Admission on_message(std::string_view chair, Instant now, std::vector<ClinicEvent>& out);
    Admission on_reading(std::string_view chair, const Reading& r, Instant now,
                         std::vector<ClinicEvent>& out);
    // The readings of one message (one measurement), judged together.
    Admission on_readings(std::string_view chair, std::span<const Reading> readings, Instant now,
                          std::vector<ClinicEvent>& out);
    // The chair's monitor reported its link (`<prefix>/<chair>/monitor`): online, or offline
    // (its last will). With an open session, offline longer than the profile's monitor_lost
    // raises monitor_link_lost (MEDIUM, HIGH while dosing); while the monitor is offline it
    // stands for the chair's feed alarms, which it holds back (docs/sessions-and-alarms.md).
    // The status is kept with no session too (the board shows it; a session started while the
    // monitor is offline alarms once the delay has run from its start).
    Admission on_monitor_status(std::string_view chair, bool online, std::string_view device,
                                Instant now, std::vector<ClinicEvent>& out);
    // nullptr for a chair not known.
    const MonitorLink* monitor_link(std::string_view chair) const;
    // A cuff measurement was rejected as an artifact: a technical note until the next valid one.
    void on_cuff_artifact(std::string_view chair, std::string_view why, Instant now,
                          std::vector<ClinicEvent>& out);
    ControlResult on_control(std::string_view chair, ControlAction action, const SessionInfo& info,
                             Instant now, std::vector<ClinicEvent>& out);
    // A nurse's observation for the chair's open session: one observation event (no_session if
    // none is open); the core judges nothing by it.
    ControlResult observe(std::string_view chair, const Observation& o, Instant now,
                          std::vector<ClinicEvent>& out);
    // Pauses the chair's feed alarms for `length` (at most settings.max_feed_pause, else
    // pause_too_long): its feed alarms listed now clear (cause feeds_paused), and none is raised
    // until the pause ends: by itself, by resume_feeds, or when a HIGH physiological alarm
    // breaks through. Then the feeds still silent alarm again. A new pause replaces one.
    ControlResult pause_feeds(std::string_view chair, Millis length, std::string_view reason,
                              std::string_view by, Instant now, std::vector<ClinicEvent>& out);
    ControlResult resume_feeds(std::string_view chair, std::string_view by, Instant now,
                               std::vector<ClinicEvent>& out);
    // Changes a limit of the open session's profile (one of its limit_bounds, within them):
    // a limit_changed event, then the rules judge again at once with it, so an alarm the new
    // limit no longer holds clears and a value beyond a lowered limit raises as its tier says
    // (its delay; a cuff tier's next readings). The change lasts until the session ends and
    // is applied again by a reconfigure.
    ControlResult change_limit(std::string_view chair, const LimitRequest& request, Instant now,
                               std::vector<ClinicEvent>& out);
    // An admin takes an empty chair out of service (cleaning, repair): until it is back in
    // service, its readings are ignored (Admission::out_of_service: no session opens from them,
    // so no feed alarm), a start is refused (out_of_service), and it is never forgotten.
    // Refused while a session is open (session_open) or if it is out of service already.
    ControlResult take_out_of_service(std::string_view chair, std::string_view reason,
                                      std::string_view by, Instant now);
    ControlResult return_to_service(std::string_view chair, Instant now);
    // nullptr unless the chair is out of service.
    const OutOfService* out_of_service(std::string_view chair) const;
    // At start, from the daemon's state file: as it was when the daemon stopped.
    void restore_out_of_service(std::string_view chair, OutOfService why);
    // `alert_id` as published; nothing changes unless the result is ok. `action`: what the
    // nurse did about the alarm, recorded with the acknowledgement (the Clinic checks nothing).
    AckResult acknowledge(std::string_view chair, std::string_view alert_id, std::string_view by,
                          Instant now, std::vector<ClinicEvent>& out, const AckAction& action = {});
    // A standby pair: an alarm of an open session takes the onset the active published
    // (AlarmBook::adopt_onset). False if there is no such alarm.
    bool adopt_onset(std::string_view alert_id, Millis onset_wall);
    void on_tick(Instant now, std::vector<ClinicEvent>& out);
    // Forgets the chairs idle for settings.forget_chair_after (see ClinicSettings); returns
    // their ids. A chair whose session is open is never forgotten.
    std::vector<std::string> forget_idle_chairs(Instant now);
    // Ends every open session (daemon stopping).
    void end_all(Instant now, EndReason reason, std::vector<ClinicEvent>& out);
    // Applies new rules to every chair without losing sessions or alarms.
    void reconfigure(ClinicProfiles profiles, ClinicSettings settings, Instant now,
                     std::vector<ClinicEvent>& out);

    // Restart recovery (drivers/session_recovery) feeds a session's log back in three steps.
    // 1. While replaying, readings, ticks and session messages rebuild the session and each
    //    rule's state, but raise, escalate and clear nothing: only a session that the replay
    //    ends (superseded by a later start) gives events, its closing ones.
    void set_replaying(bool on) { replaying_ = on; }
    // An implicit session as its log names it, opened under the logged id (its first reading may
    // not have reached the log before the process died).
    void resume_implicit(std::string_view chair, std::string_view session_id, Instant now,
                         std::vector<ClinicEvent>& out);
    // A tick for one chair only: a log's replay moves its own chair's time, no other's.
    void on_tick(std::string_view chair, Instant now, std::vector<ClinicEvent>& out);
    // 2. Each alarm transition the log holds, as it was published, in order: the alarms, their
    //    numbers and their lifecycle are the log's, never derived again.
    void restore_alarm(std::string_view chair, const AlarmTransition& logged);
    // 3. After the log (replaying off): where the rules disagree with the restored alarms (the
    //    daemon stopped between judging and writing), the difference is raised, updated or
    //    cleared now, as new transitions. A session that has had no reading for
    //    session_idle_end by `now` (the daemon was down that long) ends now, as idle.
    void finish_replay(std::string_view chair, Instant now, std::vector<ClinicEvent>& out);
    // A feed_pause line of the log: the pause it began (nullptr: it ended).
    void restore_feed_pause(std::string_view chair, const FeedPause* pause);

    // The alarms a chair lists now (active and latched); empty for an unknown or idle chair.
    std::vector<AlarmTransition> listed_alarms(std::string_view chair) const;
    const Session* session(std::string_view chair) const;
    // The limits a nurse may change on the chair's open session, as in force now (empty if
    // none is open); valid until the next call into the Clinic.
    std::vector<LimitInForce> limits(std::string_view chair) const;
    std::vector<std::string> chairs() const;
    std::size_t chair_count() const { return chairs_.size(); }
    std::size_t open_sessions() const;

  private:
    struct Chair {
        Chair(std::string_view chair_id, std::uint32_t at, std::shared_ptr<const Profile> p,
              ChairMonitor::Shortcuts shortcuts)
            : id(chair_id), monitor(std::move(p), shortcuts), slot(at) {}
        std::string id;
        ChairMonitor monitor;  // has the profile in force
        AlarmBook book;
        std::unique_ptr<BaselineCollector> baseline;  // only while a baseline phase collects
        bool artifact_noted{false};
        CheckpointWatch checks;              // the session's checkpoints after the dose
        MonitorLink link;                    // as the monitor reports it; kept across sessions
        std::optional<Priority> link_alarm;  // monitor_link_lost as raised, while listed
        // A feed alarm was held back for the link: the feeds still silent once the monitor has
        // been back online for the link delay alarm then.
        bool feeds_held{false};
        // The suffix of the last session's id ("-1", "-2"...; 0: none): sessions started in
        // the same second, or with an id an earlier session used, are told apart by it.
        int id_suffix{0};
        std::optional<Session> session;
        std::optional<OutOfService> out_of_service;
        std::unique_ptr<Session> last_ended;  // what events of its end point at; the last session
        Observation observation;              // the latest, which its event points at
        FeedPause ended_pause;                // the last pause that ended, for its event
        std::uint32_t slot{0};                // into chairs_ and due_
        Millis last_active{0};                // its last reading or session message
        // The chair's message rate: a token bucket, and its last drop (flooding while noted).
        float tokens{-1};  // < 0: full, not yet used
        bool flood_noted{false};
        Millis refilled{0};
        Millis last_drop{0};
    };

    // The chair, which the next tick then visits; nullptr if unknown and not `create`d.
    Chair* chair_for(std::string_view chair_id, bool create);
    // The first instant a tick could change something for the chair: a rule or feed of its
    // engine falls due, an escalation or acknowledgement runs out, its session goes idle, or
    // (observation long enough, not yet discharge-ready) at every tick.
    Millis next_due(const Chair& chair) const;
    // What a tick does for one chair.
    void visit(Chair& chair, Instant now, std::vector<ClinicEvent>& out);
    // The id the chair's last session would have had without a suffix (none: empty).
    static std::string_view last_base_id(const Chair& chair);
    // `id`: the session's id as a log gives it (empty: from the start message or the time).
    void open_session(Chair& chair, std::string_view chair_id, const SessionInfo* info, Instant now,
                      std::vector<ClinicEvent>& out, std::string_view id = {});
    void end_session(Chair& chair, Instant now, EndReason reason, std::vector<ClinicEvent>& out);
    void set_phase(Chair& chair, Phase phase, Instant now, std::vector<ClinicEvent>& out);
    void form_baseline(Chair& chair, Instant now, std::vector<ClinicEvent>& out);
    void check_discharge(Chair& chair, Instant now, std::vector<ClinicEvent>& out);
    // Raises the advisory of each checkpoint whose window ended without a cuff reading.
    void check_checkpoints(Chair& chair, Instant now, std::vector<ClinicEvent>& out);
    // A cuff reading ends the advisories of missed checkpoints (queued in changes_).
    void cuff_taken(Chair& chair, Instant now);
    // Ends the feed pause; the feed conditions the engine holds active alarm again, as new.
    void end_pause(Chair& chair, Instant now, PauseEnd why, std::vector<ClinicEvent>& out);
    // Raises, updates or clears monitor_link_lost as the link and the held feeds want.
    void check_link(Chair& chair, Instant now, std::vector<ClinicEvent>& out);
    // When check_link could next change something by itself (Millis::max(): not before a
    // status, a reading or a phase).
    Millis link_due(const Chair& chair) const;
    // A monitor_link_lost line of the log: the alarm, and the offline monitor it stood for.
    void restore_link(Chair& chair, const AlarmTransition& logged);
    // Raises the feed conditions the engine holds active that are not listed, as new.
    void raise_held_feeds(Chair& chair, Instant now);
    // Ends message_flood once the chair has kept to its rate for flood_calm.
    void check_flood(Chair& chair, Instant now, std::vector<ClinicEvent>& out);
    void notice(Chair& chair, std::string_view condition, std::string_view text, Priority p,
                Instant now, std::vector<ClinicEvent>& out, AlarmKind kind = AlarmKind::advisory);
    // Passes the engine's condition changes through the alarm book into events.
    void publish(Chair& chair, Session& session, std::vector<ClinicEvent>& out);

    ClinicProfiles profiles_;
    ClinicSettings settings_;
    // Every chair in the order it was first seen (each in its own allocation, which never moves),
    // and when a tick must next visit it: a tick reads the dense due_ instead of every chair.
    std::vector<std::unique_ptr<Chair>> chairs_;
    std::vector<Millis> due_;
    ChairIndex index_;  // chair id -> place in chairs_
    // Removes the chair at `at`; the last chair takes its place.
    void remove_chair(std::uint32_t at);
    // The chair's place in chairs_ and due_, or ChairIndex::none.
    std::uint32_t slot_of(std::string_view chair_id) const;
    // The chair with this id, or nullptr.
    const Chair* find(std::string_view chair_id) const;
    std::vector<ConditionChange> changes_;    // from the engines and the Clinic's notices
    std::vector<AlarmTransition> published_;  // from the alarm books
    bool replaying_{false};
};

// The text of a notice the Clinic raises (a no_baseline reason, discharge readiness...), as the
// Clinic's own constant; a text it never raises gives a generic one. For alarms read back.
std::string_view notice_text(std::string_view text);

}  // namespace chairwatch::alerts
