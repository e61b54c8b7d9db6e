// The lifecycle of a chair's alarms in the vocabulary of IEC 60601-1-8: raised, acknowledged,
// escalated, cleared, and latching. Takes the rule engine's condition changes, acknowledgements
// and time; returns the transitions to publish. Pure.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "alerts/alarm.hpp"
#include "alerts/profile.hpp"

namespace chairwatch::alerts {

enum class AckResult : std::uint8_t {
    ok,
    unknown,  // no such alarm in the chair's open session
    already_cleared,
    already_acknowledged,
    malformed,         // not "[<site>:]<chair>:<session_id>:a<n>"
    other_chair,       // the id names another chair than the one asked
    not_open_session,  // the id names a session that is not open on its chair
    other_site         // the id names another site than this instance's (or none, or one)
};
std::string_view to_string(AckResult r);

class AlarmBook {
  public:
    // One condition change from the engine, or a notice of the Clinic's.
    void apply(const ConditionChange& change, const Profile& profile,
               std::vector<AlarmTransition>& out);
    // Escalates what nobody acknowledged in time; re-alarms acknowledgements that ran out.
    void on_tick(Instant now, const Profile& profile, std::vector<AlarmTransition>& out);
    // `action`: what the nurse did about it, if they said (kept with the acknowledgement).
    AckResult acknowledge(std::uint32_t alarm_no, std::string_view by, Instant now,
                          const Profile& profile, std::vector<AlarmTransition>& out,
                          std::shared_ptr<const AckAction> action = nullptr);
    // Session over: every alarm, latched ones too, is closed.
    void close_all(Instant now, ClearCause cause, std::vector<AlarmTransition>& out);
    // Restart recovery: one transition as it was published (and logged), taken as the truth
    // about its alarm: number, state, acknowledgement, escalation level, with the timers the
    // book set when it happened. An alarm that was over by then leaves the book. New alarms
    // are numbered after every number restored.
    void restore(const AlarmTransition& logged, const Profile& profile);

    // Every alarm a nurse must still see: active ones and latched ones, in raise order.
    std::vector<AlarmTransition> listed() const;
    bool has(std::uint32_t alarm_no) const;
    // A standby pair: the alarm's onset as the active published it (its clock is the one the
    // nurses saw). False if the alarm is not listed.
    bool adopt_onset(std::uint32_t alarm_no, Millis onset_wall);
    // The first instant at which on_tick() has something to do (Millis::max(): nothing until
    // an alarm is applied or acknowledged).
    Millis next_due() const;

  private:
    struct Entry {
        AlarmTransition alarm;
        Millis next_escalation{-1};  // -1: none scheduled
        Millis ack_until{-1};
    };

    Entry* find_condition(std::string_view condition);
    Entry* find_no(std::uint32_t alarm_no);
    void schedule_escalation(Entry& e, Millis from, const Profile& profile) const;
    // After an escalation at `from`: the next one, if the priority's policy repeats.
    static void schedule_repeat(Entry& e, Millis from, const Profile& profile);
    // After an acknowledgement at `from`: until when it silences an ongoing alarm.
    static void schedule_ack_expiry(Entry& e, Millis from, const Profile& profile);
    static void forget_ack(AlarmTransition& a);
    static bool is_notice(const AlarmTransition& a) {
        return a.kind == AlarmKind::advisory || !a.text_hint.empty();
    }
    void remove(std::uint32_t alarm_no);

    std::vector<Entry> entries_;
    std::uint32_t next_no_{1};
};

}  // namespace chairwatch::alerts
