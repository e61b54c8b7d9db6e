// The intranasal esketamine fixture (fixtures/make_intranasal.py): nurse observations read back,
// the REMS checkpoints found from the readings, the REMS-shaped page only for intranasal
// sessions, and the ORU^R01 messages read back with the codec's HL7 parser. tests/records/
// hl7_check.py checks the same messages with python3-hl7.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "drivers/codec/hl7_text.hpp"
#include "report/hl7_report.hpp"
#include "report/rems.hpp"
#include "report/report.hpp"
#include "report_fixture.hpp"

namespace chairwatch::report {

using test::at;
using test::count;
namespace hl7 = drivers::hl7;

namespace {

const SessionRecord& intranasal() {
    static const SessionRecord rec = [] {
        std::string error;
        auto r = read_session_log(test::fixture_dir + "/intranasal_session.jsonl", error);
        if (!r) throw std::runtime_error(error);
        return std::move(*r);
    }();
    return rec;
}

ReportOptions options() {
    ReportOptions o;
    o.limits_note = "no configuration";
    o.generated_at = at("2026-03-03T16:00:00Z");
    return o;
}

// The record's readings with only the cuff measurements at these minutes after 13:00.
SessionRecord with_cuff_at(std::initializer_list<int> minutes) {
    SessionRecord rec = intranasal();
    for (auto s : {alerts::Signal::sbp, alerts::Signal::dbp, alerts::Signal::map}) {
        auto& series = rec.readings[alerts::index_of(s)];
        std::erase_if(series, [&](const TimedValue& v) {
            for (int m : minutes)
                if (v.t == at("2026-03-03T13:00:00Z") + std::chrono::minutes(m)) return false;
            return true;
        });
    }
    return rec;
}

}  // namespace

TEST_CASE("nurse observations are read back in log order, on the device clock") {
    const auto& rec = intranasal();
    REQUIRE(rec.errors.empty());
    REQUIRE(rec.observations.size() == 6);
    const auto& first = rec.observations.front();
    CHECK(first.kind == "dissociation");
    CHECK(first.value == "present");
    CHECK(first.text == "reports feeling detached from surroundings");
    CHECK(first.by == "rn-kim");
    CHECK(first.t == at("2026-03-03T13:25:00Z"));  // logged at receipt, a minute later
    CHECK(rec.observations[2].kind == "adverse_event");
    CHECK(rec.observations[2].value.empty());
    CHECK(rec.observations[5].text.empty());
}

TEST_CASE("an observation of another session is refused with its line") {
    std::istringstream in(
        R"({"type":"session_start","v":1,"ts":"2026-03-03T13:00:00.000Z","chair":"c","session_id":"s"})"
        "\n"
        R"({"type":"observation","ts":"2026-03-03T13:05:00.000Z","chair":"c","session_id":"t","kind":"note","text":"x","by":"rn"})"
        "\n"
        R"({"type":"observation","ts":"2026-03-03T13:06:00.000Z","chair":"c","session_id":"s","kind":"note"})"
        "\n");
    const auto rec = parse_session_log(in, "x.jsonl");
    CHECK(rec.observations.empty());
    REQUIRE(rec.errors.size() == 2);
    CHECK(rec.errors[0] == "x.jsonl:2: an observation of another session (ignored)");
    CHECK(rec.errors[1].find("x.jsonl:3: ") == 0);
    CHECK(rec.errors[1].find("'by'") != std::string::npos);
}

TEST_CASE("REMS checkpoints: pre-dose, ~40 min and pre-discharge from the cuff readings") {
    const auto c = rems_checkpoints(intranasal());
    REQUIRE(c.dose_start);
    CHECK(*c.dose_start == at("2026-03-03T13:10:00Z"));
    CHECK(c.dose_end == at("2026-03-03T13:15:00Z"));
    REQUIRE(c.pre_dose);
    CHECK(c.pre_dose->t == at("2026-03-03T13:09:00Z"));
    CHECK(c.pre_dose->sbp == 130);
    CHECK(c.pre_dose->dbp == 82);
    REQUIRE(c.at_40_min);
    CHECK(c.at_40_min->t == at("2026-03-03T13:48:00Z"));
    CHECK(c.at_40_min->sbp == 151);
    CHECK(c.at_40_min->map == 112);
    REQUIRE(c.pre_discharge);
    CHECK(c.pre_discharge->t == at("2026-03-03T15:25:00Z"));
    CHECK(c.pre_discharge->dbp == 80);
}

TEST_CASE("REMS checkpoints: a check the readings lack is left empty") {
    SUBCASE("no BP within 30-50 min after the dose, none before it") {
        const auto c = rems_checkpoints(with_cuff_at({25, 65, 145}));
        CHECK_FALSE(c.pre_dose);
        CHECK_FALSE(c.at_40_min);
        REQUIRE(c.pre_discharge);
        CHECK(c.pre_discharge->t == at("2026-03-03T15:25:00Z"));
    }
    SUBCASE("the last BP is the ~40 min one: no pre-discharge check") {
        const auto c = rems_checkpoints(with_cuff_at({9, 48}));
        REQUIRE(c.at_40_min);
        CHECK_FALSE(c.pre_discharge);
    }
    SUBCASE("the nearest to 40 min wins") {
        SessionRecord rec = with_cuff_at({9, 145});
        const auto base = at("2026-03-03T13:00:00Z");
        for (const auto& [minute, sbp] : {std::pair{45, 150.0}, std::pair{52, 149.0}}) {
            const auto t = base + std::chrono::minutes(minute);
            rec.readings[alerts::index_of(alerts::Signal::sbp)].push_back({t, sbp, 0});
            rec.readings[alerts::index_of(alerts::Signal::dbp)].push_back({t, 90, 0});
        }
        for (auto& series : rec.readings)
            std::sort(series.begin(), series.end(),
                      [](const TimedValue& a, const TimedValue& b) { return a.t < b.t; });
        const auto c = rems_checkpoints(rec);
        REQUIRE(c.at_40_min);
        CHECK(c.at_40_min->t == base + std::chrono::minutes(52));  // 42 min after, not 35
        CHECK(c.at_40_min->sbp == 149);
        CHECK_FALSE(c.at_40_min->map);  // none with it
    }
    SUBCASE("no dose recorded: no checkpoint") {
        SessionRecord rec = intranasal();
        rec.phases.clear();
        const auto c = rems_checkpoints(rec);
        CHECK_FALSE(c.dose_start);
        CHECK_FALSE(c.pre_dose);
        CHECK_FALSE(c.at_40_min);
    }
}

TEST_CASE("the REMS page: only for intranasal sessions, checkpoints with values") {
    const auto html = render_html(intranasal(), options());
    REQUIRE(count(html, "<section class=\"rems\">") == 1);
    const auto rems = html.substr(html.find("<section class=\"rems\">"));
    CHECK(count(rems, "<tr class=\"checkpoint\">") == 3);
    for (const char* field :
         {"PT-ESK-0007", "2026-03-03", "56 mg", "13:10", "13:09", "130 / 82", "13:48", "151 / 92",
          "15:25", "129 / 80", "2 h 20 min", "criteria met at 15:15", "drowsy, rousable to voice",
          "nausea, no vomiting", "rn-lee"}) {
        CAPTURE(field);
        CHECK(rems.find(field) != std::string::npos);
    }
    // A note is not one of the form's assessments: the observations table has it.
    CHECK(rems.find("asked for a blanket") == std::string::npos);
    CHECK(html.find("<h2>Nurse observations</h2>") != std::string::npos);
    CHECK(html.find("asked for a blanket") != std::string::npos);

    SUBCASE("blank fields for what nobody recorded") {
        SessionRecord rec = intranasal();
        rec.observations.clear();
        const auto page = render_html(with_cuff_at({48, 145}), options());
        const auto blank = render_html(rec, options());
        CHECK(blank.find("<h2>Nurse observations</h2>") == std::string::npos);
        CHECK(count(blank, "class=\"box\"") >= 6);
        CHECK(count(page, "not in the readings: by hand") == 1);  // no pre-dose BP
    }
    SUBCASE("the profile's route counts when the start message named none") {
        SessionRecord rec = intranasal();
        rec.route.clear();
        CHECK(render_html(rec, options()).find("class=\"rems\"") == std::string::npos);
        auto o = options();
        auto p = std::make_shared<alerts::Profile>(*test::profile());
        p->route = "intranasal";
        o.profile = p;
        CHECK(render_html(rec, o).find("class=\"rems\"") != std::string::npos);
    }
    SUBCASE("the number of devices, as the dose start said") {
        SessionRecord rec = intranasal();
        CHECK(render_html(rec, options()).find("3 (84 mg)") == std::string::npos);
        rec.devices = 3;
        CHECK(render_html(rec, options()).find("<th>Number of devices</th><td>3 (84 mg)</td>") !=
              std::string::npos);
    }
    SUBCASE("an IV session has none") {
        CHECK(render_html(test::fixture(), options()).find("class=\"rems\"") == std::string::npos);
    }
}

TEST_CASE("ORU^R01: one message per measurement, every reading in one OBX") {
    Hl7Options o;
    o.endpoints.sending_facility = "CLINIC";
    o.patient_identifier_system = "urn:oid:1.2.3.4";
    const auto now = at("2026-03-03T16:00:00Z");
    const auto messages = hl7_messages(intranasal(), o, now);
    std::size_t obx = 0;
    std::set<std::string> controls;
    for (const auto& text : messages) {
        std::string error;
        const auto m = hl7::Message::parse(text, error);
        REQUIRE_MESSAGE(m, error);
        CHECK(m->get("MSH", 9, 1) == "ORU");
        CHECK(m->get("MSH", 9, 2) == "R01");
        CHECK(m->get("MSH", 12) == "2.6");
        CHECK(m->get("MSH", 21, 1) == "IHE_PCD_001");
        CHECK(controls.insert(m->get("MSH", 10)).second);
        CHECK(m->get("PID", 3, 1) == "PT-ESK-0007");
        CHECK(m->get("PID", 3, 4) == "urn:oid:1.2.3.4");
        CHECK(m->get("PID", 3, 5) == "PI");
        CHECK(m->get("PV1", 3, 3) == "chair-07");
        CHECK(m->get("PV1", 3, 4) == "CLINIC");
        const auto when = m->get("OBR", 7);
        for (const auto* s : m->all("OBX")) {
            ++obx;
            CHECK(m->get(*s, 14) == when);
        }
    }
    CHECK(obx == intranasal().reading_count());
    // The 13:48 cuff measurement with HR and SpO2: five values in one message.
    const auto it = std::find_if(messages.begin(), messages.end(), [](const std::string& m) {
        return m.find("|20260303134800.000+0000\r") != std::string::npos;
    });
    REQUIRE(it != messages.end());
    std::string error;
    const auto m = hl7::Message::parse(*it, error);
    const auto obxs = m->all("OBX");
    REQUIRE(obxs.size() == 5);
    CHECK(m->get(*obxs[0], 3, 1) == "150021");
    CHECK(m->get(*obxs[0], 5) == "151");
    CHECK(m->get(*obxs[0], 6, 1) == "266016");
    CHECK(m->get(*obxs[0], 6, 4) == "mm[Hg]");
    CHECK(m->get(*obxs[0], 6, 6) == "UCUM");
    CHECK(m->get(*obxs[3], 3, 1) == "147842");
    CHECK(m->get(*obxs[3], 6, 4) == "/min");
    CHECK(m->get(*obxs[4], 3, 1) == "150456");
    CHECK(m->get(*obxs[4], 6, 4) == "%");
    // The same session and message number give the same control id at any time: a message
    // sent again is recognisable.
    const auto later = hl7_messages(intranasal(), o, now + std::chrono::hours(1));
    const auto at_index = static_cast<std::size_t>(it - messages.begin());
    CHECK(later[at_index] != *it);  // MSH-7
    CHECK(later[at_index].find("|" + m->get("MSH", 10) + "|") != std::string::npos);
}

TEST_CASE("ORU^R01 without a pseudonym names the session (VN); text is escaped") {
    SessionRecord rec = intranasal();
    rec.patient_ref.clear();
    rec.chair = "chair|7";
    const auto messages = hl7_messages(rec, {}, at("2026-03-03T16:00:00Z"));
    REQUIRE_FALSE(messages.empty());
    std::string error;
    const auto m = hl7::Message::parse(messages[0], error);
    REQUIRE(m);
    CHECK(m->get("PID", 3, 1) == rec.session_id);
    CHECK(m->get("PID", 3, 4) == "CHAIRWATCH");
    CHECK(m->get("PID", 3, 5) == "VN");
    CHECK(m->get("PV1", 3, 3) == "chair|7");
    CHECK(render_hl7(rec, {}, Millis{0}).size() > messages[0].size());
}

}  // namespace chairwatch::report
