// Internal to the FHIR export (render_fhir): the Bundle's shared context and the writers of its
// entries, one group of resources per file. Every entry is a complete resource written into
// the Bundle's `entry` array; references between entries are their urn:uuid full URLs.
#pragma once

#include <string>
#include <string_view>

#include "drivers/codec/json_writer.hpp"
#include "report/report.hpp"
#include "report/session_summary.hpp"

namespace chairwatch::report::fhir {

using drivers::JsonWriter;

inline constexpr std::string_view loinc = "http://loinc.org";
inline constexpr std::string_view ucum = "http://unitsofmeasure.org";
inline constexpr std::string_view snomed = "http://snomed.info/sct";

struct Context {
    const SessionRecord& rec;
    const SessionSummary& s;
    const ReportOptions& o;
    // "urn:uuid:..." for the named resource of this session, the same on every run.
    std::string url(std::string_view what) const;
    std::string encounter() const { return url("encounter"); }
    bool has_patient() const { return !rec.patient_ref.empty(); }
};

// {"fullUrl":URL,"resource":{"resourceType":TYPE ... ; end_entry closes both objects.
void begin_entry(JsonWriter& w, const std::string& url, std::string_view type);
void end_entry(JsonWriter& w);
// "KEY":{"identifier":{"system":..,"value":patient_ref}}; nothing when there is no patient_ref
// unless `required`, then a display that says so.
void patient_reference(JsonWriter& w, const Context& c, std::string_view key, bool required);
void reference(JsonWriter& w, std::string_view key, const std::string& url);
// {"system":..,"code":..,"display":..} as one element of a coding array.
void coding(JsonWriter& w, std::string_view system, std::string_view code,
            std::string_view display);
// "KEY":{"value":..,"unit":..,"system":UCUM,"code":..}
void quantity(JsonWriter& w, std::string_view key, double value, std::string_view unit,
              std::string_view code, int decimals = 1);
void period(JsonWriter& w, Millis start, std::optional<Millis> end);

void write_encounter(JsonWriter& w, const Context& c);
void write_vital_signs(JsonWriter& w, const Context& c);
void write_medication(JsonWriter& w, const Context& c);
void write_alarms(JsonWriter& w, const Context& c);
void write_document(JsonWriter& w, const Context& c);

std::string base64(std::string_view bytes);
// A name-based UUID (RFC 9562 version 8 layout) of `name`: the same name, the same UUID.
std::string name_uuid(std::string_view name);

}  // namespace chairwatch::report::fhir
