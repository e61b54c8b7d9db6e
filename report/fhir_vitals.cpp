// The vital signs as Observations of the FHIR vital-signs profiles (LOINC codes, UCUM units,
// category vital-signs, the device time as effectiveDateTime): every cuff reading (a BP panel
// with SBP and DBP as components, and MAP), and HR, SpO2, RR and EtCO2 as 1-minute medians, as
// the report shows them.
#include <map>
#include <vector>

#include "report/fhir_parts.hpp"
#include "report/report_format.hpp"

namespace chairwatch::report::fhir {

namespace {

constexpr std::string_view profile_base = "http://hl7.org/fhir/StructureDefinition/";
constexpr std::string_view category_system =
    "http://terminology.hl7.org/CodeSystem/observation-category";

struct Code {
    std::string_view code;
    std::string_view display;
};

struct Kind {
    std::string_view name;     // for the entry's URL
    std::string_view profile;  // the vital-signs profile it follows
    std::vector<Code> codes;
    std::string_view text;
};

const Kind heart_rate{"hr", "heartrate", {{"8867-4", "Heart rate"}}, "Heart rate"};
const Kind oxygen{"spo2",
                  "oxygensat",
                  {{"2708-6", "Oxygen saturation in Arterial blood"},
                   {"59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"}},
                  "SpO2"};
const Kind respiration{"rr", "resprate", {{"9279-1", "Respiratory rate"}}, "Respiratory rate"};
const Kind end_tidal_co2{"etco2",
                         "vitalsigns",
                         {{"19889-5",
                           "Carbon dioxide [Partial pressure] in Exhaled gas --at end "
                           "expiration"}},
                         "EtCO2"};
const Kind bp_panel{"bp",
                    "bp",
                    {{"85354-9", "Blood pressure panel with all children optional"}},
                    "Blood pressure (NIBP)"};
const Kind mean_bp{
    "map", "vitalsigns", {{"8478-0", "Mean blood pressure"}}, "Mean arterial pressure (NIBP)"};

void code(JsonWriter& w, const std::vector<Code>& codes, std::string_view text) {
    w.key("code").begin_object();
    w.key("coding").begin_array();
    for (const auto& c : codes)
        coding(w, loinc, c.code, c.display);
    w.end_array();
    w.key("text").value(text);
    w.end_object();
}

// Everything of an Observation up to its value.
void begin_observation(JsonWriter& w, const Context& c, const Kind& k, std::size_t n, Millis t) {
    begin_entry(w, c.url(std::string(k.name) + "/" + std::to_string(n)), "Observation");
    if (c.has_patient()) {  // the profiles require a subject
        w.key("meta").begin_object().key("profile").begin_array();
        w.value(std::string(profile_base) + std::string(k.profile));
        w.end_array().end_object();
    }
    w.key("status").value("final");
    w.key("category").begin_array().begin_object();
    w.key("coding").begin_array();
    coding(w, category_system, "vital-signs", "Vital Signs");
    w.end_array();
    w.key("text").value("Vital Signs");
    w.end_object().end_array();
    code(w, k.codes, k.text);
    patient_reference(w, c, "subject", false);
    reference(w, "encounter", c.encounter());
    w.key("effectiveDateTime").time(t);
}

void write_streamed(JsonWriter& w, const Context& c, const Kind& k, Signal s, std::string_view unit,
                    std::string_view ucum_code) {
    std::size_t n = 0;
    for (const auto& p : c.s.trend(s)) {
        begin_observation(w, c, k, ++n, p.t);
        quantity(w, "valueQuantity", p.median, unit, ucum_code);
        w.key("note").begin_array().begin_object();
        w.key("text").value("median of the monitor's samples in one minute (10th-90th percentile " +
                            fmt_number(p.lo) + "-" + fmt_number(p.hi) + ")");
        w.end_object().end_array();
        end_entry(w);
    }
}

void component(JsonWriter& w, const Code& code, std::optional<double> v) {
    w.begin_object();
    w.key("code").begin_object().key("coding").begin_array();
    coding(w, loinc, code.code, code.display);
    w.end_array().end_object();
    if (v) {
        quantity(w, "valueQuantity", *v, "mmHg", "mm[Hg]");
    } else {
        w.key("dataAbsentReason").begin_object().key("coding").begin_array();
        coding(w, "http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown", "Unknown");
        w.end_array().end_object();
    }
    w.end_object();
}

// One panel per cuff measurement: SBP and DBP of one message share its device time.
void write_blood_pressure(JsonWriter& w, const Context& c) {
    std::map<Millis, std::pair<std::optional<double>, std::optional<double>>> cuff;
    for (const auto& r : c.rec.of(Signal::sbp))
        cuff[r.t].first = r.value;
    for (const auto& r : c.rec.of(Signal::dbp))
        cuff[r.t].second = r.value;
    std::size_t n = 0;
    for (const auto& [t, v] : cuff) {
        begin_observation(w, c, bp_panel, ++n, t);
        w.key("component").begin_array();
        component(w, {"8480-6", "Systolic blood pressure"}, v.first);
        component(w, {"8462-4", "Diastolic blood pressure"}, v.second);
        w.end_array();
        end_entry(w);
    }
    n = 0;
    for (const auto& r : c.rec.of(Signal::map)) {
        begin_observation(w, c, mean_bp, ++n, r.t);
        quantity(w, "valueQuantity", r.value, "mmHg", "mm[Hg]");
        end_entry(w);
    }
}

}  // namespace

void write_vital_signs(JsonWriter& w, const Context& c) {
    write_blood_pressure(w, c);
    write_streamed(w, c, heart_rate, Signal::hr, "beats/minute", "/min");
    write_streamed(w, c, oxygen, Signal::spo2, "%", "%");
    write_streamed(w, c, respiration, Signal::rr, "breaths/minute", "/min");
    write_streamed(w, c, end_tidal_co2, Signal::etco2, "mmHg", "mm[Hg]");
}

}  // namespace chairwatch::report::fhir
