#include "board/history.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace chairwatch::board {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::string_view record_suffix = ".summary.json";
constexpr std::uintmax_t max_record_bytes = 8 * 1024 * 1024;

std::string text_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool bool_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_bool() && v->get_bool();
}

const json::object* object_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_object() ? &v->get_object() : nullptr;
}

void count_alarm(HistoryEntry& e, const json::object& a) {
    const auto priority = text_of(a, "max_priority");
    if (text_of(a, "kind") == "advisory")
        ++e.advisories;
    else if (priority == "high")
        ++e.alarms_high;
    else if (priority == "medium")
        ++e.alarms_medium;
    else
        ++e.alarms_low;
    const auto* after = a.if_contains("acknowledged_after_s");
    const auto* acks = a.if_contains("acknowledgements");
    if (!after || !after->is_number() || !acks || !acks->is_array() || acks->get_array().empty())
        return;
    const auto& first = acks->get_array().front();
    if (!first.is_object()) return;
    e.acks.push_back({text_of(a, "condition"), priority, text_of(first.get_object(), "by"),
                      text_of(first.get_object(), "at"), after->to_number<double>()});
}

std::optional<std::string> read_small(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return std::move(s).str();
}

}  // namespace

bool valid_record_id(std::string_view id) {
    if (id.empty() || id.size() > 128 || id.front() == '.') return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

std::optional<HistoryEntry> parse_record(std::string_view text, std::string& error) {
    json::error_code ec;
    const auto v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    const auto& o = v.get_object();
    const auto* session = object_of(o, "session");
    if (text_of(o, "schema") != "chairwatch-session-record" || !session) {
        error = "not a chairwatch session record";
        return std::nullopt;
    }
    HistoryEntry e;
    e.chair = text_of(*session, "chair");
    e.session_id = text_of(*session, "session_id");
    if (!valid_record_id(e.chair) || !valid_record_id(e.session_id)) {
        error = "the record names no valid chair and session id";
        return std::nullopt;
    }
    e.profile = text_of(*session, "profile");
    e.route = text_of(*session, "route");
    e.start = text_of(*session, "start");
    e.end = text_of(*session, "end");
    e.end_reason = text_of(*session, "end_reason");
    if (e.start.size() < 10) {
        error = "the record has no session start";
        return std::nullopt;
    }
    if (const auto* d = object_of(o, "discharge")) {
        e.discharge_applicable = bool_of(*d, "applicable");
        e.discharge_ready_at_end = bool_of(*d, "ready_at_end");
    }
    if (const auto* alarms = o.if_contains("alarms"); alarms && alarms->is_array())
        for (const auto& a : alarms->get_array())
            if (a.is_object()) count_alarm(e, a.get_object());
    return e;
}

std::optional<fs::path> History::report_path(const std::string& dir, std::string_view chair,
                                             std::string_view session_id) {
    if (dir.empty() || !valid_record_id(chair) || !valid_record_id(session_id)) return std::nullopt;
    auto p = fs::path(dir) / std::string(chair) / (std::string(session_id) + ".html");
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(p, ec))) return std::nullopt;
    return p;
}

void History::refresh(const std::string& dir) {
    if (dir != dir_) {
        cache_.clear();
        dir_ = dir;
    }
    std::set<std::string> seen;
    std::error_code ec;
    for (const auto& chair : fs::directory_iterator(dir, ec)) {
        if (!chair.is_directory(ec) || !valid_record_id(chair.path().filename().string())) continue;
        for (const auto& f : fs::directory_iterator(chair.path(), ec)) {
            const auto name = f.path().filename().string();
            if (!name.ends_with(record_suffix) || !f.is_regular_file(ec)) continue;
            if (seen.size() >= max_records_) break;
            const auto path = f.path().string();
            seen.insert(path);
            const auto mtime = f.last_write_time(ec);
            const auto size = f.file_size(ec);
            auto& c = cache_[path];
            if (c.mtime == mtime && c.size == size && (c.entry || !c.error.empty())) continue;
            c = Cached{mtime, size, std::nullopt, {}};
            const auto text = size <= max_record_bytes ? read_small(f.path()) : std::nullopt;
            if (!text)
                c.error = "cannot be read";
            else
                c.entry = parse_record(*text, c.error);
            if (c.entry) {
                const auto report = f.path().parent_path() / (c.entry->session_id + ".html");
                c.entry->has_report = fs::is_regular_file(fs::symlink_status(report, ec));
            }
        }
    }
    std::erase_if(cache_, [&](const auto& kv) { return !seen.count(kv.first); });
    errors_.clear();
    for (const auto& [path, c] : cache_)
        if (!c.entry) errors_.push_back(path + ": " + c.error);
}

std::vector<const HistoryEntry*> History::sessions() const {
    std::vector<const HistoryEntry*> out;
    for (const auto& [_, c] : cache_)
        if (c.entry) out.push_back(&*c.entry);
    std::sort(out.begin(), out.end(), [](const HistoryEntry* a, const HistoryEntry* b) {
        return a->start != b->start ? a->start > b->start : a->chair < b->chair;
    });
    return out;
}

namespace {

void write_entry(drivers::JsonWriter& w, const HistoryEntry& e) {
    w.begin_object();
    w.key("chair").value(e.chair);
    w.key("session_id").value(e.session_id);
    w.key("profile").value(e.profile);
    w.key("route").value(e.route);
    w.key("start").value(e.start);
    w.key("end").value(e.end);
    w.key("end_reason").value(e.end_reason);
    w.key("discharge_applicable").value(e.discharge_applicable);
    w.key("discharge_ready_at_end").value(e.discharge_ready_at_end);
    w.key("alarms").begin_object();
    w.key("high").value(std::uint64_t{e.alarms_high});
    w.key("medium").value(std::uint64_t{e.alarms_medium});
    w.key("low").value(std::uint64_t{e.alarms_low});
    w.key("advisory").value(std::uint64_t{e.advisories});
    w.end_object();
    w.key("acks").begin_array();
    for (const auto& a : e.acks)
        write_ack(w, a);
    w.end_array();
    if (e.has_report) w.key("report").value("/reports/" + e.chair + "/" + e.session_id);
    w.end_object();
}

}  // namespace

void write_ack(drivers::JsonWriter& w, const AckTime& a, std::string_view chair,
               std::string_view session_id) {
    w.begin_object();
    if (!chair.empty()) w.key("chair").value(chair);
    if (!session_id.empty()) w.key("session_id").value(session_id);
    w.key("condition").value(a.condition);
    w.key("priority").value(a.priority);
    w.key("by").value(a.by);
    w.key("at").value(a.at);
    w.key("after_s").number(a.after_s);
    w.end_object();
}

void write_history(drivers::JsonWriter& w, const History& h, std::string_view day) {
    const auto all = h.sessions();
    std::vector<std::string> days;
    for (const auto* e : all)
        if (days.empty() || days.back() != e->day()) days.push_back(e->day());
    std::sort(days.begin(), days.end(), std::greater<>());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    const std::string chosen = day.empty() && !days.empty() ? days.front() : std::string(day);
    w.key("days").begin_array();
    for (const auto& d : days)
        w.value(d);
    w.end_array();
    w.key("day").value(chosen);
    w.key("sessions").begin_array();
    for (const auto* e : all)
        if (e->day() == chosen) write_entry(w, *e);
    w.end_array();
    w.key("errors").value(static_cast<std::uint64_t>(h.errors().size()));
}

}  // namespace chairwatch::board
