// The IHE PCD ACM messages, checked field by field at the positions HL7 gives them (split here
// by hand, not by the parser under test), and the parsers on messages written by hand.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "drivers/codec/hl7_text.hpp"
#include "drivers/notify/hl7_acm.hpp"
#include "drivers/notify/mllp.hpp"

using namespace chairwatch;
using namespace chairwatch::drivers::notify;
namespace hl7 = chairwatch::drivers::hl7;
using alerts::AlarmState;
using alerts::Millis;

namespace {

// 2026-11-24T18:41:00.500Z and 90 s later.
constexpr Millis onset_wall{1795545660500};
constexpr Millis at_wall{1795545750500};
constexpr Millis now_wall{1795545751000};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto at = s.find(sep, start);
        out.push_back(s.substr(start, at - start));
        if (at == std::string::npos) return out;
        start = at + 1;
    }
}

// Segment lines, and fields numbered as HL7 does (for MSH, [1] is the field separator).
struct Fields {
    std::vector<std::string> f;
    const std::string& operator[](std::size_t n) const {
        static const std::string none;
        return n < f.size() ? f[n] : none;
    }
};
std::vector<Fields> segments(const std::string& msg) {
    REQUIRE(!msg.empty());
    CHECK(msg.back() == '\r');
    std::vector<Fields> out;
    for (auto& line : split(msg.substr(0, msg.size() - 1), '\r')) {
        auto f = split(line, '|');
        if (f[0] == "MSH") f.insert(f.begin() + 1, "|");
        out.push_back({f});
    }
    return out;
}

alerts::AlarmTransition sbp_high(AlarmState state) {
    alerts::AlarmTransition t;
    t.alarm_no = 4;
    t.condition = "sbp_high";
    t.state = state;
    t.priority = alerts::Priority::high;
    t.signal = alerts::Signal::sbp;
    t.value = 192;
    t.limit = 180;
    t.onset.wall = onset_wall;
    t.at.wall = at_wall;
    return t;
}

Notification one(const alerts::AlarmTransition& t, std::string text = "Chair 3: systolic BP") {
    Notification n;
    n.key = "chair-03:chair-03-20261124T184000Z:a4/raised/1795545660500";
    n.chair = "chair-03";
    n.session_id = "chair-03-20261124T184000Z";
    n.patient_ref = "pseudonym-77";
    n.transitions = {t};
    n.texts = {std::move(text)};
    return n;
}

AcmOptions options() {
    AcmOptions o;
    o.host = "127.0.0.1";
    o.sending_application = "CHAIRWATCH";
    o.sending_facility = "CLINIC";
    o.receiving_application = "AM";
    o.receiving_facility = "HOSP";
    return o;
}

}  // namespace

TEST_CASE("ORU^R40: header, patient, location and alert identity at their HL7 positions") {
    const auto n = one(sbp_high(AlarmState::raised));
    const auto msg = encode_oru_r40(options(), n, 0, now_wall);
    const auto s = segments(msg);
    REQUIRE(s.size() == 12);
    const std::vector<std::string> ids{"MSH", "PID", "PV1", "OBR", "OBX", "OBX",
                                       "OBX", "OBX", "OBX", "OBX", "OBX", "OBX"};
    for (std::size_t i = 0; i < ids.size(); ++i)
        CHECK(s[i][0] == ids[i]);

    const auto& msh = s[0];
    CHECK(msh[2] == "^~\\&");
    CHECK(msh[3] == "CHAIRWATCH");
    CHECK(msh[4] == "CLINIC");
    CHECK(msh[5] == "AM");
    CHECK(msh[6] == "HOSP");
    CHECK(msh[7] == "20261124184231.000+0000");
    CHECK(msh[9] == "ORU^R40^ORU_R40");
    CHECK(msh[10] == acm_control_id(n.key, 0));
    CHECK(msh[11] == "P");
    CHECK(msh[12] == "2.6");
    CHECK(msh[15] == "AL");
    CHECK(msh[16] == "NE");
    CHECK(msh[18] == "UNICODE UTF-8");
    CHECK(msh[21] == "IHE_PCD_ACM_001^IHE PCD^1.3.6.1.4.1.19376.1.6.4.4^ISO");

    CHECK(s[1][3] == "pseudonym-77^^^CHAIRWATCH^PI");
    CHECK(s[1][5] == "^^^^^^U");
    CHECK(s[2][2] == "O");
    CHECK(s[2][3] == "^^chair-03^CLINIC");
    CHECK(s[2][19] == "chair-03-20261124T184000Z");
    CHECK(s[3][1] == "1");
    CHECK(s[3][3] == "chair-03:chair-03-20261124T184000Z:a4^CHAIRWATCH");
    CHECK(s[3][4] == "196616^MDC_EVT_ALARM^MDC");
    CHECK(s[3][7] == "20261124184100.500+0000");
}

TEST_CASE("ORU^R40: one OBX per alert facet, in the IHE PCD ACM order") {
    const auto s =
        segments(encode_oru_r40(options(), one(sbp_high(AlarmState::raised)), 0, now_wall));
    const auto& event = s[4];
    CHECK(event[1] == "1");
    CHECK(event[2] == "CWE");
    CHECK(event[3] == "196616^MDC_EVT_ALARM^MDC");
    CHECK(event[4] == "1.0.0.0.1");
    CHECK(event[5] == "196648^MDC_EVT_HI^MDC^sbp_high^sbp_high^99CW^^^Chair 3: systolic BP");
    CHECK(event[8] == "PH~SP~H");
    CHECK(event[11] == "R");
    CHECK(event[14] == "20261124184230.500+0000");
    CHECK(event[18] == "chair-03^CHAIRWATCH");

    const auto& value = s[5];
    CHECK(value[2] == "NM");
    CHECK(value[3] == "150021^MDC_PRESS_BLD_NONINV_SYS^MDC");
    CHECK(value[4] == "1.0.0.0.2");
    CHECK(value[5] == "192");
    CHECK(value[6] == "266016^MDC_DIM_MMHG^MDC");
    CHECK(value[7] == "<180");
    CHECK(value[8] == "H");

    const std::vector<std::pair<std::string, std::string>> facets{
        {"68481^MDC_ATTR_EVENT_PHASE^MDC", "start"},
        {"68482^MDC_ATTR_ALARM_STATE^MDC", "active"},
        {"68483^MDC_ATTR_ALARM_INACTIVATION_STATE^MDC", "enabled"},
        {"68484^MDC_ATTR_ALARM_PRIORITY^MDC", "PH"},
        {"68485^MDC_ATTR_ALERT_TYPE^MDC", "SP"},
        {"68546^MDC_ATTR_ALERT_TEXT^MDC", "Chair 3: systolic BP"}};
    for (std::size_t i = 0; i < facets.size(); ++i) {
        const auto& obx = s[6 + i];
        CHECK(obx[1] == std::to_string(i + 3));
        CHECK(obx[2] == "ST");
        CHECK(obx[3] == facets[i].first);
        CHECK(obx[4] == "1.0.0.0." + std::to_string(i + 3));
        CHECK(obx[5] == facets[i].second);
    }
}

TEST_CASE("ORU^R40: phase, state and inactivation follow the transition") {
    auto facet = [](const alerts::AlarmTransition& t, std::size_t obx) {
        return segments(encode_oru_r40(options(), one(t), 0, now_wall))[4 + obx][5];
    };
    auto cleared = sbp_high(AlarmState::cleared);
    cleared.active = false;
    CHECK(facet(cleared, 2) == "end");
    CHECK(facet(cleared, 3) == "inactive");
    cleared.latched = true;
    CHECK(facet(cleared, 2) == "update");
    CHECK(facet(cleared, 3) == "latched");

    auto acked = sbp_high(AlarmState::acknowledged);
    acked.acknowledged = true;
    acked.acknowledged_by = "nurse-ann";
    CHECK(facet(acked, 2) == "update");
    CHECK(facet(acked, 4) == "alert-acknowledged");
    CHECK(segments(encode_oru_r40(options(), one(acked), 0, now_wall))[8][16] == "nurse-ann");
    acked.active = false;  // the acknowledgement ended a latched alarm
    CHECK(facet(acked, 2) == "end");

    CHECK(facet(sbp_high(AlarmState::updated), 2) == "update");
    CHECK(facet(sbp_high(AlarmState::escalated), 2) == "update");

    auto low = sbp_high(AlarmState::raised);
    low.high = false;
    low.priority = alerts::Priority::medium;
    low.condition = "sbp_low";
    low.value = 82;
    low.limit = 90;
    const auto s = segments(encode_oru_r40(options(), one(low), 0, now_wall));
    CHECK(s[4][5].starts_with("196670^MDC_EVT_LO^MDC^sbp_low"));
    CHECK(s[4][8] == "PM~SP~L");
    CHECK(s[5][7] == ">90");
}

TEST_CASE("ORU^R40: feed loss and advisories carry local codes and the alert source") {
    alerts::AlarmTransition feed;
    feed.alarm_no = 2;
    feed.kind = alerts::AlarmKind::technical;
    feed.feed = true;
    feed.signal = alerts::Signal::spo2;
    feed.condition = "spo2_feed_lost";
    feed.priority = alerts::Priority::medium;
    feed.value = 30;
    auto s = segments(encode_oru_r40(options(), one(feed, "no SpO2"), 0, now_wall));
    CHECK(s[4][5] == "spo2_feed_lost^spo2_feed_lost^99CW^^^^^^no SpO2");
    CHECK(s[4][8] == "PM~ST");
    CHECK(s[5][2] == "CWE");
    CHECK(s[5][3] == "68480^MDC_ATTR_ALERT_SOURCE^MDC");
    CHECK(s[5][5] == "150456^MDC_PULS_OXIM_SAT_O2^MDC");
    CHECK(s[10][5] == "ST");

    auto advisory = feed;
    advisory.feed = false;
    advisory.kind = alerts::AlarmKind::advisory;
    advisory.text_hint = "discharge criteria met";
    advisory.condition = "discharge_ready";
    s = segments(encode_oru_r40(options(), one(advisory, "ready"), 0, now_wall));
    CHECK(s[4][8] == "PN~SA");
    CHECK(s[5][2] == "ST");
    CHECK(s[5][5] == "CHAIRWATCH");
    CHECK(s[9][5] == "PN");
    CHECK(s[10][5] == "SA");
}

TEST_CASE("ORU^R40: chairwatchd's own technical alarm names chairwatchd as the source") {
    alerts::AlarmTransition t;
    t.alarm_no = 1;
    t.kind = alerts::AlarmKind::technical;
    t.condition = "notification_failed";
    t.priority = alerts::Priority::medium;
    t.onset.wall = onset_wall;
    t.at.wall = at_wall;
    auto n = one(t, "pagers may not ring");
    n.chair = "chairwatchd";
    n.session_id = "run-1764535117";
    n.patient_ref.clear();
    const auto s = segments(encode_oru_r40(options(), n, 0, now_wall));
    CHECK(s[4][5] == "notification_failed^notification_failed^99CW^^^^^^pagers may not ring");
    CHECK(s[4][8] == "PM~ST");  // no H or L: it measures nothing
    CHECK(s[5][2] == "ST");
    CHECK(s[5][3] == "68480^MDC_ATTR_ALERT_SOURCE^MDC");
    CHECK(s[5][5] == "CHAIRWATCH");
}

TEST_CASE("ORU^R40: delimiters in text and ids are escaped, never names") {
    auto n = one(sbp_high(AlarmState::raised), "a|b^c&d~e\\f\ng");
    n.chair = "bay|1";
    n.test = true;
    const auto msg = encode_oru_r40(options(), n, 0, now_wall);
    const auto s = segments(msg);
    REQUIRE(s.size() == 12);  // no segment was split by the newline
    CHECK(s[2][3] == "^^bay\\F\\1^CLINIC");
    CHECK(s[11][5] == "TEST ALARM (not a patient alarm): a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f g");
    std::string error;
    const auto parsed = hl7::Message::parse(msg, error);
    REQUIRE(parsed);
    CHECK(parsed->get(*parsed->all("OBX")[7], 5) ==
          "TEST ALARM (not a patient alarm): a|b^c&d~e\\f g");

    AcmOptions none = options();
    none.patient_id = PatientIdMode::none;
    CHECK(segments(encode_oru_r40(none, n, 0, now_wall))[1][3] ==
          "chair-03-20261124T184000Z^^^CHAIRWATCH^VN");
    n.patient_ref.clear();
    CHECK(segments(encode_oru_r40(options(), n, 0, now_wall))[1][3] ==
          "chair-03-20261124T184000Z^^^CHAIRWATCH^VN");
}

TEST_CASE("ORU^R40 control ids: stable per key and transition, distinct otherwise") {
    const auto a = acm_control_id("k1", 0);
    CHECK(a == acm_control_id("k1", 0));
    CHECK(a != acm_control_id("k1", 1));
    CHECK(a != acm_control_id("k2", 0));
    CHECK(a.size() <= 20);
    CHECK(a.starts_with("CW"));
}

TEST_CASE("ACK parsing: codes, control id and the error text") {
    std::string error;
    auto ack = parse_ack(
        "MSH|^~\\&|AM|HOSP|CHAIRWATCH|CLINIC|20261124||ACK^R40^ACK|A1|P|2.6\r"
        "MSA|AA|CW0123\r",
        error);
    REQUIRE(ack);
    CHECK(ack->code == "AA");
    CHECK(ack->control_id == "CW0123");
    CHECK(ack->text.empty());

    ack = parse_ack(
        "MSH|^~\\&|AM|HOSP|||20261124||ACK^R40^ACK|A2|P|2.6\nMSA|AE|CW9|bad\n"
        "ERR|||207^Application internal error^HL70357|E||||no such bed \\T\\ unit\n",
        error);
    REQUIRE(ack);
    CHECK(ack->code == "AE");
    CHECK(ack->text == "no such bed & unit");

    CHECK_FALSE(parse_ack("MSH|^~\\&|AM|HOSP|||20261124||ACK|A3|P|2.6\r", error));
    CHECK(error == "no MSA segment");
    CHECK_FALSE(parse_ack("MSH|^~\\&|AM|HOSP|||20261124||ACK|A3|P|2.6\rMSA|OK|x\r", error));
    CHECK(error.find("MSA-1") != std::string::npos);
    CHECK_FALSE(parse_ack("hello", error));
}

TEST_CASE("Dispatch status (ORU^R41): alert id, status, person, device and time") {
    const std::string msg =
        "MSH|^~\\&|AM|HOSP|CHAIRWATCH|CLINIC|20261124184300+0100||ORU^R41^ORU_R41|S1|P|2.6\r"
        "PID|||pseudonym-77^^^CHAIRWATCH^PI\r"
        "OBR|1||chair-03:chair-03-20261124T184000Z:a4^CHAIRWATCH|196616^MDC_EVT_ALARM^MDC\r"
        "OBX|1|ST|68488^MDC_ATTR_DISPATCH_STATUS^MDC||Read at endpoint||||||R|||"
        "20261124184312.250+0000||^Smith^Ann||phone-12^AM\r";
    std::string error;
    const auto st = parse_dispatch_status(msg, error);
    REQUIRE(st);
    CHECK(st->alert_id == "chair-03:chair-03-20261124T184000Z:a4");
    CHECK(st->status == "read");
    CHECK(st->person == "Ann Smith");
    CHECK(st->device == "phone-12");
    REQUIRE(st->at);
    CHECK(st->at->count() == 1795545792250);
    CHECK(st->control_id == "S1");

    CHECK_FALSE(parse_dispatch_status(
        "MSH|^~\\&|AM|HOSP|||20261124||ORU^R40^ORU_R40|S2|P|2.6\rOBR|1||x\r", error));
    CHECK(error == "not a dispatch status: MSH-9 is ORU^R40, expected ORU^R41");
    CHECK_FALSE(parse_dispatch_status(
        "MSH|^~\\&|AM|HOSP|||20261124||ORU^R41|S3|P|2.6\rOBR|1\rOBX|1|ST|x||accepted\r", error));
    CHECK(error == "no alert id in OBR-3");
    CHECK_FALSE(parse_dispatch_status(
        "MSH|^~\\&|AM|HOSP|||20261124||ORU^R41|S4|P|2.6\rOBR|1||a1\rOBX|1|ST|x\r", error));
    CHECK(error == "no status in any OBX-5");

    // Nothing that could forge a log line or hide in a name goes on.
    CHECK_FALSE(
        parse_dispatch_status("MSH|^~\\&|AM|HOSP|||20261124||ORU^R41|S6|P|2.6\rOBR|1||a1\r"
                              "OBX|1|ST|x||read||||||R|||||^Smith\\X0A\\2026 forged^Ann\r",
                              error));
    CHECK(error == "OBX-16 person must not contain control characters");
    CHECK_FALSE(parse_dispatch_status("MSH|^~\\&|AM|HOSP|||20261124||ORU^R41|S7|P|2.6\rOBR|1||" +
                                          std::string(129, 'a') + "\rOBX|1|ST|x||read\r",
                                      error));
    CHECK(error == "OBR-3 alert id is longer than 128 bytes");

    // No time in the OBX: the message's own.
    const auto other = parse_dispatch_status(
        "MSH|^~\\&|AM|HOSP|||20261124184300||ORU^R41|S5|P|2.6\rOBR|1||a1\r"
        "OBX|1|ST|x||Accepted by recipient||||||R|||||nurse-7\r",
        error);
    REQUIRE(other);
    CHECK(other->status == "accepted");
    CHECK(other->person == "nurse-7");
    CHECK(other->at->count() == 1795545780000);
}

TEST_CASE("ACK building: swaps the applications, echoes the control id, explains errors") {
    const std::string inbound =
        "MSH|^~\\&|AM|HOSP|CHAIRWATCH|CLINIC|20261124||ORU^R41^ORU_R41|S1|P|2.6\r";
    auto s = segments(encode_ack(inbound, AckSender{"CHAIRWATCH", "CLINIC"}, "AA", "K1", now_wall));
    REQUIRE(s.size() == 2);
    CHECK(s[0][3] == "CHAIRWATCH");
    CHECK(s[0][4] == "CLINIC");
    CHECK(s[0][5] == "AM");
    CHECK(s[0][6] == "HOSP");
    CHECK(s[0][9] == "ACK^R41^ACK");
    CHECK(s[0][10] == "K1");
    CHECK(s[0][12] == "2.6");
    CHECK(s[1][0] == "MSA");
    CHECK(s[1][1] == "AA");
    CHECK(s[1][2] == "S1");

    s = segments(encode_ack(inbound, AckSender{}, "AE", "K2", now_wall, "no | status", 101));
    REQUIRE(s.size() == 3);
    CHECK(s[1][1] == "AE");
    CHECK(s[1][3] == "no \\F\\ status");
    CHECK(s[2][0] == "ERR");
    CHECK(s[2][3] == "101^Required field missing^HL70357");
    CHECK(s[2][4] == "E");
    CHECK(s[2][8] == "no \\F\\ status");

    std::string error;
    const auto back =
        parse_ack(encode_ack("garbage", AckSender{}, "AE", "K3", now_wall, "x"), error);
    REQUIRE(back);
    CHECK(back->code == "AE");
    CHECK(back->control_id.empty());
}

TEST_CASE("HL7 timestamps") {
    CHECK(hl7::format_ts(Millis{0}) == "19700101000000.000+0000");
    CHECK(hl7::parse_ts("19700101000000.000+0000")->count() == 0);
    CHECK(hl7::parse_ts("197001010100+0100")->count() == 0);
    CHECK(hl7::parse_ts("1970010100")->count() == 0);
    CHECK(hl7::parse_ts("20261124184100.5")->count() == 1795545660500);
    CHECK_FALSE(hl7::parse_ts(""));
    CHECK_FALSE(hl7::parse_ts("2026-11-24"));
    CHECK_FALSE(hl7::parse_ts("20261324"));
    CHECK_FALSE(hl7::parse_ts("20261124+01"));
}

TEST_CASE("MLLP framing: frames across reads, bytes outside frames, the size bound") {
    MllpDeframer d(16);
    std::vector<std::string> frames;
    const auto two = mllp_frame("MSH|a") + "noise" + mllp_frame("MSH|b");
    CHECK(two.front() == '\x0b');
    CHECK(two.substr(two.size() - 2) == "\x1c\r");
    for (const char c : two)  // one byte at a time
        REQUIRE(d.feed(std::string_view(&c, 1), frames));
    REQUIRE(frames.size() == 2);
    CHECK(frames[0] == "MSH|a");
    CHECK(frames[1] == "MSH|b");

    frames.clear();
    CHECK(
        d.feed("\x0b"
               "cut off\x0b"
               "MSH|c\x1c\r",
               frames));
    REQUIRE(frames.size() == 1);
    CHECK(frames[0] == "MSH|c");
    CHECK_FALSE(d.feed(mllp_frame(std::string(40, 'x')), frames));
}
