#include <doctest/doctest.h>

#include <string>

#include "drivers/codec/control_codec.hpp"

using namespace chairwatch;
using drivers::decode_ack;
using drivers::decode_control;

namespace {

// The error of a refused message ("" if it was accepted).
template <typename Decoded>
std::string error_of(const Decoded& d) {
    const auto* e = std::get_if<std::string>(&d);
    return e ? *e : std::string();
}

}  // namespace

TEST_CASE("an acknowledgement names an alert and who acknowledged it") {
    const auto d =
        decode_ack(R"({"alert_id":"chair-03-20261124T184100Z-a1","by":"nurse-7"})", 4096);
    const auto* m = std::get_if<drivers::AckMessage>(&d);
    REQUIRE(m);
    CHECK(m->alert_id == "chair-03-20261124T184100Z-a1");
    CHECK(m->by == "nurse-7");
    CHECK(error_of(decode_ack(R"({"by":"n"})", 4096)) == "alert_id is missing");
    CHECK(error_of(decode_ack(R"({"alert_id":"a"})", 4096)) == "by is missing (who acknowledges)");
    CHECK(m->action.empty());
}

TEST_CASE("an acknowledgement may say what was done: a pick-list action and a note") {
    const auto d = decode_ack(
        R"({"alert_id":"a","by":"rn-2","action_taken":"infusion slowed","action_note":"halved"})",
        4096);
    const auto* m = std::get_if<drivers::AckMessage>(&d);
    REQUIRE(m);
    CHECK(m->action.taken == "infusion slowed");
    CHECK(m->action.note == "halved");
    // The codec checks the text; the pick list is the daemon's config (daemon/inbound.cpp).
    CHECK(error_of(decode_ack(R"({"alert_id":"a","by":"n","action_taken":3})", 4096)) ==
          "action_taken must be a string of at most 128 characters");
    CHECK(error_of(decode_ack(R"({"alert_id":"a","by":"n","action_note":"x\u0007"})", 4096)) ==
          "action_note must not contain control characters");
    const std::string long_note(drivers::max_observation_text + 1, 'x');
    CHECK(error_of(decode_ack(R"({"alert_id":"a","by":"n","action_note":")" + long_note + "\"}",
                              4096)) == "action_note must be a string of at most 1000 bytes");
}

TEST_CASE("ack: by and alert_id follow the board's rules for names") {
    // \n would forge a line in the service log, ESC and BEL drive the nurse's terminal, U+202E
    // turns the rest of the name around.
    const std::pair<const char*, const char*> bad[] = {
        {R"({"alert_id":"a","by":"n\u0000"})", "by must not contain control characters"},
        {R"({"alert_id":"a","by":"n\n[warning] forged"})",
         "by must not contain control characters"},
        {R"({"alert_id":"a","by":"\u001b[2J"})", "by must not contain control characters"},
        {R"({"alert_id":"a","by":"\u0007"})", "by must not contain control characters"},
        {R"({"alert_id":"a","by":"\u202enurse"})",
         "by must not contain invisible formatting characters"},
        {R"({"alert_id":"a","by":"\u2066x\u2069"})",
         "by must not contain invisible formatting characters"},
        {R"({"alert_id":"a\n","by":"n"})", "alert_id must not contain control characters"},
        {R"({"alert_id":"a\u202e","by":"n"})",
         "alert_id must not contain invisible formatting characters"},
    };
    for (const auto& [payload, why] : bad) {
        INFO(payload);
        CHECK(error_of(decode_ack(payload, 4096)).rfind(why, 0) == 0);
    }
    CHECK(error_of(decode_ack(R"({"alert_id":"a","by":"Zoë Müller"})", 4096)).empty());
}

TEST_CASE("session start: every text field follows the same rules") {
    CHECK(error_of(decode_control(R"({"action":"start","session_id":"s-1","profile":"iv-ketamine",)"
                                  R"("route":"iv","patient_ref":"MRN 123"})",
                                  4096))
              .empty());
    const std::pair<const char*, const char*> bad[] = {
        {R"({"action":"start","profile":"iv\n"})", "profile must not contain control characters"},
        {R"({"action":"start","route":"\u001b]0;x\u0007"})",
         "route must not contain control characters"},
        {R"({"action":"start","patient_ref":"\u202e321"})",
         "patient_ref must not contain invisible formatting characters"},
        {R"({"action":"start","session_id":"s\u0000"})",
         "session_id must not contain control characters"},
        {R"({"action":"st\u001bart"})", "action must not contain control characters"},
    };
    for (const auto& [payload, why] : bad) {
        INFO(payload);
        CHECK(error_of(decode_control(payload, 4096)).rfind(why, 0) == 0);
    }
}

TEST_CASE("a field given twice is refused, not resolved one way or the other") {
    CHECK(error_of(decode_ack(R"({"alert_id":"a","by":"n","by":"m"})", 4096)) ==
          "duplicate field 'by'");
    CHECK(error_of(decode_control(R"({"action":"start","action":"end"})", 4096)) ==
          "duplicate field 'action'");
    CHECK(error_of(decode_control(R"({"action":"start","x":{"a":1,"a":2}})", 4096)) ==
          "duplicate field 'a'");
    // The key is shown, never printed raw.
    CHECK(error_of(decode_ack(R"({"alert_id":"a","by":"n","\u001b":1,"\u001b":2})", 4096)) ==
          "duplicate field '\\x1b'");
    // The same key in two different objects is no repeat.
    CHECK(error_of(decode_control(R"({"action":"start","a":{"x":1},"b":{"x":1}})", 4096)).empty());
}

TEST_CASE("an unknown action is quoted back safely") {
    CHECK(error_of(decode_control(R"({"action":"st\u00e4rt"})", 4096)) ==
          "action must be start, dose_start, dose_end, end, observation, pause_feeds, "
          "resume_feeds, out_of_service, in_service or limit_change, not 'stärt'");
    CHECK(error_of(decode_control(R"({"action":")" + std::string(40, 'x') + R"("})", 4096)) ==
          "action must be start, dose_start, dose_end, end, observation, pause_feeds, "
          "resume_feeds, out_of_service, in_service or limit_change, not '" +
              std::string(32, 'x') + "...'");
}

TEST_CASE("observation: kind, value, text and by") {
    const auto d = decode_control(
        R"({"action":"observation","kind":"sedation","value":"present","text":"drowsy, rousable",)"
        R"("by":"rn-4","session_id":"S-1"})",
        4096);
    const auto* m = std::get_if<drivers::ControlMessage>(&d);
    REQUIRE(m);
    REQUIRE(m->observation);
    CHECK(m->observation->kind == "sedation");
    CHECK(m->observation->value == "present");
    CHECK(m->observation->text == "drowsy, rousable");
    CHECK(m->observation->by == "rn-4");
    CHECK(m->info.session_id == "S-1");
    const auto note = decode_control(
        R"({"action":"observation","kind":"adverse_event","text":"nausea","by":"rn-4"})", 4096);
    REQUIRE(std::get_if<drivers::ControlMessage>(&note));
    CHECK(std::get<drivers::ControlMessage>(note).observation->value.empty());
    const auto start = decode_control(R"({"action":"start"})", 4096);
    CHECK_FALSE(std::get<drivers::ControlMessage>(start).observation);
}

TEST_CASE("observation: every refusal says what is wrong") {
    const std::pair<std::string, std::string> bad[] = {
        {R"({"action":"observation","kind":"sedation","value":"present"})",
         "by is missing (who observed)"},
        {R"({"action":"observation","kind":"sedation","by":"rn"})",
         "sedation needs value none, present or resolved, not ''"},
        {R"({"action":"observation","kind":"dissociation","value":"mild","by":"rn"})",
         "dissociation needs value none, present or resolved, not 'mild'"},
        {R"({"action":"observation","kind":"pain","value":"3","by":"rn"})",
         "kind must be sedation, dissociation, adverse_event or note, not 'pain'"},
        {R"({"action":"observation","by":"rn"})",
         "kind must be sedation, dissociation, adverse_event or note, not ''"},
        {R"({"action":"observation","kind":"note","by":"rn"})", "note needs a text"},
        {R"({"action":"observation","kind":"adverse_event","value":"present","text":"x","by":"rn"})",
         "adverse_event takes no value (its text says what happened)"},
        {R"({"action":"observation","kind":"note","text":"a\nb","by":"rn"})",
         "text must not contain control characters"},
        {R"({"action":"observation","kind":"note","text":7,"by":"rn"})",
         "text must be a string of at most 1000 bytes"},
        {R"({"action":"observation","kind":"note","text":")" + std::string(1001, 'x') +
             R"(","by":"rn"})",
         "text must be a string of at most 1000 bytes"},
        {R"({"action":"observation","kind":"note","text":"x","by":"rn\u202e"})",
         "by must not contain invisible formatting characters (such as bidirectional overrides)"},
    };
    for (const auto& [payload, error] : bad) {
        CAPTURE(payload);
        CHECK(error_of(decode_control(payload, 4096)) == error);
    }
    CHECK(error_of(decode_control(R"({"action":"observation","kind":"note","text":")" +
                                      std::string(1000, 'x') + R"(","by":"rn"})",
                                  4096))
              .empty());
}

TEST_CASE("devices: a whole number of esketamine nasal sprays, 1 to 3, on start or dose_start") {
    const auto d = decode_control(R"({"action":"dose_start","devices":3})", 4096);
    const auto* m = std::get_if<drivers::ControlMessage>(&d);
    REQUIRE(m);
    CHECK(m->info.devices == 3);
    CHECK(error_of(decode_control(R"({"action":"start","devices":2.5})", 4096)) ==
          "devices must be a whole number from 1 to 3");
    CHECK(error_of(decode_control(R"({"action":"start","devices":4})", 4096)) ==
          "devices must be a number from 1 to 3");
    CHECK(error_of(decode_control(R"({"action":"start","devices":"2"})", 4096)) ==
          "devices must be a number from 1 to 3");
}

TEST_CASE("limit_change: rule, tier, value, reason and by, each required") {
    const auto d =
        decode_control(R"({"action":"limit_change","rule":"sbp_high","tier":3,"value":190.5,)"
                       R"("reason":"baseline 176/94","by":"rn-4","session_id":"S-1"})",
                       4096);
    const auto* m = std::get_if<drivers::ControlMessage>(&d);
    REQUIRE(m);
    REQUIRE(m->limit);
    CHECK(m->limit->condition == "sbp_high");
    CHECK(m->limit->tier == 3);
    CHECK(m->limit->value == 190.5);
    CHECK(m->limit->reason == "baseline 176/94");
    CHECK(m->limit->by == "rn-4");
    CHECK(m->info.session_id == "S-1");
    const std::string all = R"("rule":"sbp_high","tier":3,"value":190,"reason":"r","by":"rn-4")";
    const auto without = [&](const std::string& key) {
        std::string body = all;
        const auto at = body.find("\"" + key + "\"");
        auto end = body.find(',', at);
        body.erase(at, end == std::string::npos ? std::string::npos : end - at + 1);
        if (!body.empty() && body.back() == ',') body.pop_back();
        return error_of(decode_control(R"({"action":"limit_change",)" + body + "}", 4096));
    };
    CHECK(without("rule") == "rule is missing (the condition whose limit changes)");
    CHECK(without("tier") == "tier is missing (a whole number from 1)");
    CHECK(without("value") == "value is missing (the new limit)");
    CHECK(without("reason") == "reason is missing (why the limit changes for this patient)");
    CHECK(without("by") == "by is missing (who changes the limit)");
    const auto with = [&](const std::string& extra) {
        return error_of(decode_control(
            R"({"action":"limit_change","rule":"sbp_high","reason":"r","by":"rn-4",)" + extra + "}",
            4096));
    };
    CHECK(with(R"("tier":2.5,"value":190)") == "tier must be a whole number from 1 to 16");
    CHECK(with(R"("tier":0,"value":190)") == "tier must be a number from 1 to 16");
    CHECK(with(R"("tier":3,"value":"190")") == "value must be a number from 0 to 1000");
    CHECK(with(R"("tier":3,"value":-5)") == "value must be a number from 0 to 1000");
}
