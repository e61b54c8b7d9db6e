#include <doctest/doctest.h>

#include "alerts/alarm_book.hpp"
#include "profile_builder.hpp"

using namespace chairwatch;
using namespace chairwatch::test;
using alerts::AckResult;
using alerts::AlarmKind;
using alerts::AlarmState;
using alerts::AlarmTransition;
using alerts::ClearCause;
using alerts::ConditionState;
using alerts::Priority;

namespace {

alerts::Profile lifecycle_profile() {
    alerts::Profile p;
    p.escalation[static_cast<std::size_t>(Priority::high)] = {60s, 60s};
    p.escalation[static_cast<std::size_t>(Priority::medium)] = {300s, 0s};
    p.ack_lasts = 120s;
    return p;
}

alerts::ConditionChange change(ConditionState state, Priority p, Millis t,
                               std::string_view condition = "sbp_high",
                               AlarmKind kind = AlarmKind::physiological) {
    alerts::ConditionChange c;
    c.condition = condition;
    c.state = state;
    c.priority = p;
    c.kind = kind;
    c.at = at(t);
    c.onset = at(t);
    c.cause = state == ConditionState::cleared ? alerts::ClearCause::back_in_range
                                               : alerts::ClearCause::none;
    return c;
}

struct Book {
    alerts::Profile profile = lifecycle_profile();
    alerts::AlarmBook book;
    std::vector<AlarmTransition> apply(const alerts::ConditionChange& c) {
        std::vector<AlarmTransition> out;
        book.apply(c, profile, out);
        return out;
    }
    std::vector<AlarmTransition> tick(Millis t) {
        std::vector<AlarmTransition> out;
        book.on_tick(at(t), profile, out);
        return out;
    }
    std::pair<AckResult, std::vector<AlarmTransition>> ack(
        std::uint32_t no, Millis t, std::shared_ptr<const alerts::AckAction> action = nullptr) {
        std::vector<AlarmTransition> out;
        auto r = book.acknowledge(no, "nurse-7", at(t), profile, out, std::move(action));
        return {r, out};
    }
};

}  // namespace

TEST_CASE("a high alarm latches: cleared but listed until acknowledged, then gone") {
    Book b;
    auto raised = b.apply(change(ConditionState::raised, Priority::high, 0s));
    REQUIRE(raised.size() == 1);
    const auto no = raised[0].alarm_no;
    auto cleared = b.apply(change(ConditionState::cleared, Priority::high, 30s));
    REQUIRE(cleared.size() == 1);
    CHECK(cleared[0].state == AlarmState::cleared);
    CHECK(cleared[0].latched);
    CHECK_FALSE(cleared[0].active);
    CHECK(b.book.listed().size() == 1);
    auto [result, out] = b.ack(no, 40s);
    CHECK(result == AckResult::ok);
    REQUIRE(out.size() == 1);
    CHECK(out[0].state == AlarmState::acknowledged);
    CHECK(out[0].acknowledged_by == "nurse-7");
    CHECK(b.book.listed().empty());
}

TEST_CASE("low and medium alarms do not latch; an acknowledged high alarm clears normally") {
    Book b;
    b.apply(change(ConditionState::raised, Priority::medium, 0s));
    CHECK_FALSE(b.apply(change(ConditionState::cleared, Priority::medium, 10s))[0].latched);
    CHECK(b.book.listed().empty());
    auto r = b.apply(change(ConditionState::raised, Priority::high, 20s));
    CHECK(b.ack(r[0].alarm_no, 25s).first == AckResult::ok);
    auto c = b.apply(change(ConditionState::cleared, Priority::high, 30s));
    CHECK_FALSE(c[0].latched);
    CHECK(b.book.listed().empty());
}

TEST_CASE("a latched alarm whose condition returns is the same alarm, active again") {
    Book b;
    const auto no = b.apply(change(ConditionState::raised, Priority::high, 0s))[0].alarm_no;
    b.apply(change(ConditionState::cleared, Priority::high, 30s));
    auto again = b.apply(change(ConditionState::raised, Priority::medium, 60s));
    REQUIRE(again.size() == 1);
    CHECK(again[0].alarm_no == no);
    CHECK(again[0].active);
    CHECK(again[0].max_priority == Priority::high);
    CHECK(b.book.listed().size() == 1);
}

TEST_CASE("acknowledging: unknown id, already cleared, already acknowledged change nothing") {
    Book b;
    CHECK(b.ack(7, 0s).first == AckResult::unknown);
    const auto low =
        b.apply(change(ConditionState::raised, Priority::low, 0s, "hr_high"))[0].alarm_no;
    b.apply(change(ConditionState::cleared, Priority::low, 10s, "hr_high"));
    auto [cleared, none] = b.ack(low, 20s);
    CHECK(cleared == AckResult::already_cleared);
    CHECK(none.empty());
    const auto high = b.apply(change(ConditionState::raised, Priority::high, 30s))[0].alarm_no;
    CHECK(b.ack(high, 35s).first == AckResult::ok);
    auto [twice, nothing] = b.ack(high, 36s);
    CHECK(twice == AckResult::already_acknowledged);
    CHECK(nothing.empty());
    CHECK(b.ack(high + 1, 37s).first == AckResult::unknown);  // not raised yet
    CHECK(b.ack(0, 37s).first == AckResult::unknown);
    // Every alarm a session ended is over, however many there were.
    std::vector<AlarmTransition> closed;
    for (int i = 0; i < 40; ++i)
        b.apply(change(ConditionState::raised, Priority::low, 40s, "c" + std::to_string(i)));
    b.book.close_all(at(50s), ClearCause::session_ended, closed);
    CHECK(closed.size() == 41);
    for (std::uint32_t n = 1; n <= high + 40; ++n)
        CHECK(b.ack(n, 60s).first == AckResult::already_cleared);
    CHECK(b.ack(high + 41, 60s).first == AckResult::unknown);
}

TEST_CASE("escalation ladder: unacknowledged high escalates after 60 s, then every 60 s") {
    Book b;
    b.apply(change(ConditionState::raised, Priority::high, 0s));
    CHECK(b.tick(59s).empty());
    auto first = b.tick(60s);
    REQUIRE(first.size() == 1);
    CHECK(first[0].state == AlarmState::escalated);
    CHECK(first[0].escalation_level == 1);
    CHECK(b.tick(100s).empty());
    auto second = b.tick(120s);
    REQUIRE(second.size() == 1);
    CHECK(second[0].escalation_level == 2);
    // Acknowledged: the ladder stops.
    CHECK(b.ack(second[0].alarm_no, 130s).first == AckResult::ok);
    CHECK(b.tick(180s).empty());
}

TEST_CASE("a late escalation keeps the ladder's cadence; one a whole repeat late starts anew") {
    Book b;
    b.apply(change(ConditionState::raised, Priority::high, 0s));
    // Due at 60 s, made at 75 s (no tick in between, as across a restart's downtime): the
    // next is still due at 120 s, as in a run without the gap.
    REQUIRE(b.tick(75s).size() == 1);
    CHECK(b.tick(119s).empty());
    auto second = b.tick(120s);
    REQUIRE(second.size() == 1);
    CHECK(second[0].escalation_level == 2);
    // Due at 180 s, made at 250 s: 240 s has passed too, so no burst: the next is 60 s on.
    REQUIRE(b.tick(250s).size() == 1);
    CHECK(b.tick(309s).empty());
    auto fourth = b.tick(310s);
    REQUIRE(fourth.size() == 1);
    CHECK(fourth[0].escalation_level == 4);
}

TEST_CASE("medium escalates once after 5 min when no repeat is set; advisories never escalate") {
    Book b;
    b.apply(change(ConditionState::raised, Priority::medium, 0s));
    b.apply(
        change(ConditionState::raised, Priority::high, 0s, "predose_bp_high", AlarmKind::advisory));
    CHECK(b.tick(299s).empty());
    auto out = b.tick(300s);
    REQUIRE(out.size() == 1);
    CHECK(out[0].condition == "sbp_high");
    CHECK(b.tick(900s).empty());
}

TEST_CASE("an acknowledgement lasts 2 min while the condition persists, then re-alarms") {
    Book b;
    const auto no = b.apply(change(ConditionState::raised, Priority::high, 0s))[0].alarm_no;
    b.ack(no, 10s);
    CHECK(b.tick(129s).empty());
    auto again = b.tick(130s);
    REQUIRE(again.size() == 1);
    CHECK(again[0].state == AlarmState::raised);
    CHECK(again[0].realarm);
    CHECK_FALSE(again[0].acknowledged);
    auto escalated = b.tick(190s);  // and its escalation clock starts again
    REQUIRE(escalated.size() == 1);
    CHECK(escalated[0].state == AlarmState::escalated);
}

TEST_CASE("the action taken stays with its acknowledgement, and goes when that runs out") {
    Book b;
    const auto no = b.apply(change(ConditionState::raised, Priority::high, 0s))[0].alarm_no;
    const auto action =
        std::make_shared<const alerts::AckAction>(alerts::AckAction{"infusion slowed", "halved"});
    auto [result, acked] = b.ack(no, 10s, action);
    CHECK(result == AckResult::ok);
    REQUIRE(acked.size() == 1);
    REQUIRE(acked[0].ack_action);
    CHECK(acked[0].ack_action->taken == "infusion slowed");
    CHECK(acked[0].ack_action->note == "halved");
    // A refused acknowledgement changes nothing, the action of the first included.
    CHECK(b.ack(no, 20s, std::make_shared<const alerts::AckAction>(alerts::AckAction{"x", ""}))
              .first == AckResult::already_acknowledged);
    const auto updated = b.apply(change(ConditionState::updated, Priority::high, 60s));
    REQUIRE(updated.size() == 1);
    REQUIRE(updated[0].ack_action);
    CHECK(updated[0].ack_action->taken == "infusion slowed");
    auto again = b.tick(130s);  // the acknowledgement ran out: so did what it said
    REQUIRE(again.size() == 1);
    CHECK(again[0].realarm);
    CHECK_FALSE(again[0].ack_action);
    auto [r2, second] = b.ack(no, 140s);  // acknowledged again, saying nothing
    CHECK(r2 == AckResult::ok);
    REQUIRE(second.size() == 1);
    CHECK_FALSE(second[0].ack_action);
}

TEST_CASE("a higher priority breaks through an acknowledgement") {
    Book b;
    const auto no = b.apply(change(ConditionState::raised, Priority::medium, 0s))[0].alarm_no;
    b.ack(no, 5s);
    auto up = b.apply(change(ConditionState::updated, Priority::high, 20s));
    REQUIRE(up.size() == 1);
    CHECK_FALSE(up[0].acknowledged);
    CHECK(up[0].priority == Priority::high);
    CHECK(b.tick(80s).size() == 1);  // escalates 60 s after the rise to high
}

TEST_CASE("close_all ends latched alarms too, at the session's end") {
    Book b;
    b.apply(change(ConditionState::raised, Priority::high, 0s));
    b.apply(change(ConditionState::cleared, Priority::high, 10s));
    std::vector<AlarmTransition> out;
    b.book.close_all(at(20s), alerts::ClearCause::session_ended, out);
    REQUIRE(out.size() == 1);
    CHECK(out[0].cause == alerts::ClearCause::session_ended);
    CHECK(b.book.listed().empty());
}

TEST_CASE("a standby adopts the onset the active published; later transitions carry it") {
    Book b;
    const auto raised = b.apply(change(ConditionState::raised, Priority::high, 1000ms));
    REQUIRE(raised.size() == 1);
    const auto no = raised[0].alarm_no;
    CHECK(b.book.adopt_onset(no, Millis{990}));
    CHECK_FALSE(b.book.adopt_onset(no + 1, Millis{990}));
    const auto [r, acked] = b.ack(no, 2000ms);
    CHECK(r == AckResult::ok);
    REQUIRE(acked.size() == 1);
    CHECK(acked[0].onset.wall == Millis{990});
    REQUIRE(b.book.listed().size() == 1);
    CHECK(b.book.listed()[0].onset.wall == Millis{990});
}
