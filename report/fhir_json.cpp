// The small JSON pieces every FHIR resource of the export is made of, and its identifiers.
#include <array>
#include <cstdint>

#include "report/fhir_parts.hpp"

namespace chairwatch::report::fhir {

std::string Context::url(std::string_view what) const {
    std::string name = "chairwatch/";
    name.append(rec.site_chair()).append("/").append(rec.session_id).append("/").append(what);
    return "urn:uuid:" + name_uuid(name);
}

void begin_entry(JsonWriter& w, const std::string& url, std::string_view type) {
    w.begin_object();
    w.key("fullUrl").value(url);
    w.key("resource").begin_object();
    w.key("resourceType").value(type);
}

void end_entry(JsonWriter& w) {
    w.end_object();
    w.end_object();
}

void patient_reference(JsonWriter& w, const Context& c, std::string_view key, bool required) {
    if (!c.has_patient() && !required) return;
    w.key(key).begin_object();
    if (c.has_patient()) {
        w.key("type").value("Patient");
        w.key("identifier").begin_object();
        if (!c.o.patient_identifier_system.empty())
            w.key("system").value(c.o.patient_identifier_system);
        w.key("value").value(c.rec.patient_ref);
        w.end_object();
    } else {
        w.key("display").value("patient not identified: the session log has no patient_ref");
    }
    w.end_object();
}

void reference(JsonWriter& w, std::string_view key, const std::string& url) {
    w.key(key).begin_object().key("reference").value(url).end_object();
}

void coding(JsonWriter& w, std::string_view system, std::string_view code,
            std::string_view display) {
    w.begin_object();
    w.key("system").value(system);
    w.key("code").value(code);
    w.key("display").value(display);
    w.end_object();
}

void quantity(JsonWriter& w, std::string_view key, double value, std::string_view unit,
              std::string_view code, int decimals) {
    w.key(key).begin_object();
    w.key("value").number(value, decimals);
    w.key("unit").value(unit);
    w.key("system").value(ucum);
    w.key("code").value(code);
    w.end_object();
}

void period(JsonWriter& w, Millis start, std::optional<Millis> end) {
    w.key("period").begin_object();
    w.key("start").time(start);
    if (end) w.key("end").time(*end);
    w.end_object();
}

std::string base64(std::string_view bytes) {
    static constexpr char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const auto n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
        for (int shift : {18, 12, 6, 0})
            out += digits[(n >> shift) & 63];
    }
    if (const auto rest = bytes.size() - i; rest > 0) {
        std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
        if (rest == 2)
            n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        out += digits[(n >> 18) & 63];
        out += digits[(n >> 12) & 63];
        out += rest == 2 ? digits[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string name_uuid(std::string_view name) {
    // Two FNV-1a 64-bit hashes with different offsets: 128 bits, stable across runs and builds.
    auto fnv = [&](std::uint64_t h) {
        for (const char ch : name) {
            h ^= static_cast<unsigned char>(ch);
            h *= 0x100000001b3ULL;
        }
        return h;
    };
    std::array<std::uint8_t, 16> b{};
    const std::uint64_t hi = fnv(0xcbf29ce484222325ULL);
    const std::uint64_t lo = fnv(0x84222325cbf29ce4ULL);
    for (int i = 0; i < 8; ++i) {
        b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
        b[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
    }
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x80);  // version 8
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // variant 10
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[b[i] >> 4];
        out += hex[b[i] & 15];
    }
    return out;
}

}  // namespace chairwatch::report::fhir
