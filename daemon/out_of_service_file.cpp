#include "daemon/out_of_service_file.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "alerts/time_format.hpp"
#include "drivers/codec/payload_codec.hpp"

namespace chairwatch::daemon {

namespace json = boost::json;

namespace {

std::string field(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

OutOfServiceLoad load_out_of_service(const std::string& path) {
    OutOfServiceLoad out;
    std::ifstream in(path);
    if (!in) return out;
    std::ostringstream text;
    text << in.rdbuf();
    json::error_code ec;
    const auto v = json::parse(text.str(), ec);
    const auto* chairs = !ec && v.is_object() ? v.as_object().if_contains("chairs") : nullptr;
    if (!chairs || !chairs->is_array()) {
        out.problems.push_back(path + ": not {\"chairs\":[...]}: no chair taken out of service");
        return out;
    }
    std::size_t n = 0;
    for (const auto& item : chairs->as_array()) {
        ++n;
        const auto* o = item.if_object();
        const auto chair = o ? field(*o, "chair") : std::string();
        const auto since = o ? drivers::parse_iso8601(field(*o, "since")) : std::nullopt;
        if (!drivers::valid_chair_id(chair) || !since) {
            out.problems.push_back(path + ": chairs[" + std::to_string(n - 1) +
                                   "]: needs a valid chair and an ISO-8601 since; skipped");
            continue;
        }
        out.chairs[chair] = alerts::OutOfService{*since, field(*o, "reason"), field(*o, "by")};
    }
    return out;
}

std::string save_out_of_service(const std::string& path, const OutOfServiceChairs& chairs) {
    json::array list;
    for (const auto& [chair, why] : chairs)
        list.push_back(json::object{{"chair", chair},
                                    {"since", alerts::format_iso8601(why.since)},
                                    {"by", why.by},
                                    {"reason", why.reason}});
    const auto tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << json::serialize(json::object{{"chairs", std::move(list)}}) << '\n';
        out.flush();
        if (!out) return "cannot write " + tmp;
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) return "cannot replace " + path;
    return {};
}

}  // namespace chairwatch::daemon
